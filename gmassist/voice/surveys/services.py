"""Writes of the pulse surveys: creating, changing, launching and closing a survey, its rounds on
schedule, answering, and the published results (snapshots).

Who may: creating, editing, launching and closing a survey is the "surveys" domain's CHANGE
(the GM, the assistant and HR for the company or any department; a head for a survey run for
their own subtree, whose audience stays inside it). `by=SYSTEM` is the system (the CLI, the
demo, the scheduled job). Answering is for the people asked and is never audited: an audit
entry's time next to the participation row would say who answered when, and with the
answers' day that is a link. An answer writes three things in one transaction: the
has-answered row (the employee, the round, nothing else), the response (the round, the
respondent's department, a random id, no person, no date) and its answers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gmassist.core.anonymity import rows_shuffle_physical_order
from gmassist.core.choices import Action, AuditAction, Role
from gmassist.core.models import User
from gmassist.core.permissions import Domain, acting_user, may
from gmassist.core.services import audit_record
from gmassist.org.choices import EmployeeStatus
from gmassist.org.models import Department, Employee
from gmassist.org.selectors import department_subtree_ids, employees_reached
from gmassist.voice.common import MAX_BODY
from gmassist.voice.surveys.choices import SCORE_RANGE, QuestionKind, SurveyRepeat, SurveyStatus
from gmassist.voice.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveySnapshot,
)

MAX_QUESTIONS = 30
MAX_QUESTION_TEXT = 300
MAX_WINDOW_DAYS = 90


@dataclass(frozen=True)
class QuestionInput:
    """A question as typed: its kind ("enps", "scale", "text") and its wording."""

    kind: str
    text: str


def survey_may_change(*, user: User | None, survey: Survey) -> bool:
    """True when `user` may edit, launch and close `survey` (`SYSTEM` may, None may not)."""
    return Survey.objects.restrict(user, Action.CHANGE).filter(pk=survey.pk).exists()


def _check_may_run_for(by: User | None, department: Department | None) -> None:
    """PermissionDenied unless `by` may run a survey for `department` (None: the company)."""
    department_id = department.pk if department is not None else None
    if may(by, Domain.SURVEYS, Action.CHANGE, department_id=department_id):
        return
    raise PermissionDenied(
        _("Your role may not run surveys for the whole company.")
        if department is None
        else _("Your role may not run surveys for %(department)s.") % {"department": department}
    )


def _clean_survey(
    *,
    title: str,
    description: str,
    department: Department | None,
    audience_departments: Iterable[Department],
    audience_roles: Iterable[str],
    opens_on: Any,
    window_days: Any,
    repeat_months: Any,
    questions: Iterable[QuestionInput] | None,
) -> dict[str, Any]:
    """The survey's fields, cleaned, or a ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = _("A survey needs a title.")
    elif len(title) > 200:
        errors["title"] = _("At most %(limit)s characters.") % {"limit": 200}
    if len(description) > MAX_BODY:
        errors["description"] = _("At most %(limit)s characters.") % {"limit": MAX_BODY}
    if not isinstance(opens_on, dt.date):
        errors["opens_on"] = _("Give the day the first round opens (YYYY-MM-DD).")
    if not isinstance(window_days, int) or not 1 <= window_days <= MAX_WINDOW_DAYS:
        errors["window_days"] = _("A round stays open from 1 to %(max)s days.") % {
            "max": MAX_WINDOW_DAYS
        }
    if repeat_months not in SurveyRepeat.values:
        errors["repeat_months"] = _("Choose one of: %(values)s.") % {
            "values": ", ".join(str(v) for v in SurveyRepeat.values)
        }
    elif repeat_months and isinstance(window_days, int) and window_days > 28 * repeat_months:
        errors["window_days"] = _("A round must close before the next one opens.")
    roles = list(dict.fromkeys(audience_roles))
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        errors["audience_roles"] = _("Unknown role %(role)s; use one of %(roles)s.") % {
            "role": ", ".join(unknown),
            "roles": ", ".join(Role.values),
        }
    departments = list(dict.fromkeys(audience_departments))
    if department is not None:
        inside = department_subtree_ids(department_id=department.pk)
        outside = [d for d in departments if d.pk not in inside]
        if outside:
            errors["audience_departments"] = _("%(departments)s is outside %(department)s.") % {
                "departments": ", ".join(map(str, outside)),
                "department": department,
            }
    cleaned_questions: list[QuestionInput] | None = None
    if questions is not None:
        cleaned_questions = []
        problems = []
        for number, question in enumerate(questions, start=1):
            text = (question.text or "").strip()
            if question.kind not in QuestionKind.values:
                problems.append(
                    _("Question %(n)s: choose one of: %(values)s.")
                    % {"n": number, "values": ", ".join(QuestionKind.values)}
                )
            elif not text:
                problems.append(_("Question %(n)s has no text.") % {"n": number})
            elif len(text) > MAX_QUESTION_TEXT:
                problems.append(
                    _("Question %(n)s: at most %(limit)s characters.")
                    % {"n": number, "limit": MAX_QUESTION_TEXT}
                )
            cleaned_questions.append(QuestionInput(kind=question.kind, text=text))
        if not cleaned_questions:
            problems.append(_("Ask at least one question."))
        elif len(cleaned_questions) > MAX_QUESTIONS:
            problems.append(_("At most %(n)s questions.") % {"n": MAX_QUESTIONS})
        if problems:
            errors["questions"] = " ".join(str(p) for p in problems)
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "departments": departments,
        "roles": roles,
        "opens_on": opens_on,
        "window_days": window_days,
        "repeat_months": repeat_months,
        "questions": cleaned_questions,
    }


