"""Full-text search over question titles and answers (answer_md keeps the code fences, so code is searched too).

PostgreSQL ranks with its own full-text search, backed by a GIN expression index on the
same vector (migration 0002); other databases fall back to substring matching ranked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from django.db import connection
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


@dataclass
class Hit:
    question: Question
    rank: float
    title_html: SafeString
    snippet_html: SafeString


def terms(query: str) -> list[str]:
    seen: list[str] = []
    for word in _WORD_RE.findall(query.lower()):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


def search_vector():
    from django.contrib.postgres.search import SearchVector

    # Must stay identical to the indexed expression in migrations/0002_question_search_index.py.
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "answer_md", weight="B", config=SEARCH_CONFIG
    )


def _postgres(words: list[str]):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    # Prefix matching (word:*) so results appear while a word is still being typed.
    query = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config=SEARCH_CONFIG)
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
    from django.db.models import Q

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
    words = terms(query)
    if not words:
        return []
    rows = _postgres(words) if connection.vendor == "postgresql" else _fallback(words)
    pattern = highlight_pattern(words)
    return [
        Hit(row, float(row.rank), mark_terms(row.title, pattern), snippet(row.answer_html, pattern))
        for row in rows
    ]


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def highlight_pattern(words: list[str]) -> re.Pattern:
    stems = sorted({_stem(w) for w in words}, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)


def mark_terms(text: str, pattern: re.Pattern) -> SafeString:
    """`text` escaped, with each match wrapped in <mark>."""
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(answer_html: str, pattern: re.Pattern, before: int = 70, length: int = 240) -> SafeString:
    text = _SPACE_RE.sub(" ", unescape(strip_tags(_CAPTION_RE.sub(" ", answer_html)))).strip()
    match = pattern.search(text)
    start = max(0, match.start() - before) if match else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + length)
    piece = text[start:end]
    html = mark_terms(piece, pattern)
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))
