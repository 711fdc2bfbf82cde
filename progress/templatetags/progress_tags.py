"""Review summary for other apps' pages, and small formatting filters."""

from django import template

from ..queue import Scope, due_counts
from ..services import settings_for, utc_now

register = template.Library()


@register.inclusion_tag("progress/partials/review_summary.html", takes_context=True)
def review_summary(context):
    """Due counts (new / learning / review) and a way into the review session."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"signed_in": False}
    review_settings = settings_for(user, request.COOKIES.get("tz", ""))
    counts = due_counts(user, review_settings, Scope(), utc_now())
    return {"signed_in": True, "counts": counts}


@register.filter
def percent(value: float) -> str:
    return f"{round(value * 100)}%"
