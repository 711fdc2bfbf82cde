"""Readiness forecast for an interview date: the FSRS schedule simulated forward, day by day.

Pure functions on plain numbers (no database), so they are unit-tested and benchmarked alone.
Time is in days from the start of the user's today; the interview is at the start of day `days`.

The simulation is an expected value, not Monte Carlo: at each review a card splits into a pass
(rated Good) and a fail (Again, then Good at the relearning step the same day), weighted by its
recall chance then. A branch whose fail weight falls under PRUNE goes on as a pass only; that
keeps a card to a few dozen branches and biases readiness up by well under one point.
Reviews are not capped per day, so cards are independent and each is followed alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import fsrs

DEFAULT_PARAMETERS = tuple(fsrs.Scheduler(enable_fuzzing=False).parameters)
LEAD_DAYS = 7  # the recommended plan introduces every question at least this long before the date
DEFAULT_SECONDS_PER_REVIEW = 20.0
PRUNE = 0.01
MAXIMUM_INTERVAL = 36500
GOOD, AGAIN = 3, 1


@dataclass(frozen=True)
class CardState:
    """A reviewed card: its memory state, and its last review and due time in days from today's start."""

    stability: float
    difficulty: float
    last_review: float
    due: float
    frozen: bool = False  # suspended: never reviewed again, its recall only decays


class Model:
    """The FSRS-6 formulas of fsrs.Scheduler (6.3.2), as plain float arithmetic on a tuple of 21 parameters."""

    def __init__(self, parameters: Sequence[float], desired_retention: float):
        w = self.w = tuple(float(p) for p in parameters)
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.interval_scale = (desired_retention ** (1 / self.decay) - 1) / self.factor
        self.easy_difficulty = w[4] - math.exp(w[5] * 3) + 1
        self.forget_short = math.exp(w[17] * w[18])

    def recall(self, elapsed_days: float, stability: float) -> float:
        return (1 + self.factor * max(0.0, elapsed_days) / stability) ** self.decay

    def interval(self, stability: float) -> int:
        return min(max(round(stability * self.interval_scale), 1), MAXIMUM_INTERVAL)

    def difficulty(self, d: float, rating: int) -> float:
        w = self.w
        delta = -(w[6] * (rating - 3))
        d = w[7] * self.easy_difficulty + (1 - w[7]) * (d + (10.0 - d) * delta / 9.0)
        return min(max(d, 1.0), 10.0)

    def short_term(self, s: float, rating: int) -> float:
        w = self.w
        increase = math.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
        if rating > AGAIN:
            increase = max(increase, 1.0)
        return max(s * increase, 0.001)

    def recall_stability(self, d: float, s: float, r: float) -> float:
        w = self.w
        return max(s * (1 + math.exp(w[8]) * (11 - d) * s ** -w[9] * (math.exp((1 - r) * w[10]) - 1)), 0.001)

    def forget_stability(self, d: float, s: float, r: float) -> float:
        w = self.w
        long_term = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp((1 - r) * w[14])
        return max(min(long_term, s / self.forget_short), 0.001)

    def first_day(self) -> tuple[float, float]:
        """A new card rated Good, then Good again at its second learning step: (stability, difficulty)."""
        s, d = max(self.w[2], 0.001), min(max(self.w[4] - math.exp(self.w[5] * 2) + 1, 1.0), 10.0)
        return self.short_term(s, GOOD), self.difficulty(d, GOOD)


@dataclass
class Run:
    """One simulation: readiness[d] is the predicted recall on the date after the reviews of days
    before d (readiness[0] is today's prediction), reviews[k] the expected reviews on day k."""

    readiness: list[float]
    reviews: list[float]
    new: list[int]
    new_per_day: int
    seconds_per_review: float

    @property
    def final(self) -> float:
        return self.readiness[-1]

    @property
    def minutes_per_day(self) -> float:
        return sum(self.reviews) / len(self.reviews) * self.seconds_per_review / 60 if self.reviews else 0.0

    @property
    def peak_minutes(self) -> float:
        return max(self.reviews, default=0.0) * self.seconds_per_review / 60


def _review_time(day: int, now: float) -> float:
    """A simulated review of day `day` happens at noon, or now when later today."""
    return max(day + 0.5, now)


def _follow(model: Model, days: int, now: float, weight: float, s: float, d: float, last: float, due_day: int,
            readiness: list[float], reviews: list[float], start: int) -> None:
    """Follow one card (with its branches) to the date, adding to the readiness difference array
    (from index `start`) and to the reviews per day."""
    stack = [(weight, s, d, last, due_day, start)]
    while stack:
        weight, s, d, last, due_day, start = stack.pop()
        while due_day < days:
            t = _review_time(due_day, now)
            elapsed = math.floor(t - last)
            r = model.recall(elapsed, s)
            # this state holds from `start` up to the review's day
            value = weight * model.recall(math.floor(days - last), s)
            readiness[start] += value
            readiness[due_day + 1] -= value
            start = due_day + 1
            fail = weight * (1 - r)
            if fail >= PRUNE:
                if elapsed < 1:
                    fs = model.short_term(s, AGAIN)
                else:
                    fs = model.forget_stability(d, s, r)
                fd = model.difficulty(d, AGAIN)
                fs, fd = model.short_term(fs, GOOD), model.difficulty(fd, GOOD)
                reviews[due_day] += 2 * fail
                stack.append((fail, fs, fd, t, due_day + model.interval(fs), start))
                weight -= fail
            reviews[due_day] += weight
            s = model.short_term(s, GOOD) if elapsed < 1 else model.recall_stability(d, s, r)
            d = model.difficulty(d, GOOD)
            last, due_day = t, due_day + model.interval(s)
        value = weight * model.recall(math.floor(days - last), s)
        readiness[start] += value
        readiness[days + 1] -= value


