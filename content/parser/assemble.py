"""Markers → Document: answers, code examples, quiz items, closing text, keys and warnings."""

from __future__ import annotations

import re
import statistics

from ..document import (
    CODE_MARK_PATTERN, CODE_MARK_PREFIX, CODE_MARK_RE, CategoryDoc, ChoiceDoc, Document, ExampleDoc, ParseWarning,
    QuestionDoc, QuizItemDoc, code_mark, slugify,
)
from ..render import guess_language
from .blocks import question_item
from .layouts import Marker, Source
from .patterns import (
    ATX_RE,
    BOLD_NUMBERED_RE,
    GENERIC_SUMMARY_RE,
    MAX_TITLE,
    PROMO_LINE_RE,
    QUIZ_HEADING_RE,
    RULE_TAIL_RE,
    TASK_ITEM_RE,
)
from .text import caption, dedent, looks_like_question, strip_inline, trim

RELATIVE_IMAGE_RE = re.compile(r"!\[[^\]]*\]\((?!https?:|data:|//|#)[^)\s]+|<img\b[^>]*\bsrc=[\"'](?!https?:|data:|//)[^\"']+", re.I)


def assemble(src: Source, title: str, layout: str, markers: list[Marker], closing_at: int | None = None) -> Document:
    document = Document(title=title, categories=[], layout=layout, source_name=src.source_name)
    first = markers[0].index
    # A rule that only separates the intro from the first question is not content.
    document.intro_md = RULE_TAIL_RE.sub("", src.text(0, first)).strip("\n")
    category: CategoryDoc | None = None
    questions = [m for m in markers if m.kind == "question"]
    for pos, marker in enumerate(markers):
        next_index = markers[pos + 1].index if pos + 1 < len(markers) else (closing_at or len(src.lines))
        end = marker.body_end if marker.body_end is not None else next_index
        if marker.kind == "category":
            category = CategoryDoc(title=marker.title or "Untitled", line=marker.index + 1)
            category.intro_md = src.text(marker.body_start, end)
            document.categories.append(category)
            continue
        if category is None:
            category = CategoryDoc(title="General", line=marker.index + 1)
            document.categories.append(category)
        question = _question(src, marker, min(end, next_index))
        category.questions.append(question)
        if marker.tail_start is not None and marker.tail_start < next_index:
            trailing = src.text(marker.tail_start, next_index)
            if trailing and marker is questions[-1] and pos == len(markers) - 1:
                document.closing_md = re.sub(r"^[ ]{0,3}(?:-{3,}|\*{3,}|_{3,})[ \t]*\n+", "", trailing)
            elif trailing:
                question.answer_md = (question.answer_md + "\n\n" + trailing).strip("\n")
    _split_closing(document)
    if closing_at is not None:
        document.closing_md = "\n\n".join(t for t in (document.closing_md, src.text(closing_at, len(src.lines))) if t)
    _drop_empty_categories(document)
    _assign_keys(src, document)
    _check(src, document, markers)
    return document


def _question(src: Source, marker: Marker, end: int) -> QuestionDoc:
    title = marker.title or (f"Question {marker.number}" if marker.number else "Untitled question")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    answer_lines: list[str] = []
    examples: list[ExampleDoc] = []
    quiz_items: list[QuizItemDoc] = []
    i = marker.body_start
    scanner = src.scanner
    while i < end:
        if src.skip[i]:
            i += 1
            continue
        if i in scanner.fences:
            fence = scanner.fences[i]
            examples.append(_example(fence.code, fence.language, i, answer_lines))
            answer_lines.append(" " * max(0, fence.indent - marker.indent) + code_mark(len(examples) - 1))
            i = fence.end + 1
            continue
        if i in scanner.indented:
            examples.append(_example(scanner.indented_code[i], "", i, answer_lines))
            answer_lines.append(code_mark(len(examples) - 1))
            i = scanner.indented[i]
            continue
        line = marker.first_line if i == marker.body_start and marker.first_line is not None else src.lines[i]
        heading = ATX_RE.match(line) if not scanner.code[i] else None
        if heading and QUIZ_HEADING_RE.match(strip_inline(heading.group(2) or "")):
            level = len(heading.group(1))
            j = i + 1
            while j < end:
                other = ATX_RE.match(src.lines[j]) if not scanner.code[j] else None
                if other and len(other.group(1)) <= level:
                    break
                j += 1
            quiz_items.extend(_quiz_items(src, i + 1, j))
            i = j
            continue
        answer_lines.append(dedent(line, marker.indent))
        i += 1
    answer = trim(answer_lines)
    answer = _strip_generic_details(answer)
    answer = RULE_TAIL_RE.sub("", answer).rstrip("\n")
    return QuestionDoc(
        title=title, number=marker.number, answer_md=answer, line=marker.index + 1,
        examples=examples, quiz_items=quiz_items,
    )


