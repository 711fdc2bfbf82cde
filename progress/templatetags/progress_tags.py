"""Review summary for other apps' pages, and small formatting filters."""

from django import template

from ..models import Card
from ..queue import Scope, due_counts
from ..services import interviews_for, settings_for, utc_now
from ..stats import interview_figures

register = template.Library()


@register.inclusion_tag("progress/partials/review_summary.html", takes_context=True)
def review_summary(context):
    """Due counts (new / learning / review, new ones per an applied plan), the nearest interview date
    with its countdown and readiness, and a way into the review session. Never cached: it is per user."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    review_settings = settings_for(user, request.COOKIES.get("tz", ""))
    now = utc_now()
    upcoming, _ = interviews_for(user, review_settings.local_day(now))
    # the plan the review queue follows (see queue.active_plan), found among the rows already read
    plan = next((interview for interview in upcoming if interview.has_plan), None)
    counts = due_counts(user, review_settings, Scope(), now, plan)
    nearest = interview_figures(user, review_settings, upcoming[:1], now)
    return {"signed_in": True, "counts": counts, "interview": nearest[0] if nearest else None}


@register.inclusion_tag("progress/partials/flashcard_rating.html", takes_context=True)
def flashcard_rating(context, question, next_url):
    """Again/Hard/Good/Easy under a revealed flashcard, for a signed-in user; the version guards a replayed post."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    version = Card.objects.filter(user=user, question=question).values_list("version", flat=True).first()
    return {"signed_in": True, "request": request, "question": question, "next_url": next_url,
            "version": version or 0, "csrf_token": context.get("csrf_token")}


@register.filter
def percent(value: float) -> str:
    return f"{round(value * 100)}%"
