"""Markdown question set → Document, without touching the database.

The block structure comes from a CommonMark parser (blocks.py), so nothing inside code
is ever read as structure; layouts.py finds where questions and categories start in each
layout a document may use, and assemble.py builds the Document from those markers.
"""

from __future__ import annotations

import hashlib

from ..document import Document, ParseError
from .assemble import assemble
from .blocks import Heading, Scanner
from .layouts import Marker, Source
from .patterns import ATX_RE, CLOSING_HEADING_RE
from .text import check_line_lengths, decode, front_matter, looks_like_question, split_number, strip_inline, title_from_filename

__all__ = [
    "ATX_RE", "ParseError", "Scanner", "decode", "looks_like_question", "parse", "split_number", "strip_inline",
]


def parse(data: bytes | str, name: str = "", *, base_url: str = "") -> Document:
    """Parse a Markdown question set; raises ParseError naming the line on bad input."""
    text = decode(data)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    check_line_lengths(lines)
    try:
        document = _parse(lines, name, base_url)
    except RecursionError:
        raise ParseError("the document is nested too deeply to read") from None
    document.content_hash = hashlib.sha256(raw).hexdigest()
    return document


def _parse(lines: list[str], name: str, base_url: str) -> Document:
    fields, front_end = front_matter(lines)
    src = Source(lines, name, base_url)
    for k in range(front_end):
        src.skip[k] = True
    headings = all_headings = [h for h in src.scanner.headings() if h.index >= front_end]
    title, title_index = src.title(headings, front_end)
    if title_index is not None:
        headings = [h for h in headings if h.index != title_index]
        src.skip[title_index] = True
    headings = src.drop_toc(headings)
    src.drop_navigation()

    layouts = {
        "details": src.details_markers(),
        "bold": src.bold_markers(),
        "list": src.list_markers(),
        "bullets": src.bullet_markers(),
    }
    item_lines = {m.index for m in layouts["list"]}

    def holds_items(heading: Heading) -> bool:
        """"## # 1. Basics" directly over "1. **Question?**": a numbered category, not a question."""
        i = Source.after(heading)
        while i < len(lines) and (src.skip[i] or not lines[i].strip()):
            i += 1
        return i in item_lines

    top_questions = sum(
        h.question_like and not holds_items(h) for h in headings if not src.details_depth[h.index]
    )
    if top_questions >= 2:
        # Where headings ask questions, a numbered item counts only with its answer indented under it.
        layouts["list"] = [m for m in layouts["list"] if not m.margin_answer]
    best = max(layouts, key=lambda name: len(layouts[name]))
    inside = {i for m in layouts[best] if m.body_end is not None for i in range(m.index, m.body_end)}
    question_headings = sum(
        h.question_like for h in headings if h.index not in inside and not src.details_depth[h.index]
    )
    if len(layouts[best]) >= 2 and len(layouts[best]) > question_headings:
        layout = best
        markers = src.with_category_headings(layouts[best], headings)
        markers = src.trailing_section(markers, headings)
    else:
        layout = "headings"
        markers = src.heading_markers(headings)
        title_heading = next((h for h in all_headings if h.index == title_index), None)
        if title_heading and title_heading.level == 1 and markers and markers[0].kind == "question" and any(
            m.kind == "category" and h.level == 1 for m in markers for h in headings if h.index == m.index
        ):
            # "# Python … ## 1. Q … # Django …": every H1 is a category, the first one too.
            markers.insert(0, Marker(title_index, "category", title, body_start=Source.after(title_heading)))
            src.skip[title_index] = False
            title = title_from_filename(name)

    if not any(m.kind == "question" for m in markers):
        raise ParseError(
            "no questions found: expected question headings (### 1. Question?), "
            "<details><summary> blocks, bold numbered paragraphs (**1)** …), numbered items "
            "or bullets with a nested **Answer:**"
        )
    closing_at = _closing_heading(src, markers, headings)
    if closing_at is not None:
        markers = [m for m in markers if m.index < closing_at]
    document = assemble(src, fields.get("title") or title, layout, markers, closing_at)
    if title_index is None and not fields.get("title") and len(document.categories) == 1:
        category = document.categories[0]
        first = headings[0].index if headings else None
        if any(m.kind == "category" and m.index == first == category.line - 1 for m in markers):
            document.title = category.title  # "## SQL" over every question: the set's title too
    document.source_url = fields.get("source", "") or fields.get("source_url", "") or fields.get("url", "")
    document.license = fields.get("license", "")
    document.base_url = base_url
    document.warnings = sorted(src.warnings, key=lambda w: w.line)
    return document


def _closing_heading(src: Source, markers: list[Marker], headings: list[Heading]) -> int | None:
    """The first "Disclaimer", "Resources", "Sponsors"… heading after the last question, outside answers."""
    questions = [m for m in markers if m.kind == "question" and not CLOSING_HEADING_RE.match(m.title)]
    if not questions:
        return None
    last = questions[-1]
    # Only a heading at or above the questions' (or categories') level closes the last answer.
    marked = {m.index for m in markers}
    levels = [h.level for h in headings if h.index in marked]
    top = max(levels) if levels else 2
    for heading in headings:
        if heading.index <= last.index or src.details_depth[heading.index]:
            continue
        if last.body_end is not None and heading.index < last.body_end:
            continue
        if heading.level <= top and CLOSING_HEADING_RE.match(strip_inline(heading.text)):
            return heading.index
    return None
