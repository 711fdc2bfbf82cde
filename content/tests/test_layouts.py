"""Real-world layouts written the way other people write them, and broken fences in the middle."""

import pytest

from content.parser import ParseError, parse


def shape(document):
    return [(c.title, [(q.number, q.title) for q in c.questions]) for c in document.categories]


LIST_BOLD = """# Python interview questions

A list of common questions.

1. **What is a decorator?**

   A function that wraps another function.

   ```python
   def deco(fn):
       # not a heading
       return fn
   ```

2. **What is a generator?**

   A function that yields values lazily.

       def gen():
           yield 1

3. **What does `__init__` do?**

   It initialises a new instance.
"""


def test_numbered_bold_items_with_indented_answers_and_code():
    document = parse(LIST_BOLD)
    assert document.layout == "list"
    assert document.intro_md == "A list of common questions."
    assert shape(document) == [("General", [
        ("1", "What is a decorator?"), ("2", "What is a generator?"), ("3", "What does `__init__` do?"),
    ])]
    first, second, third = document.questions
    # The item's indentation is not part of the answer (it would turn into a code block).
    assert first.answer_md.startswith("A function that wraps")
    assert first.examples[0].code == "def deco(fn):\n    # not a heading\n    return fn\n"
    assert second.examples[0].code == "def gen():\n    yield 1\n"
    assert third.answer_md == "It initialises a new instance."
    assert not document.warnings


def test_four_space_item_indent_and_paren_markers():
    text = "# JS\n\n1) **What is a closure?**\n    A function with its lexical environment.\n" \
           "2) **What is hoisting?**\n    Declarations move to the top of their scope.\n"
    document = parse(text)
    assert document.layout == "list"
    assert [q.answer_md for q in document.questions] == [
        "A function with its lexical environment.", "Declarations move to the top of their scope.",
    ]


LIST_HEADINGS = """# SQL questions

## Basics

1. ### What is a JOIN?
   A JOIN combines rows from two tables.

   ```sql
   SELECT * FROM a JOIN b ON a.id = b.a_id;
   ```

2. ### What is an index?
   A data structure that speeds up lookups.

## Advanced

3. ### What is a CTE?
   A named subquery introduced by WITH.
"""


def test_numbered_heading_items_under_category_headings():
    document = parse(LIST_HEADINGS)
    assert document.layout == "list"
    assert shape(document) == [
        ("Basics", [("1", "What is a JOIN?"), ("2", "What is an index?")]),
        ("Advanced", [("3", "What is a CTE?")]),
    ]
    assert document.questions[0].examples[0].language == "sql"


BOLD = """# Data questions

**1) Mean vs median.** Which one is robust to outliers?

The median.

**2) Variance.** What does it measure?

Spread around the mean.

```python
import statistics
statistics.variance([1, 2, 3])
```

**3)** What is a p-value?

The probability of data at least as extreme under the null hypothesis.
"""


def test_bold_numbered_paragraphs_both_forms():
    document = parse(BOLD)
    assert document.layout == "bold"
    assert shape(document) == [("General", [
        ("1", "Mean vs median. Which one is robust to outliers?"),
        ("2", "Variance. What does it measure?"),
        ("3", "What is a p-value?"),
    ])]
    assert document.questions[1].examples[0].language == "python"


def test_bold_questions_separated_by_rules():
    text = "# Python\n\n---\n\n**1. What is GIL?**\n\nGlobal interpreter lock.\n\n---\n\n" \
           "**2. What is a list comprehension?**\n\nA compact way:\n\n```python\n[x for x in y]\n```\n\n---\n"
    document = parse(text)
    assert document.layout == "bold"
    assert document.intro_md == ""
    assert [q.answer_md for q in document.questions][0] == "Global interpreter lock."


DETAILS = """# Frontend

<details>
<summary><b>1. What is the DOM?</b></summary>

The Document Object Model.

</details>

<details>
  <summary>
    <strong>2. What is event bubbling?</strong>
  </summary>

Events propagate from the target up to the root.

```js
el.addEventListener("click", e => e.stopPropagation());
```
</details>

<details><summary>3. What is CORS?</summary>
Cross-origin resource sharing.
</details>
"""


def test_details_blocks_with_markup_in_the_summary():
    document = parse(DETAILS)
    assert document.layout == "details"
    assert shape(document) == [("General", [
        ("1", "What is the DOM?"), ("2", "What is event bubbling?"), ("3", "What is CORS?"),
    ])]
    assert document.questions[1].examples[0].language == "js"
    assert document.questions[2].answer_md == "Cross-origin resource sharing."


def test_details_grouped_under_category_headings():
    text = "# Net\n\n## Basics\n\n<details>\n<summary>What is HTTP?</summary>\n\nA protocol.\n\n</details>\n\n" \
           "<details>\n<summary>What is TCP?</summary>\n\nTransport.\n\n</details>\n\n## Advanced\n\n" \
           "<details>\n<summary>What is QUIC?</summary>\n\nUDP-based.\n\n</details>\n"
    document = parse(text)
    assert document.layout == "details"
    assert shape(document) == [("Basics", [("", "What is HTTP?"), ("", "What is TCP?")]),
                               ("Advanced", [("", "What is QUIC?")])]


