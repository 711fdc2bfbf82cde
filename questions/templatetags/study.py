"""Template helpers for the study pages."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_TICKS = re.compile(r"`([^`]+)`")


@register.filter
def inline_code(text: str) -> str:
    """Escape a plain-text title and show its `backticked` parts as code."""
    return mark_safe(_TICKS.sub(r"<code>\1</code>", escape(text)))