def _set_questions(survey: Survey, questions: list[QuestionInput]) -> None:
    survey.questions.all().delete()
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=position, kind=q.kind, text=q.text)
        for position, q in enumerate(questions, start=1)
    )


def _survey_changes(survey: Survey, questions: list[QuestionInput] | None) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "title": survey.title,
        "department": survey.department.code if survey.department_id else None,
        "audience_departments": [d.code for d in survey.audience_departments.all()],
        "audience_roles": survey.audience_roles,
        "opens_on": survey.opens_on.isoformat(),
        "window_days": survey.window_days,
        "repeat_months": survey.repeat_months,
    }
    if questions is not None:
        changes["questions"] = [[q.kind, q.text] for q in questions]
    return changes


@transaction.atomic
def survey_create(
    *,
    by: User | None,
    title: str,
    questions: list[QuestionInput],
    opens_on: dt.date,
    description: str = "",
    department: Department | None = None,
    audience_departments: Iterable[Department] = (),
    audience_roles: Iterable[str] = (),
    window_days: int = 14,
    repeat_months: int = SurveyRepeat.ONCE,
) -> Survey:
    """A new survey, as a draft (nobody is asked until it is launched); audited.

    `department` None runs it for the company, else for that department (the audience must
    stay inside its subtree). No audience departments and no roles: everyone in its scope.
    `window_days`: how long each round stays open; `repeat_months`: 0 (once), 1, 3, 6 or 12.
    """
    _check_may_run_for(by, department)
    data = _clean_survey(
        title=title,
        description=description,
        department=department,
        audience_departments=audience_departments,
        audience_roles=audience_roles,
        opens_on=opens_on,
        window_days=window_days,
        repeat_months=repeat_months,
        questions=questions,
    )
    survey = Survey.objects.create(
        title=data["title"],
        description=data["description"],
        department=department,
        audience_roles=data["roles"],
        opens_on=data["opens_on"],
        window_days=data["window_days"],
        repeat_months=data["repeat_months"],
        created_by=acting_user(by),
    )
    survey.audience_departments.set(data["departments"])
    _set_questions(survey, data["questions"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=survey,
        changes=_survey_changes(survey, data["questions"]),
    )
    return survey


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    by: User | None,
    title: str,
    opens_on: dt.date,
    description: str = "",
    audience_departments: Iterable[Department] = (),
    audience_roles: Iterable[str] = (),
    window_days: int = 14,
    repeat_months: int = SurveyRepeat.ONCE,
    questions: list[QuestionInput] | None = None,
) -> Survey:
    """Change a survey. Its questions (`questions`, None: unchanged) and first opening day can
    change only until its first round has opened: answers already given stay comparable."""
    if not survey_may_change(user=by, survey=survey):
        raise PermissionDenied(_("You may not change this survey."))
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise ValidationError(_("This survey is closed; nothing more can be changed."))
    data = _clean_survey(
        title=title,
        description=description,
        department=survey.department,
        audience_departments=audience_departments,
        audience_roles=audience_roles,
        opens_on=opens_on,
        window_days=window_days,
        repeat_months=repeat_months,
        questions=questions,
    )
    started = survey.rounds.exists()
    if started and questions is not None:
        current = [QuestionInput(kind=q.kind, text=q.text) for q in survey.questions.all()]
        if current != data["questions"]:
            raise ValidationError(
                {"questions": _("People have answered already: the questions stay as they are.")}
            )
    if started and data["opens_on"] != survey.opens_on:
        raise ValidationError({"opens_on": _("The first round has opened already.")})
    survey.title = data["title"]
    survey.description = data["description"]
    survey.audience_roles = data["roles"]
    survey.opens_on = data["opens_on"]
    survey.window_days = data["window_days"]
    survey.repeat_months = data["repeat_months"]
    survey.save()
    survey.audience_departments.set(data["departments"])
    if questions is not None and not started:
        _set_questions(survey, data["questions"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        target=survey,
        changes=_survey_changes(survey, data["questions"]),
    )
    return survey


@transaction.atomic
def survey_set_status(*, survey: Survey, by: User | None, status: str) -> Survey:
    """Launch a draft (active: rounds open on schedule) or close a survey (no more rounds; an
    open round is closed and sealed now); audited."""
    if not survey_may_change(user=by, survey=survey):
        raise PermissionDenied(_("You may not change this survey."))
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    allowed = {
        SurveyStatus.DRAFT: (SurveyStatus.ACTIVE, SurveyStatus.CLOSED),
        SurveyStatus.ACTIVE: (SurveyStatus.CLOSED,),
        SurveyStatus.CLOSED: (),
    }[SurveyStatus(survey.status)]
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("A %(status)s survey cannot become %(new)s.")
                % {"status": survey.get_status_display().lower(), "new": status}
            }
        )
    if status == SurveyStatus.ACTIVE and not survey.questions.exists():
        raise ValidationError({"questions": _("Ask at least one question.")})
    previous = survey.status
    survey.status = status
    survey.save(update_fields=["status", "updated_at"])
    if status == SurveyStatus.CLOSED:
        for survey_round in survey.rounds.filter(sealed=False):
            round_seal(survey_round=survey_round)
    audit_record(
        actor=by, action=AuditAction.UPDATE, target=survey, changes={"status": [previous, status]}
    )
    return survey


