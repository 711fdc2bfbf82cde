"""Question titles show their inline code as code on every page that lists or asks them, never raw backticks."""

import pytest

from progress.services import suspend_card, utc_now
from quizzes import drill as drills

pytestmark = pytest.mark.django_db

TITLE = "When is `select_related()` the right call?"
CODE = "<code>select_related()</code>"


@pytest.fixture
def question(make_question):
    return make_question(TITLE, answer_md="- joins\n- one query\n- foreign keys")


def _shows_code(response) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and CODE in html and "`select_related()`" not in html.split("</title>", 1)[1]


def test_review_card_renders_the_titles_code(signed_in, question):
    assert _shows_code(signed_in.get(f"/review/?set={question.category.question_set.slug}"))


def test_drill_step_and_summary_render_the_titles_code(signed_in, user, question):
    now = utc_now()
    scope = drills.scope_of(user, question=question.pk, category=None, set_slug="", due=False, now=now)
    assert _shows_code(signed_in.get(f"/drill/new/?question={question.pk}"))
    drill = drills.start(user, scope, count=1, minutes=1, now=now)
    assert _shows_code(signed_in.get(f"/drill/{drill.pk}/"))
    drills.save(user, drill.pk, 0, covered=[], rating=None, duration_ms=20_000, now=now)
    assert _shows_code(signed_in.get(f"/drill/{drill.pk}/summary/"))
    assert _shows_code(signed_in.get("/quizzes/history/"))  # lists the drill by its question


def test_suspended_list_renders_the_titles_code(signed_in, user, question):
    suspend_card(user, question.pk)
    assert _shows_code(signed_in.get("/review/suspended/"))
