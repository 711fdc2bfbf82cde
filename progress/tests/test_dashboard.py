import random
from datetime import date, datetime, timedelta, timezone

import fsrs
import pytest

from progress import services, stats
from progress.charts import heatmap_chart
from progress.models import Card, ReviewLog, ReviewSettings, State
from prepsite.testing import served_from_cache

HTMX = {"HX-Request": "true"}


def review_at(user, question, moment, correct=True):
    return services.record_quiz_answer(user, question, correct=correct, answered_at=moment)


def test_streaks_count_consecutive_days():
    d = date(2026, 3, 10)
    days = {d, d - timedelta(days=1), d - timedelta(days=2), d - timedelta(days=5), d - timedelta(days=6)}
    assert stats.streaks(days, d) == (3, 3)
    assert stats.streaks(days, d + timedelta(days=1)) == (3, 3)  # nothing yet today: the run is still alive
    assert stats.streaks(days, d + timedelta(days=2)) == (0, 3)
    assert stats.streaks(set(), d) == (0, 0)


@pytest.mark.django_db
def test_streak_is_counted_in_the_users_time_zone(user, questions):
    now = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)  # a fixed clock: no run falls too close to midnight
    settings = services.settings_for(user)
    services.change_time_zone(settings, "UTC")
    # 22:30 and 23:30 UTC yesterday, 00:30 UTC today: in UTC two days; in Tokyo (UTC+9) one day (today)
    yesterday_2330 = datetime(2026, 3, 9, 23, 30, tzinfo=timezone.utc)
    review_at(user, questions[0], yesterday_2330 - timedelta(hours=1))
    review_at(user, questions[1], yesterday_2330 + timedelta(hours=1))
    data = stats.dashboard(user, ReviewSettings.objects.get(user=user), now)
    assert data["streak"] == 2
    services.change_time_zone(ReviewSettings.objects.get(user=user), "Asia/Tokyo")
    tokyo = ReviewSettings.objects.get(user=user)
    days = set(ReviewLog.objects.values_list("local_day", flat=True))
    assert days == {date(2026, 3, 10)}  # both reviews fell on the same Tokyo day
    assert stats.dashboard(user, tokyo, now)["streak"] == 1


@pytest.mark.django_db
def test_streak_in_new_york_around_midnight(user, questions):
    ReviewSettings.objects.create(user=user, time_zone="America/New_York")
    # 3 March 02:00 UTC is 2 March 21:00 in New York; 3 March 14:00 UTC is 3 March 09:00 there
    review_at(user, questions[0], datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc))
    review_at(user, questions[1], datetime(2026, 3, 3, 14, 0, tzinfo=timezone.utc))
    review_at(user, questions[2], datetime(2026, 3, 4, 3, 0, tzinfo=timezone.utc))  # 3 March 22:00 NY
    settings = ReviewSettings.objects.get(user=user)
    now = datetime(2026, 3, 4, 4, 30, tzinfo=timezone.utc)  # 3 March 23:30 in New York
    data = stats.dashboard(user, settings, now)
    assert data["streak"] == 2 and data["reviews_today"] == 2
    services.change_time_zone(settings, "UTC")  # in UTC: 3 March (2 reviews) and 4 March (1)
    data = stats.dashboard(user, ReviewSettings.objects.get(user=user), now)
    assert data["streak"] == 2 and data["reviews_today"] == 1


