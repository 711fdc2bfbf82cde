"""Quiz items generated from the imported content, deterministically for a given seed.

`generate(spec)` returns one snapshot dict per item: everything the page and the review
need (prompt, shuffled choices, key, explanation), so attempts never depend on the
content staying as it was. The per-example and per-answer analysis (cloze candidates,
bullet points) is cached by the text itself, so it stays correct after a re-import.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import random
import re
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse

from content.parser import strip_inline
from questions.models import AuthoredItem, Example, Question

from .models import KINDS

CHOICE_IDS = "abcdefgh"
PYTHON_LANGUAGES = {"python", "py", "python3", "py3", "pycon"}
NOT_API = (
    set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | {"self", "cls", "kwargs", "args"}
    # Methods of str, dict and list say nothing about the framework.
    | {"get", "split", "join", "lower", "upper", "strip", "replace", "pop", "append", "extend", "items",
       "keys", "values", "format", "read", "write", "seek", "push", "startswith", "endswith", "setdefault"}
)
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


@dataclass(frozen=True)
class Blank:
    line: int  # 0-based line of the example's code
    identifier: str
    before: str
    after: str


# --- analysis of the content ------------------------------------------------------


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".;:").casefold()


@lru_cache(maxsize=20_000)
def bullet_points(answer_md: str) -> tuple[str, ...]:
    """The top-level items of the answer's bullet lists (three or more items), as plain text."""
    points: list[str] = []
    run: list[str] = []
    fence = ""
    for line in answer_md.split("\n"):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            continue
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match:
            fence = match.group(1)
            continue
        item = re.match(r"^ {0,1}[-*+][ \t]+(?!\[[ xX]\])(.+)$", line)
        if item:
            text = strip_inline(item.group(1)).replace("`", "")
            if 3 <= len(text) <= 200:
                run.append(text)
            continue
        if stripped and not line[:1].isspace():
            if len(run) >= 3:
                points.extend(run)
            run = []
    if len(run) >= 3:
        points.extend(run)
    seen: set[str] = set()
    unique = []
    for point in points:
        if normalize(point) not in seen:
            seen.add(normalize(point))
            unique.append(point)
    return tuple(unique)


def _byte_col_to_str(line: str, col: int) -> int:
    return len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))


