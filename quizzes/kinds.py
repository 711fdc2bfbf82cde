"""Quiz item kinds, one small class each, listed once in `KINDS`.

A kind says what it is called, which snapshot fields an unanswered item may show, how it is
made from a question, whether the user grades it, and which template fragment shows it.
Adding a kind means one class here and one fragment in templates/quizzes/partials/kinds/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, Exists, ExpressionWrapper, Q, QuerySet

from questions.models import AuthoredItem, Example, Question, QuestionSet

from .text import PYTHON_LANGUAGES, cloze_blanks, mentions, normalize, role, shape

if TYPE_CHECKING:
    from .generation import Generator, Loaded


class Kind:
    name = ""
    label = ""
    # The snapshot fields an unanswered item shows; everything else stays on the server.
    public_fields: tuple[str, ...] = ("kind", "prompt", "choices", "multiple")
    self_graded = False
    code_choices = False  # choices are identifiers, shown as code

    @property
    def template(self) -> str:
        return f"quizzes/partials/kinds/{self.name}.html"

    def make(self, gen: Generator, question: Loaded) -> dict | None:
        """The item's snapshot (with an "ident" that keeps it unique in the quiz), or None."""
        raise NotImplementedError

    def complete(self, items: list[dict]) -> None:
        """Fill in what is read once for all the quiz's items of this kind (highlighted HTML)."""

    def requirement(self, questions: QuerySet) -> tuple[Q | Exists, str] | None:
        """What the chosen questions must have for this kind to make any item, and why not; None: anything."""
        return None

    def answer_and_shown(self, item: dict) -> tuple[str, str]:
        """The answer and the text shown beside the choices; the answer must not be in the latter."""
        return "", ""

    def leaks(self, item: dict) -> bool:
        answer, shown = self.answer_and_shown(item)
        return mentions(shown, answer)


class CodeQuestion(Kind):
    name = "code_question"
    label = "Which question does this code answer?"
    public_fields = ("kind", "prompt", "code_html", "language", "choices", "multiple")

    def make(self, gen, question):
        ident = f"cq:{question.pk}"
        # An example that names the question (a comment repeating its title) would give it away.
        examples = [e for e in question.examples if len(e.code.strip()) >= 20 and e.pk not in gen.used_examples
                    and not mentions(e.code, question.title)]
        if not gen.free(ident) or not examples:
            return None
        example = examples[gen.rng.randrange(len(examples))]
        seen = {normalize(question.title)}
        picked: list[str] = []
        same = [gen.title_of[pk] for pk in gen.title_candidates[question.category_id] if pk != question.pk]
        rest = [gen.title_of[pk] for pk in gen.title_candidates.get(None, []) if pk != question.pk]
        for pool in (same, rest):
            for title in gen.sample(pool):
                if len(picked) == 3:
                    break
                if normalize(title) not in seen:
                    seen.add(normalize(title))
                    picked.append(title)
        if len(picked) < 3:
            return None
        choices, key_ids = gen.choices([question.title], picked)
        return {
            "ident": ident,
            "kind": self.name,
            "prompt": "Which question does this code answer?",
            "code": example.code,
            "code_html": example.pk,  # replaced by the highlighted HTML in complete()
            "example_id": example.pk,
            "language": example.language,
            "choices": choices,
            "key": key_ids,
            "multiple": False,
            "explanation": f"This code is the example given for “{question.title}”.",
        }

    def requirement(self, questions):
        return (Exists(Example.objects.filter(question__in=questions)),
                "no question in this choice has a code example")

    def answer_and_shown(self, item):
        return item["question_title"], item["prompt"] + "\n" + item["code"]

    def complete(self, items):
        html = dict(Example.objects.filter(pk__in=[i["code_html"] for i in items]).values_list("pk", "highlighted_html"))
        for item in items:
            item["code_html"] = html[item["code_html"]]


