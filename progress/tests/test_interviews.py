"""Interview dates: scope, target, readiness on the day, countdown, outcome, ownership."""

from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from progress import services
from progress.models import Card, Interview, Rating, ReviewSettings

URL = "/progress/interviews/"


def today():
    return datetime.now(timezone.utc).date()


def form(**overrides):
    data = {"title": "Acme onsite", "on": (today() + timedelta(days=10)).isoformat(), "scope": "all", "target": "0.9"}
    data.update(overrides)
    return data


def studied(user, question, days_ago=60) -> Card:
    """A card rated Good long ago, then on each due date since."""
    now = datetime.now(timezone.utc)
    card = Card(user=user, question=question, due=now)
    moment = now - timedelta(days=days_ago)
    card.review(Rating.GOOD, now=moment)
    while card.due < now - timedelta(days=1):
        card.review(Rating.GOOD, now=card.due)
    return card


def recall_on(card, day):
    at = datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    return fsrs.Scheduler(enable_fuzzing=False).get_card_retrievability(Card.objects.get(pk=card.pk).to_fsrs(), at)


@pytest.mark.django_db
def test_a_set_scoped_date_shows_days_left_and_readiness_over_its_set(signed_in, user, make_question, make_set):
    in_scope = [make_question(), make_question(), make_question()]
    other_set = make_set("Other set")
    outside = make_question(question_set=other_set, category__title="Elsewhere")
    card = studied(user, in_scope[0])
    studied(user, outside)  # outside the scope: does not count
    on = today() + timedelta(days=10)
    response = signed_in.post(URL, form(scope="set", question_set=in_scope[0].category.question_set_id, on=on.isoformat()))
    assert response.status_code == 302
    interview = Interview.objects.get(user=user)
    assert (interview.scope, interview.question_set_id, interview.target) == ("set", in_scope[0].category.question_set_id, 0.9)
    response = signed_in.get("/progress/")
    [item] = response.context["interviews"]
    assert item.days_left == 10 and item.total == 3
    assert item.readiness == pytest.approx(recall_on(card, on) / 3, rel=1e-9)
    html = response.content.decode()
    assert "10 days left" in html and "averaged over the 3 questions of Test set" in html
    # the summary's readiness is predicted for the nearest date too
    assert response.context["readiness_on"] == on


