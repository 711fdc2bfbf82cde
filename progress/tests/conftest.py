import pytest
from django.core.cache import cache

from questions.models import Question


@pytest.fixture
def questions(seed_set):
    return list(Question.objects.listed().of_set(seed_set.slug).order_by("category__position", "position"))


@pytest.fixture
def question(questions):
    return questions[0]


@pytest.fixture(autouse=True)
def _empty_cache():
    # The dashboard caches per user id, and ids repeat between tests on SQLite.
    cache.clear()
    yield
    cache.clear()
