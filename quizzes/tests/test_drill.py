"""The answer-out-loud drill: starting it, the reveal, the rating rule, saving into the schedule, the summary."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from content.parser import parse
from progress.models import Card, Rating, ReviewLog
from questions.models import KeyPoints, Question, QuestionSet
from quizzes import drill as drills
from quizzes.models import Drill, DrillStep

ANSWER = "- Rows are fetched lazily\n- Filters chain without a query\n- Slicing adds LIMIT\n- len() evaluates the queryset\n- Caching keeps the rows"
HTMX = {"HX-Request": "true", "HX-Target": "drill-step"}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the dashboard caches per user id, and ids repeat between tests on SQLite
    yield
    cache.clear()


@pytest.fixture
def three(make_question):
    return [make_question(f"Question about querysets {n}", category__title="ORM", answer_md=ANSWER) for n in range(3)]


def start_drill(client, **scope) -> Drill:
    response = client.post(reverse("drill:start"), {"minutes": 2, "count": 5, **scope})
    assert response.status_code == 302, response.content[:500]
    return Drill.objects.latest("pk")


@pytest.mark.parametrize(("covered", "total", "seconds_used", "expected"), [
    (1, 5, 30, Rating.AGAIN),   # 20 %
    (2, 5, 30, Rating.HARD),    # 40 %
    (3, 5, 30, Rating.HARD),    # 60 %
    (4, 5, 30, Rating.GOOD),    # 80 %
    (9, 10, 30, Rating.EASY),   # 90 % within time
    (9, 10, 150, Rating.GOOD),  # 90 % over time
    (0, 0, 30, Rating.GOOD),    # nothing to tick, in time
    (0, 0, 150, Rating.HARD),
])
def test_rating_rule(covered, total, seconds_used, expected):
    assert drills.suggest_rating(covered, total, seconds_used * 1000, 120) == expected


def test_start_page_writes_nothing_and_post_creates_the_drill(signed_in, three, django_assert_max_num_queries):
    category = three[0].category
    with django_assert_max_num_queries(5):
        page = signed_in.get(reverse("drill:start"), {"category": category.pk})
    assert page.status_code == 200 and b"Start the drill" in page.content
    assert not Drill.objects.exists()
    drill = start_drill(signed_in, category=category.pk)
    assert drill.seconds == 120 and drill.title.endswith("ORM")
    assert [s.question_id for s in drill.steps.order_by("position")] == [q.pk for q in three]
    assert drill.steps.get(position=0).started_at == drill.created_at
    assert not drill.steps.filter(position__gt=0, started_at__isnull=False).exists()


def test_start_from_question_set_and_due_cards(signed_in, user, three):
    assert start_drill(signed_in, question=three[1].pk).steps.get().question_id == three[1].pk
    assert start_drill(signed_in, set=three[0].category.question_set.slug).steps.count() == 3
    # Nothing is due yet: the page says so and a POST creates nothing.
    assert b"nothing to drill" in signed_in.get(reverse("drill:start"), {"due": "1"}).content
    assert signed_in.post(reverse("drill:start"), {"due": "1", "minutes": 1, "count": 3}).status_code == 422
    Card.objects.create(user=user, question=three[2], due=drill_now() - timedelta(hours=1),
                        last_review=drill_now() - timedelta(days=2), state=2, stability=1, difficulty=5)
    due = start_drill(signed_in, due="1")
    assert [s.question_id for s in due.steps.all()] == [three[2].pk] and due.title == "Due for review"
    Card.objects.create(user=user, question=three[0], due=drill_now() - timedelta(days=3),
                        last_review=drill_now() - timedelta(days=5), state=2, stability=1, difficulty=5)
    assert [s.question_id for s in start_drill(signed_in, due="1").steps.all()] == [three[0].pk, three[2].pk]


def drill_now():
    from progress.services import utc_now
    return utc_now()


@pytest.mark.parametrize("query", [{"question": "999999"}, {"category": "999999"}, {"set": "no-such-set"},
                                   {"category": "²"}, {"question": "9" * 25}, {}])
def test_unknown_scope_is_404(signed_in, three, query):
    assert signed_in.get(reverse("drill:start"), query).status_code == 404
    assert signed_in.post(reverse("drill:start"), {**query, "minutes": 2, "count": 5}).status_code == 404


@pytest.mark.parametrize("bad", [{"minutes": "9"}, {"count": "4"}, {"minutes": "x"}])
def test_bad_settings_are_422(signed_in, three, bad):
    response = signed_in.post(reverse("drill:start"), {"category": three[0].category.pk, "minutes": 2, "count": 5, **bad})
    assert response.status_code == 422 and not Drill.objects.exists()


def test_a_drill_step_by_step(signed_in, user, three, django_assert_max_num_queries):
    drill = start_drill(signed_in, category=three[0].category.pk)
    url = reverse("drill:step", args=[drill.pk])
    with django_assert_max_num_queries(6):
        page = signed_in.get(url)
    assert b"Question 1 of 3" in page.content and b"Time spent: 0:00 of 2:00" in page.content
    assert b"Rows are fetched lazily" not in page.content
    with django_assert_max_num_queries(7):
        reveal = signed_in.get(url, {"reveal": "1"})
    html = reveal.content.decode()
    assert "Rows are fetched lazily" in html and drills.RULE.replace("'", "&#x27;") in html
    assert 'data-key="1"' in html and "Suggested: <strong data-suggestion>Again</strong>" in html
    assert not ReviewLog.objects.exists()

    # Four of five points within the time: Good is suggested and saved with source "drill".
    save = reverse("drill:save", args=[drill.pk, 1])
    response = signed_in.post(save, {"covered": ["0", "1", "2", "3"], "rating": "auto", "duration_ms": "40000"})
    assert response.status_code == 302 and response.url == url
    log = ReviewLog.objects.get()
    assert (log.card.question_id, log.rating, log.source) == (three[0].pk, Rating.GOOD, "drill")
    first = drill.steps.get(position=0)
    assert first.covered == [0, 1, 2, 3] and first.missed == ["Caching keeps the rows"] and first.rating == Rating.GOOD
    assert drill.steps.get(position=1).started_at == first.saved_at

    # The user's own choice wins over the suggestion.
    signed_in.post(reverse("drill:save", args=[drill.pk, 2]), {"covered": ["0"], "rating": "4", "duration_ms": "1"})
    assert ReviewLog.objects.latest("pk").rating == Rating.EASY
    last = signed_in.post(reverse("drill:save", args=[drill.pk, 3]), {"rating": "auto"})
    assert last.url == reverse("drill:summary", args=[drill.pk])
    assert ReviewLog.objects.latest("pk").rating == Rating.AGAIN
    drill.refresh_from_db()
    assert drill.finished_at is not None
    assert signed_in.get(url).url == last.url

    with django_assert_max_num_queries(6):
        summary = signed_in.get(last.url)
    html = summary.content.decode()
    assert "3 questions answered" in html
    assert "Caching keeps the rows" in html and three[0].get_absolute_url() in html
    assert "missed 3 times" not in html  # each question was drilled once


def test_a_replayed_save_rates_once(signed_in, three):
    drill = start_drill(signed_in, question=three[0].pk)
    save = reverse("drill:save", args=[drill.pk, 1])
    signed_in.post(save, {"covered": ["0"], "rating": "3"})
    again = signed_in.post(save, {"covered": ["0"], "rating": "3"}, follow=True)
    assert again.status_code == 200 and b"already saved" in again.content
    assert ReviewLog.objects.count() == 1


def test_check_shows_the_suggestion_without_saving(signed_in, three):
    drill = start_drill(signed_in, question=three[0].pk)
    response = signed_in.post(reverse("drill:save", args=[drill.pk, 1]),
                              {"covered": ["0", "1", "2", "3", "4"], "rating": "auto", "action": "check"})
    assert response.status_code == 200
    assert b"Suggested: <strong data-suggestion>Easy</strong>" in response.content
    assert not ReviewLog.objects.exists() and not DrillStep.objects.filter(saved_at__isnull=False).exists()


def test_htmx_reveal_and_save_swap_the_step(signed_in, three):
    drill = start_drill(signed_in, category=three[0].category.pk)
    reveal = signed_in.get(reverse("drill:step", args=[drill.pk]), {"reveal": "1"}, headers=HTMX)
    assert reveal.status_code == 200 and b"<html" not in reveal.content and b'id="drill-step"' in reveal.content
    saved = signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["0"], "rating": "auto"}, headers=HTMX)
    assert saved.status_code == 200 and b"<html" not in saved.content and b"Question 2 of 3" in saved.content
    bad = signed_in.post(reverse("drill:save", args=[drill.pk, 2]), {"covered": ["42"]}, headers=HTMX)
    assert bad.status_code == 422 and b"<html" not in bad.content and b"not one of this question" in bad.content


@pytest.mark.parametrize("bad", [{"covered": ["5"]}, {"covered": ["x"]}, {"rating": "7"}, {"duration_ms": "-1"},
                                 {"duration_ms": "１２"}, {"action": "delete"}])
def test_bad_step_input_is_422(signed_in, three, bad):
    drill = start_drill(signed_in, question=three[0].pk)
    response = signed_in.post(reverse("drill:save", args=[drill.pk, 1]), bad)
    assert response.status_code == 422 and not ReviewLog.objects.exists()
    assert signed_in.get(reverse("drill:step", args=[drill.pk]), {"reveal": "1", **bad}).status_code == 400


def test_foreign_and_unknown_drills_are_404(signed_in, client, three, other_user):
    drill = start_drill(signed_in, category=three[0].category.pk)
    client.force_login(other_user)
    for url in (reverse("drill:step", args=[drill.pk]), reverse("drill:summary", args=[drill.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("drill:save", args=[drill.pk, 1]), {"rating": "3"}).status_code == 404
    client.force_login(drill.user)
    assert client.post(reverse("drill:save", args=[drill.pk, 9]), {"rating": "3"}).status_code == 404
    assert client.post(reverse("drill:save", args=[drill.pk, 3]), {"rating": "3"}).status_code == 404
    assert client.get(reverse("drill:step", args=[drill.pk + 1000])).status_code == 404
    assert not ReviewLog.objects.exists()


def test_anonymous_visitors_sign_in_first(client, three):
    response = client.get(reverse("drill:start"), {"question": three[0].pk})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_points_missed_most_come_first(signed_in, three):
    drill = start_drill(signed_in, question=three[1].pk)
    signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["0", "1", "2", "3"], "rating": "3"})
    drill = start_drill(signed_in, question=three[1].pk)  # misses the fourth point once, the fifth again
    signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["0", "1", "2"], "rating": "3"})
    html = signed_in.get(reverse("drill:summary", args=[drill.pk])).content.decode()
    section = html[html.index('id="missed-title"'):html.index("</section>", html.index('id="missed-title"'))]
    first, second = re.findall(r"<li>(.*?)</li>", section, re.S)  # the twice-missed first, not in the answer's order
    assert first.startswith("Caching keeps the rows") and "missed 2 times in your drills" in first
    assert second.startswith("len() evaluates the queryset") and "missed" not in second


def test_code_only_answers_use_their_comments(signed_in, make_question):
    code = "# select_related: SQL JOIN for ForeignKey/OneToOne\nbooks = Book.objects.select_related('author')\n"
    question = make_question("select_related vs prefetch_related", examples=[code])
    drill = start_drill(signed_in, question=question.pk)
    reveal = signed_in.get(reverse("drill:step", args=[drill.pk]), {"reveal": "1"})
    assert b"select_related: SQL JOIN for ForeignKey/OneToOne" in reveal.content


DOC = """# Drill Set

