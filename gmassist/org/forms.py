"""Forms of the organisation pages: the directory's filters and the records typed on screen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gmassist.core.forms import FilterForm
from gmassist.org import selectors
from gmassist.org.choices import EmployeeStatus, EmploymentType, PayChangeReason, SeparationType


def department_filter_field(widget_id: str) -> forms.ModelChoiceField:
    """A department filter (it includes everything below the department); every list page
    that filters by department uses this one, with `offer_visible_departments` in __init__."""
    return forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=None,
        empty_label=_("All departments"),
        widget=forms.Select(attrs={"id": widget_id}),
    )


def position_filter_field(widget_id: str) -> forms.ModelChoiceField:
    """A position filter; `__init__` sets its queryset to `positions_visible(user=...)`."""
    return forms.ModelChoiceField(
        label=_("Position"),
        required=False,
        queryset=None,
        empty_label=_("All positions"),
        widget=forms.Select(attrs={"id": widget_id}),
    )


def offer_visible_departments(form: FilterForm) -> None:
    """Limit the form's `department` field to the departments its user may see, offering the
    upper levels of the tree and the selected one (see `department_filter_choices`)."""
    department = form.fields["department"]
    department.queryset = selectors.departments_visible(user=form.user)
    selected = form.data.get("department") if form.is_bound else None
    department.choices = [
        ("", department.empty_label),
        *selectors.department_filter_choices(
            user=form.user, selected_id=int(selected) if str(selected).isdigit() else None
        ),
    ]


class DirectoryFilterForm(FilterForm):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "id": "directory-search",
                "type": "search",
                "placeholder": _("Name, number or e-mail"),
                "autocomplete": "off",
            }
        ),
    )
    department = department_filter_field("directory-department")
    position = position_filter_field("directory-position")
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *EmployeeStatus.choices],
        widget=forms.Select(attrs={"id": "directory-status"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer_visible_departments(self)
        self.fields["position"].queryset = selectors.positions_visible(user=self.user)

    def selector_filters(self) -> dict[str, Any]:
        """The cleaned filters as `employee_directory` takes them."""
        data = self.cleaned_data
        return {
            "search": data.get("search") or "",
            "department_id": data["department"].pk if data.get("department") else None,
            "position_id": data["position"].pk if data.get("position") else None,
            "status": data.get("status") or None,
        }


# --- records on screen -----------------------------------------------------------------------
# The fields are text as a person types it: the employees import checks every value (one
# validation for a file, a form and the API) and its errors come back next to the fields.


class DateInput(forms.DateInput):
    """A date with the browser's picker (ISO value, as the import reads it)."""

    input_type = "date"


def _text(label: Any, *, max_length: int = 200, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs),
    )


def _date(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=DateInput())


def _choice(label: Any, choices: Any, empty: Any = "—") -> forms.CharField:
    """A menu whose value the import checks (a value sent around the menu is an error there)."""
    return forms.CharField(
        label=label, required=False, widget=forms.Select(choices=[("", empty), *choices])
    )


COMMENT_FIELD_LABEL = _("Why (kept in the record's history)")


