"""Feedback pages: send feedback (named or anonymous), follow a thread with a reply code, the
owners' queue with replies and statuses, one item, the triage list where HR sets the topics the
classifier was unsure of, and the trends (charts in presenters.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action
from gmassist.core.grouping import GroupBy, user_name
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach
from gmassist.core.views_lib import ExportColumn, ListColumn, ListPage
from gmassist.voice.feedback import presenters, selectors, services
from gmassist.voice.feedback.choices import FeedbackStatus, Sentiment, Topic
from gmassist.voice.feedback.forms import (
    FeedbackFilterForm,
    FeedbackForm,
    ReplyCodeForm,
    ReplyForm,
    StatusForm,
    TopicForm,
)
from gmassist.voice.feedback.models import Feedback

TRIAGE_PAGE_SIZE = 25

# the trends are for the roles that see more feedback than their own
MANY_ITEMS = (ALL, SUBTREE)


def _private(response: HttpResponse) -> HttpResponse:
    """Pages with a reply code or an anonymous thread are kept out of caches and history."""
    response["Cache-Control"] = "no-store"
    return response


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def feedback_new(request: HttpRequest) -> HttpResponse:
    """Send feedback; anonymous feedback gets its reply code on the page that answers the post
    (no redirect: the code is never in a URL, a session or a message)."""
    mark_anonymous_act(request)
    form = FeedbackForm(request.POST or None, initial={"anonymous": "anonymous" in request.GET})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.feedback_submit(
                by=request.user,
                kind=data["kind"],
                addressed_to=data["addressed_to"],
                department=data["department"],
                subject=data["subject"],
                body=data["body"],
                anonymous=data["anonymous"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if sent.reply_code:
                return _private(
                    render(
                        request,
                        "voice/feedback_sent.html",
                        {"title": _("Feedback sent"), "code": sent.reply_code, "sent": sent},
                    )
                )
            messages.success(request, _("Thank you: your feedback is sent."))
            return redirect("voice:feedback_detail", pk=sent.feedback.pk)
    return _private(
        render(request, "voice/feedback_new.html", {"title": _("Send feedback"), "form": form})
    )


def feedback_follow(request: HttpRequest) -> HttpResponse:
    """Read and answer an anonymous thread with its reply code (no login needed: the code is
    the key). The code travels only in POST bodies, never in a URL."""
    mark_anonymous_act(request)
    code_form = ReplyCodeForm(request.POST or None)
    reply_form = ReplyForm()
    feedback = None
    if request.method == "POST" and code_form.is_valid():
        code = code_form.cleaned_data["code"]
        feedback = services.feedback_by_code(code=code)
        if feedback is None:
            code_form.add_error("code", _("No feedback has this reply code."))
        elif request.POST.get("action") == "reply":
            reply_form = ReplyForm(request.POST)
            if reply_form.is_valid():
                try:
                    services.feedback_reply_as_sender(
                        feedback=feedback, body=reply_form.cleaned_data["body"], code=code
                    )
                except ValidationError as exc:
                    _apply_errors(reply_form, exc)
                else:
                    reply_form = ReplyForm()
                    feedback.refresh_from_db()
    context = {
        "title": _("Follow your anonymous feedback"),
        "code_form": code_form,
        "reply_form": reply_form,
        "feedback": feedback,
        "thread": list(selectors.feedback_thread(feedback=feedback)) if feedback else [],
    }
    return _private(render(request, "voice/feedback_follow.html", context))


class FeedbackQueuePage(ListPage):
    """The feedback the user may see: an owner's queue, HR's and the GM's overview, an
    employee's own named items."""

    title = gettext_lazy("Feedback")
    template_name = "voice/feedback_queue.html"
    permission = (Domain.FEEDBACK, Action.VIEW)
    filter_form_class = FeedbackFilterForm
    columns = [
        ListColumn(gettext_lazy("Submitted"), sort="submitted"),
        ListColumn(gettext_lazy("Subject"), key="subject"),
        ListColumn(gettext_lazy("Department"), sort="department", key="department", optional=True),
        ListColumn(gettext_lazy("Topic"), sort="topic", key="topic", optional=True),
        ListColumn(gettext_lazy("Sentiment"), key="sentiment", optional=True),
        ListColumn(gettext_lazy("From"), key="sender", optional=True),
        ListColumn(gettext_lazy("Owner"), key="owner", optional=True),
        ListColumn(gettext_lazy("Due"), sort="due", key="due", optional=True),
        ListColumn(gettext_lazy("Status"), sort="status", key="status", optional=True),
    ]
    default_sort = "-submitted"
    row_template = "voice/_feedback_row.html"
    export_permission = (Domain.FEEDBACK, Action.EXPORT)
    export_name = "feedback"
    # no author column: an export is a file that travels; named items name their sender on
    # the page, to those allowed to see it
    export_columns = [
        ExportColumn("id", lambda row: row.short_id),
        ExportColumn("submitted_on", "submitted_on"),
        ExportColumn("kind", "kind"),
        ExportColumn("addressed_to", "addressed_to"),
        ExportColumn("department", "department.name", column="department"),
        ExportColumn("subject", "subject"),
        ExportColumn("text", "body"),
        ExportColumn("language", "language"),
        ExportColumn("topic", "topic", column="topic"),
        ExportColumn("sentiment", "sentiment", column="sentiment"),
        ExportColumn("urgent", lambda row: " ".join(row.urgent_flags)),
        ExportColumn("anonymous", "is_anonymous"),
        ExportColumn("owner", "owner", column="owner"),
        ExportColumn("due_on", "due_on", column="due"),
        ExportColumn("status", "status", column="status"),
        ExportColumn("answered_on", "answered_on"),
        ExportColumn("closed_on", "closed_on"),
    ]
    testid = "feedback"
    model = Feedback
    # Grouped, the queue counts the items the reader may list anyway, one by one, with these
    # same columns: a count tells nothing a page of the list does not. What could make an
    # anonymous item identifiable is a column about its sender: none is offered, and the
    # page refuses any group that reads the sender (`never_group_by`). `department` is the
    # department the item is for or about, not the sender's.
    never_group_by = ("author",)
    group_by = [
        GroupBy("topic", gettext_lazy("Topic"), field="topic", choices=Topic),
        GroupBy("sentiment", gettext_lazy("Sentiment"), field="sentiment", choices=Sentiment),
        GroupBy("status", gettext_lazy("Status"), field="status", choices=FeedbackStatus),
        GroupBy(
            "department",
            gettext_lazy("Department"),
            field="department_id",
            name="department__name",
            empty_label=gettext_lazy("To the GM"),
        ),
        GroupBy(
            "owner",
            gettext_lazy("Owner"),
            field="owner_id",
            name=user_name("owner"),
            empty_label=gettext_lazy("Nobody yet"),
        ),
    ]
    views_key = "voice:feedback_queue"

    def get_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Feedback]:
        return selectors.feedback_queue(
            user=self.request.user, today=timezone.localdate(), sort=sort, **filters
        )

    def get_export_queryset(self, *, filters: dict[str, Any], sort: str) -> QuerySet[Feedback]:
        allowed = selectors.feedback_visible(user=self.request.user, action=Action.EXPORT)
        return self.get_queryset(filters=filters, sort=sort).filter(pk__in=allowed.values("pk"))

    def get_extra_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"today": timezone.localdate()}
        if services.may_set_topic(user=self.request.user):
            context["triage_count"] = selectors.feedback_triage(user=self.request.user).count()
            context["corrections_count"] = selectors.topic_corrections_count()
        return context


