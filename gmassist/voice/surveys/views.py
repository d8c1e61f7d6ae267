"""Pulse-survey pages: the survey list, create and edit, launch and close, answering a round,
and the results with charts and CSV/XLSX export (groups of 5 or more only, through
`selectors.round_results`); the forms are in forms.py, the charts in presenters.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gmassist.core.anonymity import mark_anonymous_act
from gmassist.core.choices import Action
from gmassist.core.job_pages import inline_job_context
from gmassist.core.permissions import ALL, SUBTREE, Domain, reach
from gmassist.core.services import job_submit
from gmassist.core.views_lib import export_response
from gmassist.lib import tabular
from gmassist.voice.surveys import presenters, selectors, services
from gmassist.voice.surveys.choices import QuestionKind, SurveyStatus
from gmassist.voice.surveys.forms import AnswerForm, QuestionFormSet, SurveyForm
from gmassist.voice.surveys.jobs import SURVEYS_OPEN_DUE
from gmassist.voice.surveys.models import Survey, SurveySnapshot
from gmassist.voice.surveys.services import QuestionInput

# blank question rows offered on the form (blank rows are ignored)
QUESTION_ROWS = 8


def _question_formset(request: HttpRequest, survey: Survey | None) -> forms.BaseFormSet:
    if request.method == "POST":
        return QuestionFormSet(request.POST, prefix="q")
    initial = (
        [{"kind": q.kind, "text": q.text} for q in survey.questions.all()]
        if survey
        else [
            {
                "kind": QuestionKind.ENPS,
                "text": _("How likely are you to recommend us as an employer to a friend?"),
            },
            {"kind": QuestionKind.SCALE, "text": _("My workload is manageable.")},
            {"kind": QuestionKind.TEXT, "text": _("What one thing should we change?")},
        ]
    )
    initial += [{}] * max(0, QUESTION_ROWS - len(initial))
    return QuestionFormSet(initial=initial, prefix="q")


def _questions(formset: forms.BaseFormSet) -> list[QuestionInput]:
    return [
        QuestionInput(
            kind=form.cleaned_data.get("kind") or "", text=form.cleaned_data.get("text") or ""
        )
        for form in formset.forms
        if form.cleaned_data.get("kind") or (form.cleaned_data.get("text") or "").strip()
    ]


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- pages -----------------------------------------------------------------------------------


def _may_read_results(user: Any) -> bool:
    return reach(user, Domain.SURVEYS, Action.VIEW) in (ALL, SUBTREE)


def _may_create(user: Any) -> bool:
    return reach(user, Domain.SURVEYS, Action.CHANGE) in (ALL, SUBTREE)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The surveys the user may read, each with its latest round's figures (groups of 5+)."""
    if not _may_read_results(request.user):
        raise PermissionDenied
    surveys = list(
        selectors.surveys_with_results(user=request.user)
        .prefetch_related("rounds")
        .order_by("-opens_on", "-id")
    )
    latest_rounds = [max(s.rounds.all(), key=lambda r: r.number) for s in surveys if s.rounds.all()]
    snapshots = {s.round_id: s for s in SurveySnapshot.objects.filter(round__in=latest_rounds)}
    rows = []
    for survey in surveys:
        rounds = sorted(survey.rounds.all(), key=lambda r: r.number)
        latest = rounds[-1] if rounds else None
        results = (
            selectors.round_results(
                user=request.user,
                survey_round=latest,
                with_texts=False,
                company_name=presenters.company_name(),
                snapshot=snapshots.get(latest.pk),
            )
            if latest
            else None
        )
        rows.append({"survey": survey, "latest": latest, "results": results, "rounds": len(rounds)})
    return render(
        request,
        "voice/surveys.html",
        {
            "title": _("Pulse surveys"),
            "rows": rows,
            "may_create": _may_create(request.user),
            "may_run_schedule": reach(request.user, Domain.SURVEYS, Action.CHANGE) == ALL,
            **inline_job_context(user=request.user, job_id=request.GET.get("job")),
        },
    )


