"""Markdown question set → Document, without touching the database.

The parser first scans the block structure (fences, indented code, <pre>, headings,
<details> blocks, bold-numbered paragraphs, numbered list items), so nothing inside code
is ever read as structure. It then picks the layout that explains the document best:

- ``headings``: categories and questions as Markdown headings (``## Topic`` / ``### 1. Q``)
- ``details``: each question a ``<details><summary>Question</summary>answer</details>`` block
- ``bold``: each question a paragraph starting with ``**1)**`` or ``**1) Title.**``
- ``list``: each question a numbered list item (``1. **Question?**``), the answer indented under it
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath

from .document import (
    CategoryDoc,
    ChoiceDoc,
    Document,
    ExampleDoc,
    ParseError,
    QuestionDoc,
    QuizItemDoc,
    Warning,
    slugify,
)

MAX_TITLE = 500

FENCE_OPEN_RE = re.compile(
    r"^(?P<prefix>[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$"
)
ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LIST_ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
NUMBERED_ITEM_RE = re.compile(r"^(?P<number>\d{1,4})[.)][ \t]+(?P<rest>.+)$")
HR_RE = re.compile(r"^ {0,3}((\*[ \t]*){3,}|(-[ \t]*){3,}|(_[ \t]*){3,})$")
QUESTION_NUMBER_RE = re.compile(
    r"^(?:(?:Q(?:uestion)?|#)\s*)?(?P<number>\d{1,4}[a-z]?)\s*(?:[.):\-–—]|\s(?=\S))\s*(?P<title>.*)$",
    re.I,
)
Q_PREFIX_RE = re.compile(r"^Q(?:uestion)?\s*(?P<number>\d{1,4}[a-z]?)?\s*[.:)\-–—]\s*(?P<title>.*)$", re.I)
BOLD_NUMBERED_RE = re.compile(
    r"^(?:\*\*|__)\s*(?:Q(?:uestion)?\s*)?(?P<number>\d{1,4}[a-z]?)\s*[.):]?\s*(?P<inner>[^*_]*?)\s*(?:\*\*|__)\s*[.:]?\s*(?P<rest>.*)$",
    re.I,
)
DETAILS_OPEN_RE = re.compile(r"^\s*<details\b[^>]*>", re.I)
DETAILS_CLOSE_RE = re.compile(r"</details\s*>", re.I)
SUMMARY_RE = re.compile(r"<summary\b[^>]*>(?P<text>.*?)</summary\s*>", re.I | re.S)
HTML_H1_RE = re.compile(r"^\s*<h1\b[^>]*>(?P<text>.*?)</h1\s*>", re.I | re.S)
TAG_RE = re.compile(r"<[^>]+>")
PRE_OPEN_RE = re.compile(r"^\s*<pre\b", re.I)
PRE_CLOSE_RE = re.compile(r"</pre\s*>", re.I)
TOC_TITLE_RE = re.compile(r"^(table of contents|contents|toc|index|содержание|зміст)\W*$", re.I)
ANCHOR_LINK_LINE_RE = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])?\s*(?:\*\*|__)?\s*\[[^\]]*\]\(#[^)]*\)\s*(?:\*\*|__)?\s*$"
)
BACK_TO_TOP_RE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:\[[^\]]*(?:top|back|contents|⬆|↑)[^\]]*\]\(#[^)]*\)"
    r"|<a\s[^>]*href=[\"']#[^\"']*[\"'][^>]*>[^<]*(?:top|back|contents|⬆|↑)[^<]*</a>)\s*(?:\*\*|__)?\s*$",
    re.I,
)
BR_LINE_RE = re.compile(r"^\s*<br\s*/?>\s*$", re.I)
GENERIC_SUMMARY_RE = re.compile(
    r"^(?:show|view|see|reveal|click|toggle)?\s*(?:the\s+|to\s+(?:see|show|view|expand)\s+)?"
    r"(?:answers?|solutions?|explanations?|hints?|details|code|examples?|output|more|expand)\b",
    re.I,
)
QUIZ_HEADING_RE = re.compile(r"^(quiz|self[- ]check|check yourself)\W*$", re.I)
TASK_ITEM_RE = re.compile(r"^\s*[-*+][ \t]+\[(?P<mark>[ xX])\][ \t]+(?P<text>.+)$")


@dataclass
class Fence:
    start: int  # index of the opening line
    end: int  # index of the closing line (== start of next content)
    language: str
    code: str
    indent: int


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
class Marker:
    index: int  # first line of the marker
    kind: str  # "category" | "question"
    title: str
    number: str = ""
    body_start: int = 0  # first line of the body
    body_end: int | None = None  # explicit end (details blocks), else the next marker
    indent: int = 0  # list items: how far the answer is indented under the item


LEADING_SYMBOLS_RE = re.compile(r"^[^\w(\[\"'`]+")


def looks_like_question(text: str) -> bool:
    text = LEADING_SYMBOLS_RE.sub("", strip_inline(text))
    return bool(QUESTION_NUMBER_RE.match(text) or Q_PREFIX_RE.match(text) or text.rstrip().endswith("?"))


CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def strip_inline(text: str) -> str:
    """Heading or summary text as plain text: no tags, emphasis markers or entities.

    Code spans are kept as written, so `__init__` or `<br>` inside backticks survive.
    """
    spans: list[str] = []

    def keep(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN_RE.sub(keep, text)
    text = TAG_RE.sub("", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = html.unescape(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text).strip()


def split_number(title: str) -> tuple[str, str]:
    """'12. What is X?' → ('12', 'What is X?'); 'Q: What?' → ('', 'What?')."""
    plain = strip_inline(title)
    unadorned = LEADING_SYMBOLS_RE.sub("", plain)  # "🔹 12. Title" numbers like "12. Title"
    if unadorned != plain and (QUESTION_NUMBER_RE.match(unadorned) or Q_PREFIX_RE.match(unadorned)):
        plain = unadorned
    match = Q_PREFIX_RE.match(plain)
    if match:
        return (match.group("number") or ""), match.group("title").strip()
    match = QUESTION_NUMBER_RE.match(plain)
    if match and (match.group("title") or not re.search(r"[A-Za-z]", plain.replace(match.group("number"), "", 1))):
        return match.group("number"), match.group("title").strip()
    return "", plain


def decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
    else:
        if not data.strip():
            raise ParseError("the file is empty")
        if b"\x00" in data[:8192]:
            raise ParseError("the file looks binary (it contains NUL bytes), not Markdown text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ParseError(
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line
            ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ParseError("the file looks binary (it contains NUL characters), not Markdown text")
    if not text.strip():
        raise ParseError("the file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def title_from_filename(source_name: str) -> str:
    stem = PurePath(source_name or "questions").stem
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Questions"


class Scanner:
    """Block structure of the document: which lines are code, where the headings are."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.code = [False] * len(lines)
        self.fences: dict[int, Fence] = {}
        self.indented: dict[int, int] = {}  # start index → end index (exclusive) of indented code
        self.warnings: list[Warning] = []
        self._scan_fences()
        self._scan_indented_and_pre()

    def _recovery_point(
        self, start: int, levels_seen: set[int], details_seen: bool, bold_seen: bool, list_seen: bool = False
    ) -> int | None:
        """Inside an unclosed fence, the first line that clearly starts the next question.

        In a details layout the question's own </details> also ends the code.
        """
        lines = self.lines
        for i in range(start + 1, len(lines)):
            if details_seen and re.match(r"^ {0,3}</details\s*>", lines[i], re.I):
                return i
            if i > 0 and lines[i - 1].strip():
                continue
            line = lines[i]
            if list_seen and _question_item(line):
                return i
            match = ATX_RE.match(line)
            if match and len(match.group(1)) in levels_seen and looks_like_question(match.group(2) or ""):
                return i
            if details_seen and DETAILS_OPEN_RE.match(line):
                return i
            if bold_seen and BOLD_NUMBERED_RE.match(line):
                return i
        return None

    def _scan_fences(self) -> None:
        lines = self.lines
        levels_seen: set[int] = set()
        details_seen = bold_seen = list_seen = False
        first_heading = True
        i = 0
        while i < len(lines):
            line = lines[i]
            match = FENCE_OPEN_RE.match(line)
            if match and not (match.group("fence")[0] == "`" and "`" in match.group("info")):
                fence = match.group("fence")
                prefix = match.group("prefix")
                indent = len(prefix.expandtabs(4))
                info = match.group("info").strip()
                language = info.split()[0].strip("{}.") if info else ""
                close = None
                for j in range(i + 1, len(lines)):
                    stripped = lines[j].strip()
                    if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                        close = j
                        break
                if close is None:
                    recovery = self._recovery_point(i, levels_seen, details_seen, bold_seen, list_seen)
                    if recovery is None:
                        raise ParseError(
                            f"code fence {fence} opened here is never closed, so the rest of the "
                            "document would be swallowed into it; add the closing fence",
                            i + 1,
                        )
                    where = (
                        "where the question's </details> is"
                        if re.match(r"^ {0,3}</details", lines[recovery], re.I)
                        else "where the next question starts"
                    )
                    self.warnings.append(
                        Warning(
                            i + 1,
                            f"code fence {fence} opened here is never closed; it was closed before "
                            f"line {recovery + 1}, {where}",
                        )
                    )
                    body_end = recovery
                    while body_end > i + 1 and not lines[body_end - 1].strip():
                        body_end -= 1
                    body = lines[i + 1 : body_end]
                    end = recovery - 1
                else:
                    body = lines[i + 1 : close]
                    end = close
                code = "\n".join(_dedent(b, indent) for b in body)
                if body:
                    code += "\n"
                self.fences[i] = Fence(i, end, language, code, indent)
                for k in range(i, end + 1):
                    self.code[k] = True
                i = end + 1
                continue
            heading = ATX_RE.match(line)
            if heading:
                if first_heading and len(heading.group(1)) == 1:
                    first_heading = False
                else:
                    first_heading = False
                    levels_seen.add(len(heading.group(1)))
            elif DETAILS_OPEN_RE.match(line):
                details_seen = True
            elif BOLD_NUMBERED_RE.match(line):
                bold_seen = True
            elif _question_item(line):
                list_seen = True
            i += 1

    def _scan_indented_and_pre(self) -> None:
        lines = self.lines
        in_list = False
        prev_blank = True
        i = 0
        while i < len(lines):
            if self.code[i]:
                prev_blank = False
                i += 1
                continue
            line = lines[i]
            if PRE_OPEN_RE.match(line):
                j = i
                while j < len(lines) and not PRE_CLOSE_RE.search(lines[j]):
                    j += 1
                for k in range(i, min(j + 1, len(lines))):
                    self.code[k] = True
                i = j + 1
                prev_blank = False
                continue
            if not line.strip():
                prev_blank = True
                i += 1
                continue
            indent = len(line) - len(line.lstrip(" \t"))
            indent = len(line[:indent].expandtabs(4))
            if LIST_ITEM_RE.match(line) and indent < 4:
                in_list = True
            elif indent >= 4 and prev_blank and not in_list:
                j = i
                last = i
                while j < len(lines) and not self.code[j]:
                    if lines[j].strip():
                        lead = lines[j][: len(lines[j]) - len(lines[j].lstrip(" \t"))]
                        if len(lead.expandtabs(4)) < 4:
                            break
                        last = j
                    j += 1
                self.indented[i] = last + 1
                for k in range(i, last + 1):
                    self.code[k] = True
                i = last + 1
                prev_blank = False
                continue
            elif indent < 4 and prev_blank and not LIST_ITEM_RE.match(line):
                in_list = False
            prev_blank = False
            i += 1

    def headings(self) -> list[Heading]:
        found = []
        lines = self.lines
        for i, line in enumerate(lines):
            if self.code[i]:
                continue
            match = ATX_RE.match(line)
            if match:
                found.append(Heading(i, len(match.group(1)), (match.group(2) or "").strip()))
                continue
            setext = SETEXT_RE.match(line)
            if (
                setext
                and i > 0
                and lines[i - 1].strip()
                and not self.code[i - 1]
                and not ATX_RE.match(lines[i - 1])
                and not LIST_ITEM_RE.match(lines[i - 1])
                and not lines[i - 1].lstrip().startswith(("<", "|", ">"))
                and (i < 2 or not lines[i - 2].strip())
            ):
                found.append(Heading(i - 1, 1 if setext.group(1)[0] == "=" else 2, lines[i - 1].strip(), True))
        return found


