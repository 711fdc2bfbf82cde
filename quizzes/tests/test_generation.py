import pytest

from questions.importing import sync
from content.parser import parse
from questions.models import KeyPoints, Question
from quizzes.generation import Spec, generate
from quizzes.text import bullet_points, cloze_blanks, key_points, normalize

BANK = """# Bank

## Alpha

### 1. What does select_related do?
It joins.

- joins forward foreign keys
- runs one query
- works on one-to-one

```python
from django.shortcuts import get_object_or_404
from django.db import transaction

def show(request, pk):
    x = get_object_or_404(Article, pk=pk)
    articles = Article.objects.select_related("author")
    with transaction.atomic():
        x.save()
    return x
```

### 2. What does prefetch_related do?
- runs a second query
- joins in Python
- suits many-to-many

```python
tags = Article.objects.prefetch_related("tags").filter(status="x")
```

### 3. How do forms validate?
- clean methods run per field
- clean runs last
- errors collect in form.errors

```python
form = ArticleForm(request.POST)
if form.is_valid():
    form.save()
```

## Beta

### 4. How do you cache a view?
- cache_page decorator
- per-site middleware
- low-level cache API

```python
from django.views.decorators.cache import cache_page

@cache_page(60)
def home(request):
    return render(request, "home.html")
```

### 5. What is a signal?
Sent when something happens.

#### Quiz

Which call does not send post_save?

- [x] QuerySet.update()
- [ ] Model.save()
- [ ] Manager.create()

Explanation: update() runs SQL directly.
"""


@pytest.fixture
def bank(db):
    report = sync(parse(BANK, "bank.md"))
    return report.question_set_id


def test_cloze_blanks_are_api_names_never_locals():
    code = parse(BANK, "bank.md").questions[0].examples[0].code
    names = {b.identifier for b in cloze_blanks(code)}
    assert {"get_object_or_404", "select_related", "atomic"} <= names
    assert not names & {"x", "articles", "show", "request", "pk", "Article"}
    for blank in cloze_blanks(code):
        line = code.split("\n")[blank.line]
        assert blank.before + blank.identifier + blank.after == line
        assert line.count(blank.identifier) == 1  # unambiguous


def test_cloze_skips_code_that_does_not_parse_and_lines_filled_differently_elsewhere():
    assert cloze_blanks("def broken(:\n") == ()
    code = "qs = Article.objects.select_related('a')\nqs = Article.objects.prefetch_related('a')\n"
    names = {b.identifier for b in cloze_blanks(code)}
    assert "select_related" not in names and "prefetch_related" not in names


def test_bullet_points_ignore_code_and_task_lists():
    md = "Intro\n\n- one point\n- two point\n- three point\n\n```yaml\n- not: a point\n```\n- [x] task\n"
    assert bullet_points(md) == ("one point", "two point", "three point")


def test_generation_is_deterministic_and_never_repeats(bank):
    first = generate(Spec(bank, seed=7, count=20))
    assert first == generate(Spec(bank, seed=7, count=20))
    assert first != generate(Spec(bank, seed=8, count=20))
    idents = [(i["kind"], i["question_id"], i.get("answer_text") or i["prompt"]) for i in first]
    assert len(idents) == len(set(idents))


@pytest.mark.parametrize("kind", ["code_question", "cloze", "key_point", "authored", "recall"])
def test_each_kind_key_and_distractors(bank, kind):
    items = generate(Spec(bank, seed=3, count=10, kinds=[kind]))
    assert items, f"no {kind} items"
    questions = {q.pk: q for q in Question.objects.all()}
    for item in items:
        choices = item.get("choices", [])
        texts = [c["text"] for c in choices]
        assert len(texts) == len(set(texts))
        ids = {c["id"] for c in choices}
        assert set(item.get("key", [])) <= ids
        key_texts = {c["text"] for c in choices if c["id"] in item.get("key", [])}
        distractors = [t for t in texts if t not in key_texts]
        assert all(normalize(d) not in {normalize(k) for k in key_texts} for d in distractors)
        question = questions[item["question_id"]]
        if kind == "code_question":
            assert len(choices) == 4 and key_texts == {question.title}
            assert item["code"] in [e.code for e in question.examples.all()]
            # distractors come from the same set, the same category first
            same_cat = {q.title for q in questions.values() if q.category_id == question.category_id}
            others = [t for t in distractors if t in same_cat]
            assert len(others) == min(3, len(same_cat) - 1)
        elif kind == "cloze":
            assert len(choices) == 4 and key_texts == {item["answer_text"]}
            assert item["answer_text"] not in item["before"] + item["after"]
            line = item["before"] + item["answer_text"] + item["after"]
            assert any(line in e.code for e in question.examples.all())
            for d in distractors:
                assert d not in item["before"] + item["after"]
        elif kind == "key_point":
            def texts_of(q):
                return {p.text for p in key_points(q.answer_md, tuple(e.code for e in q.examples.all()))}

            own = texts_of(question)
            assert len(key_texts) == 1 and key_texts <= own
            assert not set(distractors) & own
            all_points = {p for q in questions.values() for p in texts_of(q)}
            assert set(distractors) <= all_points
        elif kind == "authored":
            assert item["prompt"] == "Which call does not send post_save?"
            assert key_texts == {"QuerySet.update()"} and item["multiple"]
        elif kind == "recall":
            assert item["prompt"] == question.title and item["model_answer_html"] == question.answer_html


def test_choices_are_shuffled(bank):
    positions = {
        next(i for i, c in enumerate(item["choices"]) if c["id"] in item["key"])
        for seed in range(12)
        for item in generate(Spec(bank, seed=seed, count=5, kinds=["code_question"]))
    }
    assert len(positions) > 1


def test_kinds_that_cannot_be_made_are_skipped(bank):
    # Only question 5 has an authored item; asking for 10 gives just one, no error.
    items = generate(Spec(bank, seed=1, count=10, kinds=["authored"]))
    assert len(items) == 1


def test_restricted_pool_and_categories(bank):
    q = Question.objects.get(number="4")
    items = generate(Spec(bank, seed=1, count=10, question_ids=[q.pk]))
    assert items and {i["question_id"] for i in items} == {q.pk}
    beta = q.category_id
    items = generate(Spec(bank, seed=1, count=10, category_ids=[beta]))
    assert {i["category_id"] for i in items} == {beta}


def test_seed_set_generates_a_full_mixed_quiz(seed_set):
    items = generate(Spec(seed_set.pk, seed=5, count=50))
    assert len(items) == 50
    assert {"code_question", "cloze", "recall"} <= {i["kind"] for i in items}


def test_an_editors_key_points_make_the_key_point_items(bank):
    """The drill and the key-point items read the same list: an editor's, when there is one."""
    question = Question.objects.get(title="What does select_related do?")
    KeyPoints.objects.create(question=question, text="follows foreign keys in SQL\n\nfetches in one query\n")
    items = [i for seed in range(8) for i in generate(Spec(bank, seed=seed, count=10, kinds=["key_point"]))
             if i["question_id"] == question.pk]
    assert items
    for item in items:
        keys = {c["text"] for c in item["choices"] if c["id"] in item["key"]}
        assert keys <= {"follows foreign keys in SQL", "fetches in one query"}