@pytest.mark.django_db
def test_dashboard_counts_mastery_and_readiness(signed_in, user, questions):
    now = datetime.now(timezone.utc)
    first_category = questions[0].category
    in_first = [q for q in questions if q.category_id == first_category.pk]
    # one well-known card, one just failed, one suspended new
    Card.objects.create(user=user, question=in_first[0], state=State.REVIEW, step=None, stability=100.0,
                        difficulty=3.0, due=now + timedelta(days=90), last_review=now - timedelta(days=1), last_rating=3)
    failed = services.record_quiz_answer(user, in_first[1], correct=False, answered_at=now - timedelta(minutes=1)).card
    Card.objects.create(user=user, question=in_first[2], due=now, suspended=True)
    response = signed_in.get("/progress/")
    assert response.status_code == 200
    overall = response.context["overall"]
    in_a_week = response.context["readiness_at"]
    assert timedelta(days=7) <= in_a_week - now < timedelta(days=7, seconds=30)
    row = next(r for s in response.context["sets"] for r in s.children if r.category == first_category)
    assert (row.total, row.learning, row.review) == (len(in_first), 1, 1)
    assert row.new == len(in_first) - 2
    scheduler = fsrs.Scheduler()
    known_r = scheduler.get_card_retrievability(
        fsrs.Card(1, fsrs.State.Review, None, 100.0, 3.0, now, now - timedelta(days=1)), in_a_week
    )
    failed_r = scheduler.get_card_retrievability(failed.to_fsrs(), in_a_week)
    # the failed card was reviewed a minute ago: recall now is ~1, in a week far less, and not mastered
    assert failed_r < 0.6
    assert row.mastered == 1
    assert row.readiness == pytest.approx((known_r + failed_r) / len(in_first))
    assert overall.total == len(questions)
    assert overall.mastery == pytest.approx(1 / len(questions))


@pytest.mark.django_db
def test_dashboard_charts_have_text_alternatives(signed_in, user, questions):
    now = datetime.now(timezone.utc)
    for i, q in enumerate(questions[:3]):
        review_at(user, q, now - timedelta(days=i, minutes=5))
    html = signed_in.get("/progress/").content.decode()
    assert html.count('role="img"') == 2
    assert "<title id=\"heatmap-svg-title\">Reviews per day over the last year</title>" in html
    assert "<desc id=\"heatmap-svg-desc\">3 reviews on 3 days" in html
    assert "Activity as a table" in html and "Forecast as a table" in html
    assert "<title id=\"forecast-svg-title\">" in html
    assert "reviews on" in html
    assert html.count("<rect") > 360


@pytest.mark.django_db
def test_forecast_buckets_by_local_day(user, questions):
    settings = ReviewSettings.objects.create(user=user, time_zone="Asia/Tokyo")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # 21:00 in Tokyo
    def card(q, due):
        Card.objects.create(user=user, question=q, state=State.REVIEW, step=None, stability=5, difficulty=5,
                            due=due, last_review=due - timedelta(days=5))
    card(questions[0], now - timedelta(days=2))  # overdue: today
    card(questions[1], now + timedelta(hours=2))  # 23:00 Tokyo: today
    card(questions[2], now + timedelta(hours=4))  # 01:00 Tokyo: tomorrow
    card(questions[3], now + timedelta(days=40))  # beyond the forecast
    forecast = stats._forecast(user, settings, now)
    assert len(forecast) == 30
    assert forecast[0][1] == 2 and forecast[1][1] == 1
    assert sum(n for _, n in forecast) == 3


@pytest.mark.django_db
def test_dashboard_query_count(signed_in, user, questions, django_assert_max_num_queries):
    now = datetime.now(timezone.utc)
    for i, q in enumerate(questions[:25]):
        for k in range(3):
            review_at(user, q, now - timedelta(days=3 * k + i % 5, minutes=i))
    first = signed_in.get("/progress/")
    assert first.context["reviews_year"] == 75
    with django_assert_max_num_queries(3):  # session, user, the version with the settings (it counts interviews: none)
        response = signed_in.get("/progress/")
    assert served_from_cache(response, first)


@pytest.mark.django_db
def test_dashboard_counts_a_new_review(signed_in, user, questions):
    before = signed_in.get("/progress/").context
    assert before["reviews_today"] == 0 and before["streak"] == 0
    review_at(user, questions[0], datetime.now(timezone.utc))
    after = signed_in.get("/progress/").context
    assert after["reviews_today"] == 1 and after["streak"] == 1


