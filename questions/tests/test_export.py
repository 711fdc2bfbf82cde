"""Markdown and Anki exports: a set leaves the platform and comes back unchanged."""

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest

from questions import exporters
from questions.importing import content_hash
from content.parser import parse
from content.writer import below_question_level
from questions.models import AuthoredItem, Category, Question, QuestionSet

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "content" / "sets" / "django-interview-questions.md"
CORPORA = ROOT / "content" / "tests" / "corpora"
SOURCES = [SEED, *sorted(p for p in CORPORA.glob("*.md") if p.name != "SOURCES.md")]


def _shape(document):
    """Everything a set is made of, as plain values; an answer's headings as the export writes them
    (below the question's level: the page is the same)."""
    return [
        (
            category.title,
            [
                (
                    q.number,
                    q.title,
                    below_question_level(q.source_md),
                    [(e.language, e.code, e.caption) for e in q.examples],
                    [(i.prompt, [(c.text, c.correct) for c in i.choices], i.explanation) for i in q.quiz_items],
                )
                for q in category.questions
            ],
        )
        for category in document.categories
    ]


def _db_shape(question_set):
    return [
        (
            category.title,
            [
                (
                    q.number,
                    q.title,
                    below_question_level(q.answer_md),
                    [(e.language, e.code, e.caption) for e in q.examples.all()],
                    [(i.prompt, [(c["text"], c["correct"]) for c in i.choices], i.explanation)
                     for i in q.authored_items.filter(source="")],
                )
                for q in category.questions.listed()
            ],
        )
        for category in question_set.categories.all()
        if category.questions.listed().exists()
    ]


def _import(path):
    data = path.read_bytes()
    document = parse(data, path.name)
    report = QuestionSet.objects.sync(document, source_hash=content_hash(data))
    return document, QuestionSet.objects.get(pk=report.question_set_id)


@pytest.mark.django_db
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_markdown_round_trip(path):
    original, question_set = _import(path)
    exported = exporters.to_markdown(question_set)

    again = parse(exported, f"{question_set.slug}.md")
    assert again.title == original.title
    assert again.layout == "headings"
    assert _shape(again) == _shape(original)
    assert again.intro_md == original.intro_md
    assert again.closing_md == original.closing_md

    # Importing the export over the set changes nothing on the page: only answers whose
    # headings the export moved below the question's level update their Markdown.
    pages = dict(Question.objects.values_list("pk", "answer_html"))
    moved = sum(below_question_level(q.source_md) != q.source_md for q in original.questions)
    report = QuestionSet.objects.sync(again, target=question_set)
    assert (report.created, report.updated, report.archived) == (0, moved, 0)
    assert report.unchanged == len(original.questions) - moved
    assert dict(Question.objects.values_list("pk", "answer_html")) == pages
    assert _db_shape(question_set) == _shape(original)


@pytest.mark.django_db
def test_round_trip_counts_of_the_shared_corpora():
    devlovers = CORPORA / "django-devlovers-en.md"
    sql = CORPORA / "sql-python-datascience-technical.md"
    for path, questions, categories in ((devlovers, 100, 1), (sql, 40, 3)):
        _, question_set = _import(path)
        again = parse(exporters.to_markdown(question_set))
        assert len(again.questions) == questions
        assert len(again.categories) == categories


@pytest.mark.django_db
def test_export_keeps_authored_quiz_items_and_leaves_archived_out(seed_set):
    question = Question.objects.of_set(seed_set.slug).first()
    AuthoredItem.objects.create(
        question=question, prompt="Which layer holds the data?",
        choices=[{"text": "Model", "correct": True}, {"text": "Template", "correct": False}],
        explanation="Models map to tables.",
    )
    AuthoredItem.objects.create(
        question=question, prompt="From a supplement", choices=[{"text": "a", "correct": True}, {"text": "b", "correct": False}],
        source="extra.md",
    )
    gone = Question.objects.of_set(seed_set.slug).last()
    gone.archived = True
    gone.save()

    text = exporters.to_markdown(seed_set)
    assert "#### Quiz" in text and "- [x] Model" in text and "Explanation: Models map to tables." in text
    assert "From a supplement" not in text
    assert gone.title not in text
    document = parse(text)
    items = document.questions[0].quiz_items
    assert [(i.prompt, [c.correct for c in i.choices]) for i in items] == [("Which layer holds the data?", [True, False])]


@pytest.mark.django_db
def test_headings_inside_answers_are_pushed_below_the_question_level():
    question_set = QuestionSet.objects.create(title="Deep", slug="deep")
    category = Category.objects.create(question_set=question_set, title="Basics", slug="basics")
    Question.objects.create(
        category=category, number="1", title="What is it?", slug="what",
        answer_md="## Short answer\n\nIt is.\n\n### Detail\n\n```python\n# not a heading\n```",
    )
    Question.objects.create(category=category, number="2", title="And then?", slug="then", answer_md="Then.")
    text = exporters.to_markdown(question_set)
    assert "#### Short answer" in text and "##### Detail" in text and "\n# not a heading" in text
    document = parse(text)
    assert [q.title for q in document.questions] == ["What is it?", "And then?"]
    assert document.questions[0].examples[0].code == "# not a heading\n"


def _apkg_notes(data: bytes, tmp_path):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert "collection.anki2" in names
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "c.anki2")
    try:
        notes = db.execute("select guid, flds, tags from notes").fetchall()
        models = db.execute("select models, decks from col").fetchone()
    finally:
        db.close()
    return notes, models


@pytest.mark.django_db
def test_anki_package_has_one_note_per_listed_question(seed_set, tmp_path):
    listed = Question.objects.of_set(seed_set.slug).listed().count()
    data = exporters.to_apkg(seed_set)
    notes, (models, decks) = _apkg_notes(data, tmp_path)
    assert len(notes) == listed
    assert len({guid for guid, _, _ in notes}) == listed
    fields = [flds.split("\x1f") for _, flds, _ in notes]
    assert any('class="highlight"' in f[1] and "<span" in f[1] for f in fields)
    assert all(f[3] == seed_set.title.replace("&", "&amp;") for f in fields)
    # Highlighting colours travel with the deck: light (default) and night mode (github-dark).
    assert ".highlight .k" in models and ".nightMode .highlight .k" in models and ".night_mode .highlight" in models
    assert seed_set.title.split()[0] in decks


@pytest.mark.django_db
def test_anki_guids_are_stable_across_exports(seed_set, tmp_path):
    first, _ = _apkg_notes(exporters.to_apkg(seed_set), tmp_path)
    second, _ = _apkg_notes(exporters.to_apkg(seed_set), tmp_path)
    assert sorted(g for g, _, _ in first) == sorted(g for g, _, _ in second)


@pytest.mark.django_db
def test_export_views_are_public_and_download(client, seed_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(f"/sets/{seed_set.slug}/export.md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert f'filename="{seed_set.slug}.md"' in response["Content-Disposition"]
    assert parse(response.content).title == seed_set.title

    with django_assert_max_num_queries(6):
        response = client.get(f"/sets/{seed_set.slug}/export.apkg")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"

    assert client.get("/sets/no-such-set/export.md").status_code == 404
    assert client.get("/sets/no-such-set/export.apkg").status_code == 404


@pytest.mark.django_db
def test_public_set_page_links_both_exports(client, seed_set):
    page = client.get(seed_set.get_absolute_url()).content.decode()
    assert f"/sets/{seed_set.slug}/export.md" in page
    assert f"/sets/{seed_set.slug}/export.apkg" in page
