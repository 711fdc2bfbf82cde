"""The start form's fields are rendered once per content version; nothing user-made is cached."""

import pytest
from django.utils import timezone

from questions import caching
from questions.models import Category


@pytest.mark.django_db
def test_start_form_fields_follow_an_admin_edit(signed_in, tiny_set, monkeypatch):
    category = Category.objects.filter(question_set=tiny_set).order_by("position").first()
    assert category.title in signed_in.get("/quizzes/").content.decode()
    Category.objects.filter(pk=category.pk).update(title="Renamed in the admin", updated_at=timezone.now())
    assert category.title in signed_in.get("/quizzes/").content.decode()  # the version is memoised a moment
    monkeypatch.setattr(caching, "_version", None)  # the memo's seconds have passed
    assert "Renamed in the admin" in signed_in.get("/quizzes/").content.decode()


@pytest.mark.django_db
def test_bound_form_is_never_served_from_the_cache(signed_in, tiny_set):
    plain = signed_in.get("/quizzes/").content.decode()
    bad = signed_in.post("/quizzes/", {"question_set": tiny_set.pk, "count": 999, "seconds_per_item": 60,
                                       "kinds": ["cloze"], "feedback": "immediate"})
    assert bad.status_code == 422 and 'value="999"' in bad.content.decode()
    again = signed_in.get("/quizzes/").content.decode()
    assert 'value="999"' not in again and again.count('name="count"') == plain.count('name="count"')


@pytest.mark.django_db
def test_unavailable_item_types_follow_a_supplement_import(signed_in, seed_set, monkeypatch, django_assert_max_num_queries):
    from quizzes.tests.conftest import SUPPLEMENT
    from questions.supplement import apply_supplement

    assert "Multiple choice (unavailable" in signed_in.get("/quizzes/").content.decode()
    apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    monkeypatch.setattr(caching, "_version", None)  # another worker's import, seen after the memo's seconds
    assert "Multiple choice (unavailable" not in signed_in.get("/quizzes/").content.decode()


@pytest.mark.django_db
def test_start_page_reads_no_content_when_cached(signed_in, quiz_set, django_assert_max_num_queries):
    signed_in.get("/quizzes/")
    with django_assert_max_num_queries(3):  # the session, the user and their attempts
        assert signed_in.get("/quizzes/").status_code == 200
