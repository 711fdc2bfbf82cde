"""What the quiz start form reads from the content, cached per content version (an import or an edit moves it),
and quizzes' part of a user's progress version (the dashboard lists recent results)."""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from questions.caching import content_cached
from questions.models import QuestionSet

from .kinds import unavailable
from .models import Attempt


def first_set() -> QuestionSet | None:
    """The set the form offers first."""
    return content_cached("quiz-first-set", (), lambda: QuestionSet.objects.order_by("title").first())


def unavailable_kinds(question_set: QuestionSet, category_ids=()) -> dict[str, str]:
    return content_cached("quiz-unavailable", (question_set.pk, sorted(category_ids)),
                          lambda: unavailable(question_set, category_ids))


def attempts_version(now) -> dict:
    """Quizzes' part of the user's progress version (progress.caching.register_version_part), for the
    dashboard's recent results: a new, finished, timed-out (by `now`) or deleted attempt moves it."""
    attempts = Attempt.objects.filter(user_id=OuterRef("pk")).order_by().values("user_id")

    def of(aggregate):
        return Coalesce(Subquery(attempts.annotate(v=aggregate).values("v")), 0)

    return {
        "n": of(Count("*")), "last_pk": of(Max("pk")),
        "finished": of(Count("pk", filter=Q(finished_at__isnull=False))),
        "closed": of(Count("pk", filter=Q(finished_at__isnull=False) | Q(deadline__lte=now))),
    }
