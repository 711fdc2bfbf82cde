"""The parser on the seed, on layouts real documents use, and on bad input."""

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.document import ParseError
from content.importer import render_question
from content.parser import parse
from content.render import Renderer

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "content" / "sets" / "django-interview-questions.md"
# sha256 of the steering repo's shared/seed/django-interview-questions.md, which the seed ships byte for byte
SEED_SHA256 = "57a7085b22d458e4cdaeebd745056825905f3c01722d6e386378979933123ed9"
CORPORA = ROOT / "content" / "tests" / "corpora"  # a copy of ../shared/corpora


@pytest.fixture(scope="module")
def seed():
    return parse(SEED.read_bytes(), SEED.name)


def rendered(question):
    return render_question(question, Renderer())[0]


# --- the seed ---------------------------------------------------------------------


def test_seed_is_shipped_byte_for_byte():
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256


def test_seed_set_categories_and_questions(seed):
    assert seed.title == "Django Interview Questions & Answers"
    assert seed.layout == "headings"
    assert [c.title for c in seed.categories] == [
        "Core Concepts", "Django ORM", "Views and URLs", "Forms and Validation",
        "Authentication and Authorization", "Django REST Framework", "Middleware and Signals",
        "Caching and Performance", "Testing", "Deployment and Production", "Security", "Advanced Topics",
    ]
    assert [q.number for q in seed.questions] == [str(n) for n in range(1, 29)]
    assert seed.questions[0].title == "What is Django and what are its key features?"
    assert seed.questions[2].title == "What is the difference between Django's `null=True` and `blank=True`?"
    assert seed.warnings == []


def test_seed_examples_languages(seed):
    languages = [e.language for e in seed.examples]
    assert len(languages) == 28
    assert languages.count("python") == 26
    assert languages.count("dockerfile") == 1
    assert languages.count("yaml") == 1
    q23 = seed.questions[22]
    assert q23.number == "23"
    assert [e.language for e in q23.examples] == ["dockerfile", "yaml"]


