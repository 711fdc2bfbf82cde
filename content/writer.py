"""Document → Markdown in the headings layout, so that `parse(write(doc))` reads the same document.

The one writer: questions.exporters builds a Document from the rows and writes it here.
"""

from __future__ import annotations

import re

from .document import Document, QuestionDoc
from .parser.blocks import block_parser
from .parser.text import looks_like_question, split_number

_MD = block_parser()


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


def question_heading(number: str, title: str) -> str:
    """`### 12. Title`, the bare title when it reads as a question, else `### Q: Title`.

    The Q: keeps "Explain middleware" (or an empty question) a question rather than a
    category heading, and "404 handling?" from losing its digits; the parser drops it.
    """
    title = title.replace("\n", " ").strip()
    if number:
        return f"### {number}. {title}"
    if split_number(title) == ("", title) and looks_like_question(title):
        return f"### {title}"
    return f"### Q: {title}"


def _question(question: QuestionDoc) -> str:
    parts = [question_heading(question.number, question.title)]
    answer = question.source_md
    if answer:
        parts.append(below_question_level(answer))
    if question.quiz_items:
        quiz = ["#### Quiz"]
        for item in question.quiz_items:
            lines = [item.prompt.replace("\n", " "), ""] + [f"- [{'x' if c.correct else ' '}] {c.text}" for c in item.choices]
            if item.explanation:
                lines.append(f"\nExplanation: {item.explanation}")
            quiz.append("\n".join(lines))
        parts.append("\n\n".join(quiz))
    return "\n\n".join(parts)


def below_question_level(answer: str) -> str:
    """Headings inside an answer go below the question's level, so they stay in the answer.

    The headings are the ones CommonMark reads (indented in a list item too, not in code);
    setext headings become ATX ones. Answers render with their top heading at one level
    whatever it was, so the shift changes nothing on the page.
    """
    found = [(t.map, int(t.tag[1]), t.markup) for t in _MD.parse(answer) if t.type == "heading_open" and t.map]
    if not found or min(level for _, level, _ in found) > 3:
        return answer
    shift = 4 - min(level for _, level, _ in found)
    lines = answer.split("\n")
    for (start, end), level, markup in reversed(found):
        hashes = "#" * min(6, level + shift)
        if markup.startswith("#"):
            lines[start] = re.sub(r"^(\s*)#+", lambda m: m.group(1) + hashes, lines[start], count=1)
        else:
            indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
            text = " ".join(line.strip() for line in lines[start:end - 1])
            lines[start:end] = [f"{indent}{hashes} {text}"]
    return "\n".join(lines)