def test_heading_questions_with_answers_hidden_in_generic_details():
    text = "# Go\n\n### 1. What is a goroutine?\n\n<details><summary>Answer</summary>\n\nA light thread.\n\n</details>\n\n" \
           "### 2. What is a channel?\n\n<details><summary>Show answer</summary>\n\nA typed conduit.\n\n</details>\n"
    document = parse(text)
    assert document.layout == "headings"
    assert [q.answer_md for q in document.questions] == ["A light thread.", "A typed conduit."]


def test_category_heading_written_at_the_question_level():
    text = "# Behavioural\n\n## Teamwork\n\n## Q1: Tell me about a conflict.\n**Answer:** Situation, action, result.\n\n" \
           "## Q2: How do you handle feedback?\n**Answer:** Listen and act.\n"
    document = parse(text)
    assert shape(document) == [("Teamwork", [("1", "Tell me about a conflict."), ("2", "How do you handle feedback?")])]
    assert not document.warnings


def test_setext_headings_crlf_and_bom():
    text = "\ufeffJava questions\r\n==============\r\n\r\nCollections\r\n-----------\r\n\r\n" \
           "### What is a HashMap?\r\nA hash table.\r\n\r\n### What is an ArrayList?\r\nA resizable array.\r\n"
    document = parse(text.encode("utf-8"))
    assert document.title == "Java questions"
    assert shape(document) == [("Collections", [("", "What is a HashMap?"), ("", "What is an ArrayList?")])]


def test_numbered_lists_inside_heading_answers_do_not_become_questions():
    text = "# Django\n\n## ORM\n\n### 1. Name three QuerySet methods?\n\n1. **filter**\n2. **exclude**\n3. **annotate**\n\n" \
           "### 2. What is select_related?\n\nOne query:\n\n1. Django builds a JOIN.\n2. One query instead of N.\n"
    document = parse(text)
    assert document.layout == "headings"
    assert shape(document) == [("ORM", [("1", "Name three QuerySet methods?"), ("2", "What is select_related?")])]


# --- an unclosed fence in the middle of the document -----------------------------------


@pytest.mark.parametrize(
    ("text", "titles", "fence_line", "resume_line"),
    [
        (
            "# Rust\n\n1. **What is ownership?**\n\n   Each value has one owner.\n\n   ```rust\n   let s = 1;\n\n"
            "2. **What is borrowing?**\n\n   A reference.\n\n3. **What is a lifetime?**\n\n   Validity.\n",
            ["What is ownership?", "What is borrowing?", "What is a lifetime?"], 7, 10,
        ),
        (
            "# K8s\n\n<details>\n<summary>1. What is a pod?</summary>\n\n```yaml\nkind: Pod\n\n</details>\n\n"
            "<details>\n<summary>2. What is a service?</summary>\n\nAn endpoint.\n\n</details>\n",
            ["What is a pod?", "What is a service?"], 6, 9,
        ),
        (
            "# Stats\n\n**1)** What is a mean?\n\n```python\nmean = sum(xs) / len(xs)\n\n**2)** What is a mode?\n\nThe most common value.\n",
            ["What is a mean?", "What is a mode?"], 5, 8,
        ),
        (
            "# Django\n\n## Views\n\n### 1. What is a view?\n\n```python\ndef view(request):\n    # a comment\n\n"
            "### 2. What is a URLconf?\n\nA mapping.\n",
            ["What is a view?", "What is a URLconf?"], 7, 11,
        ),
    ],
    ids=["list", "details", "bold", "headings"],
)
def test_unclosed_fence_recovers_at_the_next_question_with_a_warning(text, titles, fence_line, resume_line):
    document = parse(text)
    assert [q.title for q in document.questions] == titles
    assert len(document.questions[0].examples) == 1
    assert "```" not in document.questions[1].answer_md
    warnings = [w for w in document.warnings if "never closed" in w.message]
    assert len(warnings) == 1
    assert warnings[0].line == fence_line
    assert f"line {resume_line}" in warnings[0].message


def test_unclosed_fence_without_a_next_question_is_refused_naming_the_line():
    text = "# Notes\n\n## SQL\n\n### 1. What is a view?\n\nA saved query.\n\n```sql\nSELECT 1;\n\nSome prose that may or may not be code.\n"
    with pytest.raises(ParseError) as error:
        parse(text)
    assert error.value.line == 9
    assert "never closed" in error.value.message


def test_hash_comments_rules_and_numbered_lines_inside_code_stay_code():
    text = "# Py\n\n## Basics\n\n### 1. What does this print?\n\n```python\n# Heading?\n---\n1. not an item\n\nprint(1)\n```\n\n" \
           "### 2. And this?\n\n~~~\n## also code\n~~~\n"
    document = parse(text)
    assert shape(document) == [("Basics", [("1", "What does this print?"), ("2", "And this?")])]
    assert document.questions[0].examples[0].code == "# Heading?\n---\n1. not an item\n\nprint(1)\n"
    assert document.questions[1].examples[0].code == "## also code\n"
