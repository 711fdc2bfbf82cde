"""Markdown → sanitized HTML, and code → Pygments HTML, done once at import time.

Prose is rendered by Python-Markdown with pymdown-extensions, after its lists are
re-indented from the CommonMark structure (markdown-it-py) so they read as on GitHub.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape, unescape
from urllib.parse import urljoin

import markdown
import nh3
from markdown_it import MarkdownIt
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from .document import CODE_MARK_PATTERN, CODE_MARK_RE, code_mark

ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) | {
    "details", "summary", "figure", "figcaption", "span", "div", "pre", "code", "kbd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "img", "br", "hr", "sup", "sub", "mark", "del", "ins", "dl", "dt", "dd", "input",
}
ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("code", "span", "div", "pre", "ul", "li", "figure", "figcaption", "table"):
    ALLOWED_ATTRIBUTES.setdefault(_tag, set()).add("class")
for _tag in ("th", "td"):
    ALLOWED_ATTRIBUTES.setdefault(_tag, set()).add("align")
ALLOWED_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "title", "width", "height"})
ALLOWED_ATTRIBUTES.setdefault("a", set()).update({"href", "title"})
ALLOWED_ATTRIBUTES.setdefault("details", set()).add("open")
ALLOWED_ATTRIBUTES.setdefault("ol", set()).add("start")
ALLOWED_ATTRIBUTES.setdefault("figure", set()).add("data-example")
ALLOWED_ATTRIBUTES["input"] = {"type", "checked", "disabled"}
URL_SCHEMES = {"http", "https", "mailto"}

# Only the classes the site's CSS styles: Pygments tokens, code frames, task lists.
ALLOWED_CLASSES = {c for c in STANDARD_TYPES.values() if c} | {
    "highlight", "hll", "linenos", "code-example", "code-lang", "task-list", "task-list-item",
}

# Pygments marks tokens with CSS classes; static/css/pygments-{light,dark}.css colour them.
FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)

LANGUAGE_ALIASES = {
    "py": "python", "python3": "python", "py3": "python", "shell": "bash", "sh": "bash",
    "console": "console", "zsh": "bash", "dockerfile": "docker", "yml": "yaml",
    "js": "javascript", "ts": "typescript", "html+django": "html+django", "jinja": "django",
    "django": "html+django", "text": "text", "txt": "text", "plain": "text", "plaintext": "text",
}

# Tags a Markdown author means as HTML; anything else in angle brackets (<module>,
# <pyshell#3>, <ID | App | Name>) is text and is shown as written.
HTML_TAGS = frozenset(
    "a abbr address area article aside audio b bdi bdo blockquote br button caption center cite code col "
    "colgroup data dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i "
    "img input ins kbd label li main mark nav ol p picture pre q rp rt ruby s samp section small source span "
    "strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul var video wbr "
    # not allowed, but HTML all the same: the sanitizer removes them rather than showing them
    "script style iframe object embed form textarea select option optgroup link meta base html head body "
    "title svg math noscript template frame frameset applet dialog canvas track map param marquee blink "
    "xmp plaintext listing noembed noframes legend fieldset output progress meter slot portal".split()
)
_TAG_LIKE_RE = re.compile(r"<(?![!?])(/?)([^\s<>/]*)([^<>]*)>")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_DETAILS_OPEN_RE = re.compile(r"<details\b(?![^>]*\bmarkdown=)", re.I)
_SLOT_OPEN, _SLOT_CLOSE = "\ue002", "\ue003"
_SLOT_RE = re.compile(r"(?:<p>)?\ue002(\d+)\ue003(?:</p>)?")
_BARE_P_RE = re.compile(r"^[ \t]*</?p>[ \t]*$", re.M | re.I)
_MARK_HTML_RE = re.compile(r"(?:<p>)?" + CODE_MARK_PATTERN + r"(?:</p>)?")
# A paragraph with a code mark inside: a fence right after a line of text (CommonMark lets a
# fence interrupt a paragraph; Python-Markdown reads the mark as part of it).
_P_WITH_MARK_RE = re.compile(r"<p>((?:(?!</p>).)*?" + CODE_MARK_PATTERN + r"(?:(?!</p>).)*)</p>", re.S)
_MARK_IN_TEXT_RE = re.compile(CODE_MARK_PATTERN)
_HEADING_RE = re.compile(r"<(/?)h([1-6])([ >])")
_ANCHOR_LINK_RE = re.compile(r"<a\b[^>]*\bhref=\"#[^\"]*\"[^>]*>(.*?)</a>", re.S | re.I)
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_ATTR_RE = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [c for c in value.split() if c in ALLOWED_CLASSES]
        return " ".join(kept) or None
    if tag == "img" and attribute == "src":
        return value if value.startswith("https://") else None  # remote images only over https
    if tag == "input" and attribute == "type":
        return value if value == "checkbox" else None
    return value


_IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def sanitize(html: str) -> str:
    return _IMG_WITHOUT_SRC_RE.sub("", _clean(html))


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter_attribute,
    )


def _shift_headings(html: str, top: int) -> str:
    levels = [int(m.group(2)) for m in _HEADING_RE.finditer(html) if not m.group(1)]
    if not levels:
        return html
    delta = top - min(levels)
    return _HEADING_RE.sub(
        lambda m: f"<{m.group(1)}h{min(6, max(1, int(m.group(2)) + delta))}{m.group(3)}", html
    )


def escape_non_html(text: str) -> str:
    """`<module>` → `&lt;module>`, outside code spans; real HTML tags stay."""
    if "<" not in text:
        return text
    return _outside(_CODE_SPAN_RE, text, _escape_tags)


def _outside(verbatim: re.Pattern, text: str, change) -> str:
    """`change` applied to the text between the matches of `verbatim`, which stay as they are."""
    parts, last = [], 0
    for match in verbatim.finditer(text):
        parts.append(change(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(change(text[last:]))
    return "".join(parts)


def _escape_tags(text: str) -> str:
    def fix(match: re.Match) -> str:
        name = match.group(2).lower()
        if name in HTML_TAGS and re.fullmatch(r"[a-z][a-z0-9]*", name) and "|" not in match.group(3):
            return match.group(0)
        if re.match(r"(?:https?|mailto|ftp):", match.group(2) + match.group(3)):
            return match.group(0)  # an autolink
        return "&lt;" + match.group(0)[1:]

    return _TAG_LIKE_RE.sub(fix, text)


# Python-Markdown looks for each "[" 's closing "]" and each "](" 's closing ")" by scanning
# ahead, so text full of unclosed brackets costs quadratic time. This linear pre-pass escapes
# the brackets that cannot open a link: unclosed, or closed too far away to be one.
_LINK_SPAN = 2000
_VERBATIM_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)|(`+)(?!`).*?(?<!`)\2(?!`)", re.M | re.S)


def defuse_links(text: str) -> str:
    if "[" not in text or _OPEN_BRACKET in text or _OPEN_PAREN in text:
        return text
    return _outside(_VERBATIM_RE, text, _defuse)


# Stand-ins for defused brackets: Python-Markdown passes them through untouched (a backslash
# escape would cost an inline match each, itself quadratic in a long paragraph).
_OPEN_BRACKET, _OPEN_PAREN = "\ue000", "\ue001"
_MAX_BRACKET_DEPTH = 32


def _defuse(text: str) -> str:
    if "[" not in text:
        return text
    escape_at: list[int] = []
    open_brackets: list[int] = []
    open_parens: list[int] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            open_brackets.append(i)
        elif char == "]" and open_brackets:
            start = open_brackets.pop()
            if i - start > _LINK_SPAN or len(open_brackets) >= _MAX_BRACKET_DEPTH:
                escape_at.append(start)
        elif char == "(":
            open_parens.append(i)
        elif char == ")" and open_parens:
            start = open_parens.pop()
            if i - start > _LINK_SPAN or len(open_parens) >= _MAX_BRACKET_DEPTH:
                escape_at.append(start)
        i += 1
    escape_at.extend(open_brackets)
    escape_at.extend(open_parens)
    if not escape_at:
        return text
    chars = list(text)
    for position in escape_at:
        chars[position] = _OPEN_BRACKET if chars[position] == "[" else _OPEN_PAREN
    return "".join(chars)


def _restore_brackets(html: str) -> str:
    if _OPEN_BRACKET in html or _OPEN_PAREN in html:
        return html.replace(_OPEN_BRACKET, "[").replace(_OPEN_PAREN, "(")
    return html


# A paragraph line, then a bullet or a "1." item (CommonMark lets only those interrupt it).
_FLAT_INTERRUPT_RE = re.compile(r"^((?![-*+] |\d{1,9}[.)] |#|>|\||<)[^\n]*\S[^\n]*)\n((?:[-*+]|1[.)]) \S)", re.M)
_INDENTED_ATX_RE = re.compile(r"^ {1,3}#{1,6}(?:[ \t]|$)", re.M)
_CM = MarkdownIt("commonmark").disable(["inline", "text_join"])
_CM.options["maxNesting"] = 64


def normalize_lists(text: str) -> str:
    """Re-indent lists as CommonMark reads them, for Python-Markdown's four-space rule.

    Each item's marker moves to four spaces per nesting level and its content lines keep
    their place relative to the item's content column; a list that interrupts a paragraph
    gets the blank line Python-Markdown needs before it. The HTML block that opens a
    <details> is raw HTML up to its first blank line, as on GitHub: its lines move to the
    block's own indentation, so that md_in_html does not read them as indented code. An ATX
    heading indented by one to three spaces (CommonMark's limit) moves to its block's margin:
    Python-Markdown would show its hashes as text.
    """
    if (not re.search(r"^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)", text, re.M) and "<details" not in text
            and not _INDENTED_ATX_RE.search(text)):
        return text
    if not re.search(r"^[ \t]|^ {0,3}(?:```|~~~)|<details", text, re.M):
        # Flat lists only: the blank line before a list that interrupts a paragraph is all they need.
        return _FLAT_INTERRUPT_RE.sub(r"\1\n\n\2", text)
    lines = text.split("\n")
    owner: list[tuple[int, int] | None] = [None] * len(lines)  # (depth, content column)
    marker_line: dict[int, int] = {}  # line → depth of the item it opens
    blank_before: set[int] = set()
    html_head: dict[int, int] = {}  # line inside a <details> HTML block → its first line
    headings: set[int] = set()
    depth = 0
    for token in _CM.parse(text):
        if token.type == "heading_open" and token.map and token.markup.startswith("#"):
            headings.add(token.map[0])
        if token.type == "html_block" and token.map and token.content.lstrip().lower().startswith("<details"):
            for k in range(token.map[0] + 1, min(token.map[1], len(lines))):
                html_head[k] = token.map[0]
        if token.type in ("bullet_list_open", "ordered_list_open") and token.map:
            start = token.map[0]
            if depth == 0 and start > 0 and lines[start - 1].strip():
                blank_before.add(start)
        if token.type == "list_item_open" and token.map:
            start, end = token.map
            line = lines[start].expandtabs(4)
            lead = len(line) - len(line.lstrip(" "))
            after = re.match(r"(?:[-*+]|\d{1,9}[.)])( *)", line[lead:])
            gap = len(after.group(1)) if after else 1
            column = lead + (len(after.group(0)) - gap if after else 1) + (gap if 1 <= gap <= 4 else 1)
            marker_line[start] = depth
            for k in range(start + 1, min(end, len(lines))):
                owner[k] = (depth, column)
            depth += 1
        elif token.type == "list_item_close":
            depth -= 1
    out: list[str] = []
    indents: dict[int, int] = {}
    for i, line in enumerate(lines):
        if i in blank_before:
            out.append("")
        if i in html_head and html_head[i] in indents and line.strip():
            out.append(" " * indents[html_head[i]] + line.lstrip())
        elif i in marker_line:
            out.append("    " * marker_line[i] + line.expandtabs(4).lstrip(" "))
        elif owner[i] is not None and line.strip():
            item_depth, column = owner[i]
            expanded = line.expandtabs(4)
            lead = 0 if i in headings else len(expanded) - len(expanded.lstrip(" "))
            out.append(" " * (4 * (item_depth + 1) + max(0, lead - column)) + expanded.lstrip(" "))
        elif i in headings:
            out.append(line.lstrip(" "))
        else:
            out.append(line)
        indents[i] = len(out[-1]) - len(out[-1].lstrip(" "))
    return "\n".join(out)


EXTENSIONS = [
    "tables", "sane_lists", "md_in_html",
    "pymdownx.superfences", "pymdownx.highlight", "pymdownx.escapeall", "pymdownx.saneheaders",
    "pymdownx.details", "pymdownx.tasklist", "pymdownx.tilde", "pymdownx.magiclink",
]
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.escapeall": {"hardbreak": False, "nbsp": False},
    "pymdownx.tasklist": {"custom_checkbox": False},
}


class Renderer:
    """Renders answers whose code blocks the parser cut out, leaving code marks in their place."""

    def __init__(self, base_url: str = ""):
        self.base_url = base_url
        self._md = markdown.Markdown(
            extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
        )

    def _convert(self, text: str) -> str:
        self._md.reset()
        text = escape_non_html(defuse_links(text))
        if "<details" in text:
            # A bare <p> line only wraps the Markdown after it on GitHub; md_in_html would keep
            # that Markdown raw inside the <p>.
            text = _DETAILS_OPEN_RE.sub('<details markdown="1"', _BARE_P_RE.sub("", text))
        html = _restore_brackets(self._md.convert(normalize_lists(text)))
        html = _ANCHOR_LINK_RE.sub(r"\1", html)  # the page has no such anchors
        return _IMG_RE.sub(self._image, html)

    def _image(self, match: re.Match) -> str:
        attrs = {m.group(1).lower(): unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in _ATTR_RE.finditer(match.group(0))}
        src, alt = attrs.get("src", ""), attrs.get("alt", "")
        if not re.match(r"[a-z][a-z0-9+.-]*:|//", src, re.I) and self.base_url:
            src = urljoin(self.base_url, src)
        if src.startswith("https://"):
            return f'<img src="{escape(src)}" alt="{escape(alt)}">'
        return escape(alt)  # a relative image without a base URL, or one over http: its alt text

    def markdown(self, text: str) -> str:
        return sanitize(self._convert(text))

    def answer(self, text: str, figures: list[str], top_heading: int = 2) -> str:
        """`text` holds code marks numbered 0..n-1 for the pre-rendered `figures`."""
        html = _shift_headings(self._convert(text.replace(_SLOT_OPEN, "").replace(_SLOT_CLOSE, "")), top_heading)
        html = _P_WITH_MARK_RE.sub(_split_paragraph, html)
        if not figures:
            return sanitize(html)
        # The prose is sanitized with the code marks in it (as inert stand-ins the sanitizer keeps),
        # then the figures go in: Pygments escapes the code, the language label is escaped, so the
        # inserted HTML needs no sanitizing, and the prose cannot forge a mark (NUL is refused by
        # the parser, the stand-ins are stripped above).
        html = sanitize(_MARK_HTML_RE.sub(lambda m: f"{_SLOT_OPEN}{m.group(1)}{_SLOT_CLOSE}", html))
        return _SLOT_RE.sub(lambda m: figures[int(m.group(1))] if int(m.group(1)) < len(figures) else "", html)


def _split_paragraph(match: re.Match) -> str:
    """`<p>Consider: MARK More.</p>` → `<p>Consider:</p> MARK <p>More.</p>`: a figure cannot sit in a <p>."""
    body, parts, at = match.group(1), [], 0
    for mark in _MARK_IN_TEXT_RE.finditer(body):
        parts += [body[at:mark.start()], mark.group(0)]
        at = mark.end()
    parts.append(body[at:])
    return "\n".join(part if i % 2 else f"<p>{part.strip()}</p>" for i, part in enumerate(parts) if part.strip())


def placeholder(index: int) -> str:
    """Where code goes in an answer to render: the same mark the parser leaves."""
    return code_mark(index)


def example_figure(index: int, language: str, highlighted: str) -> str:
    label = escape(language or "text")
    return (
        f'<figure class="code-example" data-example="{index}">'
        f'<figcaption class="code-lang">{label}</figcaption>{highlighted}</figure>'
    )


__all__ = ["CODE_MARK_RE", "Renderer", "example_figure", "guess_language", "highlight", "placeholder", "sanitize"]