@pytest.mark.django_db
def test_home_page_shows_review_summary(signed_in, user, questions, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        html = signed_in.get("/").content.decode()
    assert 'id="review-summary-title">Today<' in html and "Continue reviewing (20)" in html


@pytest.mark.django_db
def test_home_page_anonymous_invites_to_log_in(client, question_set):
    html = client.get("/").content.decode()
    assert "spaced-repetition schedule" in html and 'href="/accounts/signup/"' in html


@pytest.mark.django_db
def test_settings_validation(signed_in, user):
    url = "/review/settings/"
    cases = [
        ({"desired_retention": "0.5", "new_per_day": "20", "time_zone": "UTC"}, "at least 0.70"),
        ({"desired_retention": "0.98", "new_per_day": "20", "time_zone": "UTC"}, "at most 0.97"),
        ({"desired_retention": "lots", "new_per_day": "20", "time_zone": "UTC"}, "as a number"),
        ({"desired_retention": "0.9", "new_per_day": "-1", "time_zone": "UTC"}, "cannot be negative"),
        ({"desired_retention": "0.9", "new_per_day": "2.5", "time_zone": "UTC"}, "whole number"),
        ({"desired_retention": "0.9", "new_per_day": "20", "time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"desired_retention": "0.9", "new_per_day": "20", "time_zone": "../../etc/passwd"}, "not a time zone"),
        ({"desired_retention": "0.9", "new_per_day": "20", "time_zone": ""}, "Choose a time zone"),
    ]
    for data, message in cases:
        response = signed_in.post(url, data)
        assert response.status_code == 422, data
        assert message in response.content.decode(), (data, message)
    settings = ReviewSettings.objects.get(user=user)
    assert (settings.desired_retention, settings.new_per_day) == (0.9, 20)


@pytest.mark.django_db
def test_settings_save_and_change_schedule(signed_in, user, question):
    assert signed_in.get("/review/settings/").status_code == 200
    response = signed_in.post("/review/settings/", {"desired_retention": "0.85", "new_per_day": "5", "time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    settings = ReviewSettings.objects.get(user=user)
    assert (settings.desired_retention, settings.new_per_day, settings.time_zone) == (0.85, 5, "Europe/Berlin")
    assert signed_in.get("/review/").context["session"].new == 5
    assert settings.scheduler().desired_retention == 0.85


@pytest.mark.django_db
def test_settings_save_is_atomic(signed_in, user, question, monkeypatch):
    """If re-daying the logs fails, the new retention and limit are not saved either."""
    services.record_quiz_answer(user, question, correct=True)

    def broken(review_settings, time_zone):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "change_time_zone", broken)
    signed_in.raise_request_exception = True
    with pytest.raises(RuntimeError):
        signed_in.post("/review/settings/", {"desired_retention": "0.85", "new_per_day": "5", "time_zone": "Asia/Tokyo"})
    settings = ReviewSettings.objects.get(user=user)
    assert (settings.desired_retention, settings.new_per_day, settings.time_zone) == (0.9, 20, "")


@pytest.mark.django_db
def test_settings_page_defaults_time_zone_to_browser(signed_in, user):
    html = signed_in.get("/review/settings/").content.decode()
    assert "data-browser-time-zone" in html and "js/review-settings.js" in html  # CSP: no inline script
    assert 'value="0.9"' in html and 'value="20"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_readiness_and_mastery_match_fsrs_card_by_card(user, questions, retention):
    """The SQL retrievability summed on the readiness date equals fsrs's, card by card; the desired
    retention changes neither figure."""

    rng = random.Random(7)
    settings = ReviewSettings.objects.create(user=user, desired_retention=retention)
    now = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
    on = date(2026, 4, 2)
    at = datetime(2026, 4, 2, tzinfo=settings.tz)
    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    expected_sum, expected_mastered = 0.0, 0
    for q in questions:
        last = now - timedelta(days=rng.uniform(0, 90), seconds=rng.randint(0, 86399))
        stability = rng.choice([rng.uniform(0.01, 3), rng.uniform(3, 400)])
        rating = rng.choice([1, 2, 3, 4])
        Card.objects.create(user=user, question=q, state=State.REVIEW, step=None, stability=stability,
                            difficulty=5.0, due=now, last_review=last, last_rating=rating)
        r = scheduler.get_card_retrievability(fsrs.Card(1, fsrs.State.Review, None, stability, 5.0, now, last), at)
        expected_sum += r
        expected_mastered += stability >= 21 and rating >= 3
    data = stats.dashboard(user, settings, now, readiness_on=on)
    assert data["overall"].retrievability_sum == pytest.approx(expected_sum, rel=1e-9)
    assert data["overall"].mastered == expected_mastered > 0


@pytest.mark.django_db
def test_forecast_across_a_daylight_saving_change(user, questions):
    """Berlin leaves summer time on 25 October 2026: that local day is 25 hours long."""
    settings = ReviewSettings.objects.create(user=user, time_zone="Europe/Berlin")
    now = datetime(2026, 10, 20, 10, 0, tzinfo=timezone.utc)
    berlin = settings.tz
    dues = [
        datetime(2026, 10, 25, 0, 30, tzinfo=berlin),   # 25 Oct, before the change
        datetime(2026, 10, 25, 23, 30, tzinfo=berlin),  # 25 Oct, after it (UTC+1)
        datetime(2026, 10, 26, 0, 0, tzinfo=berlin),    # 26 Oct, midnight exactly
        datetime(2026, 10, 26, 0, 30, tzinfo=berlin),   # 26 Oct
        datetime(2026, 10, 19, 8, 0, tzinfo=berlin),    # overdue: today
    ]
    for q, due in zip(questions, dues):
        Card.objects.create(user=user, question=q, state=State.REVIEW, step=None, stability=5.0,
                            difficulty=5.0, due=due, last_review=now - timedelta(days=2))
    forecast = dict(stats._forecast(user, settings, now))
    assert forecast[date(2026, 10, 20)] == 1
    assert forecast[date(2026, 10, 25)] == 2
    assert forecast[date(2026, 10, 26)] == 2
    assert sum(forecast.values()) == 5


REVIEW_URL = "/review/"


@pytest.mark.django_db
def test_dashboard_activity_cache_follows_undo_and_time_zone(signed_in, user, questions, monkeypatch):
    """The heatmap figures are cached, yet an undo or a new time zone shows at once."""
    now = datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc)  # one clock minute: only a write can move the keys
    monkeypatch.setattr(services, "utc_now", lambda: now)
    card = signed_in.get(REVIEW_URL).context["session"].card
    signed_in.post(f"/review/questions/{card.question_id}/rate/", {"rating": 3, "version": 0})
    rated = signed_in.get("/progress/")
    assert rated.context["reviews_today"] == 1
    again = signed_in.get("/progress/")  # from the cache
    assert served_from_cache(again, rated)
    log = ReviewLog.objects.get()
    signed_in.post("/review/undo/", {"log": log.pk})
    assert signed_in.get("/progress/").context["reviews_today"] == 0
    review_at(user, questions[3], now - timedelta(days=2))
    assert signed_in.get("/progress/").context["reviews_year"] == 1
    review_at(user, questions[4], now - timedelta(hours=11))  # 01:00 UTC: today, but 20:00 yesterday in New York
    assert signed_in.get("/progress/").context["reviews_today"] == 1
    settings = {"desired_retention": "0.9", "new_per_day": "20", "time_zone": "America/New_York"}
    assert signed_in.post("/review/settings/", settings).status_code == 302
    dashboard = signed_in.get("/progress/").context
    assert (dashboard["reviews_today"], dashboard["reviews_year"], dashboard["today"]) == (0, 2, now.date())


def test_heatmap_labels_read_like_strftime():
    today = date(2026, 11, 25)
    chart = heatmap_chart({today: 2, today - timedelta(days=40): 1}, today, stats.HEATMAP_DAYS)
    for cell in chart["cells"]:
        noun = "review" if cell.count == 1 else "reviews"
        assert cell.label == f"{cell.day:%a %-d %b %Y}: {cell.count} {noun}"
        assert f'data-day="{cell.day.isoformat()}" data-count="{cell.count}"><title>{cell.label}</title>' in chart["cells_svg"]
    assert chart["by_month"][-1] == {"month": "November 2026", "reviews": 2, "days": 1}