def _example(code: str, language: str, index: int, before: list[str]) -> ExampleDoc:
    guessed = False
    if not language:
        language = guess_language(code)
        guessed = bool(language)
    return ExampleDoc(language=language.lower(), code=code, line=index + 1, caption=caption(before),
                      guessed_language=guessed)


def _quiz_items(src: Source, start: int, end: int) -> list[QuizItemDoc]:
    items: list[QuizItemDoc] = []
    prompt: list[str] = []
    current: QuizItemDoc | None = None
    for i in range(start, end):
        line = src.lines[i]
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
            src.warnings.append(ParseWarning(item.line, "quiz item skipped: it needs a prompt, two choices and one marked [x]"))
            continue
        valid.append(item)
    return valid


def _strip_generic_details(text: str) -> str:
    """Unwrap <details><summary>Answer</summary>…</details>: the study page hides answers itself."""
    if "<details" not in text.lower():
        return text
    match = re.match(r"^\s*<details\b[^>]*>\s*<summary\b[^>]*>(?P<s>.*?)</summary\s*>(?P<body>.*)</details\s*>\s*$", text, re.S | re.I)
    if match and GENERIC_SUMMARY_RE.match(strip_inline(match.group("s"))) and "<details" not in match.group("body").lower():
        return match.group("body").strip("\n")
    return text


def _split_closing(document: Document) -> None:
    """Keep the document's closing words (and promotional sections) apart from the last answer.

    Text after the last question counts as closing when a rule (---) sets it off, or when it
    follows the last code block while no other answer has prose after its code. (Headings such
    as "Disclaimer" are found before assembly, see parse.)
    """
    questions = document.questions
    if not questions:
        return
    last = questions[-1]
    text = last.answer_md

    def move(at: int) -> None:
        tail = text[at:].strip("\n")
        last.answer_md = RULE_TAIL_RE.sub("", text[:at].rstrip("\n")).rstrip("\n")
        document.closing_md = "\n\n".join(t for t in (tail, document.closing_md) if t)

    rule = re.search(r"\n[ ]{0,3}(?:-{3,}|\*{3,}|_{3,})[ \t]*\n(?P<tail>(?:(?!" + CODE_MARK_PREFIX + ").)+)$", text, re.S)
    if rule and (not rule.group("tail").lstrip().startswith("#") or PROMO_LINE_RE.search(rule.group("tail"))):
        return move(rule.start("tail"))
    if len(questions) < 3 or not last.examples:
        return
    tail_match = re.search(CODE_MARK_PATTERN + r"\n(?P<tail>(?:(?!" + CODE_MARK_PREFIX + ").)*)$", text, re.S)
    if not tail_match or not tail_match.group("tail").strip():
        return
    tail = tail_match.group("tail")
    if re.search(r"^\s*(#|[-*+]\s|\d+[.)]\s|\||<)", tail, re.M):
        return
    for other in questions[:-1]:
        if other.examples and CODE_MARK_RE.split(other.answer_md)[-1].strip():
            return
    move(tail_match.start("tail"))


def _drop_empty_categories(document: Document) -> None:
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


