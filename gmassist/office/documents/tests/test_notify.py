"""E-mails: the approver whose turn it is (and their deputy while they are away), and the
author once the document is decided."""

from django.utils import timezone

from gmassist.core.services import deputy_name
from gmassist.office.documents import services


def _addresses(cast):
    for user in (cast.employee, cast.head, cast.gm, cast.account_manager):
        user.email = f"{user.username}@example.com"
        user.save()


def test_the_first_approver_is_told_and_then_the_next(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    _addresses(cast)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_create(
            by=cast.employee, title="Memo", approvers=[cast.head, cast.gm], text="Hi"
        )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["head@example.com"], "Document to approve: Memo")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.document_decide(document=document, by=cast.head, decision="approve")
    assert [m.to for m in mailoutbox] == [["head@example.com"], ["gm@example.com"]]


def test_the_deputy_of_an_absent_approver_is_told_too(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    _addresses(cast)
    today = timezone.localdate()
    deputy_name(
        principal=cast.head,
        deputy=cast.account_manager,
        starts_on=today,
        ends_on=today,
        by=cast.head,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_create(by=cast.employee, title="Memo", approvers=[cast.head], text="Hi")
    assert [m.to for m in mailoutbox] == [["head@example.com"], ["am@example.com"]]
    assert "You decide it on behalf of Hank Head, as their deputy." in mailoutbox[1].body


def test_the_author_is_told_the_outcome(cast, mailoutbox, django_capture_on_commit_callbacks):
    _addresses(cast)
    document = services.document_create(
        by=cast.employee, title="Memo", approvers=[cast.head], text="Hi"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.document_decide(
            document=document, by=cast.head, decision="changes", comment="Shorter, please."
        )
    assert mailoutbox[-1].to == ["employee@example.com"]
    assert mailoutbox[-1].subject == "Changes requested: Memo"
    assert "Shorter, please." in mailoutbox[-1].body
