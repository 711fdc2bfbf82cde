import pytest
from django.utils import timezone

from questions import caching
from questions.models import Category, Question


@pytest.fixture
def question(tiny_set):
    category = Category.objects.listed().filter(question_set=tiny_set).order_by("position").first()
    return category.questions.listed().with_category()[1]


@pytest.mark.django_db
def test_unknown_query_parameters_hit_the_anonymous_cache(client, question, django_assert_max_num_queries):
    url = question.get_absolute_url()
    first = client.get(url)
    with django_assert_max_num_queries(0):
        tracked = client.get(url, {"utm_source": "x", "fbclid": "abc"})
    assert tracked.status_code == 200 and tracked.content == first.content


@pytest.mark.django_db
def test_known_query_parameters_stay_distinct(client, question):
    url = question.get_absolute_url()
    plain = client.get(url)
    study = client.get(url, {"study": "1", "utm_source": "x"})
    assert study.content != plain.content
    assert client.get(url, {"utm_source": "y", "study": "1"}).content == study.content
    assert client.get("/search/", {"q": "middleware"}).content != client.get("/search/", {"q": "orm"}).content


@pytest.mark.django_db
def test_signed_in_question_page_shows_a_bookmark_and_a_note_at_once(signed_in, question, django_assert_max_num_queries):
    url = question.get_absolute_url()
    assert "☆ Bookmark" in signed_in.get(url).content.decode()
    with django_assert_max_num_queries(3):  # session, user, the reader's status and note
        signed_in.get(url)
    signed_in.post(f"/questions/{question.pk}/bookmark/")
    signed_in.post(f"/questions/{question.pk}/note/", {"text": "My own words"})
    html = signed_in.get(url).content.decode()
    assert "★ Bookmarked" in html and "My own words" in html


@pytest.mark.django_db
def test_signed_in_question_page_follows_an_admin_edit(signed_in, question, monkeypatch):
    url = question.get_absolute_url()
    signed_in.get(url)
    Question.objects.filter(pk=question.pk).update(answer_html="<p>Edited answer</p>", updated_at=timezone.now())
    monkeypatch.setattr(caching, "_version", None)  # another worker's edit, seen after the memo's seconds
    assert "Edited answer" in signed_in.get(url).content.decode()


@pytest.mark.django_db
def test_signed_in_question_page_shows_a_rating_at_once(signed_in, question):
    url = question.get_absolute_url()
    assert signed_in.get(url).status_code == 200
    signed_in.post(f"/review/questions/{question.pk}/rate/", {"rating": 3, "version": 0})
    response = signed_in.get(url)
    assert response.status_code == 200 and "status-learning" in response.content.decode()


@pytest.mark.django_db
def test_content_cached_values_follow_the_content_version(question, monkeypatch):
    from django.utils import timezone

    from questions import caching
    from questions.models import Question

    def title():
        return Question.objects.get(pk=question.pk).title

    assert caching.content_cached("test-title", question.pk, title) == question.title
    Question.objects.filter(pk=question.pk).update(title="Edited elsewhere", updated_at=timezone.now())
    assert caching.content_cached("test-title", question.pk, title) == question.title  # the memo's seconds
    monkeypatch.setattr(caching, "_version", None)  # another worker's edit, seen after them
    assert caching.content_cached("test-title", question.pk, title) == "Edited elsewhere"


@pytest.mark.django_db
def test_a_readers_status_stays_off_the_shared_question(signed_in, question):
    signed_in.post(f"/review/questions/{question.pk}/rate/", {"rating": 3, "version": 0})
    assert "status-learning" in signed_in.get(question.get_absolute_url()).content.decode()
    shared, _ = caching_shared(question)
    assert not hasattr(shared, "card_state")


def caching_shared(question):
    from questions.caching import shared_question

    return shared_question(question.category.question_set.slug, question.category.slug, question.slug,
                           lambda: pytest.fail("built again"))


@pytest.mark.django_db
def test_reader_state_matches_the_orm_for_each_reader(signed_in, user, other_user, question):
    from questions.models import READER_FIELDS, Question

    signed_in.post(f"/questions/{question.pk}/bookmark/")
    signed_in.post(f"/questions/{question.pk}/note/", {"text": "Mine"})
    signed_in.post(f"/review/questions/{question.pk}/rate/", {"rating": 3, "version": 0})
    for reader in (user, other_user):
        orm = Question.objects.filter(pk=question.pk).with_study_status(reader).with_note(reader).values(*READER_FIELDS).get()
        assert Question.objects.reader_state(reader, question.pk) == orm
    assert Question.objects.reader_state(user, question.pk)["note_text"] == "Mine"
    assert Question.objects.reader_state(other_user, question.pk)["note_id"] is None
    with pytest.raises(Question.DoesNotExist):
        Question.objects.reader_state(user, 10**9)