def _survey_form_page(request: HttpRequest, survey: Survey | None) -> HttpResponse:
    form = SurveyForm(
        request.POST or None,
        user=request.user,
        survey=survey,
        initial=None
        if survey is None
        else {
            "title": survey.title,
            "description": survey.description,
            "audience_departments": list(survey.audience_departments.all()),
            "audience_roles": survey.audience_roles,
            "opens_on": survey.opens_on,
            "window_days": survey.window_days,
            "repeat_months": survey.repeat_months,
        },
    )
    if survey is None and request.method != "POST":
        form.initial["opens_on"] = timezone.localdate()
    formset = _question_formset(request, survey)
    started = survey is not None and survey.rounds.exists()
    status = 200
    if request.method == "POST":
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            fields = {
                "by": request.user,
                "title": data["title"],
                "description": data["description"],
                "audience_departments": list(data["audience_departments"]),
                "audience_roles": data["audience_roles"],
                "opens_on": data["opens_on"],
                "window_days": data["window_days"],
                "repeat_months": data["repeat_months"],
                "questions": None if started else _questions(formset),
            }
            try:
                if survey is None:
                    survey = services.survey_create(department=data["department"], **fields)
                else:
                    survey = services.survey_update(survey=survey, **fields)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The survey is saved."))
                return redirect("voice:survey_detail", pk=survey.pk)
        status = 422
    return render(
        request,
        "voice/survey_form.html",
        {
            "title": _("New survey") if survey is None else _("Edit survey"),
            "form": form,
            "formset": formset,
            "survey": survey,
            "questions_locked": started,
        },
        status=status,
    )


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    if not _may_create(request.user):
        raise PermissionDenied
    return _survey_form_page(request, None)


