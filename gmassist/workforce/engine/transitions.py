"""Moves between grades as a Markov manpower model: the quarterly transition matrix between
grades (and to "left"), estimated on the history.

The organisation keeps today's grade and the dated promotions, not a grade history; the grade
held on a day is today's grade minus the promotions recorded after it (as the leaving-risk
model reconstructs it). Each person on the books at the start of a quarter with a known grade
is one observation: promoted during the quarter (one grade up), left, or stayed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gmassist.workforce.engine.calendar import add_months


@dataclass
class TransitionMatrix:
    """`probabilities[i, j]`: the chance that a person in grade `grades[i]` at the start of a
    quarter is in grade `grades[j]` at its end; the last column is "left the company". Rows
    sum to 1. `observations[i]` people-quarters were seen in grade `grades[i]`."""

    grades: list[int]
    probabilities: np.ndarray
    observations: np.ndarray

    def promotion_chance(self) -> dict[int, float]:
        """Per grade, the chance per quarter of moving up (to any higher grade)."""
        n = len(self.grades)
        return {g: float(self.probabilities[i, i + 1 : n].sum()) for i, g in enumerate(self.grades)}

    def project(self, counts: np.ndarray, quarters: int) -> np.ndarray:
        """The expected people per grade after each quarter (rows: quarters, columns: grades
        then "left", cumulative), from `counts` people per grade now: people are conserved,
        every one of them is in a grade or among the leavers."""
        state = np.append(np.asarray(counts, dtype=float), 0.0)
        full = np.zeros((len(state), len(state)))
        full[:-1, :] = self.probabilities
        full[-1, -1] = 1.0
        out = []
        for _ in range(quarters):
            state = state @ full
            out.append(state.copy())
        return np.array(out)


def grade_on(grade_now: np.ndarray, promotions_after: np.ndarray) -> np.ndarray:
    out: np.ndarray = grade_now - promotions_after
    return out


def estimate_transitions(
    people: pd.DataFrame,
    promotions: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> TransitionMatrix:
    """The quarterly transition matrix between grades over the quarters from `start` to
    `end` (`people`: history columns with `grade` today; `promotions`: `employee_id`, `date`,
    one row per promotion by one grade). Quarters are those of `calendar.add_months`."""
    people = people[people["grade"].notna()]
    ids = people["employee_id"].to_numpy()
    grade_now = people["grade"].to_numpy(int)
    index = {e: i for i, e in enumerate(ids)}
    promo_person = np.array([index.get(e, -1) for e in promotions["employee_id"]], dtype=int)
    promo_day = pd.to_datetime(promotions["date"]).to_numpy("datetime64[D]")
    keep = promo_person >= 0
    promo_person, promo_day = promo_person[keep], promo_day[keep]
    hire = people["hire_date"].to_numpy("datetime64[D]")
    leave = people["leave_date"].to_numpy("datetime64[D]")
    grades = sorted(set(grade_now.tolist()))
    position = {g: i for i, g in enumerate(grades)}
    n = len(grades)
    counts = np.zeros((n, n + 1))
    day = start
    while True:
        following = pd.Timestamp(add_months(day.date(), 3))
        if following > end:
            break
        d0, d1 = np.datetime64(day.date(), "D"), np.datetime64(following.date(), "D")
        after_start = np.bincount(promo_person[promo_day > d0], minlength=len(ids))
        during = np.bincount(promo_person[(promo_day > d0) & (promo_day <= d1)], minlength=len(ids))
        on_books = (hire <= d0) & (np.isnat(leave) | (leave > d0))
        left = on_books & ~np.isnat(leave) & (leave <= d1)
        grade_then = grade_on(grade_now, after_start)
        for person in np.nonzero(on_books)[0]:
            g0 = int(grade_then[person])
            if g0 not in position:
                continue
            if left[person]:
                counts[position[g0], n] += 1
            else:
                g1 = g0 + int(during[person])
                counts[position[g0], position.get(g1, position[g0])] += 1
        day = following
    observations = counts.sum(axis=1)
    probabilities = np.where(
        observations[:, None] > 0, counts / np.maximum(observations[:, None], 1), 0.0
    )
    for i in range(n):
        if observations[i] == 0:
            probabilities[i, i] = 1.0  # never seen: nobody moves
    return TransitionMatrix(grades=grades, probabilities=probabilities, observations=observations)