def _assign_keys(src: Source, document: Document) -> None:
    bases = [slugify(question.title, 90) for question in document.questions]
    natural = set(bases)
    used: set[str] = set()
    titles: dict[str, list[int]] = {}
    for question, base in zip(document.questions, bases):
        # A repeated title gets a suffix that no other title produces on its own ("foo-3"
        # when a "Foo 2" exists), so keys stay unique and stable across re-imports.
        key, n = base, 2
        while key in used or (key != base and key in natural):
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        question.key = key
        titles.setdefault(question.title.casefold(), []).append(question.line)
    for question in document.questions:
        lines = titles.get(question.title.casefold(), [])
        if len(lines) > 1 and lines[1] == question.line:  # one warning per repeated title
            others = ", ".join(str(n) for n in lines[1:6]) + (", …" if len(lines) > 6 else "")
            src.warnings.append(ParseWarning(
                question.line,
                f"duplicate title “{question.title}” (also on line {lines[0]}; {len(lines)} questions in all, "
                f"on lines {lines[0]}, {others})",
            ))


def answer_size(question: QuestionDoc) -> int:
    return len(question.answer_md) + sum(len(e.code) for e in question.examples)


def _check(src: Source, document: Document, markers: list[Marker]) -> None:
    """Warnings for imports that look wrong, each with the line to look at."""
    warn = src.warnings.append
    questions = document.questions
    sizes = [answer_size(q) for q in questions]
    for question, size in zip(questions, sizes):
        if not question.answer_md.strip() and not question.examples:
            warn(ParseWarning(question.line, f"question “{question.title}” has an empty answer"))
    if len(questions) >= 8:
        median = statistics.median(sizes) or 1
        for question, size in zip(questions, sizes):
            if size >= 12 * median and size > 4000:
                warn(ParseWarning(
                    question.line,
                    f"the answer to “{question.title}” holds {size / median:.0f} times the median answer's "
                    "text; did a question marker go unrecognised inside it?",
                ))
    # Numbering that jumps or repeats, within each category, where it otherwise runs 1, 2, 3…
    for category in document.categories:
        numbers = [(q, int(q.number)) for q in category.questions if q.number.isdigit()]
        steps = [b - a for (_, a), (_, b) in zip(numbers, numbers[1:])]
        if len(steps) < 3 or sum(step == 1 for step in steps) < 0.8 * len(steps):
            continue
        for (_, previous), (question, number) in zip(numbers, numbers[1:]):
            if number == previous:
                warn(ParseWarning(question.line, f"question number {number} repeats"))
            elif number != previous + 1 and number != 1:
                warn(ParseWarning(question.line, f"numbering jumps from {previous} to {number}"))
    # Lines in an answer that look like this document's question markers.
    question_lines = {m.index for m in markers if m.kind == "question"}
    by_line = {q.line - 1: q for q in questions}
    ordered = sorted(question_lines)
    levels = {len(m.group(1)) for i in ordered if (m := ATX_RE.match(src.lines[i]))}
    for pos, start in enumerate(ordered):
        end = ordered[pos + 1] if pos + 1 < len(ordered) else len(src.lines)
        question = by_line.get(start)
        if question is None:
            continue
        for i in range(start + 1, end):
            line = src.lines[i]
            if src.scanner.code[i] or src.skip[i] or line.startswith((" ", "\t")):
                continue
            if _looks_like_marker(line, document.layout, levels):
                warn(ParseWarning(i + 1, f"this line looks like a question but was read as part of the answer to “{question.title}” (line {question.line})"))
                break
    for i, line in enumerate(src.lines):
        if not src.scanner.code[i] and not src.skip[i] and ("](" in line or "<img" in line.lower()):
            if RELATIVE_IMAGE_RE.search(line) and not src.base_url:
                warn(ParseWarning(i + 1, "relative image without a base URL: it will show as its alt text"))


def _looks_like_marker(line: str, layout: str, levels: set[int]) -> bool:
    if layout == "list":
        return question_item(line) is not None
    if layout == "bold":
        return bool(BOLD_NUMBERED_RE.match(line))
    heading = ATX_RE.match(line)
    return bool(heading and len(heading.group(1)) in levels and looks_like_question(heading.group(2) or ""))