def round_dates(survey: Survey, number: int) -> tuple[dt.date, dt.date]:
    """(opens, closes) of round `number` (from 1) on the survey's schedule; closes is the last
    day answers are taken."""
    opens = survey.opens_on + relativedelta(months=survey.repeat_months * (number - 1))
    return opens, opens + dt.timedelta(days=survey.window_days - 1)


def survey_audience(survey: Survey) -> dict[int, int]:
    """The employees the survey asks now: {employee id: department id}: active and on-leave
    people of the audience departments (with everything below them) and of the audience roles;
    nobody named means everyone; all inside the department the survey is run for."""
    return employees_reached(
        department_ids=list(survey.audience_departments.values_list("pk", flat=True)),
        roles=list(survey.audience_roles),
        within_department_id=survey.department_id,
        everyone_when_none_named=True,
    )


def survey_asks(*, survey: Survey, user: User | None) -> bool:
    """True when the survey asks `user` (through their employee record)."""
    if user is None or not user.is_authenticated or not user.employee_id:
        return False
    employee = Employee.objects.filter(pk=user.employee_id).first()
    if employee is None or employee.status == EmployeeStatus.LEFT:
        return False
    inside: set[int] | None = None
    if survey.department_id is not None:
        inside = department_subtree_ids(department_id=survey.department_id)
        if employee.department_id not in inside:
            return False
    roots = list(survey.audience_departments.values_list("pk", flat=True))
    if not roots and not survey.audience_roles:
        return True
    if user.role in survey.audience_roles:
        return True
    return any(employee.department_id in department_subtree_ids(department_id=r) for r in roots)


