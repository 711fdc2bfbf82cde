import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prepsite import precompiled
from prepsite.testing import without_tokens
from progress import services
from progress.models import Card, ReviewLog, ReviewSettings, State
from progress.queue import AHEAD, BATCH

REVIEW = "/review/"
HTMX = {"HX-Request": "true"}


def rate_url(card):
    return reverse("progress:rate", args=[card.question_id])


def current_card(response) -> Card:
    return response.context["session"].card


def is_hidden(html: str, marker: str) -> bool:
    """Whether the element whose opening tag carries `marker` has the hidden attribute."""
    tag = re.search(rf'<[a-z]+\b[^>]*[\s"]{re.escape(marker)}(?=[\s>"])[^>]*>', html).group(0)
    return re.search(r"\shidden(?=[\s>=])", tag) is not None



def make_review_card(user, question, *, due, state=State.REVIEW, stability=5.0):
    return Card.objects.create(
        user=user, question=question, state=state, step=None if state == State.REVIEW else 0,
        stability=stability, difficulty=5.0, due=due, last_review=due - timedelta(days=3),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REVIEW, "/progress/", "/review/settings/", "/review/suspended/"])
def test_anonymous_goes_to_login_and_back(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


@pytest.mark.django_db
def test_anonymous_rating_goes_to_login(client, user, question):
    card = Card.objects.create(user=user, question=question, due=services.utc_now())
    response = client.post(rate_url(card), {"rating": 3, "version": 0})
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not ReviewLog.objects.exists()


@pytest.mark.django_db
def test_first_visit_shows_first_new_question_and_previews(signed_in, user, question):
    response = signed_in.get(REVIEW)
    assert response.status_code == 200
    card = current_card(response)
    assert card.question == question and card.is_new
    html = response.content.decode()
    assert is_hidden(html, 'id="answer"') and is_hidden(html, "data-rating-form")
    assert not is_hidden(html, "show-answer")
    assert response.context["previews"] == {1: "<1m", 2: "<6m", 3: "<10m", 4: "8d"}
    for label in ("<1m", "<6m", "<10m", "8d"):
        assert f">{label.replace('<', '&lt;')}</span>" in html
    session = response.context["session"]
    assert (session.new, session.learning, session.review) == (20, 0, 0)
    # Showing a question writes nothing: its card is created when first rated
    assert without_tokens(signed_in.get(REVIEW).content) == without_tokens(response.content)
    assert not Card.objects.exists()


@pytest.mark.django_db
def test_reveal_without_javascript(signed_in, question):
    html = signed_in.get(REVIEW, {"reveal": "1"}).content.decode()
    assert not is_hidden(html, 'id="answer"') and not is_hidden(html, "data-rating-form")
    assert is_hidden(html, "show-answer")


@pytest.mark.django_db
def test_rating_swaps_in_next_card_and_counts(signed_in, user, questions):
    card = current_card(signed_in.get(REVIEW))
    response = signed_in.post(rate_url(card), {"rating": 3, "version": card.version, "duration_ms": 5300}, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert "reviewChanged" in response.headers["HX-Trigger"]
    log = ReviewLog.objects.get()
    assert (log.rating, log.duration_ms, log.source) == (3, 5300, "review")
    assert log.reviewed_at.tzinfo is not None
    nxt = current_card(response)
    assert nxt.question == questions[1]
    session = response.context["session"]
    assert (session.new, session.learning) == (19, 1)  # the rated card waits 10 minutes, in learn-ahead
    assert response.context["undo_log"].pk == log.pk


@pytest.mark.django_db
def test_every_action_of_a_scoped_session_keeps_its_scope(signed_in, user, questions):
    """Rate, bury, suspend and undo each post the session's category back, on the page and in the swap."""
    category = questions[0].category
    card = current_card(signed_in.get(REVIEW, {"category": category.pk}))
    swapped = signed_in.post(rate_url(card), {"rating": 3, "version": card.version, "category": category.pk},
                             headers=HTMX).content.decode()
    page = signed_in.get(REVIEW, {"category": category.pk}).content.decode()
    hidden = f'<input type="hidden" name="category" value="{category.pk}">'
    for html in (page, swapped):
        forms = re.findall(r"<form[^>]*hx-post=\"([^\"]+)\"[^>]*>(.*?)</form>", html, re.S)
        actions = {url.rstrip("/").split("/")[-1]: body for url, body in forms}
        assert {"rate", "bury", "suspend", "undo"} <= set(actions)
        assert all(hidden in actions[name] for name in ("rate", "bury", "suspend", "undo"))


@pytest.mark.django_db
def test_rating_without_htmx_redirects_back_to_session(signed_in, question_set):
    card = current_card(signed_in.get(REVIEW, {"set": question_set.slug}))
    response = signed_in.post(rate_url(card), {"rating": 1, "version": 0, "set": question_set.slug})
    assert response.status_code == 302
    assert response.url == f"{REVIEW}?set={question_set.slug}"


@pytest.mark.django_db
def test_double_posted_rating_is_applied_once(signed_in, user, questions):
    card = current_card(signed_in.get(REVIEW))
    first = signed_in.post(rate_url(card), {"rating": 3, "version": 0}, headers=HTMX)
    second = signed_in.post(rate_url(card), {"rating": 3, "version": 0}, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert b"already answered" in second.content
    assert ReviewLog.objects.count() == 1
    assert Card.objects.get(user=user, question=card.question).version == 1


@pytest.mark.django_db
def test_stale_version_from_another_tab_is_not_applied(signed_in, user, questions):
    """Tab B posts after tab A with the version both rendered: the version check refuses it."""
    card = current_card(signed_in.get(REVIEW))
    signed_in.post(rate_url(card), {"rating": 4, "version": 0}, headers=HTMX)  # tab A: Easy
    signed_in.post(rate_url(card), {"rating": 1, "version": 0}, headers=HTMX)  # tab B, stale: Again
    card = Card.objects.get(user=user, question=card.question)
    assert card.state == State.REVIEW  # Easy stood; Again did not overwrite it
    assert list(card.logs.values_list("rating", flat=True)) == [4]


@pytest.mark.django_db
def test_other_users_card_is_404_to_unsuspend(client, other_user, user, question):
    card = Card.objects.create(user=user, question=question, due=services.utc_now(), suspended=True)
    client.force_login(other_user)
    assert client.post(reverse("progress:unsuspend", args=[card.pk])).status_code == 404
    card.refresh_from_db()
    assert card.suspended


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["rate", "bury", "suspend"])
def test_actions_on_a_question_never_touch_another_users_card(client, other_user, user, question, name):
    card = Card.objects.create(user=user, question=question, due=services.utc_now())
    client.force_login(other_user)
    response = client.post(reverse(f"progress:{name}", args=[question.pk]), {"rating": 3, "version": 0})
    assert response.status_code == 302
    assert Card.objects.filter(user=other_user, question=question).exists()
    card.refresh_from_db()
    assert card.version == 0 and not card.suspended and card.buried_until is None


@pytest.mark.django_db
def test_undo_of_another_users_log_does_nothing(client, other_user, user, question):
    card = Card.objects.create(user=user, question=question, due=services.utc_now())
    log = services.rate_question(user, card.question_id, 3, version=0)
    client.force_login(other_user)
    client.post(reverse("progress:undo"), {"log": log.pk})
    assert ReviewLog.objects.filter(pk=log.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"rating": 5, "version": 0}, {"rating": "good", "version": 0}, {"rating": 3}, {"rating": 3, "version": "x"}])