class Cloze(Kind):
    name = "cloze"
    label = "Code cloze"
    public_fields = ("kind", "prompt", "context", "before", "after", "language", "choices", "multiple", "typing")
    code_choices = True

    def make(self, gen, question):
        options = []
        for example in question.python_examples:
            if example.pk in gen.used_examples:
                continue  # one example is used once per quiz
            for blank in cloze_blanks(example.code):
                if gen.free(f"cz:{question.pk}:{blank.identifier}"):
                    options.append((example, blank))
        if not options:
            return None
        gen.rng.shuffle(options)
        own_lines = {line.strip() for e in question.examples for line in e.code.split("\n")}
        # The title shows as context only when it does not name the missing identifier.
        usable = [(e, b) for e, b in options if b.identifier.casefold() not in question.title.casefold()] or options
        for example, blank in usable[:8]:
            answer_role = role(blank.identifier, blank.before, blank.after)

            def fits(word):
                # Never a name the snippet (or the title) shows: it would be obviously wrong or a hint.
                return (word != blank.identifier and word not in example.code and word not in question.title
                        and (blank.before + word + blank.after).strip() not in own_lines)

            same_role = gen.by_role.get(answer_role, {})
            near = sorted(w for w, cats in same_role.items() if question.category_id in cats and fits(w))
            far = sorted(w for w, cats in same_role.items() if question.category_id not in cats and fits(w))
            distractors = gen.rng.sample(near, min(3, len(near)))
            if len(distractors) < 3:
                distractors += gen.rng.sample(far, min(3 - len(distractors), len(far)))
            if len(distractors) < 3:
                # Too few names of this role: identifiers of the same shape, so the key does not stand out.
                rest = sorted(w for w in gen.vocabulary if fits(w) and w not in distractors)
                alike = [w for w in rest if shape(w) == shape(blank.identifier)]
                pool = alike if len(alike) >= 3 - len(distractors) else rest
                if len(pool) < 3 - len(distractors):
                    continue
                distractors += gen.rng.sample(pool, 3 - len(distractors))
            choices, key_ids = gen.choices([blank.identifier], distractors)
            # Even inside a word: "signal" in "What are Django signals?".
            context = "" if blank.identifier.casefold() in question.title.casefold() else question.title
            return {
                "ident": f"cz:{question.pk}:{blank.identifier}",
                "kind": self.name,
                "prompt": "Which identifier fills the blank?",
                "context": context,
                "before": blank.before,
                "after": blank.after,
                "language": example.language,
                "choices": choices,
                "key": key_ids,
                "answer_text": blank.identifier,
                "role": answer_role,
                "same_role": sum(1 for d in distractors if d in same_role),
                "example_id": example.pk,
                "multiple": False,
                "typing": True,
                "explanation": f"The line reads: {(blank.before + blank.identifier + blank.after).strip()}",
            }
        return None

    def requirement(self, questions):
        return (Exists(Example.objects.filter(question__in=questions, language__in=PYTHON_LANGUAGES)),
                "no question in this choice has a Python example to blank out")

    def answer_and_shown(self, item):
        return item["answer_text"], "\n".join((item["prompt"], item["context"], item["before"], item["after"]))

    def leaks(self, item):
        answer, shown = self.answer_and_shown(item)
        return answer.casefold() in shown.casefold()


class KeyPoint(Kind):
    name = "key_point"
    label = "Key point"

    def make(self, gen, question):
        ident = f"kp:{question.pk}"
        # A point the title already states would be a giveaway.
        own = [p for p in question.key_points if not mentions(question.title, p.text)]
        if not gen.free(ident) or not own:
            return None
        key = own[gen.rng.randrange(len(own))]
        own_norm = {normalize(p.text) for p in question.key_points}

        def fits(pk, point, norm):
            return pk != question.pk and norm not in own_norm and not mentions(question.title, point)

        distractors: list[str] = []
        seen: set[str] = set()
        # Points of the same source (bullet, bold term, sentence, comment) first, so the key does not stand out.
        for same_source in (True, False):
            tries = 60 if len(gen.points) > 60 else 0
            for _ in range(tries):
                pk, point, norm, source = gen.points[gen.rng.randrange(len(gen.points))]
                if len(distractors) == 3:
                    break
                if (source == key.source) == same_source and norm not in seen and fits(pk, point, norm):
                    seen.add(norm)
                    distractors.append(point)
        if len(distractors) < 3:
            candidates = sorted(((source != key.source, point, norm) for pk, point, norm, source in gen.points
                                 if norm not in seen and fits(pk, point, norm)))
            if len(candidates) < 3 - len(distractors):
                return None
            gen.rng.shuffle(candidates)
            candidates.sort(key=lambda c: c[0])  # same source first, random within
            distractors += [point for _, point, _ in candidates[: 3 - len(distractors)]]
        choices, key_ids = gen.choices([key.text], distractors)
        return {
            "ident": ident,
            "kind": self.name,
            "prompt": f"Which point belongs to the answer to “{question.title}”?",
            "choices": choices,
            "key": key_ids,
            "multiple": False,
            "explanation": "The answer lists: " + "; ".join(p.text for p in question.key_points),
        }

    def requirement(self, questions):
        # Prose gives sentences; a code-only answer needs comments.
        return (Exists(questions.exclude(answer_md="")) | Exists(Example.objects.filter(question__in=questions, code__contains="#")),
                "no answer in this choice has bullet points, bold terms, prose or commented code")

    def answer_and_shown(self, item):
        key = [c["text"] for c in item["choices"] if c["id"] in item["key"]]
        return key[0], item["prompt"]


