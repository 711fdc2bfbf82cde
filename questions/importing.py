"""Document → database, in one transaction: the writer behind QuestionSet.objects.sync().

A question's identity is its slug within the set, checked against its answer: a retitled
question is found by its answer, so it keeps its primary key and the users' progress on it. Renamed URLs are kept in OldSlug; questions that disappear are
archived, never deleted.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from content.document import Document, QuestionDoc, slugify
from content.importer import render_question
from content.parser import parse
from content.render import Renderer

from .import_records import format_counts
from .models import AuthoredItem, Category, Example, OldSlug, Question, QuestionSet

SHIPPED_DIR = Path(settings.BASE_DIR) / "content" / "sets"
# An answer at least this similar (difflib ratio) to a vanished question's is that question retitled.
SIMILAR_ANSWER = 0.8
BATCH = 500
PROGRESS_EVERY = 25  # questions between progress calls (each may write the job's row)


@dataclass
class QuestionChange:
    status: str  # created | updated | unchanged | archived
    category: str
    title: str
    number: str = ""
    slug: str = ""
    old_answer: str = ""
    new_answer: str = ""
    old_title: str = ""


@dataclass
class ImportReport:
    set_title: str
    set_slug: str
    layout: str
    source_name: str = ""
    source_url: str = ""
    license: str = ""
    dry_run: bool = False
    question_set_id: int | None = None
    changes: list[QuestionChange] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # the parser's warnings (line, message)

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


class _DryRun(Exception):
    pass


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def parse_document(data: bytes | str, name: str = "", base_url: str = "") -> Document:
    """content.parser.parse; front matter (title, source, license) is the parser's."""
    return parse(data, name, base_url=base_url)


def _example_rows(question: QuestionDoc) -> list[tuple[str, str, str]]:
    return [(e.language, e.code, e.caption[:500]) for e in question.examples]


def _item_rows(question: QuestionDoc) -> list[tuple[str, list[dict], str]]:
    return [
        (item.prompt, [{"text": c.text, "correct": c.correct} for c in item.choices], item.explanation)
        for item in question.quiz_items
    ]


def sync(
    document: Document,
    *,
    dry_run: bool = False,
    target: QuestionSet | None = None,
    source_hash: str = "",
    rendered: dict | None = None,
    progress=None,
) -> ImportReport:
    """Write `document` over `target` (or the set with the same slug) in one transaction.

    With dry_run the same work runs and is rolled back, so the report is exactly what
    a real import would do. `rendered` is render_all()'s result, made beforehand outside the
    transaction; `progress(done, total)` is called every PROGRESS_EVERY questions and may raise
    to stop the import (everything is rolled back).
    """
    report = ImportReport(
        set_title=document.title,
        set_slug=target.slug if target else slugify(document.title),
        layout=document.layout,
        source_name=document.source_name,
        source_url=document.source_url,
        license=document.license,
        dry_run=dry_run,
        warnings=list(document.warnings),
    )
    try:
        with transaction.atomic():
            _sync(document, target, source_hash, report, rendered or {}, progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.question_set_id = target.pk if target else None
    return report


def render_all(document: Document, progress=None) -> dict[int, tuple[str, list[str]]]:
    """Every question's HTML, by id(doc): the slow part of an import, done outside its transaction."""
    renderer = Renderer(base_url=document.base_url)
    docs = document.questions
    rendered = {}
    for done, doc in enumerate(docs, 1):
        rendered[id(doc)] = render_question(doc, renderer)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(docs)):
            progress(done, len(docs))
    return rendered