def test_bad_rating_is_422_with_the_session(signed_in, questions, data):
    card = current_card(signed_in.get(REVIEW))
    response = signed_in.post(rate_url(card), data)
    assert response.status_code == 422 and 'id="review-session"' in response.content.decode()
    fragment = signed_in.post(rate_url(card), data, headers=HTMX)
    assert fragment.status_code == 422 and b"<html" not in fragment.content and b"alert-danger" in fragment.content
    assert not ReviewLog.objects.exists() and not Card.objects.exists()


@pytest.mark.django_db
def test_unknown_card_and_scope_are_404(signed_in, question_set):
    assert signed_in.post(reverse("progress:rate", args=[999999]), {"rating": 3, "version": 0}).status_code == 404
    assert signed_in.get(REVIEW, {"set": "nope"}).status_code == 404
    assert signed_in.get(REVIEW, {"category": "999999"}).status_code == 404
    assert signed_in.get(REVIEW, {"category": "abc"}).status_code == 404


SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, int("²") raises ValueError


@pytest.mark.django_db
@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, "\u0663", "1" * 40, "-1", " 1"])
def test_non_ascii_or_huge_numbers_are_rejected_cleanly(signed_in, user, questions, value):
    card = current_card(signed_in.get(REVIEW))
    # scope ids: an unknown category is a 404
    assert signed_in.get(REVIEW, {"category": value}).status_code == 404
    assert signed_in.post(rate_url(card), {"rating": 3, "version": 0, "category": value}).status_code == 404
    # form fields: a clear 422 naming the field
    for data, field in [
        ({"rating": 3, "version": value}, "Card version"),
        ({"rating": 3, "version": 0, "duration_ms": value}, "Time taken"),
    ]:
        response = signed_in.post(rate_url(card), data)
        assert response.status_code == 422, data
        assert field in response.content.decode()
    for name in ("bury", "suspend"):
        response = signed_in.post(reverse(f"progress:{name}", args=[card.question_id]), {"version": value})
        assert response.status_code == 422 and "Card version" in response.content.decode()
    response = signed_in.post(reverse("progress:undo"), {"log": value})
    assert response.status_code == 422 and "Rating log" in response.content.decode()
    assert not ReviewLog.objects.exists() and not Card.objects.exists()


