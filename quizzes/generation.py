"""Quiz items generated from the imported content, deterministically for a given seed.

`generate(spec)` returns one snapshot dict per item: everything the page and the review
need (prompt, shuffled choices, key, explanation), so attempts never depend on the
content staying as it was. Each kind's own making lives in quizzes.kinds.
"""

from __future__ import annotations

import random
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from django.urls import reverse

from questions.models import AuthoredItem, Example, KeyPoints, Question

from .kinds import KINDS
from .text import PYTHON_LANGUAGES, KeyPoint, key_points, normalize, roles

CHOICE_IDS = "abcdefgh"
CHUNK = 80  # questions loaded per round; a 50-item quiz rarely needs a second round


@dataclass
class Spec:
    question_set_id: int
    seed: int
    count: int = 10
    kinds: list[str] = field(default_factory=lambda: list(KINDS))
    category_ids: list[int] | None = None
    # Restricts the questions asked (presets, "retry the ones I missed"); distractors still
    # come from the whole set.
    question_ids: list[int] | None = None
    # When each question was last asked in the user's recent quizzes: the least recent come first.
    recent: dict[int, float] | None = None


ExampleRow = namedtuple("ExampleRow", "pk language code")
AuthoredRow = namedtuple("AuthoredRow", "pk prompt choices explanation")


@dataclass
class Loaded:
    pk: int
    category_id: int
    category: str
    title: str
    number: str
    slugs: tuple[str, str, str]
    answer_md: str
    examples: list[ExampleRow]
    authored: list[AuthoredRow]
    edited_points: str | None = None  # an editor's list (questions.KeyPoints), as the drill uses it


    @property
    def url(self) -> str:
        return reverse("questions:question_detail", args=self.slugs)

    @property
    def python_examples(self) -> list[ExampleRow]:
        return [e for e in self.examples if e.language in PYTHON_LANGUAGES]

    @property
    def key_points(self) -> tuple[KeyPoint, ...]:
        edited = KeyPoints.split(self.edited_points or "")
        if edited:
            return tuple(KeyPoint(text, "editor") for text in edited)
        return key_points(self.answer_md, tuple(e.code for e in self.examples))

    @property
    def points(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.key_points)


