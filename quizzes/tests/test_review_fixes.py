"""Bad numbers, what an unanswered item may reveal, the late message's clock, and query budgets."""

import html as htmllib
import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from quizzes import services
from quizzes.kinds import KINDS
from quizzes.models import SECRET_FIELDS, Attempt, AttemptItem

HUGE = "9" * 25


# --- 1. numbers typed by the user --------------------------------------------------


@pytest.mark.parametrize("value", ["²", "١", "1²", " 1", "+1", "1_0", "0x1", "-1", HUGE, "abc"])
def test_question_set_query_that_is_not_a_number_is_400(signed_in, quiz_set, value):
    response = signed_in.get(reverse("quizzes:start"), {"question_set": value})
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()


def test_unknown_question_set_is_404_and_known_one_is_chosen(signed_in, quiz_set):
    assert signed_in.get(reverse("quizzes:start"), {"question_set": "123456"}).status_code == 404
    response = signed_in.get(reverse("quizzes:start"), {"question_set": str(quiz_set.pk), "partial": "categories"},
                             headers={"HX-Request": "true"})
    assert response.status_code == 200 and b'id="categories"' in response.content


@pytest.mark.parametrize("value", ["²", "١", "٣", " 1", "+1", "1_0", HUGE, "0"])
def test_item_numbers_that_are_not_plain_numbers_are_400(signed_in, start, value):
    attempt = start(count=5, kinds=["code_question", "recall"])
    key = attempt.items.get(position=0).snapshot.get("key") or ["a"]
    play = signed_in.get(reverse("quizzes:play", args=[attempt.pk]), {"item": value})
    assert play.status_code == 400
    answer = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": value, "choice": key})
    assert answer.status_code == 400
    mark = signed_in.post(reverse("quizzes:mark", args=[attempt.pk]), {"item": value, "verdict": "right"})
    assert mark.status_code == 400
    for response in (play, answer, mark):
        text = response.content.decode()
        assert "is not a number" in text or "has no item" in text
    assert not attempt.items.filter(answered_at__isnull=False).exists()


def test_missing_item_number_is_400(signed_in, start):
    attempt = start(count=5, kinds=["code_question"])
    response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"choice": "a"})
    assert response.status_code == 400 and "item number is missing" in response.content.decode()


@pytest.mark.parametrize("categories", [["²"], ["١"], [HUGE], ["1", "x"]])
def test_start_form_with_bad_category_ids_is_400(signed_in, quiz_set, categories):
    data = {"question_set": quiz_set.pk, "count": 10, "seconds_per_item": 60, "kinds": ["recall"],
            "feedback": "end", "categories": categories}
    response = signed_in.post(reverse("quizzes:start"), data)
    assert response.status_code == 400 and "is not a valid value" in response.content.decode()
    assert not Attempt.objects.exists()


@pytest.mark.parametrize("value", ["²", HUGE, "١"])
def test_start_form_with_bad_set_id_is_400(signed_in, quiz_set, value):
    data = {"question_set": value, "count": 10, "seconds_per_item": 60, "kinds": ["recall"], "feedback": "end"}
    assert signed_in.post(reverse("quizzes:start"), data).status_code == 400


def test_huge_attempt_id_is_404(signed_in, quiz_set):
    for name in ("play", "result", "clock"):
        assert signed_in.get(f"/quizzes/{HUGE}/" + ("" if name == "play" else f"{name}/")).status_code == 404
    for name in ("answer", "mark", "finish", "retry"):
        assert signed_in.post(f"/quizzes/{HUGE}/{name}/", {"item": "1"}).status_code == 404


def test_parse_number():
    assert services.parse_number("12") == 12
    for bad in ("²", "١٢", "", None, " 12", "12 ", "+12", "1_2", HUGE):
        with pytest.raises(services.QuizError):
            services.parse_number(bad)


# --- 2 and 3. nothing gives the answer away before answering -------------------------


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
    from content.importer import apply
    from content.parser import parse
    from questions.models import QuestionSet

    from quizzes.tests.test_generation import BANK

    bank = QuestionSet.objects.get(pk=apply(parse(BANK, "bank.md")).question_set_id)
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
    from quizzes.generation import Spec, generate

    clozes = [i for seed in range(8) for i in generate(Spec(quiz_set.pk, seed, count=30, kinds=["cloze"]))]
    assert clozes
    for item in clozes:
        assert item["answer_text"].casefold() not in (item["context"] or "").casefold()
        assert "ident" not in item


# --- 4. the late message ------------------------------------------------------------


