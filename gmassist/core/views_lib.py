"""The one way to make a page: `ListPage` for lists, `DetailPage` for one record, the navigation.

A module adds a list page by subclassing `ListPage` and naming its selector, its filter form,
its columns and its row template; the class does the rest the same way on every page: the
filter form validated from GET, sorting by clickable headers, pagination, htmx partial updates
with the URL kept in sync, and CSV / XLSX export of exactly the filtered rows. A detail page
subclasses `DetailPage` and names its selector: a record the user may not see is a 404.

Both apply the permission rule themselves, so that a page cannot forget it: the rows of a
selector are narrowed with `restrict(user, action)` here unless they already went through it
(a restricted queryset remembers it), rows that did not come through the rule are refused, and
rows that show someone's pay or risk (`core.sensitive`) are audited as they are shown, page by
page and export by export.

    class DirectoryPage(ListPage):
        title = _("Employees")
        permission = (Domain.PEOPLE, Action.VIEW)
        filter_form_class = DirectoryFilterForm
        columns = [ListColumn(_("Name"), sort="name"), ...]
        row_template = "org/_directory_row.html"
        export_columns = [ExportColumn("employee_no", "employee_no"), ...]

        def get_queryset(self, *, filters, sort):
            return selectors.employee_directory(user=self.request.user, sort=sort, **filters)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.views import View

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, reach, scoped_rows
from gmassist.core.sensitive import audit_reads, audit_rows_read, reads_of
from gmassist.lib import tabular

# --- navigation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A link in the top navigation, shown to the roles that reach `domain` for `action`.

    `reaches` lists how far the role must reach (e.g. only ALL and SUBTREE for a directory that
    would show an employee nothing but themselves); empty means any reach at all.
    """

    key: str
    label: str | Promise
    url_name: str
    domain: Domain | None = None
    action: str = ""
    reaches: tuple[str, ...] = ()
    order: int = 100
    # the section of the top navigation the page belongs to; default: its app (the key's
    # prefix). A section shows as one link (to its first page) and, on its pages, a second row
    # with all of its pages, so the top row stays short whatever the role may use.
    group: str = ""

    @property
    def section(self) -> str:
        return self.group or self.key.partition(".")[0]

    def visible_to(self, user: Any) -> bool:
        if not self.domain:
            return bool(user and user.is_authenticated)
        how_far = reach(user, self.domain, self.action)
        return how_far is not None and (not self.reaches or how_far in self.reaches)


_NAVIGATION: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> NavItem:
    """Add a page to the top navigation (called from an app's `urls.py`)."""
    if item.domain is not None and not isinstance(item.domain, Domain):
        raise TypeError(f"navigation item {item.key!r}: {item.domain!r} is not a Domain")
    _NAVIGATION[item.key] = item
    return item


def registered_navigation() -> list[NavItem]:
    """Every navigation item registered so far (the apps' `urls.py` register theirs)."""
    return list(_NAVIGATION.values())


def navigation_for(user: Any) -> list[NavItem]:
    """The navigation items `user` may use, in order."""
    items = sorted(_NAVIGATION.values(), key=lambda item: (item.order, item.key))
    return [item for item in items if item.visible_to(user)]


def require_reach(
    user: Any, permission: tuple[Domain, str] | None, reaches: tuple[str, ...]
) -> None:
    """PermissionDenied (403) unless the user's role may use a page of `permission`."""
    if permission is None:
        return
    how_far = reach(user, *permission)
    if how_far is None or (reaches and how_far not in reaches):
        raise PermissionDenied


