"""The dashboard is cached whole (prepsite.pagecache) under its figures' key: every write that changes
what it shows must show on the next load. The recent quizzes' part is in quizzes/tests/test_dashboard_quiz_part.py."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from django.utils import timezone

from progress import services
from progress.models import Interview, ReviewLog
from prepsite.testing import served_from_cache, without_tokens
from questions import caching as content_caching
from questions.models import Question

DASHBOARD = "/progress/"


def _reviews_today(client) -> str:
    html = client.get(DASHBOARD).content.decode()
    return html.split('data-testid="reviews-today">', 1)[1].split("<", 1)[0]


@pytest.mark.django_db
def test_a_repeat_load_is_the_cached_page_within_its_query_budget(signed_in, questions, django_assert_max_num_queries):
    first = signed_in.get(DASHBOARD)
    with django_assert_max_num_queries(3):  # session, user, the version (settings, quizzes' part and interviews in it)
        again = signed_in.get(DASHBOARD)
    assert first.context is not None and served_from_cache(again, first)
    assert "csrf-token-filled-in-per-request" not in again.content.decode()


@pytest.mark.django_db
def test_with_interviews_a_repeat_load_reads_them_too(signed_in, user, questions, django_assert_max_num_queries):
    Interview.objects.create(user=user, title="Initech", on=timezone.localdate() + timedelta(days=5),
                             question_set=questions[0].category.question_set)
    first = signed_in.get(DASHBOARD)
    with django_assert_max_num_queries(5):  # as above, and the interviews with their categories
        again = signed_in.get(DASHBOARD)
    assert served_from_cache(again, first) and "Initech" in again.content.decode()


@pytest.mark.django_db
def test_a_rating_and_its_undo_show_at_once(signed_in, user, questions):
    assert _reviews_today(signed_in) == "0"
    signed_in.post(f"/review/questions/{questions[0].pk}/rate/", {"rating": 3, "version": 0})
    assert _reviews_today(signed_in) == "1"
    signed_in.post("/review/undo/", {"log": ReviewLog.objects.get(user=user).pk})
    assert _reviews_today(signed_in) == "0"


@pytest.mark.django_db
def test_a_settings_and_time_zone_change_show_at_once(signed_in, questions):
    assert "Asia/Tokyo" not in signed_in.get(DASHBOARD).content.decode()
    signed_in.post("/review/settings/", {"desired_retention": "0.8", "new_per_day": 5, "time_zone": "Asia/Tokyo"})
    assert "Asia/Tokyo" in signed_in.get(DASHBOARD).content.decode()


@pytest.mark.django_db
def test_an_interview_its_edit_and_its_plan_show_at_once(signed_in, user, questions):
    signed_in.get(DASHBOARD)
    interview = Interview.objects.create(user=user, title="Initech", on=timezone.localdate() + timedelta(days=5),
                                         question_set=questions[0].category.question_set)
    assert "Initech" in signed_in.get(DASHBOARD).content.decode()
    Interview.objects.filter(pk=interview.pk).update(title="Globex")
    assert "Globex" in signed_in.get(DASHBOARD).content.decode()
    before = signed_in.get(DASHBOARD).content
    interview.refresh_from_db()
    interview.apply_plan(4, None, timezone.now())
    assert without_tokens(signed_in.get(DASHBOARD).content) != without_tokens(before)


@pytest.mark.django_db
def test_an_import_or_admin_edit_and_the_minute_show(signed_in, questions, monkeypatch):
    now = datetime(2026, 3, 3, 23, 59, 30, tzinfo=dt_timezone.utc)
    monkeypatch.setattr(services, "utc_now", lambda: now)
    before = signed_in.get(DASHBOARD).context["overall"].total
    Question.objects.filter(pk=questions[0].pk).update(archived=True, updated_at=timezone.now())
    monkeypatch.setattr(content_caching, "_version", None)  # another worker's edit, seen after the memo's seconds
    assert signed_in.get(DASHBOARD).context["overall"].total == before - 1
    monkeypatch.setattr(services, "utc_now", lambda: now + timedelta(minutes=1))  # past midnight
    assert signed_in.get(DASHBOARD).context["today"].day == 4