def _sync(document: Document, target: QuestionSet | None, source_hash: str, report: ImportReport,
          rendered: dict, progress) -> None:
    renderer = Renderer(base_url=document.base_url)

    def render(doc):
        return rendered.get(id(doc)) or render_question(doc, renderer)

    now = timezone.now()
    if target is not None:
        question_set = QuestionSet.objects.select_for_update().get(pk=target.pk)
    else:
        question_set = QuestionSet.objects.select_for_update().filter(slug=report.set_slug).first()
    if question_set is None:
        question_set = QuestionSet(slug=report.set_slug)
    old_set_slug = question_set.slug if question_set.pk else ""
    if target is not None:
        # A set replaced explicitly follows its new title, unless another set has that slug.
        wanted = slugify(document.title)
        if wanted != question_set.slug and not QuestionSet.objects.filter(slug=wanted).exists():
            question_set.slug = wanted
    question_set.title = document.title[:300]
    question_set.source_name = (document.source_name or question_set.source_name)[:255]
    question_set.source_url = (getattr(document, "source_url", "") or question_set.source_url)[:500]
    question_set.license = (getattr(document, "license", "") or question_set.license)[:100]
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
    old_paths: list[OldSlug] = []
    if old_set_slug and old_set_slug != question_set.slug:
        old_paths.append(OldSlug(set_slug=old_set_slug, question_set=question_set))

    # Read before the categories change, so row.category still has the old slugs for OldSlug.
    existing = list(
        Question.objects.filter(category__question_set=question_set)
        .select_related("category")
        .prefetch_related("examples", Prefetch("authored_items", AuthoredItem.objects.filter(source="")))
    )
    category_rows = _sync_categories(document, question_set, old_set_slug, renderer, old_paths)
    docs = [doc for _, category_docs in category_rows for doc in category_docs]
    matched = _match(docs, existing)
    taken = {row.pk for row in matched.values()}
    slugs = _slugs(docs, matched)

    # Created rows are written in batches so a 10,000-question import stays small in memory.
    pending: list[tuple[Question, QuestionDoc, list[str]]] = []
    to_update: list[tuple[Question, QuestionDoc, list[str] | None]] = []
    done, total = 0, len(docs)
    for category, docs in category_rows:
        for position, doc in enumerate(docs):
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, total)
            row = matched.get(id(doc))
            answer_md = doc.source_md
            fields = {
                "category_id": category.pk,
                "number": doc.number[:20],
                "title": doc.title,
                "slug": slugs[id(doc)],
                "position": position,
                "answer_md": answer_md,
                "archived": False,
            }
            if row is None:
                answer_html, highlighted = render(doc)
                pending.append((Question(answer_html=answer_html, **fields), doc, highlighted))
                report.changes.append(QuestionChange("created", category.title, doc.title, doc.number, fields["slug"],
                                                     "", answer_md))
                if len(pending) >= BATCH:
                    _write_new(pending)
                    pending = []
                continue
            if not row.archived and (old_set_slug, row.category.slug, row.slug) != (
                    question_set.slug, category.slug, fields["slug"]):
                old_paths.append(OldSlug(set_slug=old_set_slug, category_slug=row.category.slug,
                                         question_slug=row.slug, question=row))
            old_examples = [(e.language, e.code, e.caption) for e in row.examples.all()]
            same_fields = all(getattr(row, name) == value for name, value in fields.items())
            old_items = [(i.prompt, i.choices, i.explanation) for i in row.authored_items.all()]
            same_examples = old_examples == _example_rows(doc) and old_items == _item_rows(doc)
            if same_fields and same_examples:
                report.changes.append(QuestionChange("unchanged", category.title, doc.title, doc.number, fields["slug"]))
                continue
            old_answer, old_title = row.answer_md, row.title
            for name, value in fields.items():
                setattr(row, name, value)
            highlighted = None
            if not same_examples or old_answer != answer_md:
                # Examples and authored items are replaced together with the answer.
                row.answer_html, highlighted = render(doc)
            to_update.append((row, doc, highlighted))
            report.changes.append(QuestionChange(
                "updated", category.title, doc.title, doc.number, fields["slug"], old_answer, answer_md,
                old_title if old_title != doc.title else "",
            ))
    _write_new(pending)

    archived = [q for q in existing if q.pk not in taken and not q.archived]
    for question in archived:
        question.archived = True
        report.changes.append(
            QuestionChange("archived", question.category.title, question.title, question.number, question.slug,
                           question.answer_md, "")
        )
    if to_update or archived:
        rows = [q for q, _, _ in to_update] + archived
        for row in rows:
            row.updated_at = now  # bulk_update skips auto_now
        Question.objects.bulk_update(
            rows,
            ["category", "number", "title", "slug", "position", "answer_md", "answer_html", "archived", "updated_at"],
            batch_size=BATCH,
        )
    rerendered = [t for t in to_update if t[2] is not None]
    if rerendered:
        replaced = [q.pk for q, _, _ in rerendered]
        Example.objects.filter(question_id__in=replaced).delete()
        AuthoredItem.objects.filter(question_id__in=replaced, source="").delete()
        _write_children(rerendered)
    if old_paths:
        OldSlug.objects.remember(old_paths)


