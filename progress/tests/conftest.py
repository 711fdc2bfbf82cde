import pytest
from django.core.cache import cache

from questions.models import Question

CATEGORIES = ["Basics", "Models and the ORM", "Views and templates", "Deployment"]


@pytest.fixture
def questions(make_question):
    """Forty listed questions, ten in each of four categories of one set, in study order."""
    for category in CATEGORIES:
        for n in range(10):
            make_question(f"{category}: question {n + 1}", category__title=category, answer_md=f"Answer {n + 1}.")
    return list(Question.objects.listed().order_by("category__position", "position"))


@pytest.fixture
def question(questions):
    return questions[0]


@pytest.fixture
def question_set(questions):
    return questions[0].category.question_set


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard caches per user id, and ids repeat between tests on SQLite.
    cache.clear()
    yield
    cache.clear()