class EmployeeRecordForm(forms.Form):
    """Hire one person, or correct a record (`hire=False`: the number is fixed).

    `department` and `position` offer the codes the user may see; `manager` takes an
    employee number (a list of matching people appears as one types, `manager-options`).
    """

    employee_no = _text(_("Employee no."), max_length=40, autocomplete="off")
    full_name = _text(_("Full name"), autocomplete="off")
    family_name = _text(_("Family name"), max_length=100)
    given_name = _text(_("Given name"), max_length=100)
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # a menu of codes, checked by the service (a code typed around the menu is an error there)
    department = forms.CharField(label=_("Department"), required=False, widget=forms.Select())
    position = forms.CharField(label=_("Position"), required=False, widget=forms.Select())
    manager = _text(
        _("Manager"),
        max_length=200,
        list="manager-options",
        autocomplete="off",
        placeholder=_("Employee no. or name"),
    )
    hire_date = _date(_("Hire date"))
    birth_date = _date(_("Birth date"))
    gender = _choice(_("Gender"), [("female", _("Female")), ("male", _("Male"))])
    location = _text(_("Location"), max_length=100)
    employment_type = _choice(_("Employment type"), EmploymentType.choices)
    base_pay = _text(_("Base pay (a year)"), max_length=30, inputmode="decimal")
    paid_leave_days = _text(_("Paid leave days (a year)"), max_length=10, inputmode="decimal")
    comment = forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, hire: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.hire = hire
        # the people matching what is typed fill the manager's list (org:employee_options)
        self.fields["manager"].widget.attrs.update(
            {
                "hx-get": reverse("org:employee_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#manager-options",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["department"].widget.choices = [
            ("", "—"),
            *(
                (d.code, f"{d.name} ({d.code})")
                for d in selectors.departments_visible(user=user).order_by("name")
            ),
        ]
        self.fields["position"].widget.choices = [
            ("", "—"),
            *(
                (p.code, f"{p.title} ({p.code})")
                for p in selectors.positions_visible(user=user).order_by("title")
            ),
        ]
        # what the import requires of a new employee, marked as required (the import checks it)
        for name in ("employee_no", "full_name", "department", "hire_date") if hire else ():
            self.fields[name].marked_required = True  # type: ignore[attr-defined]
        if hire:
            self.fields["employment_type"].initial = EmploymentType.FULL_TIME
            self.fields["base_pay"].help_text = _(
                "The starting pay, in the company's currency. Later changes go through a proposal."
            )
        else:
            del self.fields["employee_no"]
            self.fields["base_pay"].help_text = _(
                "A new amount becomes a pay-change proposal: nothing is paid differently until "
                "it is approved."
            )

    def record(self) -> dict[str, str]:
        """The typed values as the employees import reads them (the comment apart); without
        a family and a given name, the import splits the full name (`normalize.split_name`)."""
        record = {name: value for name, value in self.cleaned_data.items() if name != "comment"}
        if not record.get("family_name") and not record.get("given_name"):
            record.pop("family_name", None)
            record.pop("given_name", None)
        return record

    @staticmethod
    def initial_of(employee: Any, *, with_pay: bool) -> dict[str, Any]:
        """A stored record as the form shows it (the pay only to who may see it)."""
        initial = {
            name: getattr(employee, name) or ""
            for name in (
                "full_name",
                "family_name",
                "given_name",
                "email",
                "gender",
                "location",
                "employment_type",
            )
        }
        initial.update(
            department=employee.department.code if employee.department_id else "",
            position=employee.position.code if employee.position_id else "",
            manager=employee.manager.employee_no if employee.manager_id else "",
            hire_date=employee.hire_date.isoformat() if employee.hire_date else "",
            birth_date=employee.birth_date.isoformat() if employee.birth_date else "",
            paid_leave_days="" if employee.paid_leave_days is None else employee.paid_leave_days,
        )
        if with_pay and employee.base_pay is not None:
            initial["base_pay"] = f"{employee.base_pay:f}"
        return initial


class LeaverForm(forms.Form):
    """Record that a person leaves: the date, the type, the reason and whether it is regretted."""

    leave_date = _date(_("Leave date"))
    separation_type = _choice(_("Type"), SeparationType.choices)
    leave_reason = _text(_("Reason"))
    regretted = _choice(_("Regretted"), [("yes", _("yes")), ("no", _("no"))], _("not said"))
    comment = forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def record(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


class CommentForm(forms.Form):
    """Only a comment: why a recorded leaver is taken back."""

    comment = forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    """A performance review of one person for one period (the reviews import checks it)."""

    period = _text(_("Period"), max_length=20, placeholder="2026-H2")
    review_date = _date(_("Review date"))
    rating = _choice(_("Rating (1-5)"), [(str(n), str(n)) for n in range(1, 6)])
    potential = _choice(_("Potential (1-3)"), [(str(n), str(n)) for n in range(1, 4)])
    reviewer = _text(_("Reviewer"), max_length=200, placeholder=_("Employee no. or name"))
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("period", "rating"):
            self.fields[name].marked_required = True  # type: ignore[attr-defined]


class SkillLevelForm(forms.Form):
    """How well one person holds one skill, 0-5 (the skills import checks it)."""

    skill = forms.CharField(label=_("Skill"), required=False, widget=forms.Select())
    level = _choice(_("Level (0-5)"), [(str(n), str(n)) for n in range(0, 6)])
    assessed_on = _date(_("Assessed on"))

    def __init__(self, *args: Any, **kwargs: Any):
        from gmassist.org.models import Skill

        super().__init__(*args, **kwargs)
        self.fields["skill"].widget.choices = [
            ("", "—"),
            *((s.code, s.name) for s in Skill.objects.order_by("name").only("code", "name")),
        ]
        for name in ("skill", "level"):
            self.fields[name].marked_required = True  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    """Propose a raise or a promotion of one person (a proposal: nothing changes until it is
    approved). `new_base_pay` is parsed as an import reads an amount ("92,300")."""

    change = forms.ChoiceField(
        label=_("Proposal"),
        choices=[("raise", _("A raise")), ("promotion", _("A promotion to the next grade"))],
        widget=forms.RadioSelect,
        initial="raise",
    )
    new_base_pay = _text(_("New base pay (a year)"), max_length=30, inputmode="decimal")
    effective_date = _date(_("Takes effect on"))
    reason = _choice(
        _("Reason"),
        [
            (c.value, c.label)
            for c in PayChangeReason
            if c not in (PayChangeReason.HIRE, PayChangeReason.IMPORT)
        ],
    )
    rationale = forms.CharField(
        label=_("Why (the decider reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("new_base_pay", "effective_date", "rationale"):
            self.fields[name].marked_required = True  # type: ignore[attr-defined]

    def clean_new_base_pay(self) -> Any:
        from gmassist.lib import normalize

        text = self.cleaned_data.get("new_base_pay", "")
        if not text:
            raise forms.ValidationError(_("required: the new base pay"))
        try:
            return normalize.parse_decimal(text)
        except normalize.Problem as problem:
            from gmassist.core.imports import explain

            raise forms.ValidationError(explain(problem)) from None

    def clean_effective_date(self) -> Any:
        from gmassist.lib import normalize

        text = self.cleaned_data.get("effective_date", "")
        if not text:
            raise forms.ValidationError(_("required: the date it takes effect"))
        try:
            return normalize.parse_date(text)
        except normalize.Problem as problem:
            from gmassist.core.imports import explain

            raise forms.ValidationError(explain(problem)) from None


class DepartmentForm(forms.Form):
    """A department: its code (new ones only), name, parent in the tree and head."""

    code = _text(_("Code"), max_length=40, autocomplete="off")
    name = _text(_("Name"))
    parent = forms.CharField(label=_("Part of"), required=False, widget=forms.Select())
    head = _text(
        _("Head"),
        list="manager-options",
        autocomplete="off",
        placeholder=_("Employee no. or name"),
    )
    comment = forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, new: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parent"].widget.choices = [
            ("", _("(the top of the tree)")),
            *(
                (d.code, f"{d.name} ({d.code})")
                for d in selectors.departments_visible(user=user).order_by("name")
            ),
        ]
        self.fields["head"].widget.attrs.update(
            {
                "hx-get": reverse("org:employee_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#manager-options",
                "hx-swap": "innerHTML",
                "name": "head",
            }
        )
        if new:
            for name in ("code", "name"):
                self.fields[name].marked_required = True  # type: ignore[attr-defined]
        else:
            del self.fields["code"]

    def record(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}


class PositionForm(forms.Form):
    """A position: code (new ones only), title, job family, grade and yearly salary band."""

    code = _text(_("Code"), max_length=60, autocomplete="off")
    title = _text(_("Title"))
    job_family = _text(_("Job family"), max_length=100)
    grade = _text(_("Grade"), max_length=4, inputmode="numeric")
    band_min = _text(_("Band minimum (a year)"), max_length=30, inputmode="decimal")
    band_mid = _text(_("Band midpoint (a year)"), max_length=30, inputmode="decimal")
    band_max = _text(_("Band maximum (a year)"), max_length=30, inputmode="decimal")
    currency = _text(_("Currency"), max_length=3, placeholder="CNY")
    comment = forms.CharField(
        label=COMMENT_FIELD_LABEL,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, new: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if new:
            for name in ("code", "title"):
                self.fields[name].marked_required = True  # type: ignore[attr-defined]
        else:
            del self.fields["code"]

    def record(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if name != "comment"}
