"""Documents pages: the list (awaiting me, mine, in flight, all), the archive, a new document,
one document with its versions and route (decide, add a version, send, withdraw), and the
permission-checked downloads of a version and of an approved document's approval record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gmassist.core.choices import Action
from gmassist.core.permissions import Domain, reach
from gmassist.core.selectors import deputyships_acting
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage, form_errors_from
from gmassist.office.documents import presenters, selectors, services
from gmassist.office.documents.choices import DocumentStatus
from gmassist.office.documents.engine import CONTENT_TYPES, FileKind
from gmassist.office.documents.forms import (
    ArchiveFilterForm,
    DecideForm,
    DocumentFilterForm,
    DocumentForm,
    VersionForm,
    approver_suggestions,
)
from gmassist.office.documents.models import Document, DocumentVersion

PERMISSION = (Domain.OFFICE_DOCUMENTS, Action.VIEW)
DOCX = CONTENT_TYPES[FileKind.DOCX]


def _may_write(user: Any) -> bool:
    return reach(user, Domain.OFFICE_DOCUMENTS, Action.CHANGE) is not None


class DocumentListPage(ListPage):
    """Documents: awaiting my decision (also as a deputy), written by me, in flight, or all."""

    title = gettext_lazy("Documents")
    template_name = "office/documents/list.html"
    permission = PERMISSION
    filter_form_class = DocumentFilterForm
    columns = [
        ListColumn(gettext_lazy("Document"), sort="title"),
        ListColumn(gettext_lazy("Kind"), sort="kind", key="kind", optional=True),
        ListColumn(gettext_lazy("Status"), sort="status"),
        ListColumn(gettext_lazy("Author"), key="author", optional=True),
        ListColumn(gettext_lazy("Sent"), sort="submitted_at"),
    ]
    default_sort = "-submitted_at"
    row_template = "office/documents/_row.html"
    export_permission = (Domain.OFFICE_DOCUMENTS, Action.EXPORT)
    export_columns = [
        ExportColumn(gettext_lazy("Document"), "title"),
        ExportColumn(gettext_lazy("Kind"), "get_kind_display", column="kind"),
        ExportColumn(gettext_lazy("Status"), "get_status_display"),
        ExportColumn(gettext_lazy("Author"), "author", column="author"),
        ExportColumn(gettext_lazy("Sent"), "submitted_at"),
        ExportColumn(gettext_lazy("Archived"), "archived_at"),
    ]
    export_name = "documents"
    testid = "documents"
    tab = "list"

    def get_filter_form(self) -> Any:
        params = self.request.GET.copy()
        if "show" not in params:
            # the documents waiting for the reader first, when there are
            waiting = selectors.steps_awaiting(user=self.request.user).exists()
            params["show"] = "awaiting" if waiting else "all"
        return self.filter_form_class(params, user=self.request.user)

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Document]:
        order = {
            "title": ("title", "id"),
            "kind": ("kind", "id"),
            "status": ("status", "id"),
            "submitted_at": ("submitted_at", "id"),
        }[sort.lstrip("-")]
        prefix = "-" if sort.startswith("-") else ""
        rows = selectors.documents_listed(user=self.request.user, **filters)
        return rows.order_by(*(prefix + field for field in order))

    def get_extra_context(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "tab": self.tab,
            "may_write": _may_write(user),
            "awaiting_count": selectors.documents_awaiting(user=user).count(),
            "acting_for": deputyships_acting(user=user),
        }


class DocumentArchivePage(DocumentListPage):
    """The archive: approved documents, read-only, each with its approval record."""

    title = gettext_lazy("Document archive")
    filter_form_class = ArchiveFilterForm
    columns = [
        ListColumn(gettext_lazy("Document"), sort="title"),
        ListColumn(gettext_lazy("Kind"), sort="kind", key="kind", optional=True),
        ListColumn(gettext_lazy("Status"), sort="status"),
        ListColumn(gettext_lazy("Author"), key="author", optional=True),
        ListColumn(gettext_lazy("Archived"), sort="archived_at"),
    ]
    default_sort = "-archived_at"
    row_template = "office/documents/_archive_row.html"
    export_name = "documents-archive"
    testid = "archive"
    tab = "archive"

    def get_filter_form(self) -> Any:
        return self.filter_form_class(self.request.GET or None, user=self.request.user)

    def clean_filters(self, form: Any) -> dict[str, Any]:
        if not form.is_bound:
            return {"show": "archive", "search": "", "kind": "", "status": ""}
        return form.selector_filters()

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Document]:
        if sort.lstrip("-") == "archived_at":
            prefix = "-" if sort.startswith("-") else ""
            rows = selectors.documents_listed(user=self.request.user, **filters)
            return rows.order_by(prefix + "archived_at", prefix + "id")
        return super().get_queryset(filters=filters, sort=sort)


def _errors_on_form(form: DocumentForm, exc: ValidationError) -> None:
    """A service's errors next to the form's fields; the route's next to its first approver."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        name = "approver_1" if field == "approvers" else field
        form.add_error(name if name in form.fields else None, errors)


@login_required
def document_new(request: HttpRequest) -> HttpResponse:
    """Write or upload a document and choose its route."""
    if not _may_write(request.user):
        raise PermissionDenied(_("Your role may not write documents."))
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                document = services.document_create(
                    by=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    summary=data["summary"],
                    upload=data["file"],
                    text=data["text"],
                    routing=data["routing"],
                    min_approvals=data["min_approvals"],
                    department=data["department"],
                    about_employee=data["about"],
                    approvers=form.approvers(),
                    submit=data["submit"],
                )
            except ValidationError as exc:
                _errors_on_form(form, exc)
            else:
                if document.status == DocumentStatus.DRAFT:
                    messages.success(request, _("Saved as a draft: send it when it is ready."))
                else:
                    messages.success(request, _("Sent for approval."))
                return redirect("office:document_detail", pk=document.pk)
    context = {
        "title": _("New document"),
        "form": form,
        "suggestions": approver_suggestions(exclude=request.user),
    }
    return render(request, "office/documents/new.html", context, status=status)


