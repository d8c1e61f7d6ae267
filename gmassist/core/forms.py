"""Forms of the core pages: list filters, the language switch, imports, decisions, tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gmassist.core import selectors
from gmassist.core.choices import Action, AuditAction, Role
from gmassist.core.imports import entity_spec, registered_entities
from gmassist.core.permissions import ALL, reach
from gmassist.core.uploads import upload_limit_mb, upload_too_large_message
from gmassist.lib.bounded_toml import MAX_TOML_CHARS
from gmassist.lib.mapping import MappingError, parse_mapping


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The password change, whose old password is checked as a login is: django-axes counts a
    wrong one against the username and the address and refuses it while they are locked out,
    so that a session left open cannot be used to guess the password (to reuse it elsewhere)."""

    def __init__(self, user: Any, *args: Any, request: Any = None, **kwargs: Any):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        checked = authenticate(self.request, username=username, password=old_password)
        if getattr(self.request, "axes_locked_out", False):
            minutes = settings.LOGIN_LOCKOUT_MINUTES
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong passwords for this username or from your address: the old"
                    " password is not checked for %(minutes)d minute after the last one.",
                    "Too many wrong passwords for this username or from your address: the old"
                    " password is not checked for %(minutes)d minutes after the last one.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked_out",
            )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class FilterForm(forms.Form):
    """The base of every list's filter form: it knows the user, to offer only what they see."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)


class AuditFilterForm(FilterForm):
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *AuditAction.choices],
        widget=forms.Select(attrs={"id": "audit-action"}),
    )
    who = forms.CharField(
        label=_("Who"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"id": "audit-who", "type": "search", "placeholder": _("Name or username")}
        ),
    )
    record = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "id": "audit-record",
                "type": "search",
                "placeholder": _("e.g. E000429, proposal #5, org.employee"),
            }
        ),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end is before the start."))
        return data


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you reject."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the proposal is rejected."))
        return data


class OutsideDecisionForm(forms.Form):
    """The record of a decision taken outside the application (a proposal about the GM)."""

    decision = forms.ChoiceField(
        label=_("Decided"),
        choices=[("approved", _("Approved")), ("rejected", _("Rejected"))],
        widget=forms.RadioSelect,
    )
    decided_by = forms.CharField(
        label=_("Decided by"),
        max_length=200,
        help_text=_("Who decided outside the application, e.g. “Board of directors”."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        help_text=_("Where it is recorded, e.g. “Board minutes 2026/03, item 4”."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SavedViewForm(forms.Form):
    """A list's current state to save under a name (sent by the list page's menu)."""

    page = forms.CharField(max_length=60, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=4000, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=80)
    shared_with_role = forms.ChoiceField(
        label=_("Share with"),
        required=False,
        choices=[("", _("Nobody: only me")), *Role.choices],
    )


class SavedViewEditForm(forms.Form):
    """A saved view's new name and whom it is shared with."""

    name = forms.CharField(label=_("Name"), max_length=80)
    shared_with_role = forms.ChoiceField(
        label=_("Share with"),
        required=False,
        choices=[("", _("Nobody: only me")), *Role.choices],
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, e.g. “monthly payroll script”."),
        widget=forms.TextInput(attrs={"id": "token-name"}),
    )


