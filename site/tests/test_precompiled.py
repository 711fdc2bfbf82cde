"""prepsite.precompiled runs the ORM's statement with each call's ids, and gives what the ORM gives."""

import pytest

from prepsite import precompiled
from questions.models import Question


def _by_set(set_id):
    return Question.objects.filter(category__question_set_id=set_id).order_by("pk").values("pk", "updated_at")


@pytest.mark.django_db
def test_each_call_gets_its_own_rows(make_question, make_set):
    first = make_question("One", category__title="A")
    other_set = make_set("Other")
    second = make_question("Two", category__title="B", question_set=other_set)
    for question_set_id in (first.category.question_set_id, other_set.pk, 10**9):
        assert precompiled.run("test-by-set", _by_set, question_set_id) == list(_by_set(question_set_id))
    assert precompiled.run("test-by-set", _by_set, other_set.pk) == [{"pk": second.pk, "updated_at": second.updated_at}]


def _updated_before(set_id, at, day):
    from progress.models import Interview

    interviews = Interview.objects.filter(on__gte=day).values("pk")
    return (Question.objects.filter(category__question_set_id=set_id, updated_at__lt=at)
            .exclude(pk__in=interviews).order_by("pk").values("pk"))


@pytest.mark.django_db
def test_datetimes_and_dates_take_their_stand_ins_places(make_question, user):
    from datetime import date, timedelta

    from django.utils import timezone

    from progress.models import Interview

    first = make_question("One", category__title="A")
    Interview.objects.create(user=user, on=date(2030, 1, 1))
    set_id = first.category.question_set_id
    for at in (first.updated_at - timedelta(microseconds=1), first.updated_at + timedelta(microseconds=1),
               timezone.now() + timedelta(days=1)):
        for day in (date(2029, 12, 31), date(2030, 1, 2)):
            assert precompiled.run("test-before", _updated_before, set_id, at, day) == list(_updated_before(set_id, at, day))
