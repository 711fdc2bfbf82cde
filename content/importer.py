"""A parsed question rendered to the HTML that is stored (pure: the database side is questions.importing)."""

from __future__ import annotations

from .document import CODE_MARK_RE, QuestionDoc
from .render import Renderer, example_figure, highlight, placeholder


def render_question(question: QuestionDoc, renderer: Renderer) -> tuple[str, list[str]]:
    """The answer's HTML, and each example's highlighted HTML, in order."""
    highlighted = [highlight(e.code, e.language) for e in question.examples]
    figures = [example_figure(i, e.language, h) for i, (e, h) in enumerate(zip(question.examples, highlighted))]
    template = CODE_MARK_RE.sub(lambda m: m.group(1) + placeholder(int(m.group(2))), question.answer_md)
    return renderer.answer(template, figures), highlighted
