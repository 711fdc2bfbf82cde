"""What the quiz start form reads from the content, cached per content version (an import or an edit moves it)."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from prepsite import precompiled
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


def _attempts_query(user_id: int, now):
    return (Attempt.objects.filter(user_id=user_id).order_by().values("user_id")
            .annotate(n=Count("*"), last_pk=Max("pk"), last_finished=Max("finished_at"),
                      finished=Count("pk", filter=Q(finished_at__isnull=False)),
                      closed=Count("pk", filter=Q(finished_at__isnull=False) | Q(deadline__lte=now))))


def attempts_version(user, now) -> tuple:
    """Progress' share of the dashboard's key (progress.caching.register_version_part): a new, finished,
    timed-out (by `now`) or deleted attempt moves it. One precompiled query."""
    rows = precompiled.run("quiz-attempts-version", _attempts_query, user.pk, now)
    return tuple(rows[0].values()) if rows else ()