class ImportForm(forms.Form):
    """What to import: the file, the entity, and the mapping (saved, pasted or uploaded)."""

    entity = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"id": "import-file", "accept": ".csv,.xlsx,.txt"}),
    )
    saved_mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        required=False,
        queryset=None,
        empty_label=_("None: the file has the standard columns"),
        widget=forms.Select(attrs={"id": "import-saved-mapping"}),
    )
    mapping_text = forms.CharField(
        label=_("Or paste a mapping (TOML)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "id": "import-mapping-text", "spellcheck": "false"}
        ),
    )
    mapping_file = forms.FileField(
        label=_("Or upload a mapping file (.toml)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"id": "import-mapping-file", "accept": ".toml"}),
    )
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("Optional: a name to find it again next time, e.g. “HR system export”."),
        widget=forms.TextInput(attrs={"id": "import-save-as"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        # only what the role may import, by name, and no entity chosen for the user
        self.fields["entity"].choices = [
            ("", _("Choose what the file holds")),
            *sorted(
                ((name, entity_label(name)) for name in importable_entities(user)),
                key=lambda choice: choice[1],
            ),
        ]
        self.fields["entity"].widget.attrs["id"] = "import-entity"
        self.fields["file"].help_text = _(
            "At most %(limit)s MB and %(rows)s rows; split a larger file."
        ) % {"limit": upload_limit_mb(), "rows": f"{settings.IMPORT_MAX_ROWS:,}"}
        self.fields["saved_mapping"].queryset = selectors.import_mappings_visible(user=user)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(upload_too_large_message())
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text = (data.get("mapping_text") or "").strip()
        upload = data.get("mapping_file")
        saved = data.get("saved_mapping")
        if upload is not None:
            if upload.size > 4 * MAX_TOML_CHARS:  # (a mapping is a few KB)
                self.add_error("mapping_file", _("The mapping file is too large."))
                return data
            try:
                text = upload.read().decode("utf-8-sig").strip()
            except UnicodeDecodeError:
                self.add_error("mapping_file", _("The mapping file must be UTF-8 text."))
                return data
        given = [bool(text), saved is not None]
        if sum(given) > 1:
            self.add_error("mapping_text", _("Choose a saved mapping or give one, not both."))
            return data
        if saved is not None:
            if data.get("entity") and saved.entity != data["entity"]:
                self.add_error(
                    "saved_mapping",
                    _("This mapping is for %(entity)s.") % {"entity": entity_label(saved.entity)},
                )
            text = saved.toml
        if text:
            try:
                parse_mapping(text)
            except MappingError as exc:
                field = "mapping_file" if upload is not None else "mapping_text"
                if saved is not None:
                    field = "saved_mapping"
                self.add_error(field, _("The mapping is not valid: %(error)s") % {"error": exc})
        if (data.get("save_as") or "").strip() and not text:
            self.add_error("save_as", _("There is no mapping to save."))
        data["mapping"] = text or None
        return data


ENTITY_LABELS = {
    "departments": _("Departments"),
    "positions": _("Positions"),
    "employees": _("Employees"),
    "reviews": _("Performance reviews"),
    "skills": _("Skills"),
    "pay": _("Pay history"),
}


# the kinds of rows an import report counts, besides the entities themselves
ENTITY_LABELS.update(
    {
        "attributes": _("Custom attributes"),
        "separations": _("Separations"),
        "pay_changes": _("Pay changes"),
        "employee_skills": _("Employee skills"),
    }
)


ENTITY_LABELS.update(
    {
        "industries": _("Industries"),
        "customers": _("Group customers"),
        "account_managers": _("Account managers"),
        "service_contacts": _("Service contacts"),
        "monthly_revenue": _("Monthly revenue"),
        "transactions": _("Transactions"),
        "recruiting_agencies": _("Recruiting agencies"),
        "requisitions": _("Requisitions"),
        "candidates": _("Candidates"),
    }
)


def importable_entities(user: Any) -> list[str]:
    """The import entities `user` may import: Action.IMPORT on the entity's whole domain (as
    `import_file` requires)."""
    return [
        name
        for name in registered_entities()
        if reach(user, entity_spec(name).domain, Action.IMPORT) == ALL
    ]


def entity_label(name: str) -> str:
    """The translated label of an import entity (its name when it has none)."""
    return str(ENTITY_LABELS.get(name, name))


class NoteForm(forms.Form):
    """A note on a record, with an optional file (checked by `services.note_add`)."""

    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    attachment = forms.FileField(label=_("File"), required=False)
    holds_pay = forms.BooleanField(
        label=_("The file holds pay (only who may read this person's pay opens it)"),
        required=False,
    )


class DeputyForm(forms.Form):
    """Name a deputy for the days one is away: who, from, until, a note; the GM's office may
    name one for someone else (`principal`)."""

    principal = forms.CharField(
        label=_("Who is away (login)"),
        required=False,
        max_length=150,
        help_text=_("Empty: you."),
        widget=forms.TextInput(attrs={"list": "deputy-options", "autocomplete": "off"}),
    )
    deputy = forms.CharField(
        label=_("Deputy (login)"),
        max_length=150,
        widget=forms.TextInput(attrs={"list": "deputy-options", "autocomplete": "off"}),
    )
    # "From" alone is a sender in the catalogue
    starts_on = forms.DateField(
        label=pgettext_lazy("first day", "From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Until (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, names_for_others: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not names_for_others:
            del self.fields["principal"]

    def _user(self, field: str) -> Any:
        from gmassist.core.models import User

        login = (self.cleaned_data.get(field) or "").strip()
        if not login:
            return None
        user = User.objects.filter(username__iexact=login).first()
        if user is None:
            raise forms.ValidationError(
                gettext("Nobody logs in as “%(login)s”.") % {"login": login}
            )
        return user

    def clean_principal(self) -> Any:
        return self._user("principal")

    def clean_deputy(self) -> Any:
        return self._user("deputy")