@transaction.atomic
def round_open(*, survey: Survey, number: int) -> SurveyRound:
    """Open round `number` of `survey` on its schedule, counting who is asked by department."""
    opens, closes = round_dates(survey, number)
    invited: dict[str, int] = {}
    for department_id in survey_audience(survey).values():
        key = str(department_id)
        invited[key] = invited.get(key, 0) + 1
    return SurveyRound.objects.create(
        survey=survey, number=number, opens_on=opens, closes_on=closes, invited=invited
    )


@transaction.atomic
def round_seal(*, survey_round: SurveyRound, today: dt.date | None = None) -> SurveyRound:
    """Close a round for good: publish its final results (`survey_results_finalise`), then
    re-write its responses in random order with new random ids and no day, so that nothing in
    the database (row order, ids, transaction ids, days) follows the order in which people
    answered any more."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.sealed:
        return survey_round
    survey_results_finalise(survey_round=survey_round, today=today)
    responses = list(survey_round.responses.values_list("id", "department_id"))
    answers: dict[Any, list[tuple[int, int | None, str]]] = {}
    for response_id, question_id, score, text in SurveyAnswer.objects.filter(
        response__round=survey_round
    ).values_list("response_id", "question_id", "score", "text"):
        answers.setdefault(response_id, []).append((question_id, score, text))
    survey_round.responses.all().delete()
    secrets.SystemRandom().shuffle(responses)
    new_responses = [
        SurveyResponse(round=survey_round, department_id=dept) for _id, dept in responses
    ]
    SurveyResponse.objects.bulk_create(new_responses, batch_size=2000)
    rows = []
    for (old_id, _dept), response in zip(responses, new_responses, strict=True):
        rows.extend(
            SurveyAnswer(response=response, question_id=q, score=score, text=text)
            for q, score, text in answers.get(old_id, [])
        )
    SurveyAnswer.objects.bulk_create(rows, batch_size=5000)
    survey_round.sealed = True
    survey_round.save(update_fields=["sealed"])
    return survey_round


# --- published results: snapshots, never live (voice/engine/survey_publication.py) ----------
#
# Every reader of a round's results reads its `SurveySnapshot`. While the round is open, the
# snapshot is the round as a whole, counting the answers of the days before today, refreshed at
# most once a day once enough new answers came (at the first answer of a day and in the daily
# job); when the round is sealed, the final snapshot has the groups. Both are made here from
# the answers; the answers themselves are read by nobody else.


def _answer_days(survey_round: SurveyRound) -> dict[tuple[int | None, dt.date], int]:
    """(department id, day answered) -> responses of the round. Responses with no day (written
    before days were kept) count as given on the round's first day."""
    counts: dict[tuple[int | None, dt.date], int] = {}
    for department_id, day, n in (
        survey_round.responses.values("department_id", "answered_on")
        .annotate(n=models.Count("id"))
        .values_list("department_id", "answered_on", "n")
        .order_by()
    ):
        key = (department_id, day or survey_round.opens_on)
        counts[key] = counts.get(key, 0) + n
    return counts


