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
