"""Block structure from a CommonMark parser (markdown-it-py) with source line maps.

Fences, indented code, HTML blocks and list items end where GitHub ends them; the
one departure is an unclosed top-level fence, which is closed at the next line that
clearly starts a question (with a warning) instead of swallowing the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from ..document import ParseError, ParseWarning
from .patterns import ATX_RE, BOLD_NUMBERED_RE, DETAILS_OPEN_RE, DETAILS_TAG_RE, MAX_DEPTH, NUMBERED_ITEM_RE
from .text import looks_like_question


@dataclass
class Fence:
    start: int  # index of the opening line
    end: int  # index of the last line of the block (the closing fence, when there is one)
    language: str
    code: str
    indent: int  # column of the fence (or of the code, for indented code)


@dataclass
class Heading:
    index: int
    level: int
    text: str
    setext: bool = False

    @property
    def question_like(self) -> bool:
        return looks_like_question(self.text)


@dataclass
class ListItem:
    start: int
    end: int  # exclusive
    ordered: bool
    number: str
    depth: int  # 0 for an item of a top-level list
    parent: int | None  # start line of the enclosing item


MAX_RECOVERIES = 50


def block_parser() -> MarkdownIt:
    """markdown-it-py reading only the block structure (with source line maps)."""
    md = MarkdownIt("commonmark")
    md.disable(["inline", "text_join"])  # only the block structure is needed
    md.options["maxNesting"] = MAX_DEPTH * 2 + 8
    return md


_MD = block_parser()


class Scanner:
    """Which lines are code, where headings, HTML blocks and list items are."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.code = [False] * len(lines)
        self.fences: dict[int, Fence] = {}  # fenced code, by first line
        self.indented: dict[int, int] = {}  # indented code: first line → end (exclusive)
        self.indented_code: dict[int, str] = {}
        self.items: dict[int, ListItem] = {}
        self.html: dict[int, int] = {}  # HTML block: first line → end (exclusive)
        self._headings: list[Heading] = []
        self.warnings: list[ParseWarning] = []
        self._levels_seen: set[int] = set()
        self._details_seen = self._bold_seen = self._list_seen = False
        start, restarts = 0, 0
        while start is not None and start < len(lines):
            if restarts > MAX_RECOVERIES:  # each recovery reads the rest again: bound the work
                raise ParseError(
                    f"more than {MAX_RECOVERIES} code fences are never closed; the last one opened before this line",
                    start + 1,
                )
            start = self._scan(start)
            restarts += 1

    def _scan(self, offset: int) -> int | None:
        """Parse lines[offset:]; return where to start again after a recovered fence, else None."""
        tokens = _MD.parse("\n".join(self.lines[offset:]) + "\n")
        containers: list[ListItem | None] = []  # open list items (None for a block quote)
        for pos, token in enumerate(tokens):
            if token.type in ("list_item_open", "blockquote_open"):
                if len(containers) >= MAX_DEPTH:
                    raise ParseError(
                        f"lists or quotes are nested more than {MAX_DEPTH} levels deep here", token.map[0] + offset + 1
                    )
                item = None
                if token.type == "list_item_open":
                    parent = next((c for c in reversed(containers) if c is not None), None)
                    item = ListItem(
                        token.map[0] + offset, token.map[1] + offset, bool(token.info), token.info,
                        sum(c is not None for c in containers), parent.start if parent else None,
                    )
                    self.items[item.start] = item
                containers.append(item)
                continue
            if token.type in ("list_item_close", "blockquote_close"):
                containers.pop()
                continue
            if token.map is None:
                continue
            start, end = token.map[0] + offset, token.map[1] + offset
            if token.type == "fence":
                restart = self._fence(token, start, end, bool(containers))
                if restart is not None:
                    return restart
            elif token.type == "code_block":
                while end > start + 1 and not self.lines[end - 1].strip():
                    end -= 1
                self.indented[start] = end
                self.indented_code[start] = token.content.rstrip("\n") + "\n"
                self._mark_code(start, end)
            elif token.type == "html_block":
                self.html[start] = end
                if re.match(r"\s*<pre\b", token.content, re.I):
                    self._mark_code(start, end)
                self._details_seen = self._details_seen or bool(DETAILS_OPEN_RE.match(self.lines[start]))
            elif token.type == "heading_open" and not containers:
                text = tokens[pos + 1].content.strip()
                setext = token.markup in ("=", "-")
                index = start
                if setext:  # the heading's text may span lines; its last line is what counts
                    index = end - 2
                level = int(token.tag[1])
                self._headings.append(Heading(index, level, text, setext))
                if len(self._headings) > 1 or level > 1:
                    self._levels_seen.add(level)
            elif token.type == "paragraph_open" and not containers:
                self._bold_seen = self._bold_seen or bool(BOLD_NUMBERED_RE.match(self.lines[start]))
            if token.type == "paragraph_open" and containers and containers[-1] is not None:
                if containers[-1].depth == 0 and containers[-1].ordered:
                    self._list_seen = True
        return None

    def _fence(self, token, start: int, end: int, contained: bool) -> int | None:
        lines = self.lines
        marker = token.markup
        last = lines[end - 1].strip() if end - 1 > start else ""
        closed = bool(last) and set(last) == {marker[0]} and len(last) >= len(marker)
        expanded = lines[start].expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" \t-*+.)0123456789>"))
        language = token.info.strip().split()[0].strip("{}.") if token.info.strip() else ""
        code = token.content
        restart = None
        if not closed and not contained:
            recovery = self._recovery_point(start, end)
            if recovery is None:
                raise ParseError(
                    f"code fence {marker} opened here is never closed, so the rest of the "
                    "document would be swallowed into it; add the closing fence",
                    start + 1,
                )
            else:
                where = (
                    "where the question's </details> is"
                    if re.match(r"^ {0,3}</details", lines[recovery], re.I)
                    else "where the next question starts"
                )
                self.warnings.append(
                    ParseWarning(
                        start + 1,
                        f"code fence {marker} opened here is never closed; it was closed before "
                        f"line {recovery + 1}, {where}",
                    )
                )
                body_end = recovery
                while body_end > start + 1 and not lines[body_end - 1].strip():
                    body_end -= 1
                code = "\n".join(lines[start + 1 : body_end]) + ("\n" if body_end > start + 1 else "")
                end = recovery
                restart = recovery
        if not closed and contained:
            self.warnings.append(ParseWarning(
                start + 1,
                f"code fence {marker} opened here is never closed; it ends with its list item or quote, "
                f"before line {end + 1}",
            ))
        if not closed:
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            code = code.rstrip("\n") + "\n" if code.strip() else ""
        self.fences[start] = Fence(start, end - 1, language, code, indent)
        self._mark_code(start, end)
        return restart

    def _recovery_point(self, start: int, end: int) -> int | None:
        """Inside an unclosed fence, the first line that clearly starts the next question.

        In a details layout the question's own </details> also ends the code.
        """
        lines = self.lines
        for i in range(start + 1, end):
            if self._details_seen and re.match(r"^ {0,3}</details\s*>", lines[i], re.I):
                return i
            if lines[i - 1].strip():
                continue
            line = lines[i]
            if self._list_seen and question_item(line):
                return i
            match = ATX_RE.match(line)
            if match and len(match.group(1)) in self._levels_seen and looks_like_question(match.group(2) or ""):
                return i
            if self._details_seen and DETAILS_OPEN_RE.match(line):
                return i
            if self._bold_seen and BOLD_NUMBERED_RE.match(line):
                return i
        return None

    def _mark_code(self, start: int, end: int) -> None:
        for k in range(start, min(end, len(self.code))):
            self.code[k] = True

    def headings(self) -> list[Heading]:
        return list(self._headings)

    def details_depth(self) -> list[int]:
        """For each line, how many <details> blocks are open around it (code lines ignored).

        Only blocks that close count: an unclosed one (its </details> inside code) encloses nothing.
        """
        delta = [0] * (len(self.lines) + 1)
        stack: list[int] = []
        for i, line in enumerate(self.lines):
            if self.code[i] or "details" not in line.lower():
                continue
            for tag in DETAILS_TAG_RE.finditer(line):
                if not tag.group(1):
                    stack.append(i)
                elif stack:
                    start = stack.pop()
                    delta[start + 1] += 1
                    delta[i] -= 1
        depth, out = 0, []
        for i in range(len(self.lines)):
            depth += delta[i]
            out.append(depth)
        return out


def question_item(line: str) -> str | None:
    """For `1. **Question?**` or `1. ### Title` at the margin, the question's text."""
    match = NUMBERED_ITEM_RE.match(line)
    if not match:
        return None
    rest = match.group("rest").strip()
    heading = ATX_RE.match(rest)
    if heading:
        return heading.group(2) or ""
    if re.match(r"^(\*\*|__).+(\*\*|__)[?.:]?$", rest) or rest.endswith("?"):
        return rest
    return None