def _changeable(request: HttpRequest, pk: int) -> Survey:
    survey = (
        selectors.surveys_visible(user=request.user, action=Action.CHANGE).filter(pk=pk).first()
    )
    if survey is None:
        if selectors.surveys_with_results(user=request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404("no such survey")
    return survey


@login_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _survey_form_page(request, _changeable(request, pk))


@login_required
@require_POST
def survey_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Launch or close a survey; launching opens a round due today at once."""
    survey = _changeable(request, pk)
    status = request.POST.get("status", "")
    try:
        services.survey_set_status(survey=survey, by=request.user, status=status)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("voice:survey_detail", pk=survey.pk)
    if status == SurveyStatus.ACTIVE:
        services.surveys_open_due(today=timezone.localdate())
        messages.success(request, _("The survey is launched."))
    else:
        messages.success(request, _("The survey is closed."))
    return redirect("voice:survey_detail", pk=survey.pk)


def _results_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    rounds = list(survey.rounds.order_by("number"))
    number = request.GET.get("round", "")
    chosen = next((r for r in rounds if str(r.number) == number), rounds[-1] if rounds else None)
    trend = selectors.survey_trend(
        user=request.user, survey=survey, company_name=presenters.company_name()
    )
    results = (
        selectors.round_results(
            user=request.user, survey_round=chosen, company_name=presenters.company_name()
        )
        if chosen
        else None
    )
    questions = list(survey.questions.all())
    scored = [q for q in questions if q.kind != QuestionKind.TEXT]
    chart = presenters.results_chart(results=results, trend=trend, scored=scored)
    return {
        "rounds": rounds,
        "chosen": chosen,
        "results": results,
        "questions": questions,
        "scored": scored,
        "text_questions": [q for q in questions if q.kind == QuestionKind.TEXT],
        "trend": trend,
        "chart": chart,
    }


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey: its schedule and questions, and the results of a round (`?round=N`) with the
    trend; `?export=csv|xlsx` downloads the results of every round (the same groups)."""
    survey = selectors.surveys_with_results(user=request.user).filter(pk=pk).first()
    if survey is None:
        if not _may_read_results(request.user):
            raise PermissionDenied
        raise Http404("no such survey")
    export = request.GET.get("export", "")
    if export:
        return _export(request, survey, export)
    context = {
        "title": survey.title,
        "survey": survey,
        "may_change": services.survey_may_change(user=request.user, survey=survey),
        "may_export": reach(request.user, Domain.SURVEYS, Action.EXPORT) is not None,
        "today": timezone.localdate(),
        **_results_context(request, survey),
    }
    return render(request, "voice/survey_detail.html", context)


EXPORT_HEADER = [
    "round",
    "opens_on",
    "group",
    "merged_departments",
    "respondents",
    "asked",
    "response_rate",
    "enps",
    # "yes": the closed round's groups; else the open round as a whole, counting the answers
    # given before that day (its snapshot, as on the page)
    "final_or_counting_before",
]


def _export(request: HttpRequest, survey: Survey, fmt: str) -> HttpResponse:
    """Every round's published groups (5 or more respondents) with eNPS and scale means: each
    round's snapshot, as on the page (an open round as a whole, a closed one by group)."""
    if fmt not in (tabular.CSV, tabular.XLSX):
        raise Http404("no such export")
    if reach(request.user, Domain.SURVEYS, Action.EXPORT) is None:
        raise PermissionDenied
    questions = [q for q in survey.questions.all() if q.kind != QuestionKind.TEXT]
    header = EXPORT_HEADER + [f"q{q.position}_mean" for q in questions]
    trend = selectors.survey_trend(
        user=request.user, survey=survey, company_name=presenters.company_name()
    )

    def rows():
        for survey_round, results in trend:
            for group in results.groups:
                yield [
                    survey_round.number,
                    survey_round.opens_on.isoformat(),
                    group.group.name,
                    ", ".join(group.group.merged_names),
                    group.group.respondents,
                    group.invited,
                    "" if group.response_rate is None else round(group.response_rate, 3),
                    "" if group.enps is None else group.enps,
                    "yes" if results.is_final else results.counts_before.isoformat(),
                    *[
                        "" if group.scores[q.pk].mean is None else group.scores[q.pk].mean
                        for q in questions
                    ],
                ]

    return export_response(
        fmt=fmt, header=header, rows=rows(), file_name=f"survey-{survey.pk}-results"
    )


@login_required
def survey_answer(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Answer an open round, anonymously (kept out of the access log; no redirect that would
    carry anything; the thank-you page is the answer to the post)."""
    mark_anonymous_act(request)
    survey_round = selectors.survey_round_asking(user=request.user, survey_id=pk, number=number)
    if survey_round is None:
        raise Http404("no such survey round for you")
    survey = survey_round.survey
    today = timezone.localdate()
    context: dict[str, Any] = {"title": survey.title, "survey": survey, "round": survey_round}
    if selectors.survey_answered(user=request.user, survey_round=survey_round):
        return render(request, "voice/survey_answered.html", {**context, "already": True})
    if not services.survey_round_open_for(survey_round=survey_round, today=today):
        return render(request, "voice/survey_answered.html", {**context, "closed": True})
    form = AnswerForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                survey_round=survey_round, by=request.user, answers=form.answers(), today=today
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            response = render(request, "voice/survey_answered.html", context)
            response["Cache-Control"] = "no-store"
            return response
    status = 422 if request.method == "POST" else 200
    response = render(request, "voice/survey_answer.html", {**context, "form": form}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def surveys_run_schedule(request: HttpRequest) -> HttpResponse:
    """Open the rounds due and seal the past ones now (a job; the list shows its progress)."""
    if reach(request.user, Domain.SURVEYS, Action.CHANGE) != ALL:
        raise PermissionDenied
    job = job_submit(
        kind=SURVEYS_OPEN_DUE,
        params={"today": timezone.localdate().isoformat()},
        by=request.user,
    )
    return redirect(f"/voice/surveys/?job={job.pk}")
