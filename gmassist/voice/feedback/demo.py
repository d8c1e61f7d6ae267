"""The feedback part of the demo company: twelve months of feedback in English and Chinese.

Texts are drawn from the shipped labelled examples (with their labels), so topics and
sentiments are right by construction. Unhappy departments of the demo (see
`gmassist/org/demo/causes.py`) send more feedback and far more of it negative, so the trends
page and `department_negative_share` show what the leaving-risk model should find. About 40%
is anonymous; the named items are the demo employee's and head's, so their logins show threads.

A few recent questions whose topic is hard to tell (`UNCLEAR`, written for the demo, in neither
labelled file) are classified and routed as a submission would be: those the classifier is
unsure of wait in HR's triage list.
"""

from __future__ import annotations

import datetime as dt
import secrets

from dateutil.relativedelta import relativedelta

from gmassist.org.demo.extensions import DemoContext, demo_extension
from gmassist.org.models import Department
from gmassist.voice.engine.classifier import load_examples
from gmassist.voice.feedback.choices import Addressee, FeedbackKind, FeedbackStatus
from gmassist.voice.feedback.models import Feedback, FeedbackMessage
from gmassist.voice.feedback.services import (
    DUE_DAYS,
    URGENT_DUE_DAYS,
    classified_text,
    company_classifier,
    goes_to_triage,
    reply_code_digest,
    route,
)

MONTHS = 12
ITEMS_PER_DEPARTMENT_MONTH = 1.2  # mean, Poisson; unhappy departments send 2.5 times as many
NEGATIVE_SHARE = {"unhappy": 0.8, "usual": 0.3}
ANONYMOUS_SHARE = 0.4
KIND_BY_SENTIMENT = {
    "negative": FeedbackKind.COMPLAINT,
    "neutral": FeedbackKind.SUGGESTION,
    "positive": FeedbackKind.PRAISE,
}
ANSWERS = {
    "en": "Thank you for raising this. We have looked into it and will follow up at the next "
    "team meeting.",
    "zh": "感谢反馈。我们已经了解情况，会在下次部门会议上跟进。",
}


# (subject, body) of recent questions whose topic is hard to tell, sent in the last days
UNCLEAR = [
    (
        "Next team meeting",
        "Could we talk about this at the next team meeting? Several of us have the same concern "
        "and nobody has answered yet.",
    ),
    ("想问一下新规定", "上周通知的那些变化，具体应该找谁咨询？问了几个人，各说各的。"),
    ("Still waiting", "I sent this twice already and nobody replied. Is anyone reading these?"),
    ("还是没有回音", "上次反映的事情不知道进展怎么样了，能不能给个答复？"),
    ("A question", "Who do I ask about this? The page on the intranet says to ask my manager."),
    ("请问找谁", "这种情况应该找哪个部门？我问了两个地方都说不归他们管。"),
]


def delete_voice_demo() -> None:
    FeedbackMessage.objects.all().delete()
    Feedback.objects.all().delete()