@pytest.mark.django_db
def test_huge_category_id_is_404(signed_in, question_set):
    assert signed_in.get(REVIEW, {"category": "9" * 19}).status_code == 404
    assert signed_in.get(REVIEW, {"category": str(2**40)}).status_code == 404


@pytest.mark.django_db
def test_bury_without_version_still_works(signed_in, user, questions):
    card = current_card(signed_in.get(REVIEW))
    assert signed_in.post(reverse("progress:bury", args=[card.question_id])).status_code == 302
    assert Card.objects.get(user=user, question=card.question).buried_until is not None


@pytest.mark.django_db
def test_rating_requires_csrf(user, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    card = Card.objects.create(user=user, question=question, due=services.utc_now())
    for url in (rate_url(card), reverse("progress:bury", args=[card.question_id]), reverse("progress:undo")):
        assert client.post(url, {"rating": 3, "version": 0}).status_code == 403
    assert not ReviewLog.objects.exists()
    # with the token from the page it works
    page = client.get(REVIEW)
    token = page.context["csrf_token"]
    response = client.post(rate_url(card), {"rating": 3, "version": 0}, headers={"X-CSRFToken": str(token), **HTMX})
    assert response.status_code == 200
    assert ReviewLog.objects.count() == 1


@pytest.mark.django_db
def test_get_and_put_on_actions_are_refused(signed_in, user, question):
    card = Card.objects.create(user=user, question=question, due=services.utc_now())
    urls = [reverse(f"progress:{name}", args=[question.pk]) for name in ("rate", "bury", "suspend")]
    urls += [reverse("progress:unsuspend", args=[card.pk]), reverse("progress:undo")]
    for url in urls:
        assert signed_in.get(url).status_code == 405, url
        assert signed_in.put(url, {"rating": 3, "version": 0}).status_code == 405, url
    card.refresh_from_db()
    assert card.version == 0 and not ReviewLog.objects.exists()


@pytest.mark.django_db
def test_undo_through_the_view_restores_card(signed_in, user, questions):
    card = current_card(signed_in.get(REVIEW))
    response = signed_in.post(rate_url(card), {"rating": 3, "version": 0}, headers=HTMX)
    log = response.context["undo_log"]
    response = signed_in.post(reverse("progress:undo"), {"log": log.pk}, headers=HTMX)
    assert b"Rating undone" in response.content
    shown = current_card(response)
    assert shown.question == card.question  # the undone card is shown again
    card = Card.objects.get(user=user, question=card.question)
    assert shown.pk == card.pk and card.is_new and card.version == 2
    assert not ReviewLog.objects.exists()
    again = signed_in.post(reverse("progress:undo"), {"log": log.pk}, headers=HTMX)
    assert b"Nothing to undo" in again.content


@pytest.mark.django_db
def test_bury_and_suspend_remove_card_from_session(signed_in, user, questions):
    first = current_card(signed_in.get(REVIEW))
    response = signed_in.post(reverse("progress:bury", args=[first.question_id]), {"version": 0}, headers=HTMX)
    second = current_card(response)
    assert second.question == questions[1]
    response = signed_in.post(reverse("progress:suspend", args=[second.question_id]), {"version": 0}, headers=HTMX)
    assert current_card(response).question == questions[2]
    second = Card.objects.get(user=user, question=second.question)
    listing = signed_in.get("/review/suspended/")
    assert f'id="suspended-{second.pk}"' in listing.content.decode()
    signed_in.post(reverse("progress:unsuspend", args=[second.pk]))
    assert current_card(signed_in.get(REVIEW)).question == questions[1]
    # buried until tomorrow: back after midnight
    assert Card.objects.get(user=user, question=first.question).buried_until > datetime.now(timezone.utc)


@pytest.mark.django_db
def test_queue_order_due_first_most_overdue_then_new(signed_in, user, questions):
    now = datetime.now(timezone.utc)
    slightly = make_review_card(user, questions[5], due=now - timedelta(hours=1))
    very = make_review_card(user, questions[6], due=now - timedelta(days=4))
    learning = make_review_card(user, questions[7], due=now - timedelta(minutes=5), state=State.LEARNING, stability=1)
    later = make_review_card(user, questions[8], due=now + timedelta(days=3))
    seen = []
    for _ in range(4):
        card = current_card(signed_in.get(REVIEW))
        seen.append(card.question)
        signed_in.post(rate_url(card), {"rating": 4, "version": card.version})
    assert seen == [very.question, slightly.question, learning.question, questions[0]]
    assert later.question not in seen


@pytest.mark.django_db
def test_daily_new_limit(signed_in, user, questions):
    ReviewSettings.objects.create(user=user, new_per_day=2)
    for _ in range(2):
        card = current_card(signed_in.get(REVIEW))
        assert card.is_new
        signed_in.post(rate_url(card), {"rating": 4, "version": card.version})
    response = signed_in.get(REVIEW)
    assert current_card(response) is None
    assert response.context["session"].new_waiting
    html = response.content.decode()
    assert "Done for today" in html and "daily limit is 2" in html
    assert "next card is due" in html


@pytest.mark.django_db
def test_archived_questions_leave_the_queue(signed_in, user, questions):
    now = datetime.now(timezone.utc)
    due = make_review_card(user, questions[3], due=now - timedelta(days=1))
    questions[3].archived = True
    questions[3].save()
    questions[0].archived = True
    questions[0].save()
    response = signed_in.get(REVIEW)
    assert current_card(response).question == questions[1]
    assert response.context["session"].review == 0
    assert due.pk != current_card(response).pk


@pytest.mark.django_db
def test_filter_by_category_and_set(signed_in, user, questions, question_set):
    last_category = questions[-1].category
    response = signed_in.get(REVIEW, {"category": last_category.pk})
    card = current_card(response)
    assert card.question.category == last_category
    assert response.context["session"].new == min(20, sum(q.category_id == last_category.pk for q in questions))
    assert last_category.title in response.content.decode()
    response = signed_in.post(rate_url(card), {"rating": 3, "version": 0, "category": last_category.pk}, headers=HTMX)
    assert current_card(response).question.category == last_category
    assert current_card(signed_in.get(REVIEW, {"set": question_set.slug})).question.category.question_set == question_set


@pytest.mark.django_db
def test_done_for_today_says_when_next_card_is_due(signed_in, user, questions):
    ReviewSettings.objects.create(user=user, new_per_day=0, time_zone="Europe/Berlin")
    make_review_card(user, questions[0], due=datetime.now(timezone.utc) + timedelta(days=2, hours=3))
    response = signed_in.get(REVIEW)
    html = response.content.decode()
    assert response.context["session"].card is None
    assert "Done for today" in html and "The next card is due" in html and "2\xa0days, 2\xa0hours from now" in html
    assert "Europe/Berlin" in html


# transaction=True: no test-wrapping transaction, so no SAVEPOINT queries that production never runs
@pytest.mark.django_db(transaction=True)
def test_review_page_query_count(signed_in, user, questions, django_assert_max_num_queries):
    signed_in.get(REVIEW)  # settings row and first card exist now
    now = datetime.now(timezone.utc)
    for i, q in enumerate(questions[5:40]):
        make_review_card(user, q, due=now - timedelta(hours=i))
    with django_assert_max_num_queries(10):
        response = signed_in.get(REVIEW)
    assert not current_card(response).is_new
    with django_assert_max_num_queries(10):
        signed_in.get(REVIEW, headers=HTMX)


def data_queries(captured) -> list[str]:
    """SQLite's BEGIN/COMMIT are logged, PostgreSQL's are not: compare the statements that do work."""
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
    return [precompiled.statement_sql(q["sql"]) for q in captured if not q["sql"].startswith(control)]


@pytest.mark.django_db(transaction=True)
def test_rating_query_count(signed_in, user, questions):
    services.settings_for(user, save=True)  # made once per user, by their first POST ever
    with CaptureQueriesContext(connection) as captured:
        card = current_card(signed_in.get(REVIEW))
    assert not [q for q in data_queries(captured) if not q.startswith("SELECT")]  # a GET writes nothing
    # The first rating creates the card (the INSERT the GET used to do), and the next card is new too.
    with CaptureQueriesContext(connection) as captured:
        response = signed_in.post(rate_url(card), {"rating": 3, "version": 0}, headers=HTMX)
    # Session and user (read from the database without Redis), settings (which count the applied
    # plans: none, so no plan is read), the one statement that writes card and log, the due counts
    # and the next new question.
    postgresql = connection.vendor == "postgresql"
    assert len(data_queries(captured)) <= (6 if postgresql else 9), data_queries(captured)
    # SQLite's transaction is BEGIN, SAVEPOINT, RELEASE and COMMIT on top.
    assert len(captured) <= (6 if postgresql else 13), "\n".join(q["sql"][:90] for q in captured)
    now = datetime.now(timezone.utc)
    for i, q in enumerate(questions[10:30]):
        make_review_card(user, q, due=now - timedelta(hours=i))
    # As the ratings that made them would have left them: a form's version 0 means "no card yet", so
    # rating a saved card at version 0 tries the insert first, then takes the locked path.
    Card.objects.filter(user=user).update(version=1)
    most_overdue = current_card(signed_in.get(REVIEW))
    assert most_overdue.pk is not None
    with CaptureQueriesContext(connection) as captured:
        response = signed_in.post(rate_url(most_overdue), {"rating": 3, "version": most_overdue.version}, headers=HTMX)
    assert not current_card(response).is_new  # a due card comes next
    # On PostgreSQL the card is read, then written with its log in one statement that checks its version.
    assert len(captured) <= (7 if postgresql else 10), [q["sql"] for q in captured]


@pytest.mark.django_db
def test_session_sends_the_next_cards_hidden_each_rating_form_but_the_last_saying_so(signed_in, questions):
    response = signed_in.get(REVIEW)
    cards = response.context["session"].cards
    assert [card.question_id for card in cards] == [q.pk for q in questions[:BATCH]]
    html = response.content.decode()
    items = html.split('<div class="review-item"')[1:]  # each card's markup, up to the next one's
    assert len(items) == BATCH
    assert [" hidden" in item.split(">", 1)[0] for item in items] == [False] + [True] * AHEAD
    assert [item.count('name="then"') for item in items] == [1] * AHEAD + [0]
    assert html.count('id="answer"') == 1  # the current card's
    # A new card rated Again or Good comes back within the learn-ahead window: it counts as learning.
    assert re.findall(r'data-learning-after="(\d)"', items[0]) == ["1", "1", "1", "0"]


@pytest.mark.django_db
def test_rating_a_card_the_browser_has_the_next_of_answers_with_the_undo_button_only(signed_in, user, questions):
    card = current_card(signed_in.get(REVIEW))
    response = signed_in.post(rate_url(card), {"rating": 3, "version": 0, "then": "1"}, headers=HTMX)
    assert response.status_code == 200
    log = ReviewLog.objects.get()
    assert (log.card.question_id, log.rating) == (card.question_id, 3)
    html = response.content.decode()
    assert response.headers["HX-Reswap"] == "none" and "reviewChanged" in response.headers["HX-Trigger"]
    assert html.startswith('<div id="review-undo"') and 'hx-swap-oob="true"' in html
    assert f'name="log" value="{log.pk}"' in html
    assert "review-session" not in html and "review-item" not in html

    # Without htmx (no JavaScript), or when the rating is refused, the answer is the session as before.
    second = questions[1]
    plain = signed_in.post(reverse("progress:rate", args=[second.pk]), {"rating": 3, "version": 0, "then": "1"})
    assert plain.status_code == 302 and plain.url == REVIEW
    stale = signed_in.post(rate_url(card), {"rating": 3, "version": 0, "then": "1"}, headers=HTMX)
    assert stale.status_code == 200 and "HX-Reswap" not in stale.headers
    assert b"already answered" in stale.content and b'id="review-session"' in stale.content
    assert ReviewLog.objects.count() == 2
    foreign = signed_in.post(reverse("progress:rate", args=[10**6]), {"rating": 3, "version": 0, "then": "1"}, headers=HTMX)
    assert foreign.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_rating_with_the_next_card_in_the_browser_query_count(signed_in, user, questions):
    services.settings_for(user, save=True)
    card = current_card(signed_in.get(REVIEW))
    with CaptureQueriesContext(connection) as captured:
        signed_in.post(rate_url(card), {"rating": 3, "version": 0, "then": "1"}, headers=HTMX)
    # Session and user (from the database without Redis), settings, the statement that writes card
    # and log: no due counts and no next card.
    assert len(data_queries(captured)) <= (4 if connection.vendor == "postgresql" else 7), data_queries(captured)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n_cards", [2, 30])
def test_suspended_list_query_count(signed_in, user, questions, n_cards, django_assert_max_num_queries):
    signed_in.get(REVIEW)  # the settings row and the first question's card exist now
    now = datetime.now(timezone.utc)
    cards = [Card.objects.create(user=user, question=q, due=now, suspended=True) for q in questions[1:1 + n_cards]]
    with django_assert_max_num_queries(4):  # session, user, the cards with their questions, categories and sets
        response = signed_in.get("/review/suspended/")
    assert response.status_code == 200
    html = response.content.decode()
    assert all(reverse("progress:unsuspend", args=[card.pk]) in html for card in cards)


def _rate_in_thread(user_id, question_pk, rating, version, barrier, results):
    try:
        user = get_user_model().objects.get(pk=user_id)
        barrier.wait(timeout=10)
        results.append(services.rate_question(user, question_pk, rating, version=version))
    except services.StaleCard:
        results.append("stale")
    except Exception as error:  # noqa: BLE001 - reported by the test
        results.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rated_before", [False, True])
def test_two_tabs_rating_the_same_card_at_once(user, question, rated_before):
    """Two requests rate the same card concurrently, its first rating (no row yet) or a later one:
    one statement each, checked against the version both forms carry, so one writes and one is stale."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers on the whole database and has no row locks (SELECT … FOR UPDATE)")
    version = 0
    if rated_before:
        version = services.rate_question(user, question.pk, 3, version=0).card.version
    barrier = threading.Barrier(2)
    results: list = []
    threads = [
        threading.Thread(target=_rate_in_thread, args=(user.pk, question.pk, rating, version, barrier, results))
        for rating in (4, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and results.count("stale") == 1, results
    (log,) = [r for r in results if r != "stale"]
    assert isinstance(log, ReviewLog)
    assert ReviewLog.objects.count() == 1 + rated_before
    card = Card.objects.get()
    assert card.version == version + 1
    assert (card.state, card.stability, card.due) == (log.state_after, log.stability_after, log.due_after)


@pytest.mark.django_db
def test_time_zone_cookie_sets_default_time_zone(signed_in, user, question):
    signed_in.cookies["tz"] = "America/Sao_Paulo"
    response = signed_in.get(REVIEW)
    assert response.context["review_settings"].time_zone == "America/Sao_Paulo"
    assert not ReviewSettings.objects.exists()  # a GET writes nothing
    card = current_card(response)
    signed_in.post(rate_url(card), {"rating": 3, "version": 0})
    assert ReviewSettings.objects.get(user=user).time_zone == "America/Sao_Paulo"