@lru_cache(maxsize=20_000)
def cloze_blanks(code: str) -> tuple[Blank, ...]:
    """Lines of a Python example where an API identifier can be blanked unambiguously.

    An identifier counts as API when it is imported, called as a method, read from a
    module-like name (`transaction.atomic`), or a keyword argument of such a call; names
    the snippet binds itself (variables, parameters, its own functions and classes) never do.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return ()
    lines = code.split("\n")
    local: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            local.add(node.id)
        elif isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.asname:
                    local.add(alias.asname)
                else:
                    imported.add(alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            local.add(node.attr)  # model fields and attributes the snippet sets itself

    def api_base(value: ast.AST) -> bool:
        return isinstance(value, ast.Name) and value.id not in local and value.id[:1].islower()

    found: list[tuple[int, int, str]] = []  # (line index, byte column, identifier)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            # Keyword arguments of `models.CharField(max_length=...)` are API; those of
            # `Q(status=...)` or `filter(author__name=...)` are the snippet's own field names.
            api_call = isinstance(func, ast.Attribute) and api_base(func.value)
            if isinstance(func, ast.Attribute) and func.end_lineno == func.lineno:
                found.append((func.end_lineno - 1, func.end_col_offset - len(func.attr), func.attr))
            elif isinstance(func, ast.Name) and func.id not in local and (func.id in imported or func.id[:1].islower()):
                found.append((func.lineno - 1, func.col_offset, func.id))
            if api_call:
                for kw in node.keywords:
                    if kw.arg and "__" not in kw.arg:
                        found.append((kw.lineno - 1, kw.col_offset, kw.arg))
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and api_base(node.value):
            if node.end_lineno == node.lineno:
                found.append((node.end_lineno - 1, node.end_col_offset - len(node.attr), node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if not alias.asname and alias.name != "*":
                    found.append((alias.lineno - 1, alias.col_offset, alias.name))

    blanks: dict[tuple[int, str], Blank] = {}
    for index, col, name in found:
        if name in NOT_API or name in local or len(name) < 3 or not re.fullmatch(r"[A-Za-z_]\w*", name):
            continue
        if index >= len(lines):
            continue
        line = lines[index]
        col = _byte_col_to_str(line, col)
        if line[col : col + len(name)] != name:
            continue
        # Unambiguous: the identifier appears once on the line, and no comment gives it away.
        if len(re.findall(rf"(?<![\w.]){re.escape(name)}\b|(?<=\.){re.escape(name)}\b", line)) != 1:
            continue
        if line.count(name) != 1:
            continue
        before, after = line[:col], line[col + len(name) :]
        if not (before + after).strip() or len(line.strip()) < len(name) + 4:
            continue
        if name.casefold() in (before + after).casefold():
            continue  # `from celery import Celery`: the rest of the line spells the answer
        blanks.setdefault((index, name), Blank(index, name, before.rstrip("\n"), after.rstrip("\n")))
    ordered = sorted(blanks.values(), key=lambda b: (b.line, b.before))
    # Drop blanks whose line pattern another line of the same example fills differently.
    result = []
    for blank in ordered:
        prefix, suffix = blank.before.strip(), blank.after.rstrip()
        clash = False
        for other in lines:
            stripped = other.strip()
            if stripped.startswith(prefix) and other.rstrip().endswith(suffix) and len(stripped) > len(prefix) + len(suffix.strip()):
                middle = stripped[len(prefix) : len(stripped) - len(suffix.strip()) if suffix.strip() else None]
                if re.fullmatch(r"[A-Za-z_]\w*", middle or "") and middle != blank.identifier:
                    clash = True
                    break
        if not clash:
            result.append(blank)
    return tuple(result)


@lru_cache(maxsize=20_000)
def identifiers(code: str) -> frozenset[str]:
    return frozenset(b.identifier for b in cloze_blanks(code))


def _shape(word: str) -> str:
    if word.isupper():
        return "upper"
    if word[:1].isupper():
        return "camel"
    return "snake"


# --- generation -------------------------------------------------------------------


Ex = namedtuple("Ex", "pk language code")
Au = namedtuple("Au", "pk prompt choices explanation")


@dataclass
class Loaded:
    pk: int
    category_id: int
    category: str
    title: str
    number: str
    slugs: tuple[str, str, str]
    answer_md: str
    examples: list[Ex]
    authored: list[Au]

    @property
    def url(self) -> str:
        return reverse("questions:question_detail", args=self.slugs)

    @property
    def python_examples(self) -> list[Ex]:
        return [e for e in self.examples if e.language in PYTHON_LANGUAGES]

    @property
    def points(self) -> tuple[str, ...]:
        return bullet_points(self.answer_md)


class Generator:
    def __init__(self, spec: Spec):
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.items: list[dict] = []
        self.idents: set[str] = set()
        self.kind_counts = {kind: 0 for kind in spec.kinds}
        self.vocabulary: set[str] = set()
        self.points: list[tuple[int, str, str]] = []  # (question pk, point, normalized) of loaded answers
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
        pool = self.pool
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
        examples: dict[int, list[Ex]] = defaultdict(list)
        for row in Example.objects.filter(question_id__in=pks).order_by("question_id", "position").values_list(
            "question_id", "pk", "language", "code"
        ):
            examples[row[0]].append(Ex(*row[1:]))
        authored: dict[int, list[Au]] = defaultdict(list)
        for row in AuthoredItem.objects.filter(question_id__in=pks).order_by("question_id", "source", "position").values_list(
            "question_id", "pk", "prompt", "choices", "explanation"
        ):
            authored[row[0]].append(Au(*row[1:]))
        rows = Question.objects.filter(pk__in=pks).values_list(
            "pk", "category_id", "category__title", "title", "number", "answer_md",
            "category__question_set__slug", "category__slug", "slug",
        )
        by_pk = {}
        for pk, category_id, category, title, number, answer_md, *slugs in rows:
            loaded = Loaded(pk, category_id, category, title, number, tuple(slugs), answer_md,
                            examples.get(pk, []), authored.get(pk, []))
            by_pk[pk] = loaded
            self.title_of[pk] = title
            for example in loaded.python_examples:
                self.vocabulary |= identifiers(example.code)
            for point in loaded.points:
                key = normalize(point)
                if key not in self.point_index:
                    self.point_index[key] = len(self.points)
                    self.points.append((pk, point, key))
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
                    item = getattr(self, f"_make_{kind}")(question)
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

    def _sample(self, pool: list[str]):
        """Pool members in a seeded random order; large pools are sampled, not shuffled."""
        if len(pool) <= 200:
            yield from self.rng.sample(pool, len(pool))
            return
        for _ in range(200):
            yield pool[self.rng.randrange(len(pool))]

    def _add(self, question: Loaded, item: dict) -> None:
        self.idents.add(item.pop("ident"))
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

    def _choices(self, key: list[str], others: list[str]) -> tuple[list[dict], list[str]]:
        texts = [(text, True) for text in key] + [(text, False) for text in others]
        self.rng.shuffle(texts)
        choices = [{"id": CHOICE_IDS[i], "text": text} for i, (text, _) in enumerate(texts)]
        return choices, [CHOICE_IDS[i] for i, (_, right) in enumerate(texts) if right]

    def _free(self, ident: str) -> bool:
        return ident not in self.idents

    # --- the five kinds -----------------------------------------------------------

    def _make_code_question(self, question: Loaded) -> dict | None:
        ident = f"cq:{question.pk}"
        examples = [e for e in question.examples if len(e.code.strip()) >= 20]
        if not self._free(ident) or not examples:
            return None
        example = examples[self.rng.randrange(len(examples))]
        seen = {normalize(question.title)}
        picked: list[str] = []
        same = [self.title_of[pk] for pk in self.title_candidates[question.category_id] if pk != question.pk]
        rest = [self.title_of[pk] for pk in self.title_candidates.get(None, []) if pk != question.pk]
        for pool in (same, rest):
            for title in self._sample(pool):
                if len(picked) == 3:
                    break
                if normalize(title) not in seen:
                    seen.add(normalize(title))
                    picked.append(title)
        if len(picked) < 3:
            return None
        choices, key_ids = self._choices([question.title], picked)
        return {
            "ident": ident,
            "kind": "code_question",
            "prompt": "Which question does this code answer?",
            "code": example.code,
            "code_html": example.pk,  # replaced by the highlighted HTML once all items are chosen
            "language": example.language,
            "choices": choices,
            "key": key_ids,
            "multiple": False,
            "explanation": f"This code is the example given for “{question.title}”.",
        }

    def _make_cloze(self, question: Loaded) -> dict | None:
        options = []
        for example in question.python_examples:
            for blank in cloze_blanks(example.code):
                if self._free(f"cz:{question.pk}:{blank.identifier}"):
                    options.append((example, blank))
        if not options:
            return None
        self.rng.shuffle(options)
        for example, blank in options[:8]:
            own_lines = {line.strip() for e in question.examples for line in e.code.split("\n")}
            shown = blank.before + blank.after
            candidates = sorted(
                word
                for word in self.vocabulary
                if word != blank.identifier
                and word not in shown
                and (blank.before + word + blank.after).strip() not in own_lines
            )
            if len(candidates) < 3:
                continue
            # Prefer identifiers of the same shape (CamelCase, snake_case, UPPER) so the key does not stand out.
            alike = [w for w in candidates if _shape(w) == _shape(blank.identifier)]
            distractors = self.rng.sample(alike if len(alike) >= 3 else candidates, 3)
            choices, key_ids = self._choices([blank.identifier], distractors)
            # The title is context only when it does not name the missing identifier, even inside a word.
            context = "" if blank.identifier.casefold() in question.title.casefold() else question.title
            return {
                "ident": f"cz:{question.pk}:{blank.identifier}",
                "kind": "cloze",
                "prompt": "Which identifier fills the blank?",
                "context": context,
                "before": blank.before,
                "after": blank.after,
                "language": example.language,
                "choices": choices,
                "key": key_ids,
                "answer_text": blank.identifier,
                "multiple": False,
                "typing": True,
                "explanation": f"The line reads: {(blank.before + blank.identifier + blank.after).strip()}",
            }
        return None

    def _make_key_point(self, question: Loaded) -> dict | None:
        ident = f"kp:{question.pk}"
        own = question.points
        if not self._free(ident) or not own:
            return None
        own_norm = {normalize(p) for p in own}
        distractors: list[str] = []
        seen: set[str] = set()
        # Random draws from every loaded answer's points; never one of this answer's own.
        for _ in range(60 if len(self.points) > 60 else 0):
            pk, point, key = self.points[self.rng.randrange(len(self.points))]
            if pk != question.pk and key not in own_norm and key not in seen:
                seen.add(key)
                distractors.append(point)
                if len(distractors) == 3:
                    break
        if len(distractors) < 3:
            candidates = [(point, key) for pk, point, key in self.points
                          if pk != question.pk and key not in own_norm and key not in seen]
            if len(candidates) < 3 - len(distractors):
                return None
            distractors += [p for p, _ in self.rng.sample(candidates, 3 - len(distractors))]
        key = own[self.rng.randrange(len(own))]
        choices, key_ids = self._choices([key], distractors)
        return {
            "ident": ident,
            "kind": "key_point",
            "prompt": f"Which point belongs to the answer to “{question.title}”?",
            "choices": choices,
            "key": key_ids,
            "multiple": False,
            "explanation": "The answer lists: " + "; ".join(own),
        }

    def _make_authored(self, question: Loaded) -> dict | None:
        for authored in question.authored:
            ident = f"au:{authored.pk}"
            if not self._free(ident):
                continue
            right = [c["text"] for c in authored.choices if c.get("correct")]
            wrong = [c["text"] for c in authored.choices if not c.get("correct")]
            if not right or len(authored.choices) < 2:
                continue
            choices, key_ids = self._choices(right, wrong)
            return {
                "ident": ident,
                "kind": "authored",
                "prompt": authored.prompt,
                "choices": choices,
                "key": key_ids,
                # Always checkboxes, so the page does not reveal how many are right.
                "multiple": True,
                "explanation": authored.explanation,
            }
        return None

    def _make_recall(self, question: Loaded) -> dict | None:
        ident = f"rc:{question.pk}"
        if not self._free(ident) or not (question.answer_md.strip() or question.examples):
            return None
        return {"ident": ident, "kind": "recall", "prompt": question.title, "model_answer_html": None,
                "explanation": ""}


def generate(spec: Spec) -> list[dict]:
    """The items of a quiz, in order; fewer than asked when the content cannot supply them."""
    generator = Generator(spec)
    items = generator.run()
    coded = [item for item in items if item["kind"] == "code_question"]
    if coded:
        html = dict(Example.objects.filter(pk__in=[item["code_html"] for item in coded]).values_list("pk", "highlighted_html"))
        for item in coded:
            item["code_html"] = html[item["code_html"]]
    recall = [item for item in items if item["kind"] == "recall"]
    if recall:
        html = dict(
            Question.objects.filter(pk__in=[item["question_id"] for item in recall]).values_list("pk", "answer_html")
        )
        for item in recall:
            item["model_answer_html"] = html.get(item["question_id"], "")
    return items
