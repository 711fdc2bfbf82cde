"""What the quiz start form reads from the content, cached per content version (an import or an edit moves it)."""

from __future__ import annotations

from questions.caching import content_cached
from questions.models import QuestionSet

from .kinds import unavailable


def first_set() -> QuestionSet | None:
    """The set the form offers first."""
    return content_cached("quiz-first-set", (), lambda: QuestionSet.objects.order_by("title").first())


def unavailable_kinds(question_set: QuestionSet, category_ids=()) -> dict[str, str]:
    return content_cached("quiz-unavailable", (question_set.pk, sorted(category_ids)),
                          lambda: unavailable(question_set, category_ids))