def _snapshot_data(
    *,
    survey_round: SurveyRound,
    responses: models.QuerySet,
    nodes: list,
    groups: list,
) -> dict[str, Any]:
    """The figures of `groups` over `responses` (the answers a snapshot counts), as stored."""
    from gmassist.voice.engine.survey_results import (
        QuestionSpec,
        results_to_data,
        survey_results,
    )

    respondents = dict(
        responses.values("department_id")
        .annotate(n=models.Count("id"))
        .values_list("department_id", "n")
        .order_by()
    )
    answers = SurveyAnswer.objects.filter(response__in=responses)
    scores = (
        answers.filter(score__isnull=False)
        .values("response__department_id", "question_id", "score")
        .annotate(n=models.Count("id"))
        .values_list("response__department_id", "question_id", "score", "n")
        .order_by()
    )
    texts = (
        answers.filter(score__isnull=True)
        .exclude(text="")
        .values_list("response__department_id", "question_id", "text")
    )
    results = survey_results(
        departments=nodes,
        questions=[QuestionSpec(q.pk, q.kind, q.text) for q in survey_round.survey.questions.all()],
        respondents=respondents,
        scores=(
            (dept, question, score) for dept, question, score, count in scores for _ in range(count)
        ),
        texts=texts,
        invited={int(k): v for k, v in survey_round.invited.items()},
        groups=groups,
    )
    return results_to_data(results)


def survey_results_refresh(*, survey_round: SurveyRound, today: dt.date) -> SurveySnapshot | None:
    """Refresh the published results of an open round when the rule allows it today: the round
    as a whole, over the answers of the days before `today`, once `refresh_step` (5 at least)
    of them came since the last refresh. Considered once a day (`results_checked_on`), so that
    the other answers of the day cost nothing. Returns the new snapshot, or None (nothing
    changed). Call it inside a transaction that holds the round's row lock (answers are
    serialised by it)."""
    from gmassist.voice.engine.survey_publication import refresh_due
    from gmassist.voice.engine.survey_results import ResultGroup
    from gmassist.voice.surveys.selectors import department_nodes

    if survey_round.sealed or survey_round.results_checked_on == today:
        return None
    # what a refresh today would count (the days before) cannot change before tomorrow
    SurveyRound.objects.filter(pk=survey_round.pk).update(results_checked_on=today)
    survey_round.results_checked_on = today
    snapshot = SurveySnapshot.objects.filter(round=survey_round).first()
    if snapshot is not None and snapshot.is_final:
        return None
    refreshes = snapshot.refresh_days() if snapshot else []
    by_day: dict[dt.date, int] = {}
    for (_dept, day), n in _answer_days(survey_round).items():
        by_day[day] = by_day.get(day, 0) + n
    if not refresh_due(answers_by_day=by_day, refreshes=refreshes, today=today):
        return None
    counted = survey_round.responses.filter(
        models.Q(answered_on__lt=today) | models.Q(answered_on__isnull=True)
    )
    nodes = department_nodes()
    survey = survey_round.survey
    whole = ResultGroup(
        department_id=survey.department_id,
        name=survey.department.name if survey.department_id else "Company",
        includes=(None, *(node.id for node in nodes)),
        merged_names=(),
        respondents=counted.count(),
    )
    fields = {
        "is_final": False,
        "published_on": today,
        "counts_before": today,
        "refreshes": [*(day.isoformat() for day in refreshes), today.isoformat()],
        "respondents": whole.respondents,
        "left_out": 0,
        "data": _snapshot_data(
            survey_round=survey_round, responses=counted, nodes=nodes, groups=[whole]
        ),
    }
    snapshot, _created = SurveySnapshot.objects.update_or_create(
        round=survey_round, defaults=fields
    )
    return snapshot


