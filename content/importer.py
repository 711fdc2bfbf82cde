"""Document → database, in one transaction.

Questions keep their primary keys across re-imports (matched by their stable key,
then by number within the same category), so users' progress survives edits.
Questions that disappear are archived, never deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from questions.models import AuthoredItem, Category, Example, Question, QuestionSet

from .document import CODE_MARK_RE, Document, QuestionDoc, Warning, slugify
from .render import Renderer, example_figure, highlight, placeholder


@dataclass
class QuestionChange:
    status: str  # created | updated | unchanged | archived
    category: str
    title: str
    number: str = ""
    key: str = ""
    old_answer: str = ""
    new_answer: str = ""


@dataclass
class ImportReport:
    set_title: str
    set_slug: str
    layout: str
    source_name: str = ""
    dry_run: bool = False
    question_set_id: int | None = None
    changes: list[QuestionChange] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for change in self.changes if change.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def archived(self) -> int:
        return self.count("archived")

    def summary(self) -> str:
        return format_counts(self.created, self.updated, self.unchanged, self.archived)


def format_counts(created: int, updated: int, unchanged: int, archived: int) -> str:
    return f"{created} created, {updated} updated, {unchanged} unchanged, {archived} archived"


class _DryRun(Exception):
    pass


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def render_question(question: QuestionDoc, renderer: Renderer) -> tuple[str, list[str]]:
    """The answer's HTML, and each example's highlighted HTML, in order."""
    highlighted = [highlight(e.code, e.language) for e in question.examples]
    figures = [example_figure(i, e.language, h) for i, (e, h) in enumerate(zip(question.examples, highlighted))]
    template = CODE_MARK_RE.sub(lambda m: m.group(1) + placeholder(int(m.group(2))), question.answer_md)
    return renderer.answer(template, figures), highlighted


def _example_rows(question: QuestionDoc) -> list[tuple[str, str, str]]:
    return [(e.language, e.code, e.caption[:500]) for e in question.examples]


def _item_rows(question: QuestionDoc) -> list[tuple[str, list[dict], str]]:
    return [
        (item.prompt, [{"text": c.text, "correct": c.correct} for c in item.choices], item.explanation)
        for item in question.quiz_items
    ]


def apply(
    document: Document,
    *,
    target: QuestionSet | None = None,
    source_hash: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Import `document`, replacing `target` (or the set with the same slug) in place.

    With dry_run the same work runs and is rolled back, so the report is exactly what
    a real import would do.
    """
    report = ImportReport(
        set_title=document.title,
        set_slug=target.slug if target else slugify(document.title),
        layout=document.layout,
        source_name=document.source_name,
        dry_run=dry_run,
        warnings=list(document.warnings),
    )
    try:
        with transaction.atomic():
            _apply(document, target, source_hash, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.question_set_id = target.pk if target else None
    return report


def _apply(document: Document, target: QuestionSet | None, source_hash: str, report: ImportReport) -> None:
    renderer = Renderer()
    now = timezone.now()
    if target is not None:
        question_set = QuestionSet.objects.select_for_update().get(pk=target.pk)
    else:
        question_set = QuestionSet.objects.select_for_update().filter(slug=report.set_slug).first()
    if question_set is None:
        question_set = QuestionSet(slug=report.set_slug)
    question_set.title = document.title[:300]
    question_set.source_name = (document.source_name or question_set.source_name)[:255]
    question_set.content_hash = source_hash or document.content_hash or question_set.content_hash
    question_set.layout = document.layout
    if question_set.intro_md != document.intro_md or not question_set.pk:
        question_set.intro_md = document.intro_md
        question_set.intro_html = renderer.markdown(document.intro_md) if document.intro_md else ""
    if question_set.closing_md != document.closing_md or not question_set.pk:
        question_set.closing_md = document.closing_md
        question_set.closing_html = renderer.markdown(document.closing_md) if document.closing_md else ""
    question_set.imported_at = now
    question_set.save()
    report.question_set_id = question_set.pk
    report.set_slug = question_set.slug

    categories = {c.slug: c for c in Category.objects.filter(question_set=question_set)}
    existing = list(
        Question.objects.filter(category__question_set=question_set)
        .select_related("category")
        .prefetch_related("examples", Prefetch("authored_items", AuthoredItem.objects.filter(source="")))
    )
    by_key = {q.key: q for q in existing}
    used_slugs: set[str] = set()
    category_rows: list[tuple[Category, list[QuestionDoc]]] = []
    for position, category_doc in enumerate(document.categories):
        slug = _unique(slugify(category_doc.title, 100), used_slugs)
        category = categories.get(slug) or Category(question_set=question_set, slug=slug)
        intro_html = renderer.markdown(category_doc.intro_md) if category_doc.intro_md else ""
        if (category.pk is None or category.title != category_doc.title[:300]
                or category.position != position or category.intro_md != category_doc.intro_md):
            category.title = category_doc.title[:300]
            category.position = position
            category.intro_md = category_doc.intro_md
            category.intro_html = intro_html
            category.save()
        category_rows.append((category, category_doc.questions))

    # Match each incoming question to an existing row: by key, then by number in the same category.
    matched: dict[int, Question] = {}
    taken: set[int] = set()
    for category, docs in category_rows:
        for doc in docs:
            row = by_key.get(doc.key)
            if row is not None and row.pk not in taken:
                matched[id(doc)] = row
                taken.add(row.pk)
    for category, docs in category_rows:
        for doc in docs:
            if id(doc) in matched or not doc.number:
                continue
            for row in existing:
                if (row.pk not in taken and not row.archived and row.number == doc.number
                        and row.category.slug == category.slug):
                    matched[id(doc)] = row
                    taken.add(row.pk)
                    break

    # Created rows are written in batches so a 10,000-question import stays small in memory.
    pending: list[tuple[Question, QuestionDoc, list[str]]] = []
    to_update: list[tuple[Question, QuestionDoc, list[str] | None]] = []
    for category, docs in category_rows:
        for position, doc in enumerate(docs):
            row = matched.get(id(doc))
            answer_md = doc.source_md
            fields = {
                "category_id": category.pk,
                "number": doc.number[:20],
                "title": doc.title,
                "slug": doc.key[:100],
                "position": position,
                "answer_md": answer_md,
                "key": doc.key,
                "archived": False,
            }
            if row is None:
                answer_html, highlighted = render_question(doc, renderer)
                pending.append((Question(answer_html=answer_html, **fields), doc, highlighted))
                report.changes.append(QuestionChange("created", category.title, doc.title, doc.number, doc.key, "", answer_md))
                if len(pending) >= BATCH:
                    _write_new(pending)
                    pending = []
                continue
            old_examples = [(e.language, e.code, e.caption) for e in row.examples.all()]
            same_fields = all(getattr(row, name) == value for name, value in fields.items())
            old_items = [(i.prompt, i.choices, i.explanation) for i in row.authored_items.all()]
            same_examples = old_examples == _example_rows(doc) and old_items == _item_rows(doc)
            if same_fields and same_examples:
                report.changes.append(QuestionChange("unchanged", category.title, doc.title, doc.number, doc.key))
                continue
            old_answer = row.answer_md
            for name, value in fields.items():
                setattr(row, name, value)
            highlighted = None
            if not same_examples or old_answer != answer_md:
                # Examples and authored items are replaced together with the answer.
                row.answer_html, highlighted = render_question(doc, renderer)
            to_update.append((row, doc, highlighted))
            report.changes.append(
                QuestionChange("updated", category.title, doc.title, doc.number, doc.key, old_answer, answer_md)
            )
    _write_new(pending)

    archived = [q for q in existing if q.pk not in taken and not q.archived]
    for question in archived:
        question.archived = True
        report.changes.append(
            QuestionChange("archived", question.category.title, question.title, question.number, question.key,
                           question.answer_md, "")
        )
    if to_update or archived:
        rows = [q for q, _, _ in to_update] + archived
        for row in rows:
            row.updated_at = now  # bulk_update skips auto_now
        Question.objects.bulk_update(
            rows,
            ["category", "number", "title", "slug", "position", "answer_md", "answer_html", "key", "archived",
             "updated_at"],
            batch_size=BATCH,
        )
    rerendered = [t for t in to_update if t[2] is not None]
    if rerendered:
        replaced = [q.pk for q, _, _ in rerendered]
        Example.objects.filter(question_id__in=replaced).delete()
        AuthoredItem.objects.filter(question_id__in=replaced, source="").delete()
        _write_children(rerendered)


BATCH = 500


def _write_new(rows: list[tuple[Question, QuestionDoc, list[str]]]) -> None:
    if rows:
        Question.objects.bulk_create([q for q, _, _ in rows], batch_size=BATCH)
        _write_children(rows)


def _write_children(rows) -> None:
    """Examples and authored items of freshly written questions."""
    Example.objects.bulk_create(
        [
            Example(
                question_id=question.pk,
                position=position,
                language=example.language[:40],
                code=example.code,
                highlighted_html=html,
                caption=example.caption[:500],
            )
            for question, doc, highlighted in rows
            for position, (example, html) in enumerate(zip(doc.examples, highlighted))
        ],
        batch_size=BATCH,
    )
    AuthoredItem.objects.bulk_create(
        [
            AuthoredItem(question_id=question.pk, position=position, prompt=prompt, choices=choices,
                         explanation=explanation)
            for question, doc, _ in rows
            for position, (prompt, choices, explanation) in enumerate(_item_rows(doc))
        ],
        batch_size=BATCH,
    )


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate = f"{slug}-{n}"
        n += 1
    used.add(candidate)
    return candidate