def test_seed_code_blocks_are_byte_for_byte(seed):
    # The seed's fences are all top-level, so a plain regex finds the source text of each.
    source = SEED.read_text(encoding="utf-8")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```$", source, re.M | re.S)
    assert len(blocks) == 28
    assert [e.code for e in seed.examples] == blocks


def test_seed_question_1_keeps_prose_and_list(seed):
    q1 = seed.questions[0]
    assert q1.examples == []
    assert q1.answer_md.startswith("Django is a high-level Python web framework")
    html = rendered(q1)
    assert "<p>Django is a high-level Python web framework" in html
    assert len(re.findall(r"<li>", html)) == 10
    assert "<strong>MTV Architecture</strong>" in html


def test_seed_closing_paragraph_kept_apart(seed):
    closing = "This comprehensive guide covers Django fundamentals"
    assert seed.closing_md.startswith(closing)
    last = seed.questions[-1]
    assert closing not in last.answer_md
    assert last.examples[-1].code.endswith("# Never serve user-uploaded files directly from Django\n")


def test_seed_comments_in_code_are_not_headings(seed):
    # Question 2's code has "# Model (models.py) - Data layer" lines: they stay code.
    q2 = seed.questions[1]
    assert "# Model (models.py) - Data layer" in q2.examples[0].code
    assert all(c.title != "Model (models.py) - Data layer" for c in seed.categories)


def test_seed_answer_html_has_highlighted_code(seed):
    html = rendered(seed.questions[1])
    assert '<figure class="code-example" data-example="0">' in html
    assert '<figcaption class="code-lang">python</figcaption>' in html
    assert '<span class="k">class</span>' in html


def test_source_markdown_round_trips(seed):
    # The stored answer Markdown re-parses to the same code.
    for question in seed.questions:
        again = parse(f"# T\n\n## C\n\n### {question.title}\n\n{question.source_md}\n\n### Other?\nx\n")
        assert [e.code for e in again.questions[0].examples] == [e.code for e in question.examples]


# --- real documents ---------------------------------------------------------------


def test_shared_corpora():
    devlovers = parse((CORPORA / "django-devlovers-en.md").read_bytes(), "django-devlovers-en.md")
    assert devlovers.layout == "details"
    assert len(devlovers.questions) == 100
    assert [q.number for q in devlovers.questions] == [str(n) for n in range(1, 101)]
    assert devlovers.title == "Django"
    assert "#### Django" in devlovers.questions[0].answer_md

    technical = parse((CORPORA / "sql-python-datascience-technical.md").read_bytes(), "technical.md")
    assert technical.layout == "bold"
    assert [c.title for c in technical.categories] == ["SQL", "Coding (Python)", "Algorithmic Questions"]
    assert [len(c.questions) for c in technical.categories] == [11, 14, 15]
    assert technical.questions[0].title == "The number of active ads."
    assert technical.questions[0].examples[0].language == "sql"


# --- layouts real documents use ---------------------------------------------------


def test_questions_without_categories_and_numbering_variants():
    doc = parse(
        "# My Set\n\n## 4a. What is a view?\nA callable.\n\n## Q. Plain prefixed?\nYes.\n\n"
        "## Q12: Another one\nAnswer.\n"
    )
    assert [c.title for c in doc.categories] == ["General"]
    assert [(q.number, q.title) for q in doc.questions] == [
        ("4a", "What is a view?"), ("", "Plain prefixed?"), ("12", "Another one"),
    ]


def test_plain_question_headings_below_categories():
    doc = parse(
        "# Set\n\n## ORM\n\n### Lazy querysets\nThey are lazy.\n\n#### Details\nMore.\n\n"
        "### Select related\nJoins.\n\n## Views\n\n### Function views\nPlain.\n"
    )
    assert [c.title for c in doc.categories] == ["ORM", "Views"]
    assert [q.title for q in doc.questions] == ["Lazy querysets", "Select related", "Function views"]
    assert "#### Details\nMore." in doc.questions[0].answer_md


def test_decorated_headings_and_links_in_titles():
    doc = parse(
        "# T\n\n## 🔹 1. What is WSGI?\nA spec.\n\n## ✅ 2. [What is ASGI?](#asgi)\nAsync.\n\n"
        '## <a name="q3"></a>3. What is a view?\nA callable.\n'
    )
    assert [(q.number, q.title) for q in doc.questions] == [
        ("1", "What is WSGI?"), ("2", "What is ASGI?"), ("3", "What is a view?"),
    ]


def test_numbered_list_of_questions_with_indented_answers():
    doc = parse(
        "# Python\n\n1. What is a generator?\n\n   A function that yields.\n\n"
        "   ```python\n   def gen():\n       yield 1\n   ```\n\n"
        "2. **What is a decorator?**\n\n   A callable that wraps another.\n\n"
        "3. ### What is the GIL?\n   A global lock.\n"
    )
    assert doc.layout == "list"
    assert [(q.number, q.title) for q in doc.questions] == [
        ("1", "What is a generator?"), ("2", "What is a decorator?"), ("3", "What is the GIL?"),
    ]
    assert doc.questions[0].examples[0].code == "def gen():\n    yield 1\n"
    assert "A function that yields." in doc.questions[0].answer_md


def test_title_from_file_name_when_no_h1():
    doc = parse("## 1. What?\nThat.\n\n## 2. Why?\nBecause.\n", "python-basics.md")
    assert doc.title == "Python basics"


def test_fence_variants():
    doc = parse(
        "# T\n\n### 1. Tildes?\n~~~python\n# not a heading\nx = 1\n~~~\n\n"
        "### 2. Long fences?\n````markdown\n```python\ninner\n```\n````\n\n"
        "### 3. No language?\n```\nplain text here\n```\n"
    )
    q1, q2, q3 = doc.questions
    assert q1.examples[0].code == "# not a heading\nx = 1\n"
    assert q2.examples[0].code == "```python\ninner\n```\n"
    assert q2.examples[0].language == "markdown"
    assert q3.examples[0].language == ""
    assert q3.examples[0].code == "plain text here\n"


def test_fence_inside_list_item_and_indented_code():
    doc = parse(
        "# T\n\n### 1. Steps?\n1. Install:\n   ```bash\n   pip install django\n   ```\n2. Run it.\n\n"
        "### 2. Indented?\nLike this:\n\n    def f():\n        return 1\n\nDone.\n"
    )
    q1, q2 = doc.questions
    assert q1.examples[0].code == "pip install django\n"
    assert q1.examples[0].language == "bash"
    html = rendered(q1)
    assert "<ol>" in html and html.index("pip") > html.index("<li>")
    assert q2.examples[0].code == "def f():\n    return 1\n"
    assert q2.examples[0].caption == "Like this:"
    assert "Done." in q2.answer_md


def test_tables_and_inline_html_survive():
    doc = parse(
        "# T\n\n### 1. Compare?\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "Press <kbd>Ctrl</kbd>.\n\n<details><summary>More</summary>\n\nHidden.\n\n</details>\n\n### 2. Next?\nx\n"
    )
    html = rendered(doc.questions[0])
    assert "<table>" in html and "<td>1</td>" in html
    assert "<kbd>Ctrl</kbd>" in html
    assert "<details>" in html and "<summary>More</summary>" in html


def test_table_of_contents_and_back_to_top_are_skipped():
    doc = parse(
        "# T\n\n## Table of Contents\n- [Basics](#basics)\n- [ORM](#orm)\n\n"
        "## Basics\n\n### 1. What?\nAnswer.\n\n**[⬆ Back to Top](#table-of-contents)**\n\n"
        "## ORM\n\n### 2. How?\nAnswer two.\n\n[back to top](#t)\n"
    )
    assert [c.title for c in doc.categories] == ["Basics", "ORM"]
    assert doc.questions[0].answer_md == "Answer."
    assert doc.questions[1].answer_md == "Answer two."


def test_numbered_code_lines_and_rules_do_not_split_cards():
    doc = parse(
        "# T\n\n## C\n\n### 1. First?\n```python\n# 2. not a question\n1. also not\n---\n```\n\n---\n\n"
        "### 2. Second?\nText.\n"
    )
    assert len(doc.questions) == 2
    assert doc.questions[0].examples[0].code == "# 2. not a question\n1. also not\n---\n"