def test_late_message_leaves_out_the_server_clock(start, user):
    attempt = start(count=5, kinds=["code_question"])
    deadline = timezone.now() - timedelta(seconds=7)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    with pytest.raises(services.TooLate) as caught:
        services.answer(user, attempt.pk, 1, ["a"], "")
    message = caught.value.message
    assert "Time is up" in message and "not counted" in message and "7 s" in message
    assert not re.search(r"\d\d:\d\d", message)  # no UTC clock time presented as the user's own
    attempt.refresh_from_db()
    assert attempt.finish_reason == "timeout"


def test_late_message_uses_the_users_time_zone(start, user):
    from progress.models import ReviewSettings

    ReviewSettings.objects.update_or_create(user=user, defaults={"time_zone": "Asia/Kolkata"})
    attempt = start(count=5, kinds=["code_question"])
    deadline = timezone.now() - timedelta(seconds=3)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    with pytest.raises(services.TooLate) as caught:
        services.answer(user, attempt.pk, 1, ["a"], "")
    local = timezone.localtime(deadline, timezone=__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert f"{local:%H:%M:%S} (Asia/Kolkata)" in caught.value.message
    assert f"{deadline:%H:%M:%S}" not in caught.value.message  # UTC is 5:30 away


# --- 5. history: bulk finalization, bounded queries -----------------------------------


def _make_attempts(start, n: int):
    attempts = []
    for i in range(n):
        attempt = start(count=5, kinds=["code_question", "recall"], seed=100 + i)
        first = attempt.items.get(position=0)
        AttemptItem.objects.filter(pk=first.pk).update(
            answered_at=timezone.now(), response={"choices": first.snapshot.get("key") or []},
            correct=first.kind != "recall" or None,
        )
        if i % 2:
            services.finish(attempt)
        else:  # expired, never closed: the history page must close it
            Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
        attempts.append(attempt)
    return attempts


@pytest.mark.parametrize("n", [2, 20])
def test_history_queries_do_not_grow_with_attempts(signed_in, start, n, django_assert_max_num_queries):
    attempts = _make_attempts(start, n)
    assert Attempt.objects.expired().count() == n // 2
    with django_assert_max_num_queries(7):
        response = signed_in.get(reverse("quizzes:history"))
    assert response.status_code == 200
    assert not Attempt.objects.filter(finished_at__isnull=True).exists()
    for attempt in attempts:
        attempt.refresh_from_db()
        items = list(attempt.items.all())
        auto = [i for i in items if i.kind != "recall"]
        recall = [i for i in items if i.kind == "recall"]
        assert (attempt.auto_total, attempt.auto_correct) == (len(auto), sum(1 for i in auto if i.correct))
        assert (attempt.recall_total, attempt.recall_correct) == (len(recall), sum(1 for i in recall if i.correct))
        if attempt.finish_reason == "timeout":
            assert attempt.finished_at == attempt.deadline
        assert reverse("quizzes:result", args=[attempt.pk]) in response.content.decode()


def test_finalize_without_items_counts_in_sql(start):
    attempt = start(count=6, kinds=["code_question"])
    items = list(attempt.items.all())
    for item in items[:3]:
        AttemptItem.objects.filter(pk=item.pk).update(answered_at=timezone.now(), correct=item.position != 1)
    with CaptureQueriesContext(connection) as ctx:
        assert attempt.finalize("submitted") is True
    assert len(ctx.captured_queries) == 2  # the UPDATE and re-reading its results
    assert (attempt.auto_total, attempt.auto_correct, attempt.finish_reason) == (6, 2, "submitted")
    assert attempt.finalize("submitted") is False


# --- 7. answering: a bounded number of queries, none re-reading what is known ------------


@pytest.mark.parametrize("feedback", ["immediate", "end"])
def test_answer_post_queries(signed_in, start, feedback):
    attempt = start(count=10, kinds=["code_question", "key_point"], feedback=feedback)
    signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    key = attempt.items.get(position=0).snapshot["key"]
    with CaptureQueriesContext(connection) as ctx:
        response = signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": 1, "choice": key},
                                  headers={"HX-Request": "true"})
    assert response.status_code == 200
    own = [q["sql"] for q in ctx.captured_queries
           if "progress_" not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    # session, user, attempt FOR UPDATE, the items, the answered item's snapshot, its UPDATE;
    # "end" then shows the next item: its snapshot and shown_at.
    assert len(own) <= (6 if feedback == "immediate" else 8), own
    assert sum('FROM "quizzes_attempt"' in sql for sql in own) == 1
    html = response.content.decode()
    assert ("✓ Right" in html) == (feedback == "immediate")
    assert 'id="quiz-stage"' in html and "<html" not in html
