"""Nothing on an unanswered item's page gives its answer away."""

import html as htmllib
import json
import re
from urllib.parse import quote

from django.urls import reverse
from django.utils.html import escape

from questions.importing import sync
from content.parser import parse
from questions.models import QuestionSet
from quizzes import services
from quizzes.generation import Spec, generate
from quizzes.kinds import KINDS
from quizzes.models import SECRET_FIELDS, AttemptItem
from quizzes.tests.test_generation import BANK


def _forms(secret: str) -> set[str]:
    """The ways a string could sit in a page: as is, HTML-escaped, URL-encoded, JSON-escaped."""
    return {secret, str(escape(secret)), quote(secret), quote(secret, safe=""), json.dumps(secret)[1:-1]}


def _text(markup: str) -> str:
    """What a reader (or a screen reader) gets: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", markup))).casefold()


def _windows(text: str, size: int = 4) -> set[str]:
    words = re.sub(r"<[^>]+>", " ", text.replace("`", "")).split()
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _assert_absent(secret: str, page: str, where: str, *, word: bool = False) -> None:
    if not secret:
        return
    low = page.casefold()
    for form in _forms(secret):
        form = form.casefold()
        if word:
            assert not re.search(rf"(?<!\w){re.escape(form)}(?!\w)", low), (where, form)
        else:
            assert form not in low, (where, form)
    needle = re.sub(r"\s+", " ", secret).casefold()
    if word:
        assert not re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", _text(page)), (where, needle)
    else:
        assert needle not in _text(page), (where, needle)


# The fixed wording of the item card in play.html (its words are no leak whatever the answer).
UI_WORDING = re.compile(
    r"Skip for now|…or type the identifier|Answer in your own words|Your answer|Select every option that applies"
    r"|Which identifier fills the blank\?|From the answer to|Item \d+ of \d+|Answer <kbd"
)
OPTION_RE = re.compile(r'<div class="form-check quiz-option py-1">(.*?)</div>', re.S)


def _option_shape(markup: str, choice_id: str) -> str:
    markup = re.sub(rf'"(choice-)?{choice_id}"', '"ID"', markup)
    markup = re.sub(r'<kbd class="me-2">\d</kbd>', "<kbd>N</kbd>", markup)
    return re.sub(r"(</kbd>).*?(</label>)", r"\1TEXT\2", markup, flags=re.S)


def _attempts_with_every_kind(start, user):
    """The shipped set gives no key-point items (too few bullet lists): add a small bank that does."""


    bank = QuestionSet.objects.get(pk=sync(parse(BANK, "bank.md")).question_set_id)
    attempts = [
        start(count=30, seed=11),
        services.start_attempt(user, bank, count=20, kinds=list(KINDS), seconds_per_item=60, feedback="immediate",
                               title="Bank", seed=5),
    ]
    assert {i.kind for a in attempts for i in a.items.all()} == set(KINDS)
    return attempts


def test_public_is_an_allow_list():
    snapshot = {
        "kind": "cloze", "prompt": "Which identifier fills the blank?", "context": "How do you use select_related?",
        "before": "qs = Article.objects.", "after": '("author")', "choices": [
            {"id": "a", "text": "select_related", "correct": True}, {"id": "b", "text": "only"}],
        "key": ["a"], "answer_text": "select_related", "ident": "cz:7:select_related", "explanation": "…",
        "question_title": "How do you use select_related?", "question_url": "/q/select-related/", "new_field": "x",
    }
    public = AttemptItem(kind="cloze", snapshot=snapshot).public
    assert set(public) <= set(KINDS["cloze"].public_fields) and not set(public) & SECRET_FIELDS
    assert "new_field" not in public and "ident" not in public
    assert public["choices"] == [{"id": "a", "text": "select_related"}, {"id": "b", "text": "only"}]
    assert public["context"] == ""  # the title names the missing identifier
    assert AttemptItem(kind="unknown", snapshot=snapshot).public == {}


def test_unanswered_items_of_every_kind_give_nothing_away(signed_in, start, user, django_assert_max_num_queries):
    items = [i for a in _attempts_with_every_kind(start, user) for i in a.items.select_related("question")]
    chrome: dict[int, set[str]] = {}
    for item in items:
        attempt = item.attempt
        with django_assert_max_num_queries(10):
            response = signed_in.get(reverse("quizzes:play", args=[attempt.pk]), {"item": item.number})
        assert response.status_code == 200
        page = response.content.decode()
        snap, public = item.snapshot, item.public
        where = (item.kind, item.number)

        assert set(public) & SECRET_FIELDS == set(), where
        assert set(public) <= set(KINDS[item.kind].public_fields), where
        for choice in public.get("choices", []):
            assert set(choice) == {"id", "text"}, where

        # Everything item-specific sits in the item's card: the rest of the page is the same for
        # every item (checked below), so the answer can only leak through the card.
        cards = re.findall(r'<section class="card mb-3" aria-labelledby="item-title">.*?</section>', page, re.S)
        assert len(cards) == 1, where
        chrome.setdefault(attempt.pk, set()).add(_chrome(page.replace(cards[0], "")))
        # The options are the one place where the key's text may appear, among the others.
        fieldsets = re.findall(r"<fieldset.*?</fieldset>", cards[0], re.S)
        assert len(fieldsets) == (0 if item.kind == "recall" else 1), where
        outside = cards[0].replace(fieldsets[0], "") if fieldsets else cards[0]
        no_options = page.replace(fieldsets[0], "") if fieldsets else page

        # Identifiers that name the answer (cloze: "cz:<question>:<identifier>") and the question.
        idents = {"code_question": f"cq:{item.question_id}", "cloze": f"cz:{item.question_id}:{snap.get('answer_text')}",
                  "key_point": f"kp:{item.question_id}", "recall": f"rc:{item.question_id}"}
        if item.kind in idents:
            _assert_absent(idents[item.kind], page, where)
        _assert_absent(snap["question_url"], page, where)
        _assert_absent(item.question.slug, outside, where, word=True)

        public_text = _text(" ".join(
            [public.get("prompt", ""), public.get("context", ""), public.get("before", ""), public.get("after", ""),
             public.get("code_html", "")] + [c["text"] for c in public.get("choices", [])]
        ).replace("`", ""))
        if snap.get("answer_text"):
            # A one-word identifier ("now") may be an ordinary word of the card's own wording.
            _assert_absent(snap["answer_text"], re.sub(UI_WORDING, "", outside), where, word=True)
            line = snap["before"] + snap["answer_text"] + snap["after"]
            _assert_absent(line.strip(), no_options, where)
            if snap["before"].strip():
                _assert_absent(snap["before"].strip()[-12:] + snap["answer_text"], no_options, where)
            if snap["after"].strip():
                _assert_absent(snap["answer_text"] + snap["after"][:12], no_options, where)
        texts = {c["id"]: c["text"] for c in snap.get("choices", [])}
        for key in snap.get("key", []):
            _assert_absent(texts[key], re.sub(UI_WORDING, "", outside), where, word=item.kind == "cloze")
        for fragment in _windows(snap.get("explanation") or ""):
            if re.sub(r"\s+", " ", fragment).casefold() not in public_text:
                _assert_absent(fragment, no_options, where)
        if item.kind == "recall":
            assert "quiz-model-answer" not in page
            for fragment in _windows(snap["model_answer_html"], 6):
                if fragment.casefold() not in public_text:
                    _assert_absent(fragment, page, where)
        assert not re.search(r"correct|data-key|is-right|answer_text|explanation|\"key\"", page.split("<main")[1], re.I)

        if snap.get("choices"):
            options = OPTION_RE.findall(page)
            ids = [c["id"] for c in snap["choices"]]
            assert len(options) == len(ids), where
            shapes = {choice_id: _option_shape(markup, choice_id) for choice_id, markup in zip(ids, options)}
            for key in snap["key"]:
                for other in ids:
                    assert shapes[key] == shapes[other], (where, key, other)
    assert [len(pages) for pages in chrome.values()] == [1, 1]


def _chrome(page: str) -> str:
    """The page around the item's card, without what legitimately changes between items."""
    page = re.sub(r' ?aria-current="step"|btn-primary|btn-outline-secondary|btn-secondary', "", page)
    page = re.sub(r'data-remaining-ms="\d+"|<span class="countdown-value">[^<]*</span>', "", page)
    page = re.sub(r'<span class="visually-hidden"> \(answered\)</span>', "", page)
    return re.sub(r'(value="|"X-CSRFToken": ")[A-Za-z0-9]{32,}', r"\1", page)


def test_cloze_context_never_names_the_blank(quiz_set):
    clozes = [i for seed in range(8) for i in generate(Spec(quiz_set.pk, seed, count=30, kinds=["cloze"]))]
    assert clozes
    for item in clozes:
        assert item["answer_text"].casefold() not in (item["context"] or "").casefold()
        assert "ident" not in item