def is_htmx_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants only a fragment (not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# --- list pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListColumn:
    """A column header of a list table; `sort` is the selector's sort key ("" when not sortable)."""

    label: str | Promise
    sort: str = ""
    numeric: bool = False


@dataclass(frozen=True)
class ExportColumn:
    """A column of a list's export: its header and how to read it from a row (a dotted path or
    a function of the row)."""

    header: str | Promise
    value: str | Callable[[Any], Any]

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value: Any = row
        for part in self.value.split("."):
            value = getattr(value, part, None) if value is not None else None
        if callable(value):  # e.g. get_status_display
            value = value()
        return value


CONTENT_TYPES = {
    tabular.CSV: "text/csv; charset=utf-8",
    tabular.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(
    *, fmt: str, header: list[Any], rows: Iterable[list[Any]], file_name: str
) -> HttpResponse:
    """A CSV or XLSX download of `rows` under `header`, named `file_name` + ".csv"/".xlsx".

    The one way a page exports: the cells go through the shared writer (`tabular.write_table`),
    which turns any value into a spreadsheet value and neutralises formulas, and times are
    written in the current time zone.
    """
    if fmt not in CONTENT_TYPES:
        raise Http404("no such export")
    buffer = io.BytesIO()
    tabular.write_table(buffer, fmt, header, rows, tz=timezone.get_current_timezone())
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{file_name}.{fmt}"'
    return response


class ListPage(LoginRequiredMixin, View):
    """A scoped, filtered, sorted, paginated, exportable list; htmx updates only the results."""

    title: ClassVar[str | Promise] = ""
    template_name: ClassVar[str] = "list_page.html"  # the whole page
    results_template: ClassVar[str] = "includes/list_results.html"  # the part htmx swaps
    row_template: ClassVar[str] = ""  # one <tr> of the results table
    filter_form_class: ClassVar[type[forms.Form] | None] = None
    columns: ClassVar[list[ListColumn]] = []
    default_sort: ClassVar[str] = ""
    paginate_by: ClassVar[int] = 50
    permission: ClassVar[tuple[Domain, str] | None] = None  # (domain, action) the role must reach
    permission_reaches: ClassVar[tuple[str, ...]] = ()
    export_permission: ClassVar[tuple[Domain, str] | None] = None  # None: no export
    export_columns: ClassVar[list[ExportColumn]] = []
    export_name: ClassVar[str] = "export"
    # an import entity ("employees"): the export is that entity's, of the filtered rows, so the
    # file imports back unchanged; "" for the page's own export columns
    export_entity: ClassVar[str] = ""
    testid: ClassVar[str] = "list"  # data-testid prefix of the page's controls

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        """The rows: a selector call scoped to `self.request.user`, filtered and sorted."""
        raise NotImplementedError

    def get_filter_form(self) -> forms.Form | None:
        if self.filter_form_class is None:
            return None
        return self.filter_form_class(self.request.GET or None, user=self.request.user)

    def clean_filters(self, form: forms.Form) -> dict[str, Any]:
        """The selector's keyword arguments from a valid form: its `selector_filters()` when it
        has one, else its non-empty cleaned fields."""
        if hasattr(form, "selector_filters"):
            return form.selector_filters()
        return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}

    def get_extra_context(self) -> dict[str, Any]:
        return {}

    # -- the machinery, the same for every list --

    def sort_keys(self) -> set[str]:
        return {column.sort for column in self.columns if column.sort}

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", "") or self.default_sort
        return sort if sort.lstrip("-") in self.sort_keys() else self.default_sort

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_reach(request.user, self.permission, self.permission_reaches)
        form = self.get_filter_form()
        filters: dict[str, Any] = {}
        form_ok = form is None or not form.is_bound or form.is_valid()
        if form is not None and form.is_bound and form_ok:
            filters = self.clean_filters(form)
        sort = self.current_sort()
        export = request.GET.get("export", "")
        if export:
            if not form_ok:
                raise Http404("bad filter")
            return self.export(export, filters=filters, sort=sort)
        queryset = self.get_queryset(filters=filters, sort=sort) if form_ok else None
        page_obj = None
        if queryset is not None:
            queryset = scoped_rows(queryset, request.user, self.restrict_action)
            page_obj = Paginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
            audit_rows_read(actor=request.user, rows=page_obj.object_list, what=request.path)
        partial = is_htmx_partial(request)
        context = {
            "title": self.title,
            "form": form,
            "page_obj": page_obj,
            "rows": page_obj.object_list if page_obj is not None else [],
            "headers": self.headers(sort),
            "sort": sort,
            "row_template": self.row_template,
            "results_template": self.results_template,
            "export_links": self.export_links(),
            "page_links": self.page_links(page_obj),
            "is_partial": partial,
            "testid": self.testid,
            **self.get_extra_context(),
        }
        template = self.results_template if partial else self.template_name
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def _query(self, **changes: Any) -> str:
        params = self.request.GET.copy()
        params.pop("export", None)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode() if params else "?"

    def headers(self, sort: str) -> list[dict[str, Any]]:
        out = []
        for column in self.columns:
            header: dict[str, Any] = {"label": column.label, "numeric": column.numeric}
            if column.sort:
                active = sort.lstrip("-") == column.sort
                descending = active and sort.startswith("-")
                next_sort = column.sort if (not active or descending) else "-" + column.sort
                header.update(
                    url=self._query(sort=next_sort, page=None),
                    key=column.sort,
                    direction=("descending" if descending else "ascending") if active else "",
                )
            out.append(header)
        return out

    def page_links(self, page_obj: Any) -> dict[str, str]:
        if page_obj is None:
            return {}
        links = {}
        if page_obj.has_previous():
            links["first"] = self._query(page=None)
            links["previous"] = self._query(page=page_obj.previous_page_number())
        if page_obj.has_next():
            links["next"] = self._query(page=page_obj.next_page_number())
            links["last"] = self._query(page=page_obj.paginator.num_pages)
        return links

    def export_links(self) -> dict[str, str]:
        if (
            self.export_permission is None
            or reach(self.request.user, *self.export_permission) is None
        ):
            return {}
        return {fmt: self._query(export=fmt, page=None) for fmt in (tabular.CSV, tabular.XLSX)}

    def export(self, fmt: str, *, filters: dict[str, Any], sort: str) -> HttpResponse:
        """Exactly the filtered rows (every page), in the export columns, as CSV or XLSX; with
        `export_entity`, in that import entity's canonical columns, so the file imports back."""
        if self.export_permission is None or fmt not in (tabular.CSV, tabular.XLSX):
            raise Http404("no such export")
        user = self.request.user
        if reach(user, *self.export_permission) is None:
            raise PermissionDenied
        queryset = scoped_rows(
            self.get_export_queryset(filters=filters, sort=sort), user, self.export_permission[1]
        )
        stamp = timezone.localdate().isoformat()
        if self.export_entity:
            from gmassist.core.imports import export_entity

            buffer = io.BytesIO()
            # the entity's export audits the pay it writes, as every export of it does
            export_entity(entity=self.export_entity, fmt=fmt, out=buffer, user=user, only=queryset)
            response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES[fmt])
            response["Content-Disposition"] = (
                f'attachment; filename="{self.export_name}-{stamp}.{fmt}"'
            )
            return response
        header = [column.header for column in self.export_columns]
        read = []

        def rows() -> Iterator[list[Any]]:
            for row in queryset.iterator(chunk_size=2000):
                read.extend(reads_of([row]))
                yield [column.of(row) for column in self.export_columns]

        response = export_response(
            fmt=fmt, header=header, rows=rows(), file_name=f"{self.export_name}-{stamp}"
        )
        # every row has been written now: the pay or risk they showed is audited
        audit_reads(actor=user, reads=read, what=f"{self.request.path} export")
        return response

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet:
        """The rows to export; the list's own queryset unless the export needs more."""
        return self.get_queryset(filters=filters, sort=sort)

    @property
    def restrict_action(self) -> str:
        """The action the rows are restricted for: the page's permission's (VIEW without one)."""
        return self.permission[1] if self.permission is not None else Action.VIEW