def _prefix(diff: list[float]) -> list[float]:
    out, total = [], 0.0
    for value in diff[:-1]:
        total += value
        out.append(total)
    return out


@dataclass
class Simulation:
    """The reviewed cards followed once; new cards added per plan from one template per introduction day."""

    model: Model
    days: int
    total: int
    unseen: int
    introduced_today: int
    seconds_per_review: float
    existing_readiness: list[float] = field(default_factory=list)
    existing_reviews: list[float] = field(default_factory=list)
    template_readiness: list[list[float]] = field(default_factory=list)
    template_reviews: list[list[float]] = field(default_factory=list)

    def introductions(self, new_per_day: int) -> list[int]:
        left, out = self.unseen, []
        for day in range(self.days):
            n = min(left, max(0, new_per_day - (self.introduced_today if day == 0 else 0)))
            out.append(n)
            left -= n
        return out

    def final(self, new_per_day: int) -> float:
        """Readiness on the date only: the cheap check the plan search repeats."""
        if not self.total:
            return 0.0
        value = self.existing_readiness[-1]
        for day, n in enumerate(self.introductions(new_per_day)):
            if n:
                value += n * self.template_readiness[day][-1]
        return value / self.total

    def run(self, new_per_day: int) -> Run:
        readiness, reviews = list(self.existing_readiness), list(self.existing_reviews)
        new = self.introductions(new_per_day)
        for day, n in enumerate(new):
            if n:
                template_r, template_v = self.template_readiness[day], self.template_reviews[day]
                for i in range(day + 1, self.days + 1):
                    readiness[i] += n * template_r[i]
                for i in range(day, self.days):
                    reviews[i] += n * template_v[i]
        total = self.total or 1
        return Run([value / total for value in readiness], reviews, new, new_per_day, self.seconds_per_review)


def simulate(cards: Sequence[CardState], *, unseen: int, days: int, now: float = 0.0,
             parameters: Sequence[float] = DEFAULT_PARAMETERS, desired_retention: float = 0.9,
             introduced_today: int = 0, seconds_per_review: float = DEFAULT_SECONDS_PER_REVIEW) -> Simulation:
    """Follow every reviewed card to the start of day `days`; `unseen` questions wait for introduction."""
    days = max(0, days)
    model = Model(parameters, desired_retention)
    diff, reviews = [0.0] * (days + 2), [0.0] * days
    for card in cards:
        if card.frozen or not card.stability:
            value = model.recall(math.floor(days - card.last_review), card.stability) if card.stability else 0.0
            diff[0] += value
            diff[days + 1] -= value
            continue
        due_day = max(0, math.floor(card.due))
        _follow(model, days, now, 1.0, card.stability, card.difficulty, card.last_review, due_day, diff, reviews, 0)
    sim = Simulation(model, days, len(cards) + unseen, unseen, introduced_today, seconds_per_review,
                     _prefix(diff), reviews)
    s0, d0 = model.first_day()
    for day in range(days if unseen else 0):
        t = _review_time(day, now)
        t_diff, t_reviews = [0.0] * (days + 2), [0.0] * days
        t_reviews[day] += 2  # the two learning steps on the first day
        _follow(model, days, now, 1.0, s0, d0, t, day + model.interval(s0), t_diff, t_reviews, day + 1)
        sim.template_readiness.append(_prefix(t_diff))
        sim.template_reviews.append(t_reviews)
    return sim


@dataclass
class Plan:
    current: Run
    recommended: Run
    reachable: bool
    target: float
    lead_days: int


def plan(sim: Simulation, *, new_per_day: int, target: float, lead_days: int = LEAD_DAYS) -> Plan:
    """The current plan's run, and the smallest daily new count that reaches `target` on the date while
    introducing every unseen question at least `lead_days` before it (or, when no count reaches the
    target, the smallest that comes within half a point of the best)."""
    current = sim.run(new_per_day)
    if not sim.unseen:
        return Plan(current, current, current.final >= target, target, lead_days)
    window = max(1, sim.days - lead_days)
    least = math.ceil(sim.unseen / window) + (sim.introduced_today if window == 1 else 0)
    most = sim.unseen + sim.introduced_today
    least = min(least, most)
    finals = {n: sim.final(n) for n in range(least, most + 1)}
    reaching = [n for n, value in finals.items() if value >= target]
    if reaching:
        chosen, reachable = reaching[0], True
    else:
        best = max(finals.values())
        chosen, reachable = next(n for n, value in finals.items() if value >= best - 0.005), False
    return Plan(current, sim.run(chosen), reachable, target, lead_days)
