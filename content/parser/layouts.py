"""Where questions and categories start, for each layout a document may use.

- ``headings``: categories and questions as Markdown headings (``## Topic`` / ``### 1. Q``)
- ``details``: each question a ``<details><summary>Question</summary>answer</details>`` block
- ``bold``: each question a paragraph starting with ``**1)**`` or ``**1) Title.**``
- ``list``: each question a numbered item (``1. **Question?**``, ``1. ### Title``); the answer
  indented under it or continued at the margin up to the next question
- ``bullets``: each question a bullet with a nested ``- **Answer:** …`` item
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..document import ParseWarning
from .blocks import Heading, Scanner, question_item
from .patterns import (
    ANCHOR_LINK_LINE_RE,
    ANSWER_LEAD_RE,
    BACK_TO_TOP_RE,
    BOLD_NUMBERED_RE,
    BR_LINE_RE,
    DETAILS_CLOSE_RE,
    DETAILS_OPEN_RE,
    DIV_LINE_RE,
    ESCAPED_NUMBER_RE,
    GENERIC_SUMMARY_RE,
    HTML_H1_RE,
    LIST_ITEM_RE,
    MAX_TITLE,
    NUMBERED_ITEM_RE,
    Q_PREFIX_RE,
    SUMMARY_RE,
    TRAILING_BACK_TO_TOP_RE,
    TOC_TITLE_RE,
)
from .text import marker_style, split_number, strip_inline, title_from_filename, trim


def category_title(text: str) -> str:
    """`## # 1. Python Basics` → "1. Python Basics"."""
    return re.sub(r"^#+\s*", "", strip_inline(text)) or strip_inline(text)


@dataclass
class _Pattern:
    """What the headings above the question level look like, computed once per document."""

    question_level: int
    above: Counter  # level → headings above the question level
    numbered_at: Counter  # level → how many of them are numbered
    restarts_at: Counter  # level → how many are followed by question number 1
    numbers: list[str]  # each heading's own number
    before: list[str]  # nearest question-level number before each heading
    after: list[str]


@dataclass
class Marker:
    index: int  # first line of the marker
    kind: str  # "category" | "question"
    title: str
    number: str = ""
    body_start: int = 0  # first line of the body
    body_end: int | None = None  # explicit end, exclusive (details blocks, bullets), else the next marker
    tail_start: int | None = None  # where text after an explicit end resumes
    indent: int = 0  # list items: how far the answer is indented under the item
    first_line: str | None = None  # the body's first line as the answer reads it
    margin_answer: bool = False  # a list item whose answer is not indented under it


class Source:
    """The document's lines, their block structure, and what the layouts drop from the text."""

    def __init__(self, lines: list[str], source_name: str = "", base_url: str = ""):
        self.source_name = source_name
        self.base_url = base_url
        self.lines = lines
        self.scanner = Scanner(lines)
        self.warnings: list[ParseWarning] = list(self.scanner.warnings)
        self.skip = [False] * len(lines)  # front matter, table of contents, back-to-top links
        self.details_depth = self.scanner.details_depth()

    def text(self, start: int, end: int) -> str:
        return trim([self.lines[i] for i in range(start, end) if not self.skip[i]])

    @staticmethod
    def after(heading: Heading) -> int:
        return heading.index + (2 if heading.setext else 1)

    # --- what is not content ---------------------------------------------------

    def title(self, headings: list[Heading], start: int = 0) -> tuple[str, int | None]:
        first_heading = headings[0].index if headings else len(self.lines)
        for i in range(start, min(first_heading, start + 40)):
            line = self.lines[i]
            if self.scanner.code[i] or "<h1" not in line.lower():
                continue
            match = HTML_H1_RE.match("\n".join(self.lines[i : i + 5]))
            if match and strip_inline(match.group("text")):
                span = match.group(0).count("\n")
                for k in range(i, i + span + 1):
                    self.skip[k] = True
                return strip_inline(match.group("text"))[:300], i
        h1 = [h for h in headings if h.level == 1]
        if h1 and headings[0].level == 1 and h1[0].text:
            first = h1[0]
            if first.setext:
                self.skip[first.index + 1] = True
            return strip_inline(first.text)[:300], first.index
        return title_from_filename(self.source_name), None

    def drop_toc(self, headings: list[Heading]) -> list[Heading]:
        """A table-of-contents section goes, up to the next heading at its level or above."""
        kept = []
        skip_level = None
        for pos, heading in enumerate(headings):
            if skip_level is not None and heading.level > skip_level:
                if self._toc_lines(heading.index, self._next_index(headings, pos)):
                    continue
            skip_level = None
            if TOC_TITLE_RE.match(strip_inline(heading.text)):
                end = self._next_index(headings, pos)
                for k in range(heading.index, end):
                    self.skip[k] = True
                skip_level = heading.level
                continue
            kept.append(heading)
        return kept

    def _next_index(self, headings: list[Heading], pos: int) -> int:
        return headings[pos + 1].index if pos + 1 < len(headings) else len(self.lines)

    def _toc_lines(self, start: int, end: int) -> bool:
        """Lines that are only links, list markers and blanks: a nested part of the contents."""
        return all(
            not line.strip() or ANCHOR_LINK_LINE_RE.match(line) or line.lstrip().startswith("#")
            for line in self.lines[start + 1 : end]
        )

    def drop_navigation(self) -> None:
        code = self.scanner.code
        lines = self.lines
        for i, line in enumerate(lines):
            if code[i] or self.skip[i]:
                continue
            if BR_LINE_RE.match(line):
                self.skip[i] = True
                continue
            if ("top" in line.lower() or "back" in line.lower() or "↑" in line or "⬆" in line or "↥" in line) and (
                "](#" in line or "href" in line
            ):
                rest = BACK_TO_TOP_RE.sub("", line)
                if not re.sub(r"</?(?:b|strong|em|i|p|span|sub|sup)\b[^>]*>", "", rest).strip():
                    self.skip[i] = True
                    # <div align="right"> … </div> around it goes too
                    for k in (i - 1, i + 1):
                        if 0 <= k < len(lines) and DIV_LINE_RE.match(lines[k]):
                            self.skip[k] = True
                elif rest != line and re.match(r"^\s*#{1,6}\s", rest):
                    lines[i] = rest.lstrip()  # glued to the next heading
                elif trailing := TRAILING_BACK_TO_TOP_RE.search(line):
                    lines[i] = line[:trailing.start()]  # "… end of answer. [↑ Back to top](#top)"
        # A run of anchor-only links (an untitled table of contents) is navigation too.
        i = 0
        while i < len(lines):
            j = i
            while j < len(lines) and not code[j] and ANCHOR_LINK_LINE_RE.match(lines[j]):
                j += 1
            if j - i >= 2:
                for k in range(i, j):
                    self.skip[k] = True
            i = max(j, i + 1)

    # --- layouts -----------------------------------------------------------------

    def heading_markers(self, headings: list[Heading]) -> list[Marker]:
        headings = [h for h in headings if not self.details_depth[h.index]]
        if not headings:
            return []
        levels = sorted({h.level for h in headings})
        scores = Counter(h.level for h in headings if h.question_like)
        # "## 1. Basics" directly above "### 1. What is…?": a numbered level that only holds
        # other headings is the categories' level, however question-like it looks.
        holders = Counter(
            h.level for pos, h in enumerate(headings[:-1])
            if h.question_like and headings[pos + 1].level > h.level and headings[pos + 1].question_like
            and not self.text(self.after(h), headings[pos + 1].index)
        )
        for level in list(scores):
            deeper = [lv for lv in scores if lv > level]
            if deeper and holders[level] * 2 > scores[level]:
                del scores[level]
        if scores:
            question_level = max(levels, key=lambda lv: (scores[lv], -lv))
        else:
            question_level = levels[1] if len(levels) > 1 else levels[0]
        styles = Counter(marker_style(h.text) for h in headings if h.level == question_level)
        style = styles.most_common(1)[0][0] if styles else ""
        numbers = [split_number(h.text)[0] for h in headings]
        # For each heading, the nearest question-level numbers before and after it (one pass each way).
        before_any, after_any, before_numbered, after_numbered = [], [""] * len(headings), [], [""] * len(headings)
        last_any = last_numbered = ""
        for pos, heading in enumerate(headings):
            before_any.append(last_any)
            before_numbered.append(last_numbered)
            if heading.level == question_level:
                last_any = numbers[pos]
                last_numbered = numbers[pos] or last_numbered
        last_any = last_numbered = ""
        for pos in range(len(headings) - 1, -1, -1):
            after_any[pos], after_numbered[pos] = last_any, last_numbered
            if headings[pos].level == question_level:
                last_any = numbers[pos]
                last_numbered = numbers[pos] or last_numbered
        above = Counter(h.level for h in headings if h.level < question_level)
        numbered_at = Counter(h.level for h, n in zip(headings, numbers) if h.level < question_level and n)
        restarts_at = Counter(h.level for pos, h in enumerate(headings) if h.level < question_level and after_any[pos] == "1")
        pattern = _Pattern(question_level, above, numbered_at, restarts_at, numbers, before_any, after_any)

        def continues(pos: int) -> bool:
            """A numbered heading off the question level whose number continues its neighbours'."""
            number, before, after = numbers[pos], before_numbered[pos], after_numbered[pos]
            if not number.isdigit():
                return False
            return (before.isdigit() and int(before) + 1 == int(number)
                    and (not after or (after.isdigit() and int(after) == int(number) + 1)))

        def continues_across(pos: int) -> bool:
            """The question numbering runs on across this heading (N before it, N+1 after)."""
            before, after = before_numbered[pos], after_numbered[pos]
            return before.isdigit() and after.isdigit() and int(after) == int(before) + 1

        markers: list[Marker] = []
        for pos, heading in enumerate(headings):
            following = headings[pos + 1] if pos + 1 < len(headings) else None
            kind = None
            if heading.level == question_level:
                kind = "question"
                if style == "number" and not numbers[pos] and not heading.question_like and markers \
                        and markers[-1].kind == "question" and continues_across(pos) \
                        and (following is None or self.text(self.after(heading), following.index)):
                    # "### 1. What is React?" … "### State" … "### 2. …": a section of answer 1.
                    kind = None
                elif (
                    scores[question_level]
                    and not heading.question_like
                    and following is not None
                    and following.level == question_level
                    and following.question_like
                    and not self.text(self.after(heading), following.index)
                ):
                    # "## Teamwork" right above "## Q1: …": a category written at the question level,
                    # unless a category above it is still waiting for its first question.
                    kind = None if markers and markers[-1].kind == "category" else "category"
            elif heading.level < question_level:
                if style == "number" and heading.question_like and continues(pos):
                    kind = "question"
                elif not self._inside_answer(headings, pos, pattern, markers):
                    kind = "category"
            elif style == "q" and marker_style(heading.text) == "q":
                kind = "question"  # "#### Q. …" below "## Q. …": questions listed without answers
            if kind == "question":
                number, title = split_number(heading.text)
                markers.append(Marker(heading.index, "question", title, number, body_start=self.after(heading)))
            elif kind == "category":
                markers.append(Marker(heading.index, "category", category_title(heading.text), body_start=self.after(heading)))
        return markers

    def _inside_answer(self, headings: list[Heading], pos: int, pattern: _Pattern, markers: list[Marker]) -> bool:
        """A heading above the question level that still belongs to the answer before it.

        It has text under it, follows a question, and breaks the document's pattern: it is not
        at the categories' level, it is unnumbered where categories are numbered, or the question
        numbering runs on across it where it restarts at the real categories.
        """
        heading = headings[pos]
        following = headings[pos + 1] if pos + 1 < len(headings) else None
        if not markers or markers[-1].kind != "question":
            return False
        if following is not None and following.level > heading.level and not self.text(self.after(heading), following.index):
            return False
        levels = pattern.above
        category_level = max(levels, key=lambda lv: (levels[lv], -lv))
        if heading.level != category_level and levels[category_level] >= 2:
            return True
        own_number = pattern.numbers[pos]
        peers = levels[heading.level] - 1
        numbered = pattern.numbered_at[heading.level] - bool(own_number)
        if numbered >= 2 and numbered * 2 > peers and not own_number:
            return True
        # Does numbering restart at the other headings of this level, and run on across this one?
        before, after = pattern.before[pos], pattern.after[pos]
        restarts = pattern.restarts_at[heading.level] - (after == "1")
        return (restarts >= 2 and restarts * 2 > peers and before.isdigit() and after.isdigit()
                and int(after) == int(before) + 1)

    def with_category_headings(self, questions: list[Marker], headings: list[Heading]) -> list[Marker]:
        """Headings outside question bodies, at the shallowest level seen, are categories."""
        inside = set()
        for marker in questions:
            if marker.body_end is not None:
                inside.update(range(marker.index, marker.body_end))
        outside = [h for h in headings if h.index not in inside and not self.details_depth[h.index]]
        if questions:
            last = questions[-1]
            tail_from = last.body_end if last.body_end is not None else last.index
            outside_before = [h for h in outside if h.index < tail_from]
        else:
            outside_before = outside
        if not outside_before:
            return questions
        top = min(h.level for h in outside_before)
        categories = [
            Marker(h.index, "category", category_title(h.text), body_start=self.after(h))
            for h in outside_before
            if h.level == top
        ]
        return sorted(questions + categories, key=lambda m: (m.index, m.kind != "category"))

    def trailing_section(self, markers: list[Marker], headings: list[Heading]) -> list[Marker]:
        """Question headings after the last list/bold/details question: a section of their own."""
        questions = [m for m in markers if m.kind == "question"]
        if not questions:
            return markers
        last = questions[-1]
        after = [h for h in headings if h.index > last.index and not self.details_depth[h.index]]
        tail = self.heading_markers(after)
        if sum(m.kind == "question" for m in tail) < 2:
            return markers
        first = next(m for m in tail if m.kind == "question")
        if not any(m.kind == "category" and m.index < first.index for m in tail):
            tail.insert(0, Marker(first.index, "category", "More questions", body_start=first.index))
        return markers + tail

    def details_markers(self) -> list[Marker]:
        lines, code = self.lines, self.scanner.code
        markers = []
        i = 0
        while i < len(lines):
            if code[i] or not DETAILS_OPEN_RE.match(lines[i]):
                i += 1
                continue
            # The summary may sit on the <details> line or a few lines below it.
            window_end = min(len(lines), i + 6)
            window = "\n".join(lines[i:window_end])
            summary = SUMMARY_RE.search(window)
            depth, close = 0, None
            for j in range(i, len(lines)):
                if code[j]:
                    continue
                depth += len(re.findall(r"<details\b", lines[j], re.I)) - len(DETAILS_CLOSE_RE.findall(lines[j]))
                if depth <= 0:
                    close = j
                    break
            if close is None:  # its </details> is inside code: not a block of its own
                i += 1
                continue
            if summary and not GENERIC_SUMMARY_RE.match(strip_inline(summary.group("text"))):
                summary_end_line = i + window[: summary.end()].count("\n")
                number, title = split_number(summary.group("text"))
                markers.append(
                    Marker(i, "question", title, number, body_start=summary_end_line + 1, body_end=close,
                           tail_start=close + 1)
                )
                i = close + 1
            else:
                i += 1
        return markers

    def bold_markers(self) -> list[Marker]:
        lines, code = self.lines, self.scanner.code
        markers = []
        for i, line in enumerate(lines):
            if code[i] or self.details_depth[i] or (i > 0 and lines[i - 1].strip() and not self.skip[i - 1]):
                continue
            match = BOLD_NUMBERED_RE.match(line)
            escaped = None if match else ESCAPED_NUMBER_RE.match(line)
            if not match and not escaped:
                continue
            paragraph = [line]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not code[j] and not LIST_ITEM_RE.match(lines[j]):
                paragraph.append(lines[j])
                j += 1
            if escaped:  # "151\\. **Q:** What is…?": the author kept the number out of a list
                title = split_number(" ".join(p.strip() for p in paragraph))[1]
                if title:
                    markers.append(Marker(i, "question", title[:MAX_TITLE], escaped.group("number"), body_start=j))
                continue
            first = BOLD_NUMBERED_RE.match(" ".join(p.strip() for p in paragraph))
            inner = first.group("inner").strip().rstrip(".:")
            rest = first.group("rest").strip()
            title = strip_inline(f"{inner}. {rest}" if inner and rest else inner or rest)
            if not title:
                continue
            markers.append(Marker(i, "question", title[:MAX_TITLE], match.group("number"), body_start=j))
        return markers

    def list_markers(self) -> list[Marker]:
        """Numbered items at the margin whose text is a question; the answer runs to the next one."""
        lines, code, items = self.lines, self.scanner.code, self.scanner.items
        covered = [False] * len(lines)  # inside some list item that starts above the line
        for item in items.values():
            for k in range(item.start + 1, min(item.end, len(lines))):
                covered[k] = True
        markers = []
        for i, line in enumerate(lines):
            if code[i] or self.details_depth[i]:
                continue
            item = items.get(i)
            if item is not None and item.depth != 0:
                continue
            if item is None and covered[i]:
                continue
            text = question_item(line)
            if text is None:
                continue
            # An item right above the next one, with no answer between, is just a list entry.
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines) or (not lines[j][:1].isspace() and NUMBERED_ITEM_RE.match(lines[j])):
                continue
            number = NUMBERED_ITEM_RE.match(line).group("number")
            title = strip_inline(text)
            prefixed = Q_PREFIX_RE.match(title)  # "5. **Q: What is ESM?**": the Q: marks, it is not the title
            if prefixed and prefixed.group("title").strip():
                title = prefixed.group("title").strip()
            markers.append(Marker(i, "question", title, number, body_start=i + 1,
                                  margin_answer=not lines[j][:1].isspace()))
        for pos, marker in enumerate(markers):
            end = markers[pos + 1].index if pos + 1 < len(markers) else len(lines)
            marker.indent = self._body_indent(marker.body_start, end)
        return markers

    def bullet_markers(self) -> list[Marker]:
        """`- Question` with a nested `- **Answer:** …` item."""
        items = self.scanner.items
        children: dict[int, list] = {}
        for item in items.values():
            if item.parent is not None:
                children.setdefault(item.parent, []).append(item)
        markers = []
        for item in sorted(items.values(), key=lambda it: it.start):
            if item.depth != 0 or item.ordered or item.start not in children:
                continue
            child = min(children[item.start], key=lambda it: it.start)
            child_line = self.lines[child.start]
            content = LIST_ITEM_RE.sub("", child_line, count=1)
            if not ANSWER_LEAD_RE.match(content):
                continue
            title = strip_inline(LIST_ITEM_RE.sub("", self.lines[item.start], count=1))
            number, title = split_number(title)
            if not title:
                continue
            marker_width = len(child_line) - len(content)
            markers.append(Marker(
                item.start, "question", title[:MAX_TITLE], number, body_start=child.start,
                body_end=item.end, tail_start=item.end, indent=marker_width,
                # The answer's own bullet and "**Answer:**" are layout, not text.
                first_line=" " * marker_width + ANSWER_LEAD_RE.sub("", content, count=1),
            ))
        return markers

    def _body_indent(self, start: int, end: int) -> int:
        """The indentation shared by an item's answer lines (code counts at its fence)."""
        scanner = self.scanner
        widths = []
        i = start
        while i < end:
            if i in scanner.fences:
                widths.append(scanner.fences[i].indent)
                i = scanner.fences[i].end + 1
                continue
            line = self.lines[i]
            if line.strip() and not scanner.code[i] and not self.skip[i]:
                lead = line[: len(line) - len(line.lstrip(" \t"))]
                if not lead:  # the item ended: the answer goes on at the margin
                    break
                widths.append(len(lead.expandtabs(4)))
            i += 1
        return min(widths, default=0)
