"""Full-text search over question titles and answers (answer_md keeps the code fences, so code is searched too).

PostgreSQL ranks with its own full-text search, backed by a GIN expression index on the
same vector (migration 0002); other databases fall back to substring matching ranked here.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from html import unescape

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from .models import Question

SEARCH_CONFIG = "english"
MAX_RESULTS = 50
MAX_TERMS = 12
# Letters and digits only: the words go into a raw tsquery, where punctuation is syntax.
_WORD_RE = re.compile(r"[^\W_]+")
_SPACE_RE = re.compile(r"\s+")
_CAPTION_RE = re.compile(r"<figcaption\b.*?</figcaption>", re.S)
_TOKEN_RE = re.compile(r"\w+")
_PRE_RE = re.compile(r"<pre\b.*?</pre>", re.S)
_BLOCK_END_RE = re.compile(r"</(?:p|li|h[1-6]|blockquote|td|th|dd|dt)>", re.I)
_TICKS = re.compile(r"`([^`]+)`")


@dataclass
class Hit:
    question: Question
    rank: float
    title_html: SafeString
    snippet_html: SafeString


def tokens(query: str) -> list[str]:
    """The query's words as typed, identifiers whole: "select_related" stays one token."""
    seen: list[str] = []
    for token in _TOKEN_RE.findall(query.lower()):
        token = token.strip("_")
        if token and token not in seen:
            seen.append(token)
    return seen[:MAX_TERMS]


def terms(query: str) -> list[str]:
    """Letters and digits only, for the tsquery (select_related -> select, related)."""
    seen: list[str] = []
    for word in _WORD_RE.findall(query.lower()):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def search_vector():
    # Must stay identical to the indexed expression in migrations/0002_question_search_index.py.
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "answer_md", weight="B", config=SEARCH_CONFIG
    )


def _tsquery(query: str) -> str:
    """Each token a phrase of its words (select_related -> select:* <-> related:*), all required."""
    parts = []
    for token in tokens(query):
        words = _WORD_RE.findall(token)
        if words:
            parts.append("(" + " <-> ".join(f"{w}:*" for w in words) + ")")
    return " & ".join(parts)


def _postgres(query_text: str):
    # Prefix matching (word:*) so results appear while a word is still being typed.
    query = SearchQuery(_tsquery(query_text), search_type="raw", config=SEARCH_CONFIG)
    vector = search_vector()
    return list(
        Question.objects.listed()
        .with_category()
        .annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .defer("answer_md")
        .order_by("-rank", "category__question_set__title", "category__position", "position")[:MAX_RESULTS]
    )


def _fallback(words: list[str]):
    # Whole tokens: select_related must appear as written, not "select" and "related" anywhere.
    qs = Question.objects.listed().with_category()
    for word in words:
        qs = qs.filter(Q(title__icontains=word) | Q(answer_md__icontains=word))
    rows = list(qs[:500])
    for row in rows:
        title, answer = row.title.lower(), row.answer_md.lower()
        row.rank = sum(10 * title.count(w) + min(answer.count(w), 20) for w in words)
    rows.sort(key=lambda r: -r.rank)
    return rows[:MAX_RESULTS]


def search_questions(query: str) -> list[Hit]:
    words = [t for t in tokens(query) if _WORD_RE.search(t)]
    if not words:
        return []
    rows = _postgres(query) if connection.vendor == "postgresql" else _fallback(words)
    pattern = highlight_pattern(words)
    return [
        Hit(row, float(row.rank), mark_title(row.title, pattern), snippet(row.answer_html, pattern))
        for row in rows
    ]


def highlight_pattern(words: list[str]) -> re.Pattern:
    """Words that begin with a token (prefixes, while typing); no stemming, so "select_related"
    marks neither "SELECT" nor "relationships"."""
    alternatives = sorted(set(words), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in alternatives) + r")\w*", re.IGNORECASE)


def mark_terms(text: str, pattern: re.Pattern) -> SafeString:
    """`text` escaped, with each match wrapped in <mark>."""
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def mark_title(title: str, pattern: re.Pattern) -> SafeString:
    """A plain-text title with its `backticked` parts as code, matches marked in both."""
    out = []
    for i, part in enumerate(_TICKS.split(title)):
        marked = mark_terms(part, pattern)
        out.append(f"<code>{marked}</code>" if i % 2 else marked)
    return mark_safe("".join(out))


def _blocks(answer_html: str) -> list[tuple[str, str]]:
    """The answer as ("text", paragraph) and ("code", source) blocks, in order."""
    html = _CAPTION_RE.sub(" ", answer_html)
    blocks: list[tuple[str, str]] = []
    last = 0
    for match in _PRE_RE.finditer(html):
        blocks += _text_blocks(html[last : match.start()])
        blocks.append(("code", unescape(strip_tags(match.group())).strip("\n")))
        last = match.end()
    return blocks + _text_blocks(html[last:])


def _text_blocks(html: str) -> list[tuple[str, str]]:
    pieces = _BLOCK_END_RE.sub("\n\n", html).split("\n\n")
    texts = (_SPACE_RE.sub(" ", unescape(strip_tags(p))).strip() for p in pieces)
    return [("text", t) for t in texts if t]


def snippet(answer_html: str, pattern: re.Pattern, before: int = 70, length: int = 240) -> SafeString:
    """The passage of the answer that matches best: a sentence window of prose, or lines of code."""
    best, best_score = None, 0
    for kind, text in _blocks(answer_html):
        found = {m.group().lower() for m in pattern.finditer(text)}
        score = len(found) * 100 + len(pattern.findall(text))
        if score > best_score:
            best, best_score = (kind, text), score
    if best and best[0] == "code":
        return _code_snippet(best[1], pattern)
    if best is None:
        return _prose_snippet(_SPACE_RE.sub(" ", unescape(strip_tags(_CAPTION_RE.sub(" ", answer_html)))).strip(),
                              pattern, before, length)
    return _prose_snippet(best[1], pattern, before, length)


def _code_snippet(code: str, pattern: re.Pattern, context: int = 1, most: int = 4) -> SafeString:
    lines = code.splitlines()
    first = next((i for i, line in enumerate(lines) if pattern.search(line)), 0)
    start = max(0, first - context)
    while start < first and not lines[start].strip():
        start += 1
    shown = textwrap.dedent("\n".join(lines[start : start + most])).splitlines()
    body = "\n".join(str(mark_terms(line.rstrip()[:120], pattern)) for line in shown)
    return mark_safe(f'<pre class="result-code"><code>{body}</code></pre>')


def _prose_snippet(text: str, pattern: re.Pattern, before: int, length: int) -> SafeString:
    match = pattern.search(text)
    start = max(0, match.start() - before) if match else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + length)
    piece = text[start:end]
    html = mark_terms(piece, pattern)
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))
