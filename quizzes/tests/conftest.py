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
def small_set(make_question):
    """Six questions with a code example and an answer: enough for code-question and recall items."""
    for n in range(6):
        question = make_question(f"Topic {n}", answer_md=f"- point {n} one\n- point {n} two",
                                 examples=[f"value_{n} = compute_{n}(argument_{n})"])
    return question.category.question_set


@pytest.fixture
def start(request, user):
    """Open an attempt; on the shipped set (imported on first use) unless `question_set` is given."""
    def make(count=10, kinds=None, seconds=60, feedback="immediate", seed=1, user=user, question_set=None, **kw):
        return start_attempt(
            user, question_set or request.getfixturevalue("quiz_set"), count=count, kinds=kinds or list(KINDS),
            seconds_per_item=seconds, feedback=feedback, title="Test quiz", seed=seed, **kw,
        )

    return make
