"""The Anki deck's cards: rendered question HTML, and how they look with the deck's own CSS, light and night."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from questions import exporters
from questions.models import Question


def _card(question: Question) -> tuple[str, str]:
    """Front and back as Anki fills the model's templates."""
    note = next(
        note for deck in exporters.build_package(question.category.question_set).decks for note in deck.notes
        if note.fields[4] == question.slug
    )
    question_html, answer, category, set_title, _ = note.fields
    front = f'<div class="crumbs">{set_title} · {category}</div><div class="question">{question_html}</div>'
    return front, f'{front}<hr id="answer">{answer}'


@pytest.mark.django_db
def test_questions_are_html_without_numbers_or_backticks(seed_set):
    coded = Question.objects.of_set(seed_set.slug).get(title__contains="`select_related()`")
    assert coded.number
    front, _ = _card(coded)
    question = re.search(r'<div class="question">(.*?)</div>', front).group(1)
    assert "`" not in question and not question.startswith(coded.number)
    assert "<code>select_related()</code>" in question


@pytest.mark.browser
@pytest.mark.django_db
@pytest.mark.parametrize("night", [False, True])
def test_card_with_the_decks_css_reads_well(browser, seed_set, night):
    coded = Question.objects.of_set(seed_set.slug).get(title__contains="`select_related()`")
    _, back = _card(coded)
    assert 'class="highlight"' in back
    mode = " nightMode" if night else ""
    html = (f"<!doctype html><html lang='en'><head><title>card</title><style>{exporters.anki_css()}</style></head>"
            f"<body class='{mode.strip()}'><main class='card{mode}'>{back}</main></body></html>")
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.set_content(html)
    text = page.inner_text(".question")
    assert "`" not in text and not text.startswith(coded.number)
    colours = page.evaluate("""() => {
      const pre = document.querySelector('.highlight pre');
      const keyword = document.querySelector('.highlight .k, .highlight .kn, .highlight .nb, .highlight .s1, .highlight .s2');
      return {pre: getComputedStyle(pre).backgroundColor, card: getComputedStyle(document.querySelector('.card')).backgroundColor,
              text: getComputedStyle(pre).color, token: keyword && getComputedStyle(keyword).color};
    }""")
    assert colours["token"] and colours["token"] != colours["text"], "code is not highlighted"
    dark_pre = colours["pre"] in ("rgb(13, 17, 23)",)
    assert dark_pre == night, colours
    results = Axe().run(page, options={"runOnly": ["color-contrast"]})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    context.close()
