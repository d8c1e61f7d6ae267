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
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.views import View

from gmassist.core.choices import Action, Role
from gmassist.core.grouping import GroupBy, Grouping, GroupSum
from gmassist.core.permissions import POLICY, Domain, reach, scoped_rows
from gmassist.core.selectors import group_label, rows_grouped, rows_in_group
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
# the label of a section of several parts (office: triage, tasks, documents, schedule), shown
# in the top row instead of its first page's
_SECTION_LABELS: dict[str, str | Promise] = {}


def register_nav_section(key: str, label: str | Promise) -> None:
    """Name the navigation section `key` in the top row (default: its first page's label)."""
    _SECTION_LABELS[key] = label


def nav_section_label(key: str) -> str | Promise | None:
    """The registered label of section `key`, None when it has none."""
    return _SECTION_LABELS.get(key)


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
    """A column header of a list table; `sort` is the selector's sort key ("" when not sortable).

    key: its name in the address (`?col=manager`) and in the row template's `shown` (default:
    its sort key). optional: the user may hide it, or show it when not `shown_by_default`;
    the row template then writes its cell only `{% if "manager" in shown %}`.
    """

    label: str | Promise
    sort: str = ""
    numeric: bool = False
    key: str = ""
    optional: bool = False
    shown_by_default: bool = True

    @property
    def name(self) -> str:
        return self.key or self.sort


@dataclass(frozen=True)
class ExportColumn:
    """A column of a list's export: its header and how to read it from a row (a dotted path or
    a function of the row). `column`: the key of the optional list column it follows (the
    export has it only while that column is shown); "" for a column always exported."""

    header: str | Promise
    value: str | Callable[[Any], Any]
    column: str = ""

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


# the address parameters of a list's state besides its filter form's fields
GROUP_PARAM = "group"
COLUMN_PARAM = "col"  # one per optional column shown
COLUMNS_CHOSEN_PARAM = "cols"  # present once columns were chosen (none checked is a choice)
WHERE_PREFIX = "where."  # where.<group key>=<value>: the rows of one group
VIEW_PARAM = "view"  # the saved view the address came from (shown as the current one)
NOT_STATE = ("page", "export", VIEW_PARAM)  # parameters that are no part of a saved view


@dataclass(frozen=True)
class ListState:
    """What the address asks of a list besides its filters: the grouping, the optional columns
    shown, and the groups the rows are narrowed to (`where`)."""

    group: GroupBy | None
    shown: frozenset[str]
    where: tuple[tuple[GroupBy, Any], ...]


# the list pages that keep saved views, by their URL name (what `SavedView.page` stores)
_VIEW_PAGES: dict[str, type[ListPage]] = {}


def saved_view_pages() -> dict[str, type[ListPage]]:
    """Every list page with saved views, by URL name."""
    return dict(_VIEW_PAGES)


def saved_view_query(view: Any) -> str:
    """The address query ("?...") of a saved view: its parameters and the view itself."""
    params = QueryDict(mutable=True)
    for name, values in view.query.items():
        params.setlist(name, values)
    params[VIEW_PARAM] = str(view.pk)
    return "?" + params.urlencode()


def may_use_page(user: Any, page: type[ListPage]) -> bool:
    """Whether `user`'s role may open the list page `page` (what `require_reach` checks)."""
    try:
        require_reach(user, page.permission, page.permission_reaches)
    except PermissionDenied:
        return False
    return True


