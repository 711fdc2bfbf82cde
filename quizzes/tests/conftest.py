import pytest

from questions.supplement import apply_supplement
from conftest import SEED
from quizzes.kinds import KINDS
from quizzes.services import start_attempt

SUPPLEMENT = SEED.parent.parent / "quizzes" / "django-interview-questions.md"


@pytest.fixture
def quiz_set(seed_set):
    """The seed set with the shipped authored items applied."""
    apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    return seed_set


@pytest.fixture
def start(quiz_set, user):
    def make(count=10, kinds=None, seconds=60, feedback="immediate", seed=1, user=user, **kw):
        return start_attempt(
            user, quiz_set, count=count, kinds=kinds or list(KINDS), seconds_per_item=seconds,
            feedback=feedback, title="Test quiz", seed=seed, **kw,
        )

    return make
