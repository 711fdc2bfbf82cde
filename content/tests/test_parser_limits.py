"""Hostile input is refused with a ParseError naming the line, quickly, never a RecursionError."""

import time

import pytest

from content.document import ParseError
from content.parser import parse
from content.parser.patterns import MAX_DEPTH, MAX_LINE
from content.render import Renderer


def test_a_list_nested_300_levels_deep_is_refused_naming_the_line():
    text = "# T\n\n### 1. Deep?\n\n" + "".join("  " * depth + "- item\n" for depth in range(300)) * 5
    assert len(text) > 90_000
    started = time.perf_counter()
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert time.perf_counter() - started < 5
    assert caught.value.line == 5 + MAX_DEPTH
    assert "nested" in caught.value.message


def test_quotes_nested_too_deep_are_refused():
    with pytest.raises(ParseError) as caught:
        parse("# T\n\n### 1. Q?\n\n" + ">" * 500 + " deep\n")
    assert caught.value.line == 5


def test_nesting_within_the_cap_renders():
    text = "".join("  " * depth + "- item\n" for depth in range(MAX_DEPTH - 2))
    document = parse("# T\n\n### 1. Q?\n\n" + text + "\n### 2. R?\nok\n")
    html = Renderer().answer(document.questions[0].answer_md, [])
    assert html.count("<ul>") == MAX_DEPTH - 2


def test_an_overlong_line_is_refused_naming_it():
    with pytest.raises(ParseError) as caught:
        parse("# T\n\n### 1. Q?\n" + "x" * (MAX_LINE + 1) + "\n")
    assert caught.value.line == 4


@pytest.mark.parametrize("answer", ["[a](" * 20_000, "[" * 50_000, "](" * 30_000, "[x](" + "a" * 100_000, "[" * 5_000 + "]" * 5_000])
def test_bracket_floods_render_quickly_and_as_written(answer):
    started = time.perf_counter()
    html = Renderer().answer(answer, [])
    assert time.perf_counter() - started < 3
    assert html.startswith("<p>" + answer[:20])


def test_real_links_still_render_next_to_defused_brackets():
    html = Renderer().answer("a [link](https://x.org/a_(b)) and :( and `[code(` and [unclosed", [])
    assert '<a href="https://x.org/a_(b)"' in html
    assert ":( and <code>[code(</code> and [unclosed" in html


def test_too_many_unclosed_fences_are_refused():
    text = "# T\n\n" + "".join(f"### {n}. Q{n}?\n\n```python\nx = {n}\n\n" for n in range(1, 60))
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert "never closed" in caught.value.message and caught.value.line > 1
    few = parse("# T\n\n" + "".join(f"### {n}. Q{n}?\n\n```python\nx = {n}\n\n" for n in range(1, 5)) + "### 5. End?\nok\n")
    assert len(few.questions) == 5
