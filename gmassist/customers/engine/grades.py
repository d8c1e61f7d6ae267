"""Account-manager grades: post, salary, assessment and training, a composite, and for each
grade what would raise it. Pure Python (no Django import): a selector gathers `ManagerFacts`,
this module grades.

Every grade is on a 0-5 scale (5 is best), rounded to 2 decimals:

* **post grade** (from the position): 5 × position grade / `top_position_grade` (6: the
  highest staff grade), capped at 5; no position gives 0.
* **salary grade** (from the pay band): where base pay sits in the band, by compa-ratio
  (base pay / band midpoint): 0 at `compa_low` (0.80) or below, 5 at `compa_high` (1.20) or
  above, linear between; no band gives 0. Pay follows the company's judgement of the person
  over the years, which is why it counts, a little.
* **assessment grade**: the weighted mean of three parts, each 0-5, over the parts known
  (weights renormalised; no part known gives 0):
  reviews (the mean of the last `reviews_counted` ratings, 1-5, as they are) × 0.5,
  growth of the own book (revenue of the manager's customers over the last 12 months against
  the 12 before: 2.5 + 10 × growth, clipped to 0-5, so +25% gives 5 and -25% gives 0) × 0.25,
  customer satisfaction (the mean satisfaction, 1-5, of the book's contacts in the last 12
  months, as it is) × 0.25.
* **training grade**: 5 × the share of the position's required training completed; 0 until
  the training module exists.

**Composite** = 0.20 × post + 0.15 × salary + 0.55 × assessment + 0.10 × training (0-5): what
a manager does for customers counts most; the matching engine uses it as the manager's grade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from gmassist.customers.reasons import Reason
from gmassist.lib.normalize import gettext_noop

WEIGHTS = {"post": 0.20, "salary": 0.15, "assessment": 0.55, "training": 0.10}
ASSESSMENT_WEIGHTS = {"reviews": 0.5, "book_growth": 0.25, "satisfaction": 0.25}
TOP_POSITION_GRADE = 6
COMPA_LOW, COMPA_HIGH = 0.80, 1.20
GROWTH_FOR_FULL_POINTS = 0.25
REVIEWS_COUNTED = 2
STEP = 0.5  # "what would raise it" names what it takes to gain this much on a grade


@dataclass(frozen=True)
class ManagerFacts:
    """What the grades are computed from: position grade (1 = lowest), compa-ratio (pay /
    band midpoint), the latest ratings (1-5, newest first), book growth (a fraction, 0.1 is
    +10%), mean satisfaction (1-5), training completed (a fraction 0-1)."""

    manager_id: object
    position_grade: int | None = None
    compa_ratio: float | None = None
    ratings: tuple[int, ...] = ()
    book_growth: float | None = None
    satisfaction: float | None = None
    training_done: float = 0.0


@dataclass(frozen=True)
class ManagerGrades:
    """The four grades, the composite (all 0-5), the assessment's parts, and for each grade
    what would raise it (`Reason`s: template and params, translated where they are shown)."""

    manager_id: object
    post: float
    salary: float
    assessment: float
    training: float
    composite: float
    assessment_parts: dict[str, float | None]
    to_raise: dict[str, list[Reason]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "post": self.post,
            "salary": self.salary,
            "assessment": self.assessment,
            "training": self.training,
            "composite": self.composite,
            "assessment_parts": dict(self.assessment_parts),
            "to_raise": {k: [r.as_dict() for r in v] for k, v in self.to_raise.items()},
        }


def _clip(value: float) -> float:
    return min(5.0, max(0.0, value))


def post_grade(position_grade: int | None, top: int = TOP_POSITION_GRADE) -> float:
    """0-5 from the position grade (see the module docstring)."""
    if not position_grade or position_grade < 0:
        return 0.0
    return round(_clip(5.0 * position_grade / top), 2)


def salary_grade(compa_ratio: float | None) -> float:
    """0-5 from the compa-ratio (see the module docstring)."""
    if compa_ratio is None or not math.isfinite(compa_ratio):
        return 0.0
    return round(_clip(5.0 * (compa_ratio - COMPA_LOW) / (COMPA_HIGH - COMPA_LOW)), 2)


def assessment_parts(facts: ManagerFacts) -> dict[str, float | None]:
    """The assessment's three parts on 0-5, None where unknown."""
    ratings = facts.ratings[:REVIEWS_COUNTED]
    growth = facts.book_growth
    return {
        "reviews": round(_clip(sum(ratings) / len(ratings)), 2) if ratings else None,
        "book_growth": (
            round(_clip(2.5 + 2.5 * growth / GROWTH_FOR_FULL_POINTS), 2)
            if growth is not None and math.isfinite(growth)
            else None
        ),
        "satisfaction": (
            round(_clip(facts.satisfaction), 2) if facts.satisfaction is not None else None
        ),
    }


def assessment_grade(parts: dict[str, float | None]) -> float:
    """The weighted mean of the known parts (0 when none is known)."""
    known = {k: v for k, v in parts.items() if v is not None}
    if not known:
        return 0.0
    weight = sum(ASSESSMENT_WEIGHTS[k] for k in known)
    return round(sum(ASSESSMENT_WEIGHTS[k] * v for k, v in known.items()) / weight, 2)


