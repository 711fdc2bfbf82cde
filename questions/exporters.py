"""A question set out of the platform again: Markdown in the platform's own layout, or an Anki deck.

The Markdown re-imports to the same set (same categories, questions, answers, examples and
authored quiz items); content/tests/test_export.py checks the round trip.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile

import genanki
from pygments.formatters import HtmlFormatter

from questions.models import Question, QuestionSet
from questions.templatetags.study import inline_code

from content.parser import ATX_RE, Scanner, looks_like_question, split_number

QUESTION_LEVEL = 3


def _lines_outside_code(text: str) -> tuple[list[str], list[bool]]:
    lines = text.split("\n")
    try:
        scanner = Scanner(lines)
    except ValueError:  # a broken fence cannot come from the importer; treat everything as text
        return lines, [False] * len(lines)
    return lines, scanner.code


def _demote_headings(answer: str) -> str:
    """Push an answer's own headings below the question level, keeping their relative depth.

    Answers are rendered with their top heading shifted to a fixed level, so this changes
    the Markdown but not the page.
    """
    if "#" not in answer:
        return answer
    lines, code = _lines_outside_code(answer)
    levels = [len(m.group(1)) for i, line in enumerate(lines) if not code[i] and (m := ATX_RE.match(line))]
    if not levels or min(levels) > QUESTION_LEVEL:
        return answer
    delta = QUESTION_LEVEL + 1 - min(levels)
    for i, line in enumerate(lines):
        if not code[i] and ATX_RE.match(line):
            stripped = line.lstrip(" ")
            level = len(stripped) - len(stripped.lstrip("#"))
            lines[i] = "#" * min(6, level + delta) + stripped[level:]
    return "\n".join(lines)


def question_heading(question: Question) -> str:
    """`### 12. Title`, or the bare title when it reads as a question and carries no number."""
    title = question.title.replace("\n", " ").strip()
    if question.number:
        return f"{'#' * QUESTION_LEVEL} {question.number}. {title}"
    if split_number(title) == ("", title) and looks_like_question(title):
        return f"{'#' * QUESTION_LEVEL} {title}"
    return f"{'#' * QUESTION_LEVEL} Q: {title}"


def _quiz_block(question: Question) -> str:
    items = [item for item in question.authored_items.all() if not item.source]
    if not items:
        return ""
    parts = [f"{'#' * (QUESTION_LEVEL + 1)} Quiz"]
    for item in items:
        parts.append(item.prompt.replace("\n", " "))
        parts.append("\n".join(f"- [{'x' if c.get('correct') else ' '}] {c.get('text', '')}" for c in item.choices))
        if item.explanation:
            parts.append(f"Explanation: {item.explanation}")
    return "\n\n".join(parts)


def to_markdown(question_set: QuestionSet) -> str:
    """The set as Markdown: `# Set`, `## Category`, `### N. Question`, answers with fenced code.

    Expects categories and their listed questions prefetched (see questions.export_views._export_set),
    but works without.
    """
    blocks = []
    # Where the set comes from and its license travel with every copy (the MIT license asks for its notice).
    meta = [f"{key}: {value}" for key, value in (("source", question_set.source_url), ("license", question_set.license))
            if value]
    if meta:
        blocks.append("---\n" + "\n".join(meta) + "\n---")
    blocks.append(f"# {question_set.title}")
    if question_set.intro_md:
        blocks.append(question_set.intro_md)
    for category in question_set.categories.all():
        questions = [q for q in category.questions.all() if not q.archived]
        if not questions:
            continue
        blocks.append(f"## {category.title}")
        if category.intro_md:
            blocks.append(category.intro_md)
        for question in questions:
            blocks.append(question_heading(question))
            if question.answer_md.strip():
                blocks.append(_demote_headings(question.answer_md))
            quiz = _quiz_block(question)
            if quiz:
                blocks.append(quiz)
    if question_set.closing_md:
        blocks.append("---")
        blocks.append(question_set.closing_md)
    return "\n\n".join(block.strip("\n") for block in blocks) + "\n"


# --- Anki -------------------------------------------------------------------------------

CARD_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px; line-height: 1.5; text-align: left; color: #1f2328; background: #ffffff;
  max-width: 46em; margin: 0 auto; padding: 0 .5em; }
.nightMode.card, .night_mode.card, .nightMode .card, .night_mode .card { color: #e6edf3; background: #1e1e1e; }
.crumbs { font-size: 13px; color: #656d76; }
.nightMode .crumbs, .night_mode .crumbs { color: #9198a1; }
.question { font-size: 21px; font-weight: 600; margin: .4em 0; }
figure.code-example { margin: .8em 0; }
figcaption.code-lang { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #656d76; }
.nightMode figcaption.code-lang, .night_mode figcaption.code-lang { color: #9198a1; }
.highlight pre { padding: .7em .9em; border-radius: 6px; overflow-x: auto; font-size: 15px; line-height: 1.4;
  font-family: "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace; white-space: pre; }
code { font-family: "JetBrains Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: .92em; }
:not(pre) > code { background: rgba(175, 184, 193, .25); padding: .1em .3em; border-radius: 4px; }
table { border-collapse: collapse; } th, td { border: 1px solid #d0d7de; padding: .3em .6em; }
.nightMode th, .nightMode td, .night_mode th, .night_mode td { border-color: #3d444d; }
"""


