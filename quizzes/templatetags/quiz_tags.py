"""Quiz helpers for templates: durations, the score sparkline, recent results.

Inline code in titles comes from questions' `{% load study %}`."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from quizzes.models import recent_attempts

register = template.Library()


@register.filter
def mmss(value) -> str:
    """Milliseconds or a timedelta as m:ss."""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
    else:
        seconds = -(-int(value or 0) // 1000)
    seconds = max(0, seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.simple_tag
def quiz_nav(nav: list[dict]):
    """The item buttons of a quiz; built here because a 50-item loop in the template costs
    more than the rest of the answer's rendering."""
    return format_html_join(
        "\n", '<li class="list-inline-item mb-1"><a class="btn btn-sm {}" href="{}" hx-get="{}"{}>{}<span class="visually-hidden">{}</span></a></li>',
        (
            (
                "btn-primary" if it["current"] else "btn-secondary" if it["answered"] else "btn-outline-secondary",
                it["url"], it["url"], mark_safe(' aria-current="step"') if it["current"] else "",
                it["number"], " (answered)" if it["answered"] else "",
            )
            for it in nav
        ),
    )


@register.simple_tag
def sparkline(attempts, width: int = 240, height: int = 48):
    """A server-rendered SVG line of the attempts' scores (oldest first), with a text alternative."""
    scores = [a.score_percent for a in attempts if a.score_percent is not None]
    if not scores:
        return ""
    summary = ", ".join(f"{s}%" for s in scores)
    if len(scores) > 1:
        change = scores[-1] - scores[0]
        trend = "improving" if change > 0 else "falling" if change < 0 else "steady"
        label = f"Scores of your last {len(scores)} quizzes, oldest first: {summary}; {trend} ({change:+d} points)."
    else:
        label = f"Score of your only finished quiz: {summary}."
    pad = 4
    step = (width - 2 * pad) / max(len(scores) - 1, 1)
    points = [
        (pad + i * step, pad + (height - 2 * pad) * (1 - s / 100)) for i, s in enumerate(scores)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>' for x, y in points)
    return format_html(
        '<figure class="quiz-trend mb-3"><svg role="img" aria-labelledby="trend-title" width="{}" height="{}" '
        'viewBox="0 0 {} {}" class="text-primary"><title id="trend-title">{}</title>'
        '<line x1="0" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-opacity=".2" stroke-dasharray="3 3"/>'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{}"/>'
        '<g fill="currentColor">{}</g></svg>'
        '<figcaption class="small text-body-secondary">{}</figcaption></figure>',
        width, height, width, height, label, width, height / 2, height / 2, path, mark_safe(dots), label,
    )


@register.inclusion_tag("quizzes/partials/recent_results.html", takes_context=True)
def recent_quiz_results(context, limit: int = 5):
    attempts = context.get("recent_attempts")  # the view read them (its page cache keys on them)
    if attempts is None:
        request = context.get("request")
        user = getattr(request, "user", None) or context.get("user")
        attempts = recent_attempts(user, limit) if user is not None and user.is_authenticated else []
    return {"attempts": attempts, "trend": list(reversed(attempts))}
