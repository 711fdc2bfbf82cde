"""'Also in …': questions of other sets on the same topic, matched on the search index's title lexemes.

PostgreSQL gives the lexemes of its full-text configuration (the search index's); other databases
use the same simple words-and-stems as the search fallback. The whole map is computed in one query
per content version and cached, so a question page pays one cache read.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.urls import reverse

from .caching import content_cached
from .models import Question
from .search import SEARCH_CONFIG

MAX_LINKS = 3
MIN_DICE = 0.5
# Words every question here shares; they say nothing about the topic.
GENERIC = {
    "django", "python", "use", "used", "using", "work", "works", "explain", "difference", "differ", "between",
    "what", "when", "why", "how", "which", "does", "do", "is", "are", "the", "a", "an", "of", "in", "on", "to",
    "and", "or", "for", "with", "you", "your", "can", "it", "its", "be", "way", "ways", "purpose", "describe",
    "main", "key", "role", "example", "give", "mean", "meant", "djang", "differenc",
    # how-to verbs: "How do you implement caching?" is about caching, not about redirects one implements
    "implement", "create", "creat", "custom", "handle", "handl", "write", "writ", "make",
}
_WORD_RE = re.compile(r"\w+")
_LEXEME_RE = re.compile(r"'((?:[^']|'')+)'")


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed", "e"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _fallback_lexemes(title: str) -> set[str]:
    words = (w.lower().replace("`", "") for w in _WORD_RE.findall(title))
    return {_stem(w) for w in words if w not in GENERIC and len(w) > 2} - GENERIC


def _rows() -> list[tuple[int, int, str, str, str, str, str, set[str]]]:
    """(id, set id, set title, set slug, category slug, slug, title, lexemes) per listed question, one query."""
    qs = Question.objects.listed()
    fields = ["id", "category__question_set_id", "category__question_set__title", "category__question_set__slug",
              "category__slug", "slug", "title"]
    if connection.vendor == "postgresql":
        qs = qs.annotate(lexemes=SearchVector("title", config=SEARCH_CONFIG))
        rows = qs.values_list(*fields, "lexemes")
        return [(*row[:-1], {m.replace("''", "'") for m in _LEXEME_RE.findall(str(row[-1]))} - GENERIC) for row in rows]
    return [(*row, _fallback_lexemes(row[-1])) for row in qs.values_list(*fields)]


def compute() -> dict[int, list[dict]]:
    """question id -> up to MAX_LINKS links into other sets, best match first."""
    rows = _rows()
    links: dict[int, list[tuple[float, dict]]] = defaultdict(list)
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a[1] == b[1] or not a[-1] or not b[-1]:
                continue
            shared = len(a[-1] & b[-1])
            if not shared:
                continue
            dice = 2 * shared / (len(a[-1]) + len(b[-1]))
            if dice < MIN_DICE:
                continue
            links[a[0]].append((dice, _link(b)))
            links[b[0]].append((dice, _link(a)))
    return {qid: [link for _, link in sorted(found, key=lambda f: -f[0])[:MAX_LINKS]] for qid, found in links.items()}


def _link(row) -> dict:
    _, _, set_title, set_slug, category_slug, slug, title, _ = row
    url = reverse("questions:question_detail", args=[set_slug, category_slug, slug])
    return {"set_title": set_title, "title": title, "url": url}


def related_links(question_id: int) -> list[dict]:
    """Links for one question page; the map is built once per content version."""
    return content_cached("related", (), compute, 24 * 3600).get(question_id, [])