def test_mid_file_h1_starts_a_category():
    doc = parse(
        "# Python\n\n## 1. What is GIL?\nA lock.\n\n# Django\n\n## 2. What is ORM?\nMapping.\n"
    )
    assert [c.title for c in doc.categories] == ["Python", "Django"]
    assert "Django" not in doc.questions[0].answer_md


def test_mid_file_h1_after_a_title_is_a_category():
    doc = parse("# Guide\n\n## Basics\n\n### 1. What?\nA.\n\n# Appendix\n\n### 2. Extra?\nB.\n")
    assert doc.title == "Guide"
    assert [c.title for c in doc.categories] == ["Basics", "Appendix"]


def test_setext_headings():
    doc = parse("Guide\n=====\n\nBasics\n------\n\n### 1. What?\nThis.\n\n### 2. Why?\nThat.\n")
    assert doc.title == "Guide"
    assert [c.title for c in doc.categories] == ["Basics"]


def test_duplicate_titles_get_distinct_keys_and_a_warning():
    doc = parse("# T\n\n### 1. Same?\na\n\n### 2. Same?\nb\n")
    assert doc.questions[0].key != doc.questions[1].key
    assert any("duplicate title" in w.message for w in doc.warnings)


def test_keys_unique_when_a_title_looks_like_a_suffixed_duplicate():
    doc = parse("# T\n\n### Foo\na\n\n### Foo\nb\n\n### Foo 2\nc\n")
    keys = [q.key for q in doc.questions]
    assert keys == ["foo", "foo-3", "foo-2"]
    assert parse("# T\n\n### Foo\na\n\n### Foo\nb\n\n### Foo 2\nc\n").questions[1].key == "foo-3"


def test_empty_answer_warns():
    doc = parse("# T\n\n### 1. Empty?\n\n### 2. Full?\nYes.\n")
    assert any(w.line == 3 and "empty answer" in w.message for w in doc.warnings)


def test_authored_quiz_items():
    doc = parse(
        "# T\n\n### 1. What does atomic do?\nWraps in a transaction.\n\n#### Quiz\n\n"
        "Which are true?\n\n- [x] It rolls back on exceptions\n- [ ] It caches queries\n- [x] It nests with savepoints\n"
        "Explanation: atomic blocks nest as savepoints.\n\n### 2. Next?\nx\n"
    )
    question = doc.questions[0]
    assert "Quiz" not in question.answer_md
    (item,) = question.quiz_items
    assert item.prompt == "Which are true?"
    assert [(c.text, c.correct) for c in item.choices] == [
        ("It rolls back on exceptions", True), ("It caches queries", False), ("It nests with savepoints", True),
    ]
    assert item.explanation == "atomic blocks nest as savepoints."


def test_quiz_prompt_keeps_leading_numbers_but_not_list_numbering():
    doc = parse(
        "# T\n\n### 1. Q?\nA.\n\n#### Quiz\n\n1. 404 means what?\n\n- [x] Not found\n- [ ] Server error\n\n"
        "500 is which class?\n\n- [x] Server error\n- [ ] Client error\n"
    )
    assert [item.prompt for item in doc.questions[0].quiz_items] == ["404 means what?", "500 is which class?"]


# --- sanitizing -------------------------------------------------------------------


def test_html_is_sanitized():
    doc = parse(
        "# T\n\n### 1. Evil?\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) [ok](https://example.com) ![pic](https://example.com/a.png)\n\n"
        "<a href=\"#\" onclick=\"steal()\">x</a>\n\n### 2. Fine?\nok\n"
    )
    html = rendered(doc.questions[0])
    assert "<script" not in html and "alert(1)</script>" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert 'href="https://example.com"' in html
    assert re.search(r'<img [^>]*src="https://example.com/a.png"', html)


def test_code_is_escaped_not_executed():
    doc = parse("# T\n\n### 1. Html?\n```html\n<script>alert(1)</script>\n```\n\n### 2. B?\nb\n")
    html = rendered(doc.questions[0])
    assert "<script>" not in html
    assert "&lt;" in html and "script" in html


# --- bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"# T\n\n### 1. Q?\nok\n\xff\xfe bad\n", 5, "not UTF-8"),
        (b"", None, "empty"),
        (b"   \n\n", None, "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary"),
        (b"# Just a title\n\nSome prose, no questions at all.\n", None, "no questions"),
        (b"# T\n\n### 1. Q?\n```python\nx = 1\n\nnever closed\n", 4, "never closed"),
    ],
)
def test_bad_input_is_refused_with_the_line(data, line, words):
    with pytest.raises(ParseError) as caught:
        parse(data, "bad.md")
    assert caught.value.line == line
    assert words in caught.value.message


def test_unclosed_fence_recovers_at_the_next_question():
    doc = parse("# T\n\n### 1. First?\n```python\nx = 1\n\n### 2. Second?\nAnswer.\n\n### 3. Third?\nMore.\n")
    assert [q.title for q in doc.questions] == ["First?", "Second?", "Third?"]
    assert doc.questions[0].examples[0].code == "x = 1\n"
    (warning,) = doc.warnings
    assert warning.line == 4 and "never closed" in warning.message and "line 7" in warning.message


def test_python_comment_in_unclosed_fence_is_not_a_recovery_point():
    with pytest.raises(ParseError) as caught:
        parse("# T\n\n### 1. First?\n```python\nx = 1\n\n# Comment\ny = 2\n")
    assert caught.value.line == 4


# --- fuzzing ----------------------------------------------------------------------

MARKDOWN_PIECES = st.sampled_from(
    ["# ", "## ", "### ", "#### ", "1. ", "**1)** ", "- ", "- [x] ", "```", "~~~", "````python", "    ",
     "<details>", "<summary>", "</summary>", "</details>", "<pre>", "</pre>", "---", "===", "Q1: ",
     "| a | b |", "\n", "\n\n", "text", "What?", "`x`", "<script>", "[a](#b)", "\t", "\r\n", "\ufeff"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MARKDOWN_PIECES, max_size=60).map("".join))
def test_fuzz_markdown_like_text_never_crashes(text):
    try:
        document = parse(text, "fuzz.md")
    except ParseError as exc:
        assert exc.message
        return
    assert document.questions
    renderer = Renderer()
    for question in document.questions:
        render_question(question, renderer)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_bytes_never_crash(data):
    try:
        parse(data, "fuzz.md")
    except ParseError:
        pass