def _visible_item(request: HttpRequest, pk) -> Feedback:
    item = selectors.feedback_visible(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("not found")
    return item


def _detail_context(request: HttpRequest, item: Feedback, **forms) -> dict[str, Any]:
    return {
        "title": item.subject,
        "item": item,
        "thread": list(selectors.feedback_thread(feedback=item)),
        "may_handle": services.may_handle(user=request.user, feedback=item),
        "may_set_topic": services.may_set_topic(user=request.user, feedback=item),
        "confidence_percent": None
        if item.topic_confidence is None
        else round(item.topic_confidence * 100),
        "is_sender": item.author_id is not None and item.author_id == request.user.pk,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "status_form": forms.get("status_form") or StatusForm(),
        "topic_form": forms.get("topic_form")
        or TopicForm(initial={"topic": item.topic, "return_to": "item"}),
        "today": timezone.localdate(),
    }


@login_required
def feedback_detail(request: HttpRequest, pk) -> HttpResponse:
    item = _visible_item(request, pk)
    return render(request, "voice/feedback_detail.html", _detail_context(request, item))


@login_required
@require_POST
def feedback_reply(request: HttpRequest, pk) -> HttpResponse:
    """The owner's side answers, or a named sender writes back."""
    item = _visible_item(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            if item.author_id is not None and item.author_id == request.user.pk:
                services.feedback_reply_as_sender(
                    feedback=item, body=form.cleaned_data["body"], by=request.user
                )
            else:
                services.feedback_reply_as_owner(
                    feedback=item, body=form.cleaned_data["body"], by=request.user
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your answer is sent."))
            return redirect("voice:feedback_detail", pk=item.pk)
    context = _detail_context(request, item, reply_form=form)
    return render(request, "voice/feedback_detail.html", context, status=422)


@login_required
@require_POST
def feedback_status(request: HttpRequest, pk) -> HttpResponse:
    item = _visible_item(request, pk)
    if not services.may_handle(user=request.user, feedback=item):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_set_status(
                feedback=item,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("voice:feedback_detail", pk=item.pk)
    context = _detail_context(request, item, status_form=form)
    return render(request, "voice/feedback_detail.html", context, status=422)


def _spoken_list(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' in the reader's language ('a、b和c' in Chinese)."""
    if len(words) < 2:
        return "".join(words)
    return _(", ").join(words[:-1]) + _(" and ") + words[-1]


def _triage_context(
    request: HttpRequest, *, errors: dict[Any, list[str]] | None = None
) -> dict[str, Any]:
    page = Paginator(selectors.feedback_triage(user=request.user), TRIAGE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    errors = errors or {}
    rows = [
        {
            "item": item,
            "confidence_percent": round((item.topic_confidence or 0) * 100),
            "errors": errors.get(item.pk, []),
        }
        for item in page.object_list
    ]
    return {
        "title": _("Feedback triage"),
        "page_obj": page,
        "rows": rows,
        "topics": Topic.choices,
        "hr_topics": _spoken_list(
            [str(label) for value, label in Topic.choices if value in services.hr_topics()]
        ),
        "corrections_count": selectors.topic_corrections_count(),
        "threshold_percent": round(services.triage_below() * 100),
    }


@login_required
def feedback_triage(request: HttpRequest) -> HttpResponse:
    """The items whose topic the classifier was unsure of, oldest first, for HR (and the GM's
    office) to set: setting it routes the item and teaches the classifier."""
    if not services.may_set_topic(user=request.user):
        raise PermissionDenied
    return render(request, "voice/feedback_triage.html", _triage_context(request))


@login_required
@require_POST
def feedback_topic(request: HttpRequest, pk) -> HttpResponse:
    """Set an item's topic (from the triage list or the item's page); see
    `services.feedback_set_topic`."""
    item = _visible_item(request, pk)
    if not services.may_set_topic(user=request.user, feedback=item):
        raise PermissionDenied
    form = TopicForm(request.POST)
    from_triage = request.POST.get("return_to") == "triage"
    if form.is_valid():
        try:
            item = services.feedback_set_topic(
                feedback=item, topic=form.cleaned_data["topic"], by=request.user
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            owner = str(item.owner) if item.owner else _("nobody yet")
            messages.success(
                request,
                _("The topic is set to %(topic)s; owner: %(owner)s.")
                % {"topic": item.get_topic_display(), "owner": owner},
            )
            if from_triage:
                return redirect("voice:feedback_triage")
            return redirect("voice:feedback_detail", pk=item.pk)
    if from_triage:
        errors = {item.pk: [e for field_errors in form.errors.values() for e in field_errors]}
        context = _triage_context(request, errors=errors)
        return render(request, "voice/feedback_triage.html", context, status=422)
    context = _detail_context(request, item, topic_form=form)
    return render(request, "voice/feedback_detail.html", context, status=422)


@login_required
def feedback_trends(request: HttpRequest) -> HttpResponse:
    """Volume and sentiment by month, topic and department, as charts and tables."""
    if reach(request.user, Domain.FEEDBACK, Action.VIEW) not in MANY_ITEMS:
        raise PermissionDenied
    months = request.GET.get("months", "12")
    months = int(months) if months.isdigit() and 1 <= int(months) <= 36 else 12
    trends = selectors.feedback_trends(user=request.user, as_of=timezone.localdate(), months=months)
    chart = presenters.trends_chart(trends)
    return render(
        request,
        "voice/trends.html",
        {"title": _("Feedback trends"), "trends": trends, "chart": chart, "months": months},
    )