@pytest.mark.django_db
def test_a_category_scoped_date_counts_only_those_categories(signed_in, user, make_question):
    orm = [make_question(category__title="ORM") for _ in range(2)]
    views = make_question(category__title="Views")
    card = studied(user, orm[1])
    studied(user, views)
    on = today() + timedelta(days=3)
    response = signed_in.post(URL, form(scope="categories", categories=[orm[0].category_id], on=on.isoformat(), target="0.8"))
    assert response.status_code == 302
    [item] = signed_in.get("/progress/").context["interviews"]
    assert item.total == 2 and item.interview.target == 0.8
    assert item.readiness == pytest.approx(recall_on(card, on) / 2, rel=1e-9)


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, message", [
    ({"on": "2020-01-01"}, "cannot be in the past"),
    ({"on": "next tuesday"}, "YYYY-MM-DD"),
    ({"on": ""}, "Enter the date of the interview"),
    ({"scope": "set"}, "Choose the question set"),
    ({"scope": "set", "question_set": "99999"}, "does not exist"),
    ({"scope": "categories"}, "Choose at least one category"),
    ({"scope": "categories", "categories": ["abc"]}, "does not exist"),
    ({"scope": "galaxy"}, "Select a valid choice"),
    ({"target": "1.5"}, "at most 0.99"),
    ({"target": "lots"}, "such as 0.90"),
])
def test_bad_input_is_a_422_with_a_message(signed_in, user, make_question, overrides, message):
    make_question()
    response = signed_in.post(URL, form(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_someone_elses_interview_is_a_404(signed_in, other_user):
    theirs = Interview.objects.create(user=other_user, on=today() + timedelta(days=5))
    assert signed_in.get(f"{URL}{theirs.pk}/").status_code == 404
    assert signed_in.post(f"{URL}{theirs.pk}/", form()).status_code == 404
    assert signed_in.post(f"{URL}{theirs.pk}/delete/").status_code == 404
    assert signed_in.post(f"{URL}{theirs.pk}/outcome/", {f"i{theirs.pk}-outcome": "well"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "" and theirs.outcome == ""


@pytest.mark.django_db
def test_edit_and_delete(signed_in, user):
    interview = Interview.objects.create(user=user, on=today() + timedelta(days=5))
    assert signed_in.get(f"{URL}{interview.pk}/").status_code == 200
    assert signed_in.post(f"{URL}{interview.pk}/", form(title="Renamed", target="0.85")).status_code == 302
    interview.refresh_from_db()
    assert (interview.title, interview.target) == ("Renamed", 0.85)
    assert signed_in.post(f"{URL}{interview.pk}/delete/").status_code == 302
    assert not Interview.objects.exists()


@pytest.mark.django_db
def test_after_the_date_the_user_is_asked_how_it_went(signed_in, user):
    past = Interview.objects.create(user=user, title="Globex", on=today() - timedelta(days=2))
    page = signed_in.get("/progress/")
    assert "Globex was on" in page.content.decode() and "How did it go?" in page.content.decode()
    assert page.context["interviews"] == []  # no longer counted down
    bad = signed_in.post(f"{URL}{past.pk}/outcome/", {f"i{past.pk}-outcome": "stellar"})
    assert bad.status_code == 422 and "Choose one of the answers listed" in bad.content.decode()
    ok = signed_in.post(f"{URL}{past.pk}/outcome/", {f"i{past.pk}-outcome": "mixed", f"i{past.pk}-outcome_note": "Revise signals"})
    assert ok.status_code == 302
    past.refresh_from_db()
    assert (past.outcome, past.outcome_note) == ("mixed", "Revise signals") and past.outcome_at is not None
    assert "How did it go?" not in signed_in.get("/progress/").content.decode()
    assert "Some good, some bad — Revise signals" in signed_in.get(URL).content.decode()


@pytest.mark.django_db
def test_home_page_counts_down_to_the_nearest_date(signed_in, user, make_question, django_assert_max_num_queries):
    make_question()
    Interview.objects.create(user=user, title="Later", on=today() + timedelta(days=30))
    Interview.objects.create(user=user, title="Initech", on=today() + timedelta(days=4), target=0.8)
    with django_assert_max_num_queries(11):
        html = signed_in.get("/").content.decode()
    assert "Initech: in 4 days" in html and "of a 80% target" in html and "Later" not in html


@pytest.mark.django_db
def test_dashboard_and_interviews_page_query_counts(signed_in, user, make_question, django_assert_max_num_queries):
    questions = [make_question(category__title=f"C{i % 3}") for i in range(9)]
    for q in questions[:4]:
        services.record_quiz_answer(user, q, correct=True)
    for days in (3, 10, 20):
        interview = Interview.objects.create(user=user, on=today() + timedelta(days=days), scope="categories")
        interview.categories.set([questions[0].category, questions[1].category])
    Interview.objects.create(user=user, on=today() - timedelta(days=1))
    ReviewSettings.objects.get_or_create(user=user)
    with django_assert_max_num_queries(14):  # nothing cached yet: the figures are counted too
        response = signed_in.get("/progress/")
    assert len(response.context["interviews"]) == 3 and len(response.context["awaiting_outcome"]) == 1
    with django_assert_max_num_queries(5):  # the cached page: session, user, interviews and their categories, the version with the settings
        assert signed_in.get("/progress/").context is None
    with django_assert_max_num_queries(9):
        assert signed_in.get(URL).status_code == 200