## Basics

### 1. What is a queryset?
A lazy collection of rows from the database that you narrow with filters.

- Rows are fetched lazily
- Filters chain without a query
- Slicing adds LIMIT
"""


def test_edited_key_points_replace_the_generated_ones_and_survive_reimport(signed_in):
    report = QuestionSet.objects.sync(parse(DOC.encode(), "drill.md"))
    question = Question.objects.get(category__question_set_id=report.question_set_id)
    KeyPoints.objects.create(question=question, text="Querysets are lazy\n\n  Evaluation happens on iteration  \n")
    QuestionSet.objects.sync(parse(DOC.replace("Slicing adds LIMIT", "Slicing adds LIMIT and OFFSET").encode(), "drill.md"))
    assert Question.objects.get(pk=question.pk).answer_md.count("OFFSET") == 1  # same row, new text
    drill = start_drill(signed_in, question=question.pk)
    html = signed_in.get(reverse("drill:step", args=[drill.pk]), {"reveal": "1"}).content.decode()
    assert "Evaluation happens on iteration" in html and 'id="point-1"' in html and 'id="point-2"' not in html
    signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["1"], "rating": "auto"})
    assert drill.steps.get().points == ["Querysets are lazy", "Evaluation happens on iteration"]


def test_a_drill_rating_moves_the_cached_dashboard(signed_in, three):
    drill = start_drill(signed_in, question=three[0].pk)
    assert signed_in.get(reverse("progress:dashboard")).context["reviews_today"] == 0  # now cached
    signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["0"], "rating": "3"})
    assert signed_in.get(reverse("progress:dashboard")).context["reviews_today"] == 1


def test_huge_ids_in_the_path_are_404(signed_in, three):
    drill = start_drill(signed_in, question=three[0].pk)
    huge = "9" * 40
    assert signed_in.get(f"/drill/{huge}/").status_code == 404
    assert signed_in.get(f"/drill/{huge}/summary/").status_code == 404
    assert signed_in.post(f"/drill/{drill.pk}/steps/{huge}/", {"rating": "3"}).status_code == 404
    assert signed_in.post(f"/drill/{drill.pk}/steps/0/", {"rating": "3"}).status_code == 404


def test_a_question_archived_during_the_drill_is_saved_but_not_rated(signed_in, three):
    drill = start_drill(signed_in, category=three[0].category.pk)
    Question.objects.filter(pk=three[0].pk).update(archived=True)
    response = signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"covered": ["0"], "rating": "3"})
    assert response.status_code == 302 and drill.steps.get(position=0).rating == Rating.GOOD
    assert not ReviewLog.objects.exists()


def test_quiz_history_lists_recent_drills(signed_in, three, django_assert_max_num_queries):
    drill = start_drill(signed_in, category=three[0].category.pk)
    signed_in.post(reverse("drill:save", args=[drill.pk, 1]), {"rating": "3"})
    with django_assert_max_num_queries(8):
        html = signed_in.get(reverse("quizzes:history")).content.decode()
    assert reverse("drill:step", args=[drill.pk]) in html and "1 of 3 answered: continue" in html