def _sync_categories(document, question_set, old_set_slug, renderer, old_paths):
    """Categories matched by slug, then a vanished one by position (a rename keeps its row)."""
    categories = {c.slug: c for c in Category.objects.filter(question_set=question_set)}
    used_slugs: set[str] = set()
    slugs = [_unique(slugify(c.title, 100), used_slugs) for c in document.categories]
    wanted = set(slugs)
    unclaimed = {c.position: c for c in categories.values() if c.slug not in wanted}
    rows: list[tuple[Category, list[QuestionDoc]]] = []
    for position, (category_doc, slug) in enumerate(zip(document.categories, slugs)):
        category = categories.get(slug)
        if category is None:
            category = unclaimed.pop(position, None)
            if category is not None:
                if old_set_slug:
                    old_paths.append(OldSlug(set_slug=old_set_slug, category_slug=category.slug, category=category))
                category.slug = slug
            else:
                category = Category(question_set=question_set, slug=slug)
        if (category.pk is None or category.slug != slug or category.title != category_doc.title[:300]
                or category.position != position or category.intro_md != category_doc.intro_md):
            category.title = category_doc.title[:300]
            category.position = position
            category.intro_md = category_doc.intro_md
            category.intro_html = renderer.markdown(category_doc.intro_md) if category_doc.intro_md else ""
            category.save()
        if old_set_slug and old_set_slug != question_set.slug:
            old_paths.append(OldSlug(set_slug=old_set_slug, category_slug=category.slug, category=category))
        rows.append((category, category_doc.questions))
    return rows


def _match(docs: list[QuestionDoc], existing: list[Question]) -> dict[int, Question]:
    """id(QuestionDoc) → its existing row.

    In order: the same slug and answer; the same answer (a retitled question, or a repeated
    title whose numbered suffix moved); the same slug (an edited answer); a similar answer.
    """
    live_first = sorted(existing, key=lambda q: q.archived)
    by_slug: dict[str, Question] = {}
    for row in reversed(live_first):  # a live row wins over an archived one
        by_slug[row.slug] = row
    answers = {id(doc): doc.source_md.strip() for doc in docs}
    matched: dict[int, Question] = {}
    taken: set[int] = set()

    def take(doc: QuestionDoc, row: Question) -> None:
        matched[id(doc)] = row
        taken.add(row.pk)

    for doc in docs:
        row = by_slug.get(doc.key[:120])
        if row is not None and row.pk not in taken and row.answer_md.strip() == answers[id(doc)]:
            take(doc, row)
    by_answer: dict[str, list[Question]] = {}
    for row in live_first:
        if row.pk not in taken and row.answer_md.strip():
            by_answer.setdefault(row.answer_md.strip(), []).append(row)
    for doc in docs:
        if id(doc) not in matched and answers[id(doc)]:
            row = next((r for r in by_answer.get(answers[id(doc)], []) if r.pk not in taken), None)
            if row is not None:
                take(doc, row)
    for doc in docs:
        row = by_slug.get(doc.key[:120])
        if id(doc) not in matched and row is not None and row.pk not in taken:
            take(doc, row)

    fuzzy = [doc for doc in docs if id(doc) not in matched and answers[id(doc)]]
    free = sorted((row for row in existing if row.pk not in taken), key=lambda q: len(q.answer_md))
    if not fuzzy or not free:
        return matched
    lengths = [len(row.answer_md) for row in free]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for doc in fuzzy:
        answer = doc.source_md
        # ratio ≥ 0.8 needs the shorter text to be at least 2/3 of the longer one.
        lo = bisect.bisect_left(lengths, len(answer) * 2 / 3)
        hi = bisect.bisect_right(lengths, len(answer) * 3 / 2)
        best, best_ratio = None, SIMILAR_ANSWER
        matcher.set_seq2(answer)
        for row in free[lo:hi]:
            if row.pk in taken:
                continue
            matcher.set_seq1(row.answer_md)
            if (matcher.real_quick_ratio() >= best_ratio and matcher.quick_ratio() >= best_ratio
                    and (ratio := matcher.ratio()) >= best_ratio):
                best, best_ratio = row, ratio
        if best is not None:
            take(doc, best)
    return matched


def _slugs(docs: list[QuestionDoc], matched: dict[int, Question]) -> dict[int, str]:
    """id(QuestionDoc) → slug: a row whose title did not change keeps its slug (and its URL)."""
    slugs: dict[int, str] = {}
    used: set[str] = set()
    for doc in docs:
        row = matched.get(id(doc))
        if row is not None and slugify(row.title, 90) == slugify(doc.title, 90) and row.slug not in used:
            slugs[id(doc)] = row.slug
            used.add(row.slug)
    for doc in docs:
        if id(doc) not in slugs:
            slugs[id(doc)] = _unique(doc.key[:120], used)
    return slugs


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