def survey_results_finalise(
    *, survey_round: SurveyRound, today: dt.date | None = None
) -> SurveySnapshot:
    """Publish the final results of a round that closes: the groups of `final_groups` (5 or
    more respondents each, and no step of fewer than 5 from the refreshes seen before), over
    every answer, or all but those after the last refresh when they are fewer than 5."""
    from gmassist.voice.engine.survey_publication import batches, final_groups
    from gmassist.voice.surveys.selectors import department_nodes

    today = today or timezone.localdate()
    snapshot = SurveySnapshot.objects.filter(round=survey_round).first()
    if snapshot is not None and snapshot.is_final:
        return snapshot
    refreshes = snapshot.refresh_days() if snapshot else []
    nodes = department_nodes()
    plan = final_groups(
        departments=nodes,
        batches=batches(answers=_answer_days(survey_round), refreshes=refreshes),
    )
    counted = survey_round.responses.all()
    if plan.batches_used <= len(refreshes):
        # the answers after the last refresh are too few to add: they stay out
        last = refreshes[plan.batches_used - 1]
        counted = counted.filter(
            models.Q(answered_on__lt=last) | models.Q(answered_on__isnull=True)
        )
    fields = {
        "is_final": True,
        "published_on": today,
        "counts_before": None,
        "refreshes": [day.isoformat() for day in refreshes],
        "respondents": sum(g.respondents for g in plan.groups),
        "left_out": plan.left_out,
        "data": _snapshot_data(
            survey_round=survey_round, responses=counted, nodes=nodes, groups=plan.groups
        ),
    }
    snapshot, _created = SurveySnapshot.objects.update_or_create(
        round=survey_round, defaults=fields
    )
    return snapshot


def _responses_shuffle_day(
    *, survey_round: SurveyRound, department_id, day: dt.date, response_id
) -> None:
    """Move the responses of one department and day (and their answers) to random places, so
    that their order and transaction ids do not pair them with the participations, which are
    written in the order people answer. What is left to tell them apart is (department, day);
    on a day with more than `SHUFFLE_AT_MOST` of them, the new one hides among that many."""
    same_day = survey_round.responses.filter(department_id=department_id, answered_on=day)
    moved = rows_shuffle_physical_order(same_day, including=response_id)
    rows_shuffle_physical_order(SurveyAnswer.objects.filter(response__in=moved), at_most=None)


def surveys_open_due(
    *, today: dt.date | None = None, progress: Callable[[float, str], None] | None = None
) -> dict[str, int]:
    """Keep every active survey on its schedule: seal the rounds whose window has passed (with
    their final results), refresh the results of the open ones when due, open the round due
    today (a round whose whole window passed unopened is skipped), and close a one-off survey
    once its round is sealed. Safe to run twice a day.

    Returns {"surveys": active surveys looked at, "opened": rounds opened, "sealed": rounds
    sealed, "closed": surveys closed, "refreshed": open rounds whose results were refreshed}.
    """
    today = today or timezone.localdate()
    report = progress or (lambda _fraction, _message: None)
    counts = {"surveys": 0, "opened": 0, "sealed": 0, "closed": 0, "refreshed": 0}
    surveys = list(Survey.objects.filter(status=SurveyStatus.ACTIVE).order_by("id"))
    for index, survey in enumerate(surveys, start=1):
        counts["surveys"] += 1
        with transaction.atomic():
            for survey_round in survey.rounds.filter(sealed=False, closes_on__lt=today):
                round_seal(survey_round=survey_round, today=today)
                counts["sealed"] += 1
            for survey_round in survey.rounds.filter(sealed=False).select_for_update():
                if survey_results_refresh(survey_round=survey_round, today=today):
                    counts["refreshed"] += 1
            last = survey.rounds.order_by("-number").first()
            number = (last.number if last else 0) + 1
            while survey.repeat_months or number == 1:
                opens, closes = round_dates(survey, number)
                if opens > today:
                    break
                if closes >= today:
                    round_open(survey=survey, number=number)
                    counts["opened"] += 1
                    break
                number += 1  # its whole window passed while nobody opened it
            if not survey.repeat_months and round_dates(survey, 1)[1] < today:
                for survey_round in survey.rounds.filter(sealed=False):
                    round_seal(survey_round=survey_round, today=today)
                    counts["sealed"] += 1
                Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
                counts["closed"] += 1
        report(
            index / len(surveys),
            _("Surveys: %(done)s of %(total)s") % {"done": index, "total": len(surveys)},
        )
    return counts