class ListPage(LoginRequiredMixin, View):
    """A scoped, filtered, sorted, paginated, exportable list; htmx updates only the results.

    A page may also declare the columns its rows may be grouped by (`group_by`, with
    `group_sums`: a grouped list shows each group's count and sums, a chart of the counts, and
    links each group to the list narrowed to it), the columns a user may hide or show
    (`ListColumn(optional=True)`; exports follow them) and keep saved views (`views_key`: its
    URL name). All of it is kept in the address, so that a saved view is an address.
    """

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
    # grouping: the rows' model (whose fields the group columns read), the columns, the sums
    model: ClassVar[type[models.Model] | None] = None
    group_by: ClassVar[list[GroupBy]] = []
    group_sums: ClassVar[list[GroupSum]] = []
    group_limit: ClassVar[int] = 50
    # model paths no group column may read: e.g. the sender of feedback, which an anonymous
    # item must not be counted by (checked when the class is made)
    never_group_by: ClassVar[tuple[str, ...]] = ()
    # saved views: the page's URL name ("org:directory"); "" for none
    views_key: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = [column.name for column in cls.columns if column.name]
        if len(names) != len(set(names)):
            raise ImproperlyConfigured(f"{cls.__name__}: two columns share a key")
        if any(column.optional and not column.name for column in cls.columns):
            raise ImproperlyConfigured(f"{cls.__name__}: an optional column needs a key")
        if cls.group_by and cls.model is None:
            raise ImproperlyConfigured(f"{cls.__name__}: a page with group_by names its model")
        for group in cls.group_by:
            for path in group.paths:
                head = path.split("__")[0].removesuffix("_id")
                if head in cls.never_group_by:
                    raise ImproperlyConfigured(
                        f"{cls.__name__}: group {group.key!r} reads {path!r}, which"
                        " never_group_by forbids"
                    )
        if "views_key" in cls.__dict__ and cls.views_key:
            if cls.permission is None:
                raise ImproperlyConfigured(f"{cls.__name__}: saved views need a permission")
            if _VIEW_PAGES.get(cls.views_key, cls) is not cls:
                raise ImproperlyConfigured(f"views_key {cls.views_key!r} is used twice")
            _VIEW_PAGES[cls.views_key] = cls

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

    @classmethod
    def group_column(cls, key: str) -> GroupBy | None:
        return next((group for group in cls.group_by if group.key == key), None)

    @classmethod
    def parse_state(cls, params: QueryDict) -> ListState:
        """The grouping, columns and groups `params` ask for; ValidationError for a grouping
        or a group the page does not offer (an unknown column is only not shown)."""
        group = None
        group_key = params.get(GROUP_PARAM, "")
        if group_key:
            group = cls.group_column(group_key)
            if group is None:
                raise ValidationError(f"this list cannot be grouped by {group_key!r}")
        optional = [column for column in cls.columns if column.optional]
        if COLUMNS_CHOSEN_PARAM in params:
            chosen = set(params.getlist(COLUMN_PARAM))
            optional_shown = {column.name for column in optional if column.name in chosen}
        else:
            optional_shown = {column.name for column in optional if column.shown_by_default}
        shown = {column.name for column in cls.columns if column.name and not column.optional}
        where = []
        for name, values in params.lists():
            if not name.startswith(WHERE_PREFIX):
                continue
            by = cls.group_column(name.removeprefix(WHERE_PREFIX))
            if by is None:
                raise ValidationError(f"this list has no group {name!r}")
            assert cls.model is not None  # a page with groups names its model
            where.append((by, by.value_from_text(values[-1], cls.model)))
        return ListState(group=group, shown=frozenset(shown | optional_shown), where=tuple(where))

    @classmethod
    def checked_query(cls, query: QueryDict, user: Any) -> dict[str, list[str]]:
        """`query` (a list's address parameters) as a saved view stores it, once checked against
        the page for `user`: only the page's parameters, its filters valid, its sort, grouping
        and groups the page's own. ValidationError({"query": ...}) otherwise."""
        allowed = {"sort", GROUP_PARAM, COLUMN_PARAM, COLUMNS_CHOSEN_PARAM}
        allowed |= {WHERE_PREFIX + group.key for group in cls.group_by}
        if cls.filter_form_class is not None:
            form = cls.filter_form_class(query, user=user)
            allowed |= set(form.fields)
            if not form.is_valid():
                raise ValidationError({"query": gettext("The filters of this view are not valid.")})
        unknown = sorted(set(query) - allowed - set(NOT_STATE))
        if unknown:
            raise ValidationError({"query": f"this list has no parameter {unknown[0]!r}"})
        sort = query.get("sort", "")
        sorts = {column.sort for column in cls.columns if column.sort}
        if sort and sort.lstrip("-") not in sorts:
            raise ValidationError({"query": f"this list cannot be sorted by {sort!r}"})
        try:
            cls.parse_state(query)
        except ValidationError as exc:
            raise ValidationError({"query": exc.messages}) from None
        return {
            name: [value for value in values if value != "" or name.startswith(WHERE_PREFIX)]
            for name, values in sorted(query.lists())
            if name not in NOT_STATE
        }

    @classmethod
    def canonical_params(cls, params: QueryDict) -> QueryDict:
        """`params` without what says nothing: empty values (but an empty group, `where.x=`,
        is the group of rows with no value), the default sort, and columns sent without being
        chosen (the checkboxes travel with every filter change)."""
        out = QueryDict(mutable=True)
        chosen = COLUMNS_CHOSEN_PARAM in params
        for name, values in params.lists():
            if name == COLUMN_PARAM and not chosen:
                continue
            if name == "sort" and values[-1:] == [cls.default_sort]:
                continue
            if name == COLUMNS_CHOSEN_PARAM:
                values = values[:1]
            kept = values if name.startswith(WHERE_PREFIX) else [v for v in values if v != ""]
            if kept:
                out.setlist(name, kept)
        return out

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_reach(request.user, self.permission, self.permission_reaches)
        self.params = self.canonical_params(request.GET)
        try:
            self.state = self.parse_state(self.params)
        except ValidationError as exc:
            raise BadRequest(" ".join(exc.messages)) from None
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
        grouping = None
        if queryset is not None:
            queryset = self.narrowed(scoped_rows(queryset, request.user, self.restrict_action))
            if self.state.group is not None:
                grouping = rows_grouped(
                    rows=queryset, by=self.state.group, sums=self.group_sums, limit=self.group_limit
                )
                if any(item.reveals_rows for item in self.group_sums):
                    # the sums show what the rows would: audited as the rows are
                    audit_rows_read(actor=request.user, rows=queryset.iterator(), what=request.path)
            else:
                page_obj = Paginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
                audit_rows_read(actor=request.user, rows=page_obj.object_list, what=request.path)
        partial = is_htmx_partial(request)
        context = {
            "title": self.title,
            "form": form,
            "form_ok": form_ok,
            "page_obj": page_obj,
            "rows": page_obj.object_list if page_obj is not None else [],
            "headers": self.headers(sort),
            "shown": self.state.shown,
            "columns_chosen": COLUMNS_CHOSEN_PARAM in self.params,
            "sort": sort,
            "row_template": self.row_template,
            "results_template": self.results_template,
            "export_links": self.export_links(),
            "page_links": self.page_links(page_obj),
            "is_partial": partial,
            "testid": self.testid,
            **self.controls_context(queryset, grouping),
            **self.get_extra_context(),
        }
        template = self.results_template if partial else self.template_name
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        if partial:
            # the address shown is the canonical one, without the empty fields of the forms
            response["HX-Push-Url"] = request.path + self._query_with({}).rstrip("?")
        return response

    def narrowed(self, rows: Any) -> Any:
        """`rows` narrowed to the groups the address names (`where.<key>=<value>`)."""
        for by, value in self.state.where:
            rows = rows_in_group(rows=rows, by=by, value=value)
        return rows

    def _query(self, **changes: Any) -> str:
        return self._query_with(changes)

    def _query_with(self, changes: dict[str, Any]) -> str:
        """The current address with `changes` (None removes a parameter), without `export`."""
        params = self.params.copy()
        params.pop("export", None)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return "?" + params.urlencode() if params else "?"

    def state_query(self) -> str:
        """The current address's list state (what a saved view keeps), URL-encoded."""
        params = self.params.copy()
        for name in NOT_STATE:
            params.pop(name, None)
        return params.urlencode()

    def headers(self, sort: str) -> list[dict[str, Any]]:
        out = []
        for column in self.columns:
            if column.optional and column.name not in self.state.shown:
                continue
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

    def controls_context(self, rows: Any, grouping: Grouping | None) -> dict[str, Any]:
        """What the list's controls show: grouping, columns, the groups the rows are narrowed
        to, the groups and their chart, and the saved views."""
        state = self.state
        context: dict[str, Any] = {
            "grouping": grouping,
            "group_options": [
                {"key": g.key, "label": g.label, "selected": state.group is g}
                for g in self.group_by
            ],
            "column_options": [
                {"key": c.name, "label": c.label, "shown": c.name in state.shown}
                for c in self.columns
                if c.optional
            ],
            "where_params": [
                (WHERE_PREFIX + by.key, self.params.get(WHERE_PREFIX + by.key, ""))
                for by, _value in state.where
            ],
            "where_chips": [
                {
                    "label": by.label,
                    "value": group_label(rows=rows, by=by, value=value)
                    if rows is not None
                    else by.label_of(value),
                    "remove_url": self._query_with(
                        {WHERE_PREFIX + by.key: None, "page": None, GROUP_PARAM: None}
                    ),
                    "groups_url": self._query_with(
                        {WHERE_PREFIX + by.key: None, "page": None, GROUP_PARAM: by.key}
                    ),
                }
                for by, value in state.where
            ],
        }
        if grouping is not None:
            context.update(self.grouping_context(grouping))
        if self.views_key:
            context.update(self.saved_views_context())
        return context

    def grouping_context(self, grouping: Grouping) -> dict[str, Any]:
        key = WHERE_PREFIX + grouping.by.key
        links = [
            self._query_with({key: group.param, GROUP_PARAM: None, "page": None})
            for group in grouping.groups
        ]
        return {
            "group_sums": self.group_sums,
            "group_totals": [
                sum((group.sums[item.key] for group in grouping.groups), Decimal(0))
                for item in self.group_sums
            ],
            "group_rows": [
                {
                    "group": group,
                    "url": url,
                    "sums": [group.sums[item.key] for item in self.group_sums],
                }
                for group, url in zip(grouping.groups, links, strict=True)
            ],
            "group_chart": {
                "labels": [group.label for group in grouping.groups],
                "counts": [group.count for group in grouping.groups],
                "links": links,
                "label": gettext("Rows"),
            },
        }

    def saved_views_context(self) -> dict[str, Any]:
        from gmassist.core import selectors
        from gmassist.core.services import saved_view_may_share

        user = self.request.user
        views = list(selectors.saved_views_usable(user=user, page=self.views_key))
        current = self.params.get(VIEW_PARAM, "")
        domain = self.permission[0] if self.permission is not None else None
        may_share = domain is not None and saved_view_may_share(user=user, domain=domain)
        return {
            "saved_views": [
                {
                    "view": view,
                    "url": saved_view_query(view),
                    "current": str(view.pk) == current,
                    "mine": view.owner_id == user.pk,
                }
                for view in views
            ],
            "current_view": next((v for v in views if str(v.pk) == current), None),
            "view_save": {
                "page": self.views_key,
                "query": self.state_query(),
                "roles": self.share_roles() if may_share else [],
            },
        }

    @classmethod
    def share_roles(cls) -> list[tuple[str, Any]]:
        """The roles that use this page (value, label): whom a view of it may be shared with."""
        if cls.permission is None:
            return list(Role.choices)
        domain, action = cls.permission
        out = []
        for role, label in Role.choices:
            how_far = POLICY[domain].get(role, {}).get(action)
            if how_far is not None and (
                not cls.permission_reaches or how_far in cls.permission_reaches
            ):
                out.append((role, label))
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

    def shown_export_columns(self) -> list[ExportColumn]:
        """The export columns of the columns shown (every column not tied to one)."""
        return [
            column
            for column in self.export_columns
            if not column.column or column.column in self.state.shown
        ]

    def export(self, fmt: str, *, filters: dict[str, Any], sort: str) -> HttpResponse:
        """Exactly the filtered rows (every page, narrowed to the groups the address names),
        in the export columns of the columns shown, as CSV or XLSX; with `export_entity`, in
        that import entity's canonical columns whatever is shown, so the file imports back."""
        if self.export_permission is None or fmt not in (tabular.CSV, tabular.XLSX):
            raise Http404("no such export")
        user = self.request.user
        if reach(user, *self.export_permission) is None:
            raise PermissionDenied
        queryset = self.narrowed(
            scoped_rows(
                self.get_export_queryset(filters=filters, sort=sort),
                user,
                self.export_permission[1],
            )
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
        columns = self.shown_export_columns()
        header = [column.header for column in columns]
        read = []

        def rows() -> Iterator[list[Any]]:
            for row in queryset.iterator(chunk_size=2000):
                read.extend(reads_of([row]))
                yield [column.of(row) for column in columns]

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