def _document_or_404(request: HttpRequest, pk: int) -> Document:
    if reach(request.user, *PERMISSION) is None:
        raise Http404("not found")
    document = selectors.document_with_route(user=request.user, pk=pk)
    if document is None:
        raise Http404("no such document")
    return document


def _detail_context(
    request: HttpRequest,
    document: Document,
    *,
    decide_form: DecideForm | None = None,
    version_form: VersionForm | None = None,
) -> dict[str, Any]:
    user = request.user
    versions = list(document.versions.all())
    current = versions[0] if versions else None
    refusal, principal = services.document_may_decide(document=document, by=user)
    acting = None
    if principal is not None:
        acting = next(
            (row for row in deputyships_acting(user=user) if row.principal_id == principal.pk),
            None,
        )
    is_author = document.author_id == user.pk
    on_route = any(step.approver_id == user.pk for v in versions for step in v.steps.all())
    return {
        "title": document.title,
        "document": document,
        "current": current,
        "versions": [
            {
                "version": version,
                "steps": presenters.step_views(version),
                "progress": presenters.approvals_progress(document, version),
                "is_current": version is current,
            }
            for version in versions
        ],
        "route_rule": presenters.route_rule(
            document, len(current.steps.all()) if current is not None else 0
        ),
        "status_explained": presenters.status_explained(document),
        "may_decide": not refusal,
        # why not, for those who might expect to decide (on the route, or a deputy)
        "decide_refusal": refusal
        if (on_route or principal is not None) and document.status == DocumentStatus.IN_REVIEW
        else "",
        "acting_for": acting,
        "decide_form": decide_form or DecideForm(),
        "is_author": is_author,
        "may_add_version": is_author
        and document.status in (DocumentStatus.DRAFT, DocumentStatus.CHANGES_REQUESTED),
        "may_submit": is_author and document.status == DocumentStatus.DRAFT,
        "may_withdraw": is_author
        and document.status
        in (DocumentStatus.DRAFT, DocumentStatus.IN_REVIEW, DocumentStatus.CHANGES_REQUESTED),
        "version_form": version_form or VersionForm(),
    }


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One document: its versions, the route with each step's state, and what the reader may
    do (decide, add a version, send, withdraw); an archived one with its approval record."""
    document = _document_or_404(request, pk)
    return render(request, "office/documents/detail.html", _detail_context(request, document))


@login_required
@require_POST
def document_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve, ask for changes or reject, with a comment; a refusal shows why (403)."""
    document = _document_or_404(request, pk)
    form = DecideForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.document_decide(
                document=document,
                by=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("office:document_detail", pk=document.pk)
        document = _document_or_404(request, pk)
    context = _detail_context(request, document, decide_form=form)
    return render(request, "office/documents/detail.html", context, status=status)


@login_required
@require_POST
def document_version_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a version (the author, to a draft or a document sent back): the route restarts."""
    document = _document_or_404(request, pk)
    form = VersionForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            version = services.document_add_version(
                document=document,
                by=request.user,
                upload=form.cleaned_data["file"],
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)d added: the route starts again.") % {"n": version.number},
            )
            return redirect("office:document_detail", pk=document.pk)
        document = _document_or_404(request, pk)
    context = _detail_context(request, document, version_form=form)
    return render(request, "office/documents/detail.html", context, status=status)


def _author_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    """Run an author's action (send, withdraw) and go back to the document; someone else's
    attempt is a 403 (PermissionDenied from the service), a wrong state a message."""
    document = _document_or_404(request, pk)
    try:
        action(document=document, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("office:document_detail", pk=document.pk)


@login_required
@require_POST
def document_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a draft for approval (its author)."""
    return _author_action(request, pk, services.document_submit, _("Sent for approval."))


@login_required
@require_POST
def document_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a document not yet decided (its author)."""
    return _author_action(request, pk, services.document_withdraw, _("Withdrawn."))


def _download(data: Any, filename: str, content_type: str) -> HttpResponse:
    if isinstance(data, bytes):
        response: HttpResponse = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            data, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _download_name(document: Document, suffix: str) -> str:
    return f"{slugify(document.title) or 'document'}-{suffix}"


@login_required
@require_GET
def document_file(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version as a download, for who may see the document: the uploaded file as it was
    (PDF or DOCX), or a written version as a DOCX."""
    document = _document_or_404(request, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None:
        raise Http404("no such version")
    return version_download(document, version)


def version_download(document: Document, version: DocumentVersion) -> HttpResponse:
    """The download of `version` (for the page and the API alike)."""
    if version.is_file:
        return _download(
            version.file.open("rb"), version.file_name, CONTENT_TYPES[FileKind(version.file_kind)]
        )
    data = services.written_version_docx(version=version)
    return _download(data, _download_name(document, f"v{version.number}.docx"), DOCX)


@login_required
@require_GET
def document_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The approval record of an approved document as a DOCX (404 before it is approved)."""
    document = _document_or_404(request, pk)
    return record_download(document)


def record_download(document: Document) -> HttpResponse:
    if not document.is_archived:
        raise Http404("not approved")
    data = services.approval_record_docx(document=document)
    return _download(data, _download_name(document, "approval-record.docx"), DOCX)
