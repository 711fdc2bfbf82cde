"""prepsite.precompiled runs the ORM's statement with each call's ids, and gives what the ORM gives."""

import os
from unittest.mock import ANY

import pytest
from django.db import DatabaseError, DataError, connection
from django.db.models import F, Value
from django.db.models.functions import Left
from django.test.utils import CaptureQueriesContext

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


postgresql_only = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                                     reason="statements are prepared on PostgreSQL only")


def _share(question_id):
    # 100 / (pk - id): a division by zero when run for the question's own id, at EXECUTE, not at PREPARE
    return Question.objects.filter(pk__gte=0).order_by("pk").annotate(
        share=Value(100) / (F("pk") - Value(question_id))).values("pk", "share")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_per_connection_then_executed(make_question):
    question = make_question("One")
    connection.close()
    with CaptureQueriesContext(connection) as captured:
        for _ in range(3):
            assert precompiled.run("test-by-set", _by_set, question.category.question_set_id) == [
                {"pk": question.pk, "updated_at": question.updated_at}]
    first, *rest = [q["sql"] for q in captured]
    assert first.startswith("PREPARE precompiled_") and " AS SELECT " in first
    assert len(rest) == 2 and all(sql.startswith("EXECUTE precompiled_") for sql in rest)
    assert precompiled.statement_sql(rest[0]) == precompiled.statement_sql(first) != first
    assert precompiled.statement_sql(rest[0]).startswith("SELECT ")
    connection.close()  # a new connection has no prepared statements: the next call prepares again
    with CaptureQueriesContext(connection) as captured:
        precompiled.run("test-by-set", _by_set, question.category.question_set_id)
    assert captured.captured_queries[0]["sql"].startswith("PREPARE ")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_first_call_that_fails_leaves_the_next_calls_working(make_question):
    question = make_question("One")
    connection.close()
    with pytest.raises(DataError):  # division by zero: PREPARE took, EXECUTE failed
        precompiled.run("test-share", _share, question.pk)
    for _ in range(2):
        assert precompiled.run("test-share", _share, question.pk + 1) == list(_share(question.pk + 1))


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_that_stops_working_is_prepared_again(make_question):
    question = make_question("One")
    set_id = question.category.question_set_id
    precompiled.run("test-by-set", _by_set, set_id)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as if a migration had changed what the statement reads
    with pytest.raises(DatabaseError):
        precompiled.run("test-by-set", _by_set, set_id)
    with CaptureQueriesContext(connection) as captured:
        assert precompiled.run("test-by-set", _by_set, set_id) == list(_by_set(set_id))
    assert captured.captured_queries[0]["sql"].startswith("PREPARE ")


def _starts(length):
    # LEFT(text, integer): no LEFT(varchar, bigint), so the guessed bigint cannot be prepared
    return Question.objects.order_by("pk").annotate(start=Left("title", Value(length))).values("pk", "start")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_server_cannot_prepare_runs_unprepared(make_question):
    make_question("Question one")
    assert precompiled.run("test-starts", _starts, 4) == list(_starts(4)) == [{"pk": ANY, "start": "Ques"}]
    with CaptureQueriesContext(connection) as captured:
        assert precompiled.run("test-starts", _starts, 8) == [{"pk": ANY, "start": "Question"}]
    assert captured.captured_queries[0]["sql"].startswith("SELECT ")
