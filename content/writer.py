"""Document → Markdown in the headings layout, so that `parse(write(doc))` reads the same document."""

from __future__ import annotations

import re

from .document import Document, QuestionDoc

_HEADING_LINE_RE = re.compile(r"^(#{1,6})(?=\s)", re.M)


def write(doc: Document) -> str:
    parts: list[str] = []
    meta = [f"{key}: {value}" for key, value in (("source", doc.source_url), ("license", doc.license)) if value]
    if meta:
        parts.append("---\n" + "\n".join(meta) + "\n---")
    parts.append(f"# {doc.title}")
    if doc.intro_md:
        parts.append(doc.intro_md)
    for category in doc.categories:
        parts.append(f"## {category.title}")
        if category.intro_md:
            parts.append(category.intro_md)
        for question in category.questions:
            parts.append(_question(question))
    if doc.closing_md:
        parts.append("---")
        parts.append(doc.closing_md)
    return "\n\n".join(parts) + "\n"


def _question(question: QuestionDoc) -> str:
    title = question.title
    heading = f"### {question.number}. {title}" if question.number else f"### {_escape_number(title)}"
    parts = [heading]
    answer = question.source_md
    if answer:
        parts.append(_below_level_three(answer))
    if question.quiz_items:
        quiz = ["#### Quiz"]
        for item in question.quiz_items:
            lines = [item.prompt, ""] + [f"- [{'x' if c.correct else ' '}] {c.text}" for c in item.choices]
            if item.explanation:
                lines.append(f"\nExplanation: {item.explanation}")
            quiz.append("\n".join(lines))
        parts.append("\n\n".join(quiz))
    return "\n\n".join(parts)


def _escape_number(title: str) -> str:
    """A title that starts like a question number ("2024. …") keeps its digits as text."""
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", title)


def _below_level_three(answer: str) -> str:
    """Headings inside an answer go below the question's level, so they stay in the answer."""
    lines = answer.split("\n")
    headings, fence = [], ""
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = ""
            continue
        opening = re.match(r"(`{3,}|~{3,})", stripped)
        if opening:
            fence = opening.group(1)
        elif _HEADING_LINE_RE.match(line):
            headings.append(i)
    levels = [len(_HEADING_LINE_RE.match(lines[i]).group(1)) for i in headings]
    if not levels or min(levels) > 3:
        return answer
    shift = 4 - min(levels)
    for i in headings:
        lines[i] = _HEADING_LINE_RE.sub(lambda m: "#" * min(6, len(m.group(1)) + shift), lines[i], count=1)
    return "\n".join(lines)