# --- detail pages ----------------------------------------------------------------------------


class DetailPage(LoginRequiredMixin, View):
    """One record found through a scoped selector: 404 when the user may not see it."""

    template_name: ClassVar[str] = ""
    permission: ClassVar[tuple[Domain, str] | None] = None
    context_object_name: ClassVar[str] = "object"

    def get_queryset(self) -> QuerySet:
        """The records the user may see (a selector call scoped to `self.request.user`)."""
        raise NotImplementedError

    def get_object(self) -> Any:
        queryset = scoped_rows(self.get_queryset(), self.request.user, Action.VIEW)
        try:
            obj = queryset.get(pk=self.kwargs["pk"])
        except (queryset.model.DoesNotExist, ValueError):
            raise Http404("not found") from None
        audit_rows_read(actor=self.request.user, rows=[obj], what=self.request.path)
        return obj

    def get_extra_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.permission is not None and reach(request.user, *self.permission) is None:
            raise Http404("not found")  # a role that sees none of these learns nothing more
        obj = self.get_object()
        context = {self.context_object_name: obj, "object": obj, **self.get_extra_context(obj)}
        return render(request, self.template_name, context)


# --- record forms ----------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside `checked_only` to roll its transaction back."""


def checked_only(write: Callable[[], Any]) -> ValidationError | None:
    """Run `write` (a service call) and roll everything it wrote back: its ValidationError, or
    None when it would succeed. The check as you type runs exactly what saving runs."""
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        return None
    except ValidationError as exc:
        return exc


def form_errors_from(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors next to the form's fields (the rest above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def record_form_response(
    request: HttpRequest,
    form: forms.Form,
    *,
    write: Callable[[], Any],
    saved: Callable[[Any], HttpResponse],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The one flow of a record form: GET shows it; a POST from htmx with `validate` checks
    it (a dry run of `write`, the field errors swapped in place); a POST saves through
    `write` and answers `saved(result)`, or shows the form again with its errors (422)."""
    if request.method == "POST" and form.is_valid():
        if request.headers.get("HX-Request") and request.POST.get("validate"):
            problem = checked_only(write)
            if problem is not None:
                form_errors_from(form, problem)
            return render(request, "includes/form_errors_oob.html", {"form": form})
        try:
            result = write()
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return saved(result)
    return render(
        request,
        template,
        {**context, "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )
