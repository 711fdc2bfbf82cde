"""The plain in-memory document a parser produces and the importer applies.

Nothing here touches the database, so a preview can show exactly what an
import would write.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


class ParseError(ValueError):
    """A document that cannot be imported; `line` is 1-based, or None for the whole file."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ParseWarning:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ExampleDoc:
    language: str
    code: str
    line: int
    caption: str = ""
    guessed_language: bool = False


@dataclass
class ChoiceDoc:
    text: str
    correct: bool


@dataclass
class QuizItemDoc:
    """A multiple-choice item written in the Markdown itself (see README, "Authored quiz items")."""

    prompt: str
    choices: list[ChoiceDoc]
    line: int
    explanation: str = ""


@dataclass
class QuestionDoc:
    title: str
    answer_md: str
    line: int
    number: str = ""
    examples: list[ExampleDoc] = field(default_factory=list)
    quiz_items: list[QuizItemDoc] = field(default_factory=list)
    key: str = ""

    @property
    def source_md(self) -> str:
        """The answer as Markdown, code blocks written back as fences where they stood."""
        return CODE_MARK_RE.sub(lambda m: fence(self.examples[int(m.group(2))], m.group(1)), self.answer_md)


@dataclass
class CategoryDoc:
    title: str
    line: int
    questions: list[QuestionDoc] = field(default_factory=list)
    intro_md: str = ""


@dataclass
class Document:
    title: str
    categories: list[CategoryDoc]
    layout: str
    source_name: str = ""
    intro_md: str = ""
    closing_md: str = ""
    warnings: list[ParseWarning] = field(default_factory=list)
    content_hash: str = ""  # sha256 of the bytes parsed
    source_url: str = ""  # from front matter: where the document comes from
    license: str = ""
    base_url: str = ""  # what relative images resolve against (Renderer(base_url=...))

    @property
    def questions(self) -> list[QuestionDoc]:
        return [q for c in self.categories for q in c.questions]

    @property
    def examples(self) -> list[ExampleDoc]:
        return [e for q in self.questions for e in q.examples]


# The one code-block marker: where an example stands inside `QuestionDoc.answer_md`, on a
# line of its own. NUL never occurs in parsed text (the parser refuses it), so prose cannot forge one.
CODE_MARK_PREFIX = "\x00CODE"
CODE_MARK_PATTERN = CODE_MARK_PREFIX + r"(\d+)\x00"
CODE_MARK_RE = re.compile(r"^([ \t]*)" + CODE_MARK_PATTERN + "$", re.M)


def code_mark(index: int) -> str:
    return f"{CODE_MARK_PREFIX}{index}\x00"


def fence(example: ExampleDoc, indent: str = "") -> str:
    ticks = "```"
    while ticks in example.code:
        ticks += "`"
    language = "" if example.guessed_language else example.language
    code = example.code[:-1] if example.code.endswith("\n") else example.code  # blank lines at its end stay
    lines = [f"{ticks}{language}", *code.split("\n"), ticks]
    return "\n".join(f"{indent}{line}" if line else line for line in lines)


def slugify(text: str, max_length: int = 100) -> str:
    """ASCII slug; never empty, so every title gets a usable URL."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value.lower())
    value = re.sub(r"[-\s_]+", "-", value).strip("-")
    return value[:max_length].strip("-") or "item"