def _question_item(line: str) -> str | None:
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


def _dedent(line: str, width: int) -> str:
    if not width:
        return line
    expanded = line.expandtabs(4) if line[:width].strip(" \t") == "" and "\t" in line[:width] else line
    removed = 0
    while removed < width and removed < len(expanded) and expanded[removed] == " ":
        removed += 1
    return expanded[removed:]


class Parser:
    def __init__(self, text: str, source_name: str = ""):
        self.source_name = source_name
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.scanner = Scanner(self.lines)
        self.warnings = list(self.scanner.warnings)
        self.skip = [False] * len(self.lines)  # table of contents, back-to-top links

    # --- structure -------------------------------------------------------------

    def parse(self) -> Document:
        headings = all_headings = self.scanner.headings()
        title, title_index = self._title(headings)
        if title_index is not None:
            headings = [h for h in headings if h.index != title_index]
            self.skip[title_index] = True
            if headings and headings[0].index == title_index:  # setext title spans two lines
                pass
        headings = self._drop_toc(headings)
        self._drop_navigation()

        layouts = {
            "details": self._details_markers(),
            "bold": self._bold_markers(),
            "list": self._list_markers(),
        }
        best = max(layouts, key=lambda name: len(layouts[name]))
        inside = {i for m in layouts[best] if m.body_end is not None for i in range(m.index, m.body_end + 1)}
        question_headings = sum(h.question_like for h in headings if h.index not in inside)
        if len(layouts[best]) >= 2 and len(layouts[best]) > question_headings:
            layout = best
            markers = self._with_category_headings(layouts[best], headings)
        else:
            layout = "headings"
            markers = self._heading_markers(headings)
            title_heading = next((h for h in all_headings if h.index == title_index), None)
            if title_heading and title_heading.level == 1 and markers and markers[0].kind == "question" and any(
                m.kind == "category" and h.level == 1 for m in markers for h in headings if h.index == m.index
            ):
                # "# Python … ## 1. Q … # Django …": every H1 is a category, the first one too.
                markers.insert(0, Marker(title_index, "category", title, body_start=self._after(title_heading)))
                self.skip[title_index] = False
                title = title_from_filename(self.source_name)
                title_index = None

        if not any(m.kind == "question" for m in markers):
            raise ParseError(
                "no questions found: expected question headings (### 1. Question?), "
                "<details><summary> blocks, bold numbered paragraphs (**1)** …) or numbered items"
            )
        document = self._assemble(title, layout, markers, title_index)
        document.warnings = sorted(self.warnings, key=lambda w: w.line)
        return document

    def _title(self, headings: list[Heading]) -> tuple[str, int | None]:
        first_heading = headings[0].index if headings else len(self.lines)
        for i, line in enumerate(self.lines[: min(first_heading, 40)]):
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

    def _drop_toc(self, headings: list[Heading]) -> list[Heading]:
        kept = []
        skip_level = None
        for pos, heading in enumerate(headings):
            if skip_level is not None and heading.level > skip_level:
                continue
            skip_level = None
            if TOC_TITLE_RE.match(strip_inline(heading.text)):
                end = headings[pos + 1].index if pos + 1 < len(headings) else len(self.lines)
                for later in headings[pos + 1 :]:
                    if later.level <= heading.level:
                        end = later.index
                        break
                for k in range(heading.index, end):
                    self.skip[k] = True
                skip_level = heading.level
                continue
            kept.append(heading)
        return kept

    def _drop_navigation(self) -> None:
        code = self.scanner.code
        for i, line in enumerate(self.lines):
            if code[i]:
                continue
            if BACK_TO_TOP_RE.match(line) or BR_LINE_RE.match(line):
                self.skip[i] = True
        # A run of anchor-only links (an untitled table of contents) is navigation too.
        i = 0
        while i < len(self.lines):
            j = i
            while j < len(self.lines) and not code[j] and ANCHOR_LINK_LINE_RE.match(self.lines[j]):
                j += 1
            if j - i >= 2:
                for k in range(i, j):
                    self.skip[k] = True
            i = max(j, i + 1)

    def _heading_markers(self, headings: list[Heading]) -> list[Marker]:
        if not headings:
            return []
        levels = sorted({h.level for h in headings})
        scores = Counter(h.level for h in headings if h.question_like)
        if scores:
            question_level = max(levels, key=lambda lv: (scores[lv], -lv))
        else:
            question_level = levels[1] if len(levels) > 1 else levels[0]
        markers = []
        for pos, heading in enumerate(headings):
            following = headings[pos + 1] if pos + 1 < len(headings) else None
            if heading.level < question_level or (
                # "## Teamwork" right above "## Q1: …": a category written at the question level
                heading.level == question_level
                and scores[question_level]
                and not heading.question_like
                and following is not None
                and following.level == question_level
                and following.question_like
                and not self._text(self._after(heading), following.index)
            ):
                markers.append(Marker(heading.index, "category", strip_inline(heading.text), body_start=self._after(heading)))
            elif heading.level == question_level:
                number, title = split_number(heading.text)
                markers.append(Marker(heading.index, "question", title, number, body_start=self._after(heading)))
        return markers

    def _after(self, heading: Heading) -> int:
        return heading.index + (2 if heading.setext else 1)

    def _with_category_headings(self, questions: list[Marker], headings: list[Heading]) -> list[Marker]:
        """Headings outside question bodies, at the shallowest level seen, are categories."""
        inside = set()
        for marker in questions:
            if marker.body_end is not None:
                inside.update(range(marker.index, marker.body_end + 1))
        outside = [h for h in headings if h.index not in inside]
        if not outside:
            return questions
        top = min(h.level for h in outside)
        categories = [
            Marker(h.index, "category", strip_inline(h.text), body_start=self._after(h))
            for h in outside
            if h.level == top
        ]
        return sorted(questions + categories, key=lambda m: m.index)

    def _details_markers(self) -> list[Marker]:
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
            if close is None:
                raise ParseError("<details> opened here is never closed with </details>", i + 1)
            if summary and not GENERIC_SUMMARY_RE.match(strip_inline(summary.group("text"))):
                summary_end_line = i + window[: summary.end()].count("\n")
                number, title = split_number(summary.group("text"))
                markers.append(
                    Marker(i, "question", title, number, body_start=summary_end_line + 1, body_end=close)
                )
                self.skip[close] = True
                i = close + 1
            else:
                i += 1
        return markers

    def _bold_markers(self) -> list[Marker]:
        lines, code = self.lines, self.scanner.code
        markers = []
        for i, line in enumerate(lines):
            if code[i] or (i > 0 and lines[i - 1].strip() and not self.skip[i - 1]):
                continue
            match = BOLD_NUMBERED_RE.match(line)
            if not match:
                continue
            paragraph = [line]
            j = i + 1
            while j < len(lines) and lines[j].strip() and not code[j] and not LIST_ITEM_RE.match(lines[j]):
                paragraph.append(lines[j])
                j += 1
            first = BOLD_NUMBERED_RE.match(" ".join(p.strip() for p in paragraph))
            inner = first.group("inner").strip().rstrip(".:")
            rest = first.group("rest").strip()
            title = strip_inline(f"{inner}. {rest}" if inner and rest else inner or rest)
            if not title:
                continue
            markers.append(Marker(i, "question", title[:MAX_TITLE], match.group("number"), body_start=j))
        return markers

    def _list_markers(self) -> list[Marker]:
        lines, code = self.lines, self.scanner.code
        markers = []
        for i, line in enumerate(lines):
            if code[i] or (line[:1].isspace()):
                continue
            text = _question_item(line)
            if text is None:
                continue
            match = NUMBERED_ITEM_RE.match(line)
            # The answer must be indented under the item, or the item is just a list.
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines) or not lines[j][:1].isspace():
                continue
            markers.append(Marker(i, "question", strip_inline(text), match.group("number"), body_start=i + 1))
        for pos, marker in enumerate(markers):
            end = markers[pos + 1].index if pos + 1 < len(markers) else len(lines)
            marker.indent = self._body_indent(marker.body_start, end)
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
            if line.strip() and not scanner.code[i]:
                lead = line[: len(line) - len(line.lstrip(" \t"))]
                if not lead:  # the item ended: an unindented paragraph follows it
                    break
                widths.append(len(lead.expandtabs(4)))
            i += 1
        return min(widths, default=0)

    # --- assembly --------------------------------------------------------------

    def _assemble(self, title: str, layout: str, markers: list[Marker], title_index: int | None) -> Document:
        document = Document(title=title, categories=[], layout=layout, source_name=self.source_name)
        first = markers[0].index
        # A rule that only separates the intro from the first question is not content.
        document.intro_md = re.sub(r"(?:^|\n)[ ]{0,3}(?:-{3,}|\*{3,}|_{3,})[ \t]*$", "", self._text(0, first)).strip("\n")
        category: CategoryDoc | None = None
        for pos, marker in enumerate(markers):
            next_index = markers[pos + 1].index if pos + 1 < len(markers) else len(self.lines)
            end = marker.body_end if marker.body_end is not None else next_index
            if marker.kind == "category":
                category = CategoryDoc(title=marker.title or "Untitled", line=marker.index + 1)
                category.intro_md = self._text(marker.body_start, end)
                document.categories.append(category)
                continue
            if category is None:
                category = CategoryDoc(title="General", line=marker.index + 1)
                document.categories.append(category)
            question = self._question(marker, end)
            category.questions.append(question)
            if marker.body_end is not None and marker.body_end + 1 < next_index:
                trailing = self._text(marker.body_end + 1, next_index)
                if trailing:
                    question.answer_md = (question.answer_md + "\n\n" + trailing).strip("\n")
        self._split_closing(document, markers)
        self._drop_empty_categories(document)
        self._assign_keys(document)
        return document

    def _text(self, start: int, end: int) -> str:
        kept = [self.lines[i] for i in range(start, end) if not self.skip[i]]
        return _trim(kept)

    def _question(self, marker: Marker, end: int) -> QuestionDoc:
        title = marker.title or (f"Question {marker.number}" if marker.number else "Untitled question")
        if len(title) > MAX_TITLE:
            title = title[: MAX_TITLE - 1].rstrip() + "…"
        answer_lines, examples = [], []
        quiz_items: list[QuizItemDoc] = []
        i = marker.body_start
        scanner = self.scanner
        while i < end:
            if self.skip[i]:
                i += 1
                continue
            if i in scanner.fences:
                fence = scanner.fences[i]
                examples.append(self._example(fence.code, fence.language, i, answer_lines))
                answer_lines.append(" " * max(0, fence.indent - marker.indent) + f"\x00CODE{len(examples) - 1}\x00")
                i = fence.end + 1
                continue
            if i in scanner.indented:
                stop = min(scanner.indented[i], end)
                code = "\n".join(_dedent(line, 4 + marker.indent) for line in self.lines[i:stop]) + "\n"
                examples.append(self._example(code, "", i, answer_lines))
                answer_lines.append(f"\x00CODE{len(examples) - 1}\x00")
                i = stop
                continue
            heading = ATX_RE.match(self.lines[i]) if not scanner.code[i] else None
            if heading and QUIZ_HEADING_RE.match(strip_inline(heading.group(2) or "")):
                level = len(heading.group(1))
                j = i + 1
                while j < end:
                    other = ATX_RE.match(self.lines[j]) if not scanner.code[j] else None
                    if other and len(other.group(1)) <= level:
                        break
                    j += 1
                quiz_items.extend(self._quiz_items(i + 1, j))
                i = j
                continue
            answer_lines.append(_dedent(self.lines[i], marker.indent))
            i += 1
        answer = _trim(answer_lines)
        answer = _strip_generic_details(answer)
        answer = re.sub(r"(?:\n|^)\s*(?:-{3,}|\*{3,}|_{3,})\s*$", "", answer).rstrip("\n")
        if not answer.strip() and not examples:
            self.warnings.append(Warning(marker.index + 1, f"question “{title}” has an empty answer"))
        return QuestionDoc(
            title=title,
            number=marker.number,
            answer_md=answer,
            line=marker.index + 1,
            examples=examples,
            quiz_items=quiz_items,
        )

    def _example(self, code: str, language: str, index: int, before: list[str]) -> ExampleDoc:
        from .render import guess_language

        guessed = False
        if not language:
            language = guess_language(code)
            guessed = bool(language)
        return ExampleDoc(language=language.lower(), code=code, line=index + 1, caption=_caption(before), guessed_language=guessed)

    def _quiz_items(self, start: int, end: int) -> list[QuizItemDoc]:
        items: list[QuizItemDoc] = []
        prompt: list[str] = []
        current: QuizItemDoc | None = None
        explanation: list[str] = []
        for i in range(start, end):
            line = self.lines[i]
            task = TASK_ITEM_RE.match(line)
            if task:
                if current is None:
                    current = QuizItemDoc(prompt=" ".join(prompt).strip(), choices=[], line=i + 1)
                    items.append(current)
                    prompt = []
                current.choices.append(ChoiceDoc(strip_inline(task.group("text")), task.group("mark") != " "))
            elif not line.strip():
                continue
            else:
                if current is not None:
                    text = line.strip()
                    if text.lower().startswith(("explanation:", "> ", "why:")):
                        current.explanation = (current.explanation + " " + text.split(":", 1)[-1].lstrip("> ").strip()).strip()
                        continue
                    current = None
                prompt.append(strip_inline(re.sub(r"^\d{1,3}[.)]\s+", "", line.strip())))
        valid = []
        for item in items:
            if not item.prompt or len(item.choices) < 2 or not any(c.correct for c in item.choices):
                self.warnings.append(Warning(item.line, "quiz item skipped: it needs a prompt, two choices and one marked [x]"))
                continue
            valid.append(item)
        return valid

    def _split_closing(self, document: Document, markers: list[Marker]) -> None:
        """Keep the document's closing words apart from the last answer.

        Text after the last question counts as closing when a rule (---) sets it off, or
        when it follows the last code block while no other answer has prose after its code.
        """
        questions = document.questions
        if not questions:
            return
        last = questions[-1]
        text = last.answer_md
        rule = re.search(r"\n[ ]{0,3}(?:-{3,}|\*{3,}|_{3,})[ \t]*\n(?P<tail>(?:(?!\x00CODE).)+)$", text, re.S)
        if rule and not rule.group("tail").lstrip().startswith("#"):
            last.answer_md = text[: rule.start()].rstrip("\n")
            document.closing_md = rule.group("tail").strip("\n")
            return
        if len(questions) < 3 or not last.examples:
            return
        tail_match = re.search(r"\x00CODE\d+\x00\n(?P<tail>(?:(?!\x00CODE).)*)$", text, re.S)
        if not tail_match or not tail_match.group("tail").strip():
            return
        tail = tail_match.group("tail")
        if re.search(r"^\s*(#|[-*+]\s|\d+[.)]\s|\||<)", tail, re.M):
            return
        for other in questions[:-1]:
            if other.examples:
                other_tail = other.answer_md.rsplit("\x00", 1)[-1]
                if other_tail.strip():
                    return
        last.answer_md = text[: tail_match.start("tail")].rstrip("\n")
        document.closing_md = tail.strip("\n")

    def _drop_empty_categories(self, document: Document) -> None:
        kept = []
        for pos, category in enumerate(document.categories):
            if category.questions:
                kept.append(category)
                continue
            text = "\n\n".join(t for t in (f"## {category.title}", category.intro_md) if t)
            if not kept:
                document.intro_md = "\n\n".join(t for t in (document.intro_md, text) if t)
            elif all(not c.questions for c in document.categories[pos:]):
                document.closing_md = "\n\n".join(t for t in (document.closing_md, text) if t)
            else:
                later = next(c for c in document.categories[pos:] if c.questions)
                later.intro_md = "\n\n".join(t for t in (text, later.intro_md) if t)
        document.categories = kept

    def _assign_keys(self, document: Document) -> None:
        bases = [slugify(question.title, 90) for question in document.questions]
        natural = set(bases)
        used: set[str] = set()
        titles: dict[str, int] = {}
        for question, base in zip(document.questions, bases):
            # A repeated title gets a suffix that no other title produces on its own ("foo-3"
            # when a "Foo 2" exists), so keys stay unique and stable across re-imports.
            key, n = base, 2
            while key in used or (key != base and key in natural):
                key, n = f"{base}-{n}", n + 1
            used.add(key)
            question.key = key
            normalized = question.title.casefold()
            if normalized in titles:
                self.warnings.append(
                    Warning(question.line, f"duplicate title “{question.title}” (also on line {titles[normalized]})")
                )
            else:
                titles[normalized] = question.line


