"""Customers' records on screen: log a service contact, change it, correct a customer's details,
add a note or a file, with the record's history on the customer page.

Every form: success, no login, wrong scope (nothing changed), bad input (the error names the
field), the check as you type, and the history entry it writes. An account manager works on
their own book, the GM's office on every customer, a department head reads only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from gmassist.core.models import AuditEntry, Note
from gmassist.core.presenters import audit_change_lines
from gmassist.customers import selectors, services
from gmassist.customers.models import GroupCustomer, Industry, ServiceContact
from gmassist.customers.tests.factories import make_book

COMPLAINT = {
    "date": "2026-11-10",
    "kind": "complaint",
    "channel": "account_manager",
    "satisfaction": "2",
    "summary": "Invoices for October arrived twice.",
}


@pytest.fixture
def book(cast) -> dict[str, GroupCustomer]:
    """C1 (Acme, Telecom) served by Alice, the account manager; C2 (Bolt) by Oscar; C3 by
    nobody."""
    return make_book(cast)


def _new_contact_url(customer: GroupCustomer) -> str:
    return f"/customers/{customer.pk}/contacts/new/"


def _contact(customer: GroupCustomer, **fields) -> ServiceContact:
    values = {"date": dt.date(2026, 11, 10), "channel": "account_manager", "kind": "complaint"}
    values.update(fields)
    return ServiceContact.objects.create(customer=customer, **values)


def _edit_data(customer: GroupCustomer, **changes: str) -> dict[str, str]:
    """The edit form as it is shown (its initial values), with `changes` typed over it."""
    data = {
        "name": customer.name,
        "industry": customer.industry.code if customer.industry_id else "",
        "scale": "" if customer.scale is None else str(customer.scale),
        "region": customer.region,
        "contract_start": "",
        "contract_end": "",
        "products": "",
        "status": customer.status,
        "contact_name": customer.contact_name,
        "contact_phone": customer.contact_phone,
        "contact_email": customer.contact_email,
        "address": customer.address,
        "comment": "",
    }
    data.update(changes)
    return data


# --- log a contact ---------------------------------------------------------------------------


def test_an_account_manager_logs_a_complaint_and_sees_it_with_its_history(client, cast, book):
    client.force_login(cast.account_manager)
    acme = book["C1"]

    page = client.get(f"/customers/{acme.pk}/")
    assert 'data-testid="contact-form"' in page.content.decode()
    response = client.post(_new_contact_url(acme), COMPLAINT)

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{acme.pk}/"
    contact = ServiceContact.objects.get(customer=acme)
    assert (contact.date, contact.channel, contact.kind) == (
        dt.date(2026, 11, 10),
        "account_manager",
        "complaint",
    )
    assert (contact.satisfaction, contact.resolved, contact.summary) == (
        2,
        False,
        "Invoices for October arrived twice.",
    )
    [entry] = AuditEntry.objects.filter(target_type="customers.servicecontact")
    assert (entry.action, entry.actor, entry.target_id) == (
        "create",
        cast.account_manager,
        str(contact.pk),
    )
    assert entry.changes == {
        "date": "2026-11-10",
        "channel": "account_manager",
        "kind": "complaint",
        "satisfaction": 2,
        "resolved": False,
        "summary": "Invoices for October arrived twice.",
    }
    shown = client.get(f"/customers/{acme.pk}/")
    assert [c.pk for c in shown.context["contacts"]] == [contact.pk]
    assert [e.pk for e in shown.context["record_history"]] == [entry.pk]
    body = shown.content.decode()
    assert "Invoices for October arrived twice." in body
    assert 'data-testid="history-entry"' in body


@pytest.mark.parametrize("who", ["gm", "assistant"])
def test_the_gm_s_office_logs_a_contact_for_any_customer(client, cast, book, who):
    client.force_login(getattr(cast, who))

    response = client.post(_new_contact_url(book["C2"]), {**COMPLAINT, "kind": "visit"})

    assert response.status_code == 302
    assert ServiceContact.objects.get(customer=book["C2"]).kind == "visit"


def test_logging_a_contact_needs_a_login_and_writes_nothing_without_one(client, book):
    response = client.post(_new_contact_url(book["C1"]), COMPLAINT)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not ServiceContact.objects.exists()


def test_an_account_manager_cannot_log_a_contact_of_another_manager_s_customer(client, cast, book):
    client.force_login(cast.account_manager)

    assert client.get(_new_contact_url(book["C2"])).status_code == 404
    assert client.post(_new_contact_url(book["C2"]), COMPLAINT).status_code == 404
    assert not ServiceContact.objects.exists()
    assert not AuditEntry.objects.filter(target_type="customers.servicecontact").exists()


def test_a_department_head_reads_their_managers_customers_but_logs_nothing(client, cast, book):
    client.force_login(cast.head)
    acme = book["C1"]

    page = client.get(f"/customers/{acme.pk}/")
    assert page.status_code == 200
    assert page.context["contact_form"] is None
    assert 'data-testid="customer-edit"' not in page.content.decode()
    assert client.post(_new_contact_url(acme), COMPLAINT).status_code == 403
    assert not ServiceContact.objects.exists()


@pytest.mark.parametrize("who", ["hr", "employee"])
def test_a_role_without_customers_is_refused(client, cast, book, who):
    client.force_login(getattr(cast, who))

    assert client.post(_new_contact_url(book["C1"]), COMPLAINT).status_code == 403
    assert not ServiceContact.objects.exists()


def test_a_bad_date_or_a_satisfaction_of_7_shows_the_error_next_to_its_field(client, cast, book):
    client.force_login(cast.account_manager)
    url = _new_contact_url(book["C1"])

    bad_date = client.post(url, {**COMPLAINT, "date": "2026-02-30"})
    too_happy = client.post(url, {**COMPLAINT, "satisfaction": "7"})

    assert (bad_date.status_code, too_happy.status_code) == (422, 422)
    assert bad_date.context["form"].errors == {
        "date": ["not a date: '2026-02-30' (day is out of range for month)"]
    }
    assert too_happy.context["form"].errors == {"satisfaction": ["must be from 1 to 5"]}
    assert not ServiceContact.objects.exists()


def test_a_contact_without_a_kind_is_refused_naming_the_kind(client, cast, book):
    client.force_login(cast.account_manager)

    response = client.post(_new_contact_url(book["C1"]), {**COMPLAINT, "kind": ""})

    assert response.status_code == 422
    assert response.context["form"].errors == {"kind": ["kind is required"]}
    assert not ServiceContact.objects.exists()


def test_a_kind_typed_around_the_menu_is_refused_by_the_import(client, cast, book):
    client.force_login(cast.account_manager)

    response = client.post(_new_contact_url(book["C1"]), {**COMPLAINT, "kind": "party"})

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["kind"]
    assert not ServiceContact.objects.exists()


def test_a_second_contact_of_the_same_day_channel_and_kind_is_refused_not_merged(
    client, cast, book
):
    first = _contact(book["C1"], satisfaction=4, summary="first call")
    client.force_login(cast.account_manager)

    response = client.post(_new_contact_url(book["C1"]), COMPLAINT)

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "kind": [
            "this customer has a contact of this kind through this channel on this date "
            "already: change that one"
        ]
    }
    first.refresh_from_db()
    assert (first.satisfaction, first.summary) == (4, "first call")
    assert ServiceContact.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_the_check_as_you_type_puts_the_errors_in_place_and_writes_nothing(client, cast, book):
    client.force_login(cast.account_manager)
    url = _new_contact_url(book["C1"])
    typing = {"HX-Request": "true"}

    wrong = client.post(url, {**COMPLAINT, "satisfaction": "9", "validate": "1"}, headers=typing)
    right = client.post(url, {**COMPLAINT, "validate": "1"}, headers=typing)

    assert wrong.status_code == 200
    body = wrong.content.decode()
    assert '<span id="errors-satisfaction" class="field-errors" hx-swap-oob="true">' in body
    assert "must be from 1 to 5" in body
    assert right.status_code == 200
    assert 'class="field-error"' not in right.content.decode()
    assert not ServiceContact.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_logged_complaint_feeds_the_channel_rules_and_the_churn_model_as_an_imported_one(
    client, cast, book
):
    client.force_login(cast.account_manager)
    client.post(_new_contact_url(book["C1"]), COMPLAINT)
    december = dt.date(2026, 12, 15)

    routing = {c.customer_id: c for c in selectors.routing_candidates(as_of=december)}
    history, _first = selectors.churn_history(as_of=december)

    acme = book["C1"].pk
    assert (routing[acme].contacts_12m, routing[acme].complaints_12m) == (1, 1)
    assert (routing[book["C2"].pk].contacts_12m, routing[book["C2"].pk].complaints_12m) == (0, 0)
    position = history.customer_ids.tolist().index(acme)
    assert history.contact_customer.tolist() == [position]
    assert history.contact_complaint.tolist() == [1.0]
    assert history.contact_unresolved.tolist() == [1.0]
    assert history.contact_satisfaction.tolist() == [2.0]


# --- change a contact ------------------------------------------------------------------------


def test_an_account_manager_marks_a_complaint_resolved_with_the_reason_in_the_history(
    client, cast, book
):
    contact = _contact(book["C1"], satisfaction=2, summary="Invoices twice.")
    client.force_login(cast.account_manager)
    url = f"/customers/contacts/{contact.pk}/edit/"

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "satisfaction": "4",
            "resolved": "on",
            "summary": "Invoices twice.",
            "comment": "Credit note sent",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{book['C1'].pk}/"
    contact.refresh_from_db()
    assert (contact.satisfaction, contact.resolved) == (4, True)
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.target_type) == ("update", "customers.servicecontact")
    assert entry.changes == {
        "satisfaction": [2, 4],
        "resolved": [False, True],
        "comment": "Credit note sent",
    }
    body = client.get(f"/customers/{book['C1'].pk}/").content.decode()
    assert "Credit note sent" in body
    assert "2026-11-10 Complaint" in body  # which contact the entry is about


def test_changing_a_contact_without_changes_records_nothing(client, cast, book):
    contact = _contact(book["C1"], satisfaction=2)
    client.force_login(cast.account_manager)

    response = client.post(
        f"/customers/contacts/{contact.pk}/edit/", {"satisfaction": "2", "summary": ""}
    )

    assert response.status_code == 302
    assert not AuditEntry.objects.exists()


def test_a_contact_of_another_book_cannot_be_changed(client, cast, book):
    theirs = _contact(book["C2"], satisfaction=2)
    mine = _contact(book["C1"], satisfaction=2)
    data = {"satisfaction": "5", "resolved": "on"}

    client.force_login(cast.account_manager)
    assert client.post(f"/customers/contacts/{theirs.pk}/edit/", data).status_code == 404
    client.force_login(cast.head)
    assert client.post(f"/customers/contacts/{mine.pk}/edit/", data).status_code == 403
    client.logout()
    assert client.post(f"/customers/contacts/{mine.pk}/edit/", data).status_code == 302

    assert list(ServiceContact.objects.values_list("satisfaction", "resolved")) == [
        (2, False),
        (2, False),
    ]
    assert not AuditEntry.objects.exists()


def test_a_satisfaction_of_9_is_refused_naming_it(client, cast, book):
    contact = _contact(book["C1"], satisfaction=2)
    client.force_login(cast.account_manager)

    response = client.post(f"/customers/contacts/{contact.pk}/edit/", {"satisfaction": "9"})

    assert response.status_code == 422
    assert response.context["form"].errors == {"satisfaction": ["must be from 1 to 5"]}
    contact.refresh_from_db()
    assert contact.satisfaction == 2


# --- a customer's details --------------------------------------------------------------------


def test_an_account_manager_corrects_who_to_call_and_the_history_says_why(client, cast, book):
    acme = book["C1"]
    client.force_login(cast.account_manager)
    url = f"/customers/{acme.pk}/edit/"

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _edit_data(
            acme,
            contact_name="Li Wei",
            contact_phone="+86 21 5555 0101",
            contact_email="li.wei@acme.example",
            comment="Li Wei replaced Mr Zhao as buyer",
        ),
    )

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.contact_name, acme.contact_phone, acme.contact_email) == (
        "Li Wei",
        "+86 21 5555 0101",
        "li.wei@acme.example",
    )
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.target_type, entry.target_id) == (
        "update",
        "customers.groupcustomer",
        str(acme.pk),
    )
    assert entry.changes == {
        "contact_name": ["", "Li Wei"],
        "contact_phone": ["", "+86 21 5555 0101"],
        "contact_email": ["", "li.wei@acme.example"],
        "comment": "Li Wei replaced Mr Zhao as buyer",
    }
    page = client.get(f"/customers/{acme.pk}/").content.decode()
    assert "Li Wei replaced Mr Zhao as buyer" in page
    assert "contact person:</span> — → Li Wei" in page


def test_a_new_industry_shows_by_name_in_the_history_in_the_reader_s_language(client, cast, book):
    Industry.objects.create(code="FIN", name="Finance")
    acme = book["C1"]
    client.force_login(cast.gm)

    client.post(f"/customers/{acme.pk}/edit/", _edit_data(acme, industry="FIN", scale="650"))

    acme.refresh_from_db()
    assert (acme.industry.code, acme.scale) == ("FIN", 650)
    [entry] = selectors.customer_record_history(user=cast.gm, customer=acme)
    with translation.override("zh-hans"):
        lines = dict(audit_change_lines(entry))
    assert lines["行业"] == "Telecom (TEL) → Finance (FIN)"


def test_an_industry_that_does_not_exist_is_refused_not_created(client, cast, book):
    client.force_login(cast.gm)

    response = client.post(
        f"/customers/{book['C1'].pk}/edit/", _edit_data(book["C1"], industry="NOWHERE")
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"industry": ["no such industry code: NOWHERE"]}
    assert list(Industry.objects.values_list("code", flat=True)) == ["TEL"]


def test_a_bad_e_mail_and_a_contract_that_ends_before_it_starts_name_their_fields(
    client, cast, book
):
    client.force_login(cast.account_manager)
    acme = book["C1"]

    response = client.post(
        f"/customers/{acme.pk}/edit/",
        _edit_data(
            acme,
            contact_email="li.wei at acme",
            contract_start="2026-06-01",
            contract_end="2026-01-01",
        ),
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "contact_email": ["not an e-mail address"],
        "contract_end": ["the contract cannot end before it starts"],
    }
    acme.refresh_from_db()
    assert (acme.contact_email, acme.contract_start) == ("", None)
    assert not AuditEntry.objects.exists()


def test_the_form_offers_no_tier_manager_or_channel_and_ignores_them_when_sent(client, cast, book):
    acme = book["C1"]
    client.force_login(cast.gm)

    form = client.get(f"/customers/{acme.pk}/edit/").context["form"]
    response = client.post(
        f"/customers/{acme.pk}/edit/",
        _edit_data(acme, tier="A", account_manager="E005", service_channel="partner"),
    )

    assert not {"tier", "account_manager", "service_channel", "code"} & set(form.fields)
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.tier, acme.account_manager.employee.employee_no, acme.service_channel) == (
        "",
        "E006",
        "account_manager",
    )


def test_a_customer_of_another_book_cannot_be_edited(client, cast, book):
    client.force_login(cast.account_manager)
    assert client.get(f"/customers/{book['C2'].pk}/edit/").status_code == 404
    assert (
        client.post(
            f"/customers/{book['C2'].pk}/edit/", _edit_data(book["C2"], name="Mine now")
        ).status_code
        == 404
    )
    client.force_login(cast.head)
    assert (
        client.post(
            f"/customers/{book['C1'].pk}/edit/", _edit_data(book["C1"], name="Renamed")
        ).status_code
        == 403
    )
    client.logout()
    anonymous = client.post(f"/customers/{book['C1'].pk}/edit/", _edit_data(book["C1"]))
    assert anonymous["Location"].startswith("/login/")

    assert list(GroupCustomer.objects.order_by("code").values_list("name", flat=True)) == [
        "Acme",
        "Bolt",
        "Crane",
    ]
    assert not AuditEntry.objects.exists()


def test_the_check_as_you_type_of_the_record_writes_nothing(client, cast, book):
    client.force_login(cast.account_manager)
    acme = book["C1"]

    response = client.post(
        f"/customers/{acme.pk}/edit/",
        {**_edit_data(acme, name="", contact_name="Li Wei"), "validate": "1"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "name is required" in response.content.decode()
    acme.refresh_from_db()
    assert (acme.name, acme.contact_name) == ("Acme", "")
    assert not AuditEntry.objects.exists()


def test_the_history_is_shown_to_whoever_sees_the_customer(client, cast, book):
    client.force_login(cast.account_manager)
    client.post(_new_contact_url(book["C1"]), COMPLAINT)

    assert len(selectors.customer_record_history(user=cast.head, customer=book["C1"])) == 1
    assert selectors.customer_record_history(user=cast.outsider, customer=book["C1"]) is None
    assert selectors.customer_record_history(user=cast.account_manager, customer=book["C2"]) is None


# --- the services' own rules -----------------------------------------------------------------


def test_the_tier_manager_channel_and_code_change_only_through_their_own_ways(cast, book):
    acme = book["C1"]

    with pytest.raises(ValidationError) as refused:
        services.customer_update(
            customer=acme,
            data={
                "tier": "A",
                "account_manager": "E005",
                "service_channel": "partner",
                "code": "X",
            },
            by=cast.gm,
        )

    assert refused.value.message_dict == {
        "tier": ["the tier changes through a re-tiering proposal"],
        "account_manager": ["the account manager changes through a matching proposal"],
        "service_channel": ["the service channel changes through a routing proposal"],
        "code": ["a customer's code does not change"],
    }
    acme.refresh_from_db()
    assert (acme.code, acme.tier, acme.service_channel) == ("C1", "", "account_manager")


def test_a_contact_s_date_channel_and_kind_do_not_change(cast, book):
    contact = _contact(book["C1"])

    with pytest.raises(ValidationError) as refused:
        services.service_contact_update(
            contact=contact, data={"kind": "visit", "date": dt.date(2026, 11, 10)}, by=cast.gm
        )

    assert refused.value.message_dict == {
        "kind": ["a contact's date, channel and kind do not change: log another one"]
    }
    contact.refresh_from_db()
    assert contact.kind == "complaint"


def test_nobody_logs_nothing(book):
    with pytest.raises(PermissionDenied):
        services.service_contact_create(
            customer=book["C1"], date="2026-11-10", channel="branch", kind="visit", by=None
        )
    assert not ServiceContact.objects.exists()


# --- notes and files -------------------------------------------------------------------------


def test_an_account_manager_adds_a_note_with_a_file_to_their_customer(
    client, cast, book, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    acme = book["C1"]
    client.force_login(cast.account_manager)

    page = client.get(f"/customers/{acme.pk}/")
    assert "holds_pay" not in page.context["note_form"].fields
    response = client.post(
        f"/notes/customers.groupcustomer/{acme.pk}/add/",
        {
            "body": "Renewal: they want a 3-year term",
            "attachment": SimpleUploadedFile("terms.pdf", b"%PDF-1.4 terms", "application/pdf"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{acme.pk}/"
    note = Note.objects.get()
    assert (note.body, note.attachment_name, note.author, note.holds_pay) == (
        "Renewal: they want a 3-year term",
        "terms.pdf",
        cast.account_manager,
        False,
    )
    shown = client.get(f"/customers/{acme.pk}/")
    assert [n.pk for n in shown.context["notes"]] == [note.pk]
    assert "Renewal: they want a 3-year term" in shown.content.decode()
    client.force_login(cast.head)  # who sees the customer reads its notes and opens its files
    assert client.get(f"/notes/{note.pk}/file/").status_code == 200


def test_notes_of_a_customer_out_of_one_s_book_are_neither_added_nor_read(
    client, cast, book, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    bolt = book["C2"]
    note = Note.objects.create(
        target_type="customers.groupcustomer", target_id=str(bolt.pk), body="Oscar's note"
    )
    client.force_login(cast.account_manager)

    added = client.post(f"/notes/customers.groupcustomer/{bolt.pk}/add/", {"body": "mine"})

    assert added.status_code == 404
    assert list(Note.objects.values_list("body", flat=True)) == ["Oscar's note"]
    assert client.get(f"/notes/{note.pk}/file/").status_code == 404
    client.force_login(cast.hr)
    assert (
        client.post(f"/notes/customers.groupcustomer/{bolt.pk}/add/", {"body": "x"}).status_code
        == 404
    )
    assert Note.objects.count() == 1