@demo_extension("voice", order=20, delete=delete_voice_demo)
def write_voice_demo(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng(20)
    examples = load_examples()
    pools = {
        sentiment: [e for e in examples if e.sentiment == sentiment and not e.urgent]
        for sentiment in ("negative", "neutral", "positive")
    }
    urgent_pool = [e for e in examples if e.urgent]
    company = ctx.company
    by_code = dict(Department.objects.values_list("code", "pk"))
    departments = {d.pk: d for d in Department.objects.all()}
    unhappy = {company.departments[i].code for i in company.unhappy_departments}
    named_authors = [u for key in ("employee", "head") if (u := ctx.users.get(key)) is not None]
    routes: dict[tuple[int | None, bool, str], tuple] = {}

    def routed(department: Department | None, urgent: bool, topic: str):
        key = (department.pk if department else None, urgent, topic)
        if key not in routes:
            routes[key] = route(
                addressed_to=Addressee.DEPARTMENT if department else Addressee.GM,
                department=department,
                urgent=urgent,
                topic=topic,
            )
        return routes[key]

    first_month = ctx.as_of.replace(day=1) - relativedelta(months=MONTHS - 1)
    items: list[Feedback] = []
    answers: list[FeedbackMessage] = []
    for row in company.departments:
        if row.depth == 0 or row.code not in by_code:
            continue
        department = departments[by_code[row.code]]
        mood = "unhappy" if row.code in unhappy else "usual"
        rate = ITEMS_PER_DEPARTMENT_MONTH * (2.5 if mood == "unhappy" else 1)
        for month in range(MONTHS):
            start = first_month + relativedelta(months=month)
            days = ((start + relativedelta(months=1)) - start).days
            for _ in range(int(rng.poisson(rate))):
                day = start + dt.timedelta(days=int(rng.integers(days)))
                if day > ctx.as_of:
                    continue
                if rng.random() < 0.02:
                    example = urgent_pool[int(rng.integers(len(urgent_pool)))]
                else:
                    roll = rng.random()
                    negative = NEGATIVE_SHARE[mood]
                    sentiment = (
                        "negative"
                        if roll < negative
                        else ("neutral" if roll < negative + (1 - negative) / 2 else "positive")
                    )
                    pool = pools[sentiment]
                    example = pool[int(rng.integers(len(pool)))]
                urgent = bool(example.urgent)
                to_gm = not urgent and rng.random() < 0.1
                owner, head_department = routed(
                    None if to_gm else department, urgent, example.topic
                )
                anonymous = bool(rng.random() < ANONYMOUS_SHARE) or urgent
                due = day + dt.timedelta(days=URGENT_DUE_DAYS if urgent else DUE_DAYS)
                age = (ctx.as_of - day).days
                status = FeedbackStatus.NEW
                if age > 45:
                    status = (
                        FeedbackStatus.CLOSED if rng.random() < 0.6 else FeedbackStatus.ANSWERED
                    )
                elif age > 10:
                    status = FeedbackStatus(
                        rng.choice(
                            [
                                FeedbackStatus.ANSWERED,
                                FeedbackStatus.IN_PROGRESS,
                                FeedbackStatus.NEW,
                            ]
                        )
                    )
                answered_on = min(ctx.as_of, day + dt.timedelta(days=int(rng.integers(1, 12))))
                item = Feedback(
                    kind=KIND_BY_SENTIMENT[example.sentiment],
                    addressed_to=Addressee.GM if to_gm else Addressee.DEPARTMENT,
                    department=department,
                    head_department=head_department,
                    subject=example.text.split("。")[0].split(". ")[0][:80],
                    body=example.text,
                    language=example.language,
                    is_anonymous=anonymous,
                    author=None
                    if anonymous or not named_authors
                    else named_authors[int(rng.integers(len(named_authors)))],
                    reply_code_digest=reply_code_digest(secrets.token_hex(12)) if anonymous else "",
                    submitted_on=day,
                    topic=example.topic,
                    sentiment=example.sentiment,
                    flag_harassment=example.urgent == "harassment",
                    flag_safety=example.urgent == "safety",
                    flag_fraud=example.urgent == "fraud",
                    owner=owner,
                    due_on=due,
                    status=status,
                    answered_on=answered_on
                    if status != FeedbackStatus.NEW and status != FeedbackStatus.IN_PROGRESS
                    else None,
                    closed_on=answered_on if status == FeedbackStatus.CLOSED else None,
                )
                items.append(item)
                if item.answered_on is not None and owner is not None:
                    answers.append(
                        FeedbackMessage(
                            feedback=item,
                            position=1,
                            from_sender=False,
                            author=owner,
                            body=ANSWERS[example.language],
                            written_on=answered_on,
                        )
                    )
    items.extend(_unclear_items(ctx, departments=list(departments.values()), rng=rng))
    ctx.progress(0.5, "Feedback")
    Feedback.objects.bulk_create(items, batch_size=1000)
    FeedbackMessage.objects.bulk_create(answers, batch_size=1000)
    ctx.progress(1.0, "Feedback")
    return {"feedback": len(items), "feedback_messages": len(answers)}


def _unclear_items(ctx: DemoContext, *, departments: list[Department], rng) -> list[Feedback]:
    """The `UNCLEAR` questions, anonymous, one every other day before `ctx.as_of`, each to a
    department below the top, classified by the company's classifier and routed (or put in
    triage) as `services.feedback_submit` would."""
    below_top = sorted((d for d in departments if d.parent_id is not None), key=lambda d: d.code)
    if not below_top:
        return []
    classifier = company_classifier()
    items = []
    for index, (subject, body) in enumerate(UNCLEAR):
        department = below_top[int(rng.integers(len(below_top)))]
        day = ctx.as_of - dt.timedelta(days=2 * index + 1)
        result = classifier.classify(classified_text(subject=subject, body=body))
        urgent = bool(result.urgent)
        in_triage = goes_to_triage(
            addressed_to=Addressee.DEPARTMENT,
            department=department,
            urgent=urgent,
            topic_confidence=result.topic_confidence,
        )
        owner, head_department = route(
            addressed_to=Addressee.DEPARTMENT,
            department=department,
            urgent=urgent,
            topic=result.topic,
            in_triage=in_triage,
        )
        items.append(
            Feedback(
                kind=FeedbackKind.QUESTION,
                addressed_to=Addressee.DEPARTMENT,
                department=department,
                head_department=head_department,
                subject=subject,
                body=body,
                language=result.language,
                is_anonymous=True,
                reply_code_digest=reply_code_digest(secrets.token_hex(12)),
                submitted_on=day,
                topic=result.topic,
                topic_confidence=round(result.topic_confidence, 4),
                in_triage=in_triage,
                sentiment=result.sentiment,
                flag_harassment="harassment" in result.urgent,
                flag_safety="safety" in result.urgent,
                flag_fraud="fraud" in result.urgent,
                owner=owner,
                due_on=day + dt.timedelta(days=URGENT_DUE_DAYS if urgent else DUE_DAYS),
            )
        )
    return items
