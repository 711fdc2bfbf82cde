from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prepsite import precompiled
from progress import services
from progress.models import Card, ReviewLog, ReviewSettings, State
from questions.models import Question

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("correct", "slow", "rating"),
    [(False, False, fsrs.Rating.Again), (False, True, fsrs.Rating.Again),
     (True, False, fsrs.Rating.Good), (True, True, fsrs.Rating.Hard)],
)
def test_quiz_answer_maps_to_rating_and_creates_card_lazily(user, question, correct, slow, rating):
    assert not Card.objects.exists()
    # 4.2 s is slow for an 8-second item (over half its budget), not for a 60-second one.
    log = services.record_quiz_answer(user, question, correct=correct, duration_ms=4200,
                                      seconds_per_item=8 if slow else 60, answered_at=T0)
    card = Card.objects.get(user=user, question=question)
    assert log.card == card
    assert log.rating == rating
    assert log.source == ReviewLog.Source.QUIZ
    assert log.duration_ms == 4200
    assert log.reviewed_at == T0
    assert log.last_review_before is None and log.due_before == T0
    # exactly what fsrs computes for the same review
    expected, _ = fsrs.Scheduler(enable_fuzzing=False).review_card(fsrs.Card(card_id=card.pk, due=T0), rating, T0)
    assert (card.state, card.step, card.stability, card.difficulty) == (
        expected.state.value, expected.step, expected.stability, expected.difficulty)
    assert card.due == expected.due
    assert card.last_review == T0
    assert (log.state_after, log.stability_after, log.due_after) == (card.state, card.stability, card.due)


@pytest.mark.django_db
def test_quiz_answers_accumulate_on_one_card(user, question):
    services.record_quiz_answer(user, question, correct=True, answered_at=T0)
    services.record_quiz_answer(user, question, correct=True, answered_at=T0 + timedelta(minutes=11))
    card = Card.objects.get()
    assert card.state == State.REVIEW
    assert card.logs.count() == 2
    assert card.version == 2


@pytest.mark.django_db
def test_quiz_answer_converts_other_time_zones_to_utc(user, question):
    answered = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    log = services.record_quiz_answer(user, question, correct=True, answered_at=answered)
    assert log.reviewed_at == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        services.record_quiz_answer(user, question, correct=True, answered_at=datetime(2026, 3, 2))


@pytest.mark.django_db
def test_log_replays_to_the_stored_card(user, question):
    times = [T0, T0 + timedelta(minutes=2), T0 + timedelta(days=3), T0 + timedelta(days=9)]
    for moment, correct in zip(times, [False, True, True, False]):
        services.record_quiz_answer(user, question, correct=correct, answered_at=moment)
    card = Card.objects.get()
    logs = [log.to_fsrs() for log in card.logs.all()]
    replayed = fsrs.Scheduler(enable_fuzzing=False).reschedule_card(fsrs.Card(card_id=card.pk, due=T0), logs)
    assert replayed.stability == pytest.approx(card.stability)
    assert replayed.difficulty == pytest.approx(card.difficulty)
    assert replayed.due == card.due
    assert replayed.state.value == card.state


@pytest.mark.django_db
def test_rating_uses_desired_retention(user, questions):
    services.record_quiz_answer(user, questions[0], correct=True, answered_at=T0)
    ReviewSettings.objects.filter(user=user).update(desired_retention=0.97)
    services.record_quiz_answer(user, questions[1], correct=True, answered_at=T0)
    services.record_quiz_answer(user, questions[0], correct=True, answered_at=T0 + timedelta(minutes=11))
    services.record_quiz_answer(user, questions[1], correct=True, answered_at=T0 + timedelta(minutes=11))
    loose, strict = (Card.objects.get(question=q) for q in questions[:2])
    assert loose.due == strict.due  # both rated at 0.97 on the graduating review
    ReviewSettings.objects.filter(user=user).update(desired_retention=0.70)
    services.record_quiz_answer(user, questions[0], correct=True, answered_at=loose.due)
    ReviewSettings.objects.filter(user=user).update(desired_retention=0.97)
    services.record_quiz_answer(user, questions[1], correct=True, answered_at=strict.due)
    loose.refresh_from_db()
    strict.refresh_from_db()
    assert loose.due > strict.due


