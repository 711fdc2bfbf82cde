import pytest

from questions.models import Category


@pytest.fixture
def question(seed_set):
    category = Category.objects.listed().filter(question_set=seed_set).order_by("position").first()
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
