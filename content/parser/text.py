"""Text helpers: decoding input, plain text of headings, question numbers, trimming."""

from __future__ import annotations

import html
import re
from pathlib import PurePath

from ..document import CODE_MARK_PREFIX, ParseError
from .patterns import (
    ATX_RE,
    CODE_SPAN_RE,
    FRONT_MATTER_KEY_RE,
    LEADING_SYMBOLS_RE,
    LIST_ITEM_RE,
    MAX_LINE,
    Q_PREFIX_RE,
    QUESTION_NUMBER_RE,
    TAG_RE,
)

ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def strip_inline(text: str) -> str:
    """Heading or summary text as plain text: no tags, emphasis markers, escapes or entities.

    Code spans are kept as written, so `__init__` or `<br>` inside backticks survive.
    """
    spans: list[str] = []

    def keep(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN_RE.sub(keep, text)
    text = TAG_RE.sub("", text)
    text = re.sub(r"(\*\*\*|___)(.+?)\1", r"\2", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*\\])[*_](?!\s)(.+?)(?<![\s\\])[*_](?![\w*])", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = ESCAPE_RE.sub(r"\1", text)
    text = html.unescape(text)
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text).strip()


def looks_like_question(text: str) -> bool:
    text = LEADING_SYMBOLS_RE.sub("", strip_inline(text))
    return bool(QUESTION_NUMBER_RE.match(text) or Q_PREFIX_RE.match(text) or text.rstrip().endswith("?"))


def marker_style(text: str) -> str:
    """How a heading marks itself as a question: 'q' (Q. / Q1:), 'number' (12.), or ''."""
    text = LEADING_SYMBOLS_RE.sub("", strip_inline(text))
    if Q_PREFIX_RE.match(text):
        return "q"
    if QUESTION_NUMBER_RE.match(text):
        return "number"
    return ""


def split_number(title: str) -> tuple[str, str]:
    """'12. What is X?' → ('12', 'What is X?'); 'Q: What?' → ('', 'What?'); '151\\. Q: X' → ('151', 'X')."""
    plain = strip_inline(title)
    unadorned = LEADING_SYMBOLS_RE.sub("", plain)  # "🔹 12. Title" numbers like "12. Title"
    if unadorned != plain and (QUESTION_NUMBER_RE.match(unadorned) or Q_PREFIX_RE.match(unadorned)):
        plain = unadorned
    number = ""
    match = Q_PREFIX_RE.match(plain)
    if match:
        return (match.group("number") or ""), match.group("title").strip()
    match = QUESTION_NUMBER_RE.match(plain)
    if match and (match.group("title") or not re.search(r"[A-Za-z]", plain.replace(match.group("number"), "", 1))):
        number, plain = match.group("number"), match.group("title").strip()
        again = Q_PREFIX_RE.match(plain)
        if again and not again.group("number"):
            plain = again.group("title").strip()
    return number, plain


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


def check_line_lengths(lines: list[str]) -> None:
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            raise ParseError(
                f"line is {len(line):,} characters long (at most {MAX_LINE:,}); "
                "is this generated or minified text rather than Markdown?",
                number,
            )


def front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """`---` / `key: value` lines / `---` at the very top: the fields, and how many lines it spans."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    fields: dict[str, str] = {}
    for i in range(1, min(len(lines), 60)):
        line = lines[i]
        if line.strip() in ("---", "..."):
            return (fields, i + 1) if fields else ({}, 0)
        match = FRONT_MATTER_KEY_RE.match(line)
        if match:
            fields[match.group("key").lower()] = match.group("value").strip("\"'")
        elif line.strip() and not line.startswith((" ", "\t", "-")):
            return {}, 0
    return {}, 0


def title_from_filename(source_name: str) -> str:
    stem = PurePath(source_name or "questions").stem
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Questions"


def trim(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def dedent(line: str, width: int) -> str:
    if not width:
        return line
    expanded = line.expandtabs(4) if line[:width].strip(" \t") == "" and "\t" in line[:width] else line
    removed = 0
    while removed < width and removed < len(expanded) and expanded[removed] == " ":
        removed += 1
    return expanded[removed:]


def caption(before: list[str]) -> str:
    """The sentence just before a code block, when the block follows prose."""
    for line in reversed(before):
        if not line.strip():
            continue
        text = line.strip()
        if CODE_MARK_PREFIX in text or LIST_ITEM_RE.match(text) or text.startswith(("|", "<", ">")):
            return ""
        heading = ATX_RE.match(text)
        if heading:
            text = heading.group(2) or ""
        text = strip_inline(text).replace("`", "")
        sentences = re.split(r"(?<=[.!?])\s+", text)
        return sentences[-1][:300] if sentences else ""
    return ""