def test_slow_means_over_half_the_items_time_budget():
    assert services.quiz_rating(True, duration_ms=5000, seconds_per_item=10) == fsrs.Rating.Good
    assert services.quiz_rating(True, duration_ms=5001, seconds_per_item=10) == fsrs.Rating.Hard
    assert services.quiz_rating(True, duration_ms=10**9) == fsrs.Rating.Good  # no budget: never slow
    assert services.quiz_rating(False, duration_ms=1, seconds_per_item=10) == fsrs.Rating.Again


@pytest.mark.django_db
def test_rating_a_question_rates_only_the_users_own_card_and_checks_the_version(user, other_user, question):
    card = Card.objects.create(user=user, question=question, due=T0)
    services.rate_question(other_user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    card.refresh_from_db()
    assert card.version == 0 and Card.objects.get(user=other_user).version == 1
    services.rate_question(user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    with pytest.raises(services.StaleCard):
        services.rate_question(user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    assert ReviewLog.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_first_rating_creates_the_card(user, question):
    log = services.rate_question(user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    card = Card.objects.get(user=user, question=question)
    assert log.card == card and card.version == 1 and card.last_review == T0
    with pytest.raises(Question.DoesNotExist):
        services.rate_question(user, 999_999, fsrs.Rating.Good, version=0, now=T0)


@pytest.mark.django_db
@pytest.mark.parametrize("saved", [False, True])
def test_a_guarded_rating_writes_what_the_locked_one_writes(user, other_user, question, saved):
    """On PostgreSQL a rating with a form's version is one statement; a drill's (no version) takes
    the lock. Both leave the same card and log."""
    for who in (user, other_user):
        if saved:
            services.rate_question(who, question.pk, fsrs.Rating.Again, version=0, now=T0)
    version = 1 if saved else 0
    later = T0 + timedelta(minutes=15)
    with CaptureQueriesContext(connection) as captured:
        guarded = services.rate_question(user, question.pk, fsrs.Rating.Good, version=version, now=later, duration_ms=700)
    if connection.vendor == "postgresql":  # at most the card's read, then the one statement, without a lock
        written = [precompiled.statement_sql(q["sql"]) for q in captured]
        on_cards = [sql for sql in written if "progress_card" in sql]
        assert len(on_cards) == 1 + saved and on_cards[-1].startswith("WITH card AS") and "FOR UPDATE" not in str(written)
    locked = services.rate_question(other_user, question.pk, fsrs.Rating.Good, version=None, now=later, duration_ms=700)
    cards = [Card.objects.get(user=who) for who in (user, other_user)]
    assert guarded.card == cards[0] and guarded.pk == ReviewLog.objects.filter(user=user).latest("pk").pk
    fields = [f.attname for f in Card._meta.concrete_fields if f.attname not in ("id", "user_id", "created_at")]
    assert [getattr(cards[0], name) for name in fields] == [getattr(cards[1], name) for name in fields]
    assert cards[0].version == version + 1
    logged = [f.attname for f in ReviewLog._meta.concrete_fields if f.attname not in ("id", "user_id", "card_id")]
    rows = [ReviewLog.objects.filter(pk=log.pk).values(*logged).get() for log in (guarded, locked)]
    assert rows[0] == rows[1]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="elsewhere a rating holds the card's lock from read to write")
def test_a_rating_that_loses_a_race_writes_nothing(user, question, monkeypatch):
    """Another request rates or buries the card between this one's read and its write: StaleCard,
    and the other request's card stands."""
    services.rate_question(user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    real_review = Card.review_if_unchanged

    def raced(card, *args, **kwargs):
        Card.objects.filter(pk=card.pk).update(version=card.version + 1, stability=99.0)
        return real_review(card, *args, **kwargs)

    monkeypatch.setattr(Card, "review_if_unchanged", raced)
    with pytest.raises(services.StaleCard):
        services.rate_question(user, question.pk, fsrs.Rating.Easy, version=1, now=T0 + timedelta(minutes=15))
    card = Card.objects.get()
    assert (card.version, card.stability) == (2, 99.0)
    assert ReviewLog.objects.count() == 1


@pytest.mark.django_db
def test_a_first_rating_of_an_archived_question_or_of_a_card_made_meanwhile(user, question, questions):
    Question.objects.filter(pk=questions[1].pk).update(archived=True)
    with pytest.raises(Question.DoesNotExist):
        services.rate_question(user, questions[1].pk, fsrs.Rating.Good, version=0, now=T0)
    assert not Card.objects.exists()
    # Two tabs showed the same new card: the second rating finds the card the first one made.
    services.rate_question(user, question.pk, fsrs.Rating.Good, version=0, now=T0)
    with pytest.raises(services.StaleCard):
        services.rate_question(user, question.pk, fsrs.Rating.Again, version=0, now=T0)
    assert (Card.objects.get().last_rating, ReviewLog.objects.count()) == (fsrs.Rating.Good, 1)


@pytest.mark.django_db
def test_undo_restores_card_exactly(user, question):
    card = Card.objects.create(user=user, question=question, due=T0)
    services.rate_question(user, card.question_id, fsrs.Rating.Good, version=0, now=T0)
    card.refresh_from_db()
    before = card.schedule()
    log = services.rate_question(user, card.question_id, fsrs.Rating.Again, version=1, now=T0 + timedelta(minutes=12), duration_ms=900)
    card.refresh_from_db()
    assert card.schedule() != before
    restored = services.undo_rating(user, log.pk)
    card.refresh_from_db()
    assert card.schedule() == before == restored.schedule()
    assert card.version == 3  # a fresh token: forms rendered before the undo are stale
    assert card.logs.count() == 1
    # undo twice (double click) undoes only once
    assert services.undo_rating(user, log.pk) is None
    assert card.logs.count() == 1


@pytest.mark.django_db
def test_undo_of_first_rating_makes_card_new_again(user, question):
    card = Card.objects.create(user=user, question=question, due=T0)
    log = services.rate_question(user, card.question_id, fsrs.Rating.Easy, version=0, now=T0)
    services.undo_rating(user, log.pk)
    card.refresh_from_db()
    assert card.is_new and card.state == State.LEARNING and card.step == 0 and card.stability is None
    assert card.due == T0


@pytest.mark.django_db
def test_undo_refuses_other_users_and_superseded_logs(user, other_user, question, questions):
    card = Card.objects.create(user=user, question=question, due=T0)
    log = services.rate_question(user, card.question_id, fsrs.Rating.Good, version=0, now=T0)
    assert services.undo_rating(other_user, log.pk) is None
    services.record_quiz_answer(user, question, correct=False, answered_at=T0 + timedelta(minutes=5))
    assert services.undo_rating(user, log.pk) is None  # a quiz answer came after it
    assert ReviewLog.objects.count() == 2


@pytest.mark.django_db
def test_bury_until_tomorrow_in_users_time_zone(user, question):
    ReviewSettings.objects.create(user=user, time_zone="America/New_York")
    card = Card.objects.create(user=user, question=question, due=T0)
    late_evening = datetime(2026, 3, 3, 3, 30, tzinfo=timezone.utc)  # 22:30 on 2 March in New York
    card = services.bury_card(user, card.question_id, now=late_evening)
    assert card.buried_until == datetime(2026, 3, 3, 5, 0, tzinfo=timezone.utc)  # midnight EST


@pytest.mark.django_db
def test_suspend_and_unsuspend(user, other_user, question):
    card = Card.objects.create(user=user, question=question, due=T0)
    assert services.suspend_card(other_user, card.question_id).user == other_user
    card.refresh_from_db()
    assert not card.suspended
    assert services.suspend_card(user, card.question_id).suspended
    with pytest.raises(Card.DoesNotExist):
        services.unsuspend_card(other_user, card.pk)
    assert not services.unsuspend_card(user, card.pk).suspended


@pytest.mark.django_db
def test_settings_take_browser_time_zone_only_when_unset_and_valid(user):
    assert services.settings_for(user, "Asia/Tokyo").time_zone == "Asia/Tokyo"
    assert not ReviewSettings.objects.exists()  # without save (a GET) nothing is written
    assert services.settings_for(user, "Not/AZone", save=True).time_zone == ""
    assert services.settings_for(user, "Asia/Tokyo", save=True).time_zone == "Asia/Tokyo"
    assert services.settings_for(user, "Europe/Paris").time_zone == "Asia/Tokyo"


@pytest.mark.django_db
def test_changing_time_zone_redays_reviews(user, question):
    log = services.record_quiz_answer(user, question, correct=True, answered_at=datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc))
    assert str(log.local_day) == "2026-03-02"
    services.change_time_zone(services.settings_for(user), "Asia/Tokyo")
    log.refresh_from_db()
    assert str(log.local_day) == "2026-03-03"


def _data_queries(captured) -> list[str]:
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    return [precompiled.statement_sql(q["sql"]) for q in captured if not q["sql"].startswith(control)]


@pytest.mark.django_db(transaction=True)
def test_quiz_answer_costs_three_statements(user, question):
    """Every quiz answer pays for this: one locked read (card and settings), one update, one insert."""


    services.settings_for(user, save=True)
    # first answer: no card to read the settings with, so they are read alone; the card is inserted already rated
    with CaptureQueriesContext(connection) as captured:
        services.record_quiz_answer(user, Question(pk=question.pk), correct=True, answered_at=T0)
    assert len(_data_queries(captured)) == 4, _data_queries(captured)
    with CaptureQueriesContext(connection) as captured:
        log = services.record_quiz_answer(user, Question(pk=question.pk), correct=False, answered_at=T0 + timedelta(minutes=5))
    queries = _data_queries(captured)
    assert len(queries) == 3, queries
    assert queries[0].startswith("SELECT") and queries[1].startswith("UPDATE") and queries[2].startswith("INSERT")
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in queries[0]
    card = Card.objects.get()
    assert card.version == 2 and log.card_id == card.pk and card.logs.count() == 2


@pytest.mark.django_db
def test_quiz_answer_uses_the_users_retention_and_time_zone(user, question):
    ReviewSettings.objects.create(user=user, desired_retention=0.8, time_zone="Pacific/Auckland")
    log = services.record_quiz_answer(user, question, correct=True, answered_at=datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc))
    assert log.local_day.isoformat() == "2026-03-03"  # already the 3rd in Auckland
    services.record_quiz_answer(user, question, correct=True, answered_at=T0 + timedelta(days=1))
    card = Card.objects.get()
    first, second = card.logs.order_by("reviewed_at")
    expected, _ = fsrs.Scheduler(desired_retention=0.8, enable_fuzzing=False).review_card(
        fsrs.Card(card_id=card.pk, state=fsrs.State(first.state_after), step=first.step_after,
                  stability=first.stability_after, difficulty=first.difficulty_after, due=first.due_after,
                  last_review=first.reviewed_at),
        fsrs.Rating.Good, T0 + timedelta(days=1),
    )
    assert (card.stability, card.due) == (expected.stability, expected.due)


@pytest.mark.django_db
def test_quiz_answer_creates_settings_once(user, question):
    services.record_quiz_answer(user, question, correct=True, answered_at=T0)
    assert ReviewSettings.objects.filter(user=user).count() == 1