def survey_round_open_for(*, survey_round: SurveyRound, today: dt.date) -> bool:
    return survey_round.survey.status == SurveyStatus.ACTIVE and survey_round.is_open_on(today)


@transaction.atomic
def survey_answer(
    *,
    survey_round: SurveyRound,
    by: User,
    answers: dict[int, Any],
    today: dt.date | None = None,
) -> None:
    """Record `by`'s answers to an open round, anonymously: a has-answered row for `by` and,
    with no link to it, a response holding the department, the day and the answers (moved to a
    random place among that department's responses of the day). Nothing is audited or logged;
    nothing is returned that links the two. The results are not changed by it: they are
    published as snapshots (`survey_results_refresh`).

    `answers` maps question id to a whole-number score (eNPS 0-10, scale 1-5: every scored
    question must be answered) or a text (free-text questions may stay empty).
    """
    today = today or timezone.localdate()
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Log in to answer."))
    # the round's row lock serialises the answers and the refresh of its results
    survey_round = (
        SurveyRound.objects.select_for_update(of=("self",))
        .select_related("survey", "survey__department")
        .get(pk=survey_round.pk)
    )
    survey = survey_round.survey
    if not survey_asks(survey=survey, user=by):
        raise PermissionDenied(_("This survey does not ask you."))
    if not survey_round_open_for(survey_round=survey_round, today=today):
        raise ValidationError(_("This round is not open."))
    errors: dict[str, str] = {}
    rows: list[tuple[int, int | None, str]] = []
    for question in survey.questions.all():
        key = f"q{question.position}"
        value = answers.get(question.pk)
        if question.kind == QuestionKind.TEXT:
            text = "" if value is None else str(value).strip()
            if len(text) > MAX_BODY:
                errors[key] = _("At most %(limit)s characters.") % {"limit": MAX_BODY}
            elif "\x00" in text:
                errors[key] = _("The text contains a NUL character.")
            elif text:
                rows.append((question.pk, None, text))
            continue
        low, high = SCORE_RANGE[QuestionKind(question.kind)]
        if value is None or value == "":
            errors[key] = _("Answer this question.")
            continue
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = None
        if score is None or isinstance(value, bool) or not low <= score <= high:
            errors[key] = _("Give a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
            continue
        rows.append((question.pk, score, ""))
    unknown = set(answers) - set(survey.questions.values_list("pk", flat=True))
    if unknown:
        errors["answers"] = _("These questions are not in the survey: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in sorted(unknown, key=str))
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            SurveyParticipation.objects.create(round=survey_round, employee_id=by.employee_id)
    except IntegrityError:
        raise ValidationError(_("You have answered this round already.")) from None
    department_id = (
        Employee.objects.filter(pk=by.employee_id).values_list("department_id", flat=True).first()
    )
    # the first answer of a day publishes the days before, when the rule allows (before this
    # answer is written: it is today's, and today's are not counted yet)
    survey_results_refresh(survey_round=survey_round, today=today)
    response = SurveyResponse.objects.create(
        round=survey_round, department_id=department_id, answered_on=today
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question_id=q, score=score, text=text)
        for q, score, text in rows
    )
    _responses_shuffle_day(
        survey_round=survey_round, department_id=department_id, day=today, response_id=response.pk
    )