class Generator:
    def __init__(self, spec: Spec):
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.items: list[dict] = []
        self.idents: set[str] = set()
        self.kind_counts = {kind: 0 for kind in spec.kinds}
        self.vocabulary: set[str] = set()
        # role -> identifier -> the categories whose examples use it in that role
        self.by_role: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.used_examples: set[int] = set()
        self.points: list[tuple[int, str, str, str]] = []  # (question pk, point, normalized, source) of loaded answers
        self.point_index: dict[str, int] = {}
        self.round_seen: set[int] = set()
        base = Question.objects.listed().filter(category__question_set_id=spec.question_set_id)
        ids = list(base.order_by("pk").values_list("pk", "category_id"))
        self.by_category: dict[int, list[int]] = defaultdict(list)
        for pk, category_id in ids:
            self.by_category[category_id].append(pk)
        self.all_ids = [pk for pk, _ in ids]
        pool = ids
        if spec.category_ids:
            wanted = set(spec.category_ids)
            pool = [row for row in pool if row[1] in wanted]
        if spec.question_ids is not None:
            wanted_q = set(spec.question_ids)
            pool = [row for row in pool if row[0] in wanted_q]
        self.pool = [pk for pk, _ in pool]
        # Titles are read only for the questions asked and a sample of candidate distractors.
        self.title_of: dict[int, str] = {}
        self.title_candidates: dict[int | None, list[int]] = {}

    def _chunks(self):
        """The pool in a seeded random order, drawn lazily: a big bank is never shuffled whole."""
        recent = self.spec.recent or {}
        pool = [pk for pk in self.pool if pk not in recent] if recent else self.pool
        yield from self._random_chunks(pool)
        asked = sorted((pk for pk in self.pool if pk in recent), key=lambda pk: (recent[pk], pk))
        for start in range(0, len(asked), CHUNK):
            yield asked[start : start + CHUNK]

    def _random_chunks(self, pool: list[int]):
        first = self.rng.sample(pool, min(len(pool), 3 * CHUNK))
        for start in range(0, len(first), CHUNK):
            yield first[start : start + CHUNK]
        if len(first) < len(pool):
            taken = set(first)
            rest = [pk for pk in pool if pk not in taken]
            self.rng.shuffle(rest)
            for start in range(0, len(rest), CHUNK):
                yield rest[start : start + CHUNK]

    def _sample_candidates(self, categories: set[int]) -> None:
        """Up to seven distractor candidates per category (and for the whole set), titles fetched at once."""
        wanted: set[int] = set()
        for category_id in sorted(categories):
            if category_id not in self.title_candidates:
                members = self.by_category[category_id]
                self.title_candidates[category_id] = self.rng.sample(members, min(len(members), 7))
                wanted.update(self.title_candidates[category_id])
                if len(members) < 4 and None not in self.title_candidates:
                    self.title_candidates[None] = self.rng.sample(self.all_ids, min(len(self.all_ids), 20))
                    wanted.update(self.title_candidates[None])
        missing = [pk for pk in wanted if pk not in self.title_of]
        if missing:
            self.title_of.update(Question.objects.filter(pk__in=missing).values_list("pk", "title"))

    def _load(self, pks: list[int]) -> list[Loaded]:
        # Plain rows, not model instances: a prefetch costs a filter() per question.
        examples: dict[int, list[ExampleRow]] = defaultdict(list)
        for row in Example.objects.filter(question_id__in=pks).order_by("question_id", "position").values_list(
            "question_id", "pk", "language", "code"
        ):
            examples[row[0]].append(ExampleRow(*row[1:]))
        authored: dict[int, list[AuthoredRow]] = defaultdict(list)
        for row in AuthoredItem.objects.filter(question_id__in=pks).order_by("question_id", "source", "position").values_list(
            "question_id", "pk", "prompt", "choices", "explanation"
        ):
            authored[row[0]].append(AuthoredRow(*row[1:]))
        rows = Question.objects.filter(pk__in=pks).values_list(
            "pk", "category_id", "category__title", "title", "number", "answer_md",
            "category__question_set__slug", "category__slug", "slug", "key_points_override__text",
        )
        by_pk = {}
        for pk, category_id, category, title, number, answer_md, *slugs, edited in rows:
            loaded = Loaded(pk, category_id, category, title, number, tuple(slugs), answer_md,
                            examples.get(pk, []), authored.get(pk, []), edited)
            by_pk[pk] = loaded
            self.title_of[pk] = title
            for example in loaded.python_examples:
                for word, word_role in roles(example.code):
                    self.vocabulary.add(word)
                    self.by_role[word_role][word].add(category_id)
            for point in loaded.key_points:
                key = normalize(point.text)
                if key not in self.point_index:
                    self.point_index[key] = len(self.points)
                    self.points.append((pk, point.text, key, point.source))
        self._sample_candidates({q.category_id for q in by_pk.values()})
        return [by_pk[pk] for pk in pks if pk in by_pk]

    def run(self) -> list[dict]:
        count = self.spec.count
        order: list[Loaded] = []
        for chunk in self._chunks():
            order.extend(self._load(chunk))
            # Round one: one item per question; later rounds reuse questions with other kinds.
            if self._fill(order, count, rounds=1) >= count:
                break
        self._fill(order, count, rounds=len(self.spec.kinds) * 4)
        return self.items

    def _fill(self, order: list[Loaded], count: int, rounds: int) -> int:
        for _ in range(rounds):
            added = 0
            for question in order:
                if len(self.items) >= count:
                    return len(self.items)
                if self._used_this_round(question):
                    continue
                kinds = sorted(self.spec.kinds, key=lambda k: (self.kind_counts[k], self.rng.random()))
                for kind in kinds:
                    item = KINDS[kind].make(self, question)
                    if item is not None:
                        self._add(question, item)
                        added += 1
                        break
            self._round_done()
            if not added:
                break
        return len(self.items)

    # Each question gives at most one item per round, so items spread across questions.
    def _used_this_round(self, question: Loaded) -> bool:
        if question.pk in self.round_seen:
            return True
        self.round_seen.add(question.pk)
        return False

    def _round_done(self) -> None:
        self.round_seen = set()

    def sample(self, pool: list[str]):
        """Pool members in a seeded random order; large pools are sampled, not shuffled."""
        if len(pool) <= 200:
            yield from self.rng.sample(pool, len(pool))
            return
        for _ in range(200):
            yield pool[self.rng.randrange(len(pool))]

    def _add(self, question: Loaded, item: dict) -> None:
        self.idents.add(item.pop("ident"))
        if "example_id" in item:
            self.used_examples.add(item["example_id"])
        self.kind_counts[item["kind"]] += 1
        item.update(
            question_id=question.pk,
            question_title=question.title,
            question_number=question.number,
            question_url=question.url,
            category=question.category,
            category_id=question.category_id,
        )
        self.items.append(item)

    def choices(self, key: list[str], others: list[str]) -> tuple[list[dict], list[str]]:
        texts = [(text, True) for text in key] + [(text, False) for text in others]
        self.rng.shuffle(texts)
        choices = [{"id": CHOICE_IDS[i], "text": text} for i, (text, _) in enumerate(texts)]
        return choices, [CHOICE_IDS[i] for i, (_, right) in enumerate(texts) if right]

    def free(self, ident: str) -> bool:
        return ident not in self.idents


def generate(spec: Spec) -> list[dict]:
    """The items of a quiz, in order; fewer than asked when the content cannot supply them."""
    items = Generator(spec).run()
    for name, kind in KINDS.items():
        of_kind = [item for item in items if item["kind"] == name]
        if of_kind:
            kind.complete(of_kind)
    return items