class Authored(Kind):
    name = "authored"
    label = "Multiple choice"

    def make(self, gen, question):
        for authored in question.authored:
            ident = f"au:{authored.pk}"
            if not gen.free(ident):
                continue
            right = [c["text"] for c in authored.choices if c.get("correct")]
            wrong = [c["text"] for c in authored.choices if not c.get("correct")]
            if not right or len(authored.choices) < 2:
                continue
            choices, key_ids = gen.choices(right, wrong)
            return {
                "ident": ident,
                "kind": self.name,
                "prompt": authored.prompt,
                "choices": choices,
                "key": key_ids,
                # Always checkboxes, so the page does not reveal how many are right.
                "multiple": True,
                "explanation": authored.explanation,
            }
        return None


    def requirement(self, questions):
        return (Exists(AuthoredItem.objects.filter(question__in=questions)),
                "no multiple-choice items are written for this choice")


class Recall(Kind):
    name = "recall"
    label = "Self-graded recall"
    public_fields = ("kind", "prompt")
    self_graded = True

    def make(self, gen, question):
        ident = f"rc:{question.pk}"
        if not gen.free(ident) or not (question.answer_md.strip() or question.examples):
            return None
        return {"ident": ident, "kind": self.name, "prompt": question.title, "model_answer_html": None,
                "explanation": ""}

    def complete(self, items):
        html = dict(Question.objects.filter(pk__in=[i["question_id"] for i in items]).values_list("pk", "answer_html"))
        for item in items:
            item["model_answer_html"] = html.get(item["question_id"], "")


class Retired(Kind):
    """A kind no longer offered: old attempts still list its items, showing nothing of them."""

    name = "retired"
    label = "Retired item type"
    public_fields = ()


KINDS: dict[str, Kind] = {kind.name: kind for kind in (CodeQuestion(), Cloze(), KeyPoint(), Authored(), Recall())}


def unavailable(question_set: QuestionSet, category_ids=()) -> dict[str, str]:
    """The kinds that can make no item from the set (or these of its categories), with the reason; one query."""
    questions = Question.objects.listed().filter(category__question_set=question_set)
    if category_ids:
        questions = questions.filter(category_id__in=category_ids)
    needs = {name: kind.requirement(questions.values("pk")) for name, kind in KINDS.items()}
    needs = {name: need for name, need in needs.items() if need}
    if not needs:
        return {}
    flags = QuestionSet.objects.filter(pk=question_set.pk).values(
        **{f"has_{name}": ExpressionWrapper(Q(expression), output_field=BooleanField())
           for name, (expression, _) in needs.items()}
    ).first() or {}
    return {name: reason for name, (_, reason) in needs.items() if not flags.get(f"has_{name}")}


def kind_named(name: str) -> Kind:
    return KINDS.get(name) or RETIRED


RETIRED = Retired()


def self_graded() -> list[str]:
    return [name for name, kind in KINDS.items() if kind.self_graded]


def kind_choices() -> list[tuple[str, str]]:
    """The model field's and the form's choices; a callable, so a new kind needs no migration."""
    return [(name, kind.label) for name, kind in KINDS.items()]
