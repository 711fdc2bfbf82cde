"""Authored quiz items kept in a file of their own (content/quizzes/*.md), so a set's
document can stay exactly as its author wrote it.

The file is ordinary question-set Markdown: each question heading names a question of an
imported set (by number, slug or title) and holds a "Quiz" sub-heading with the items; see
README, "Authored quiz items". Its items replace, in one transaction, the items that came
from the same file before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import transaction

from content.document import ParseError
from content.parser import decode, parse

from .models import AuthoredItem, Question, QuestionSet

SET_LINE_RE = re.compile(r"^\s*Set:\s*(?P<name>\S.*?)\s*$", re.I | re.M)


@dataclass
class Note:
    """A warning of the supplement's own, shaped like the parser's (line, message)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class SupplementReport:
    source_name: str
    set_title: str = ""
    set_slug: str = ""
    questions: int = 0
    items: int = 0
    removed: int = 0
    dry_run: bool = False
    warnings: list = field(default_factory=list)  # items with line and message

    def summary(self) -> str:
        return f"{self.items} quiz items for {self.questions} questions (replacing {self.removed})"


def _target_set(text: str, source_name: str) -> QuestionSet:
    """The set named by a `Set: <slug or file name>` line, else the set imported from a file of the same name."""
    named = SET_LINE_RE.search(text.split("\n## ", 1)[0])
    if named:
        name = named.group("name").strip("`")
        found = QuestionSet.objects.filter(slug=name).first() or QuestionSet.objects.filter(source_name=name).first()
        if found is None:
            line = text.count("\n", 0, named.start()) + 1
            raise ParseError(f"no imported question set has the slug or file name “{name}”", line)
        return found
    found = QuestionSet.objects.filter(source_name=PurePath(source_name).name).first()
    if found is None:
        raise ParseError(
            f"no imported question set comes from a file named “{PurePath(source_name).name}”; import the set "
            "first, or name it with a line “Set: <slug>” before the first question"
        )
    return found


def apply_supplement(
    data: bytes | str,
    source_name: str,
    *,
    question_set: QuestionSet | None = None,
    dry_run: bool = False,
) -> SupplementReport:
    """Attach the file's quiz items to the set's questions; ParseError names the line of a problem."""
    text = decode(data)
    document = parse(text, source_name)
    source = PurePath(source_name).name[:255]
    target = question_set or _target_set(text, source_name)
    report = SupplementReport(source_name=source, set_title=target.title, set_slug=target.slug, dry_run=dry_run)
    # A supplement's questions carry no answers; the parser's "empty answer" notes do not apply.
    report.warnings = [w for w in document.warnings if "empty answer" not in w.message]

    questions = list(Question.objects.listed().filter(category__question_set=target).only("pk", "number", "slug", "title"))
    by_key = {q.slug: q for q in questions}
    by_title = {q.title.casefold(): q for q in questions}
    by_number: dict[str, list[Question]] = {}
    for q in questions:
        if q.number:
            by_number.setdefault(q.number, []).append(q)

    rows: list[AuthoredItem] = []
    for doc in document.questions:
        numbered = by_number.get(doc.number, []) if doc.number else []
        match = by_key.get(doc.key) or by_title.get(doc.title.casefold())
        if match is None and len(numbered) == 1:
            match = numbered[0]
        if match is None:
            what = f"number {doc.number} or " if doc.number else ""
            raise ParseError(f"no question with {what}the title “{doc.title}” in the set “{target.title}”", doc.line)
        if match.number and doc.number and match.number != doc.number:
            raise ParseError(
                f"“{doc.title}” is question {match.number} in “{target.title}”, not {doc.number}", doc.line
            )
        if not doc.quiz_items:
            report.warnings.append(Note(doc.line, f"“{doc.title}” has no quiz items under a “Quiz” heading"))
            continue
        report.questions += 1
        for position, item in enumerate(doc.quiz_items):
            rows.append(
                AuthoredItem(
                    question_id=match.pk,
                    position=position,
                    prompt=item.prompt,
                    choices=[{"text": c.text, "correct": c.correct} for c in item.choices],
                    explanation=item.explanation,
                    source=source,
                )
            )
    report.items = len(rows)
    if not rows:
        raise ParseError("the file has no quiz items (a “Quiz” sub-heading with - [x] / - [ ] choices under a question)")
    stale = AuthoredItem.objects.filter(source=source, question__category__question_set=target)
    if dry_run:
        report.removed = stale.count()
        return report
    with transaction.atomic():
        report.removed, _ = stale.delete()
        AuthoredItem.objects.bulk_create(rows)
    return report
