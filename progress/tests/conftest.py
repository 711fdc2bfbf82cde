import pytest

from questions.models import Question


@pytest.fixture
def questions(seed_set):
    return list(Question.objects.listed().of_set(seed_set.slug).order_by("category__position", "position"))


@pytest.fixture
def question(questions):
    return questions[0]