def _trim(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _strip_generic_details(text: str) -> str:
    """Unwrap <details><summary>Answer</summary>…</details>: the study page hides answers itself."""
    if "<details" not in text.lower():
        return text
    match = re.match(r"^\s*<details\b[^>]*>\s*<summary\b[^>]*>(?P<s>.*?)</summary\s*>(?P<body>.*)</details\s*>\s*$", text, re.S | re.I)
    if match and GENERIC_SUMMARY_RE.match(strip_inline(match.group("s"))):
        return match.group("body").strip("\n")
    return text


def _caption(before: list[str]) -> str:
    """The sentence just before a code block, when the block follows prose."""
    for line in reversed(before):
        if not line.strip():
            continue
        text = line.strip()
        if "\x00CODE" in text or LIST_ITEM_RE.match(text) or text.startswith(("|", "<", ">")):
            return ""
        heading = ATX_RE.match(text)
        if heading:
            text = heading.group(2) or ""
        text = strip_inline(text).replace("`", "")
        sentences = re.split(r"(?<=[.!?])\s+", text)
        return sentences[-1][:300] if sentences else ""
    return ""


def parse(data: bytes | str, source_name: str = "") -> Document:
    """Parse a Markdown question set; raises ParseError naming the line on bad input."""
    text = decode(data)
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    try:
        document = Parser(text, source_name).parse()
    except ParseError:
        raise
    except RecursionError:
        raise ParseError("the document is nested too deeply to read") from None
    document.content_hash = hashlib.sha256(raw).hexdigest()
    return document