def anki_css() -> str:
    """Card CSS with Pygments colours inlined: default style in light mode, github-dark (the site's) in night mode."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(
        [".nightMode .highlight", ".night_mode .highlight", ".nightMode.card .highlight"]
    )
    # Pygments' dark background only covers .highlight; make sure the <pre> inherits it.
    dark += "\n.nightMode .highlight pre, .night_mode .highlight pre { background: #0d1117; color: #e6edf3; }"
    light += "\n.highlight pre { background: #f6f8fa; }"
    return "\n".join([CARD_CSS, light, dark])


def _stable_id(*parts: str) -> int:
    """Anki model and deck ids must stay the same across exports so re-importing updates cards."""
    digest = hashlib.sha256("\x1f".join(("interview-prep", *parts)).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def anki_model() -> genanki.Model:
    return genanki.Model(
        _stable_id("model", "v1"),
        "Interview Prep question",
        fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Category"}, {"name": "Set"}, {"name": "Key"}],
        templates=[
            {
                "name": "Question → answer",
                "qfmt": '<div class="crumbs">{{Set}} · {{Category}}</div><div class="question">{{Question}}</div>',
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
            }
        ],
        css=anki_css(),
        sort_field_index=0,
    )


def question_html(question: Question) -> str:
    """The card's front: the title as HTML, inline code shown as code, without the source's number."""
    return str(inline_code(question.title.strip()))


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()) or "untagged"


def build_package(question_set: QuestionSet, progress=None) -> genanki.Package:
    """One subdeck per category; `progress(done, total)` is called every 100 notes."""
    model = anki_model()
    decks = []
    done, total = 0, sum(1 for c in question_set.categories.all() for q in c.questions.all() if not q.archived)
    for category in question_set.categories.all():
        questions = [q for q in category.questions.all() if not q.archived]
        if not questions:
            continue
        deck = genanki.Deck(
            _stable_id("deck", question_set.slug, category.slug), f"{question_set.title}::{category.title}"
        )
        for question in questions:
            deck.add_note(
                genanki.Note(
                    model=model,
                    fields=[
                        question_html(question),
                        question.answer_html,
                        html.escape(category.title),
                        html.escape(question_set.title),
                        html.escape(question.slug),
                    ],
                    guid=genanki.guid_for(question_set.slug, question.slug),
                    tags=[_tag(question_set.slug), _tag(category.slug)],
                )
            )
            done += 1
            if progress is not None and done % 100 == 0:
                progress(done, total)
        decks.append(deck)
    return genanki.Package(decks)


def to_apkg(question_set: QuestionSet, progress=None) -> bytes:
    package = build_package(question_set, progress)
    handle, path = tempfile.mkstemp(suffix=".apkg")
    os.close(handle)
    try:
        package.write_to_file(path)
        with open(path, "rb") as file:
            return file.read()
    finally:
        os.unlink(path)

