"""Markdown → sanitized HTML, and code → Pygments HTML, done once at import time."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

import markdown
import nh3
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {
    "details", "summary", "figure", "figcaption", "span", "div", "pre", "code", "kbd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "img", "br", "hr", "sup", "sub", "mark", "del", "ins", "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("code", "span", "div", "pre", "th", "td", "table"):
    ALLOWED_ATTRIBUTES.setdefault(_tag, set()).update({"class", "align"})
ALLOWED_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "title", "width", "height"})
ALLOWED_ATTRIBUTES.setdefault("a", set()).update({"href", "title"})
ALLOWED_ATTRIBUTES.setdefault("details", set()).add("open")
ALLOWED_ATTRIBUTES.setdefault("ol", set()).update({"start"})
URL_SCHEMES = {"http", "https", "mailto"}

# Pygments marks tokens with CSS classes; static/css/pygments-{light,dark}.css colour them.
FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)

LANGUAGE_ALIASES = {
    "py": "python", "python3": "python", "py3": "python", "shell": "bash", "sh": "bash",
    "console": "console", "zsh": "bash", "dockerfile": "docker", "yml": "yaml",
    "js": "javascript", "ts": "typescript", "html+django": "html+django", "jinja": "django",
    "django": "html+django", "text": "text", "txt": "text", "plain": "text", "plaintext": "text",
}

_PLACEHOLDER = "PREPCODEBLOCK{:06d}X"
_PLACEHOLDER_RE = re.compile(r"(?:<p>)?PREPCODEBLOCK(\d{6})X(?:</p>)?")
_HEADING_RE = re.compile(r"<(/?)h([1-6])([ >])")


@lru_cache(maxsize=128)
def lexer_for(language: str):
    name = LANGUAGE_ALIASES.get(language.lower(), language.lower())
    if not name or name == "text":
        return TextLexer()
    try:
        return get_lexer_by_name(name)
    except ClassNotFound:
        return TextLexer()


_GUESSES = [
    ("python", re.compile(r"^\s*(def |class \w+.*:|import \w|from \w+ import|print\(|@\w+|return\b|for \w+ in .*:$|if .*:$)", re.M)),
    ("sql", re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH)\b", re.M | re.I)),
    ("bash", re.compile(r"^\s*(\$ |pip |python manage\.py|django-admin|sudo |apt-get |export \w+=)", re.M)),
    ("json", re.compile(r"^\s*[\[{]\s*$\n\s*\"", re.M)),
    ("html", re.compile(r"^\s*<(!DOCTYPE|html|div|p|ul|form|a |span)", re.M | re.I)),
]


def guess_language(code: str) -> str:
    """A conservative guess for unlabelled code; '' when nothing is clear."""
    for language, pattern in _GUESSES:
        if pattern.search(code):
            return language
    return ""


def highlight(code: str, language: str) -> str:
    return pygments_highlight(code, lexer_for(language), FORMATTER)


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _shift_headings(html: str, top: int) -> str:
    levels = [int(m.group(2)) for m in _HEADING_RE.finditer(html) if not m.group(1)]
    if not levels:
        return html
    delta = top - min(levels)
    return _HEADING_RE.sub(
        lambda m: f"<{m.group(1)}h{min(6, max(1, int(m.group(2)) + delta))}{m.group(3)}", html
    )


_LIST_ITEM_RE = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)")


def normalize_lists(text: str) -> str:
    """CommonMark list rules → what python-markdown expects.

    python-markdown wants a blank line before a list and four spaces per nesting level;
    real documents start lists right under a paragraph and indent by two or three.
    """
    out: list[str] = []
    stack: list[int] = []  # content offset of each open list item
    prev_blank = True
    prev_item = False
    for line in text.split("\n"):
        if not line.strip():
            out.append(line)
            prev_blank = True
            continue
        expanded = line.expandtabs(4)
        indent = len(expanded) - len(expanded.lstrip(" "))
        item = _LIST_ITEM_RE.match(expanded)
        if item:
            while stack and indent < stack[-1]:
                stack.pop()
            if not stack and not prev_blank and not prev_item:
                out.append("")
            depth = len(stack)
            out.append("    " * depth + expanded.lstrip(" "))
            stack.append(indent + len(item.group(2)) + max(1, len(item.group(3))))
            prev_item, prev_blank = True, False
            continue
        if stack and prev_blank:
            while stack and indent < stack[-1]:
                stack.pop()
            if stack:
                line = "    " * len(stack) + expanded.lstrip(" ")
        out.append(line)
        prev_item = prev_item and not prev_blank
        prev_blank = False
    return "\n".join(out)


class Renderer:
    """Renders answers whose code blocks were cut out by the parser.

    The parser replaces each code block with a placeholder line at the block's own
    indentation, so lists keep their structure; the highlighted code goes back in
    after sanitizing (Pygments escapes the code itself).
    """

    def __init__(self):
        self._md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")

    def markdown(self, text: str) -> str:
        self._md.reset()
        return sanitize(self._md.convert(normalize_lists(text)))

    def answer(self, text: str, figures: list[str], top_heading: int = 2) -> str:
        """`text` holds placeholders numbered 0..n-1 for the pre-rendered `figures`."""
        html = _shift_headings(self.markdown(text), top_heading)
        if not figures:
            return html
        return _PLACEHOLDER_RE.sub(
            lambda m: figures[int(m.group(1))] if int(m.group(1)) < len(figures) else "", html
        )


def placeholder(index: int) -> str:
    return _PLACEHOLDER.format(index)


def example_figure(index: int, language: str, highlighted: str) -> str:
    label = escape(language or "text")
    return (
        f'<figure class="code-example" data-example="{index}">'
        f'<figcaption class="code-lang">{label}</figcaption>{highlighted}</figure>'
    )
