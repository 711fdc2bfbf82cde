"""The importer: exact seed import, idempotent re-imports, edits in place, atomicity."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import SEED
from content.parser import parse
from questions.importing import content_hash
from questions.models import AuthoredItem, Category, Example, Question, QuestionSet

pytestmark = pytest.mark.django_db

BASE = """# Prep Set

## Basics

### 1. What is a view?
A callable that takes a request.

```python
def view(request):
    return HttpResponse("hi")
```

### 2. What is a model?
A class mapped to a table.

## Advanced

### 3. What is a signal?
A hook.
"""


def run(text: str, **kwargs):
    return QuestionSet.objects.sync(parse(text, "prep.md"), source_hash=content_hash(text), **kwargs)


def test_seed_imports_exactly(seed_set):
    assert seed_set.title == "Django Interview Questions & Answers"
    assert seed_set.source_name == "django-interview-questions.md"
    assert len(seed_set.content_hash) == 64
    assert seed_set.imported_at is not None
    assert seed_set.closing_html.startswith("<p>This comprehensive guide covers")
    assert list(seed_set.categories.values_list("position", flat=True)) == list(range(12))
    questions = Question.objects.filter(category__question_set=seed_set).order_by("category__position", "position")
    assert [q.number for q in questions] == [str(n) for n in range(1, 29)]
    examples = Example.objects.filter(question__category__question_set=seed_set)
    assert examples.count() == 28
    assert examples.filter(language="python").count() == 26
    # The stored code is the seed's, byte for byte (its fences are all top-level).
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", SEED.read_text(encoding="utf-8"), re.M | re.S)
    stored = examples.order_by("question__category__position", "question__position", "position")
    assert [e.code for e in stored] == blocks and len(blocks) == 28
    q23 = questions.get(number="23")
    assert list(q23.examples.values_list("language", flat=True)) == ["dockerfile", "yaml"]
    assert "highlight" in q23.examples.first().highlighted_html
    q28 = questions.get(number="28")
    assert "This comprehensive guide" not in q28.answer_md + q28.answer_html


def test_reimporting_the_same_file_changes_nothing(seed_set):
    before = {q.pk: (q.updated_at, q.answer_html) for q in Question.objects.all()}
    report = QuestionSet.objects.sync(parse(seed_set_bytes(), "django-interview-questions.md"))
    assert (report.created, report.updated, report.unchanged, report.archived) == (0, 0, 28, 0)
    after = {q.pk: (q.updated_at, q.answer_html) for q in Question.objects.all()}
    assert after == before
    assert QuestionSet.objects.count() == 1


def seed_set_bytes():
    return SEED.read_bytes()


def test_edited_file_updates_in_place_adds_and_archives():
    first = run(BASE)
    assert first.created == 3
    ids = dict(Question.objects.values_list("number", "pk"))

    edited = (
        BASE.replace("A callable that takes a request.", "A callable that takes a request and returns a response.")
        .replace("### 2. What is a model?\nA class mapped to a table.\n\n", "")
        + "\n### 4. What is middleware?\nA layer around views.\n"
    )
    report = run(edited)
    assert (report.created, report.updated, report.unchanged, report.archived) == (1, 1, 1, 1)
    view = Question.objects.get(number="1")
    assert view.pk == ids["1"]
    assert "returns a response" in view.answer_html
    model = Question.objects.get(pk=ids["2"])
    assert model.archived
    assert list(Question.objects.listed().values_list("number", flat=True)) == ["1", "3", "4"]
    changed = next(c for c in report.changes if c.status == "updated")
    assert "takes a request." in changed.old_answer and "returns a response" in changed.new_answer

    # The question comes back: the same row is restored, not a duplicate.
    report = run(BASE)
    assert Question.objects.get(pk=ids["2"]).archived is False
    assert report.archived == 1  # question 4 is gone again
    assert Question.objects.count() == 4


def test_retitled_question_keeps_its_id_by_number():
    run(BASE)
    pk = Question.objects.get(number="3").pk
    report = run(BASE.replace("### 3. What is a signal?", "### 3. What are Django signals?"))
    assert report.updated == 1 and report.created == 0 and report.archived == 0
    question = Question.objects.get(pk=pk)
    assert question.title == "What are Django signals?"


def test_examples_replaced_when_code_changes():
    run(BASE)
    run(BASE.replace('return HttpResponse("hi")', 'return HttpResponse("hello")'))
    (example,) = Example.objects.all()
    assert 'HttpResponse("hello")' in example.code
    assert "hello" in example.highlighted_html


def test_dry_run_writes_nothing():
    report = run(BASE, dry_run=True)
    assert report.created == 3
    assert QuestionSet.objects.count() == 0 and Question.objects.count() == 0


def test_failure_midway_leaves_the_database_as_it_was():
    run(BASE)
    snapshot = list(Question.objects.values_list("pk", "title", "answer_md", "archived"))
    with mock.patch("questions.importing.Example.objects.bulk_create", side_effect=RuntimeError("disk full")):
        with pytest.raises(RuntimeError):
            run(BASE.replace("A hook.", "A hook, changed.") + "\n### 5. New?\nNew.\n")
    assert list(Question.objects.values_list("pk", "title", "answer_md", "archived")) == snapshot


def test_replace_target_set_explicitly():
    run(BASE)
    target = QuestionSet.objects.get()
    report = QuestionSet.objects.sync(parse(BASE.replace("# Prep Set", "# Renamed Set"), "other.md"), target=target)
    assert report.question_set_id == target.pk
    assert report.unchanged == 3
    target.refresh_from_db()
    assert target.title == "Renamed Set"
    assert QuestionSet.objects.count() == 1


def test_authored_items_are_stored_and_kept_on_unchanged_reimport():
    text = BASE.replace(
        "A hook.\n", "A hook.\n\n#### Quiz\n\nWhen does post_save fire?\n\n- [x] After save()\n- [ ] Before save()\n"
    )
    run(text)
    item = AuthoredItem.objects.get()
    assert item.prompt == "When does post_save fire?"
    assert item.correct_indexes == [0]
    report = run(text)
    assert report.unchanged == 3
    assert AuthoredItem.objects.get().pk == item.pk


def test_import_query_count_does_not_grow_with_questions():
    def queries_for(n):
        text = "# Big\n\n## C\n\n" + "".join(f"### {i}. Q{i}?\nAnswer {i}.\n\n```python\nx = {i}\n```\n\n" for i in range(n))
        QuestionSet.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            run(text)
        return len(ctx.captured_queries)

    assert queries_for(200) <= queries_for(20) + 4


def test_categories_slugs_unique_within_set():
    run("# S\n\n## Same\n\n### 1. A?\na\n\n## Same\n\n### 2. B?\nb\n")
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["same", "same-2"]


def test_colliding_titles_reimport_cleanly(client):
    text = "# S\n\n## C\n\n### Foo\na\n\n### Foo\nb\n\n### Foo 2\nc\n"
    run(text)
    report = run(text)
    assert (report.created, report.updated, report.unchanged, report.archived) == (0, 0, 3, 0)
    for question in Question.objects.all():
        assert client.get(question.get_absolute_url()).status_code == 200