def composite_grade(post: float, salary: float, assessment: float, training: float) -> float:
    """0.20 post + 0.15 salary + 0.55 assessment + 0.10 training."""
    values = {"post": post, "salary": salary, "assessment": assessment, "training": training}
    return round(sum(WEIGHTS[k] * v for k, v in values.items()), 2)


def grade_manager(facts: ManagerFacts) -> ManagerGrades:
    """All grades of one manager, with what would raise each."""
    post = post_grade(facts.position_grade)
    salary = salary_grade(facts.compa_ratio)
    parts = assessment_parts(facts)
    assessment = assessment_grade(parts)
    training = round(_clip(5.0 * facts.training_done), 2)
    composite = composite_grade(post, salary, assessment, training)
    return ManagerGrades(
        manager_id=facts.manager_id,
        post=post,
        salary=salary,
        assessment=assessment,
        training=training,
        composite=composite,
        assessment_parts=parts,
        to_raise=_to_raise(facts, post, salary, parts, training),
    )


def grade_managers(facts: list[ManagerFacts]) -> list[ManagerGrades]:
    """`grade_manager` for each, in the same order."""
    return [grade_manager(f) for f in facts]


# What would raise each grade: the templates (English; translated where they are shown).
_AT_TOP = gettext_noop("at the top of the scale")
_PROMOTION = gettext_noop("a promotion to position grade %(grade)s raises it to %(value)s")
_NO_BAND = gettext_noop("a position with a pay band (the grade reads pay against it)")
_PAY = gettext_noop("pay at compa-ratio %(needed)s (now %(now)s) raises it to %(value)s")
_NO_REVIEW = gettext_noop("a performance review (none recorded)")
_HIGHER_RATING = gettext_noop("a higher rating in the next review (mean of the last ones %(mean)s)")
_NO_BOOK = gettext_noop("a book with revenue in both of the last two years")
_BOOK_GROWTH = gettext_noop("book revenue growth of %(target)s%% (now %(now)s%%) adds %(gain)s")
_NO_SATISFACTION = gettext_noop("rated service contacts (no satisfaction recorded)")
_SATISFACTION = gettext_noop("customer satisfaction of %(target)s (now %(now)s) adds %(gain)s")
_TRAINING = gettext_noop("completing the position's required training (each 10%% adds %(gain)s)")


def _to_raise(
    facts: ManagerFacts,
    post: float,
    salary: float,
    parts: dict[str, float | None],
    training: float,
) -> dict[str, list[Reason]]:
    at_top = Reason(_AT_TOP)
    out: dict[str, list[Reason]] = {}
    if post >= 5:
        out["post"] = [at_top]
    else:
        grade = facts.position_grade or 0
        out["post"] = [
            Reason(_PROMOTION, {"grade": grade + 1, "value": f"{post_grade(grade + 1):.2f}"})
        ]
    if salary >= 5:
        out["salary"] = [at_top]
    elif facts.compa_ratio is None:
        out["salary"] = [Reason(_NO_BAND)]
    else:
        target = min(5.0, salary + STEP)
        needed = COMPA_LOW + target / 5.0 * (COMPA_HIGH - COMPA_LOW)
        out["salary"] = [
            Reason(
                _PAY,
                {
                    "needed": f"{needed:.2f}",
                    "now": f"{facts.compa_ratio:.2f}",
                    "value": f"{target:.2f}",
                },
            )
        ]
    hints = []
    reviews, growth, satisfaction = parts["reviews"], parts["book_growth"], parts["satisfaction"]
    if reviews is None:
        hints.append(Reason(_NO_REVIEW))
    elif reviews < 5:
        hints.append(Reason(_HIGHER_RATING, {"mean": f"{reviews:.1f}"}))
    if growth is None:
        hints.append(Reason(_NO_BOOK))
    elif growth < 5:
        now = facts.book_growth or 0.0
        better = now + STEP / 2.5 * GROWTH_FOR_FULL_POINTS
        gain = STEP * ASSESSMENT_WEIGHTS["book_growth"] / _known_weight(parts)
        hints.append(
            Reason(
                _BOOK_GROWTH,
                {
                    "target": f"{better * 100:+.0f}",
                    "now": f"{now * 100:+.0f}",
                    "gain": f"{gain:.2f}",
                },
            )
        )
    if satisfaction is None:
        hints.append(Reason(_NO_SATISFACTION))
    elif satisfaction < 5:
        gain = STEP * ASSESSMENT_WEIGHTS["satisfaction"] / _known_weight(parts)
        hints.append(
            Reason(
                _SATISFACTION,
                {
                    "target": f"{min(5.0, satisfaction + STEP):.1f}",
                    "now": f"{satisfaction:.1f}",
                    "gain": f"{gain:.2f}",
                },
            )
        )
    out["assessment"] = hints or [at_top]
    # 10% of the training is 0.5 on the 0-5 grade
    out["training"] = [at_top] if training >= 5 else [Reason(_TRAINING, {"gain": "0.50"})]
    return out


def _known_weight(parts: dict[str, float | None]) -> float:
    return sum(ASSESSMENT_WEIGHTS[k] for k, v in parts.items() if v is not None) or 1.0
