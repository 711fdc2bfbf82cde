"""Each layout real documents use (issue 15), on a small document written for the test."""

import pytest

from content.parser import parse


def shape(document):
    return [(c.title, [(q.number, q.title) for q in c.questions]) for c in document.categories]


def test_numbered_category_headings_over_questions():
    text = (
        "# Prep\n\n## # 1. Python Basics\n\n### 1. What is a list?\nA sequence.\n\n### 2. What is a dict?\nA map.\n\n"
        "## 2. Django Fundamentals\n\n### 1. What is a view?\nA callable.\n\n### 2. What is a model?\nA table.\n"
    )
    document = parse(text)
    assert shape(document) == [
        ("1. Python Basics", [("1", "What is a list?"), ("2", "What is a dict?")]),
        ("2. Django Fundamentals", [("1", "What is a view?"), ("2", "What is a model?")]),
    ]
    assert all(q.answer_md for q in document.questions)


@pytest.mark.parametrize("item", ["### {}", "**{}**"])
def test_answers_continued_at_the_margin_under_question_items(item):
    questions = ["What is a closure?", "What is hoisting?", "What is a promise?"]
    text = "# JS\n\n" + "".join(
        f"{n}. {item.format(q)}\n\n   Indented start of answer {n}.\n\nAnswer {n} goes on at the margin.\n\n"
        f"```js\nlet x = {n};\n```\n\n"
        for n, q in enumerate(questions, 1)
    )
    document = parse(text)
    assert document.layout == "list"
    assert [q.title for q in document.questions] == questions
    for n, question in enumerate(document.questions, 1):
        assert f"Answer {n} goes on at the margin." in question.answer_md
        assert [e.code for e in question.examples] == [f"let x = {n};\n"]
    assert "What is hoisting" not in document.questions[0].answer_md


def test_numbered_category_headings_over_items_whose_answers_are_all_at_the_margin():
    text = (
        "# Node\n\n## # 1. Basics\n\n1. **What is Node.js?**\n\n   A runtime.\n\n2. **What is npm?**\n\n"
        "The package manager.\n\n## # 2. Modules\n\n3. **Q: What does require return?**\n\nmodule.exports.\n\n"
        "4. **Q. What is ESM?**\n\n   ECMAScript modules.\n"
    )
    document = parse(text)
    assert shape(document) == [
        ("1. Basics", [("1", "What is Node.js?"), ("2", "What is npm?")]),
        ("2. Modules", [("3", "What does require return?"), ("4", "What is ESM?")]),
    ]
    assert [q.answer_md for q in document.questions] == ["A runtime.", "The package manager.", "module.exports.",
                                                         "ECMAScript modules."]
    assert document.warnings == []


def test_bullet_questions_with_a_nested_answer():
    text = (
        "# Django\n\n## Table of Contents\n1. [Basics](#1-basics)\n2. [ORM](#2-orm)\n\n"
        "## 1. Basics\n- What is Django\n  - **Answer:** A web framework.\n- What is an app\n  - **Answer:** A package.\n\n"
        "## 2. ORM\n- What is a QuerySet?\n  - **Answer:** A lazy query.\n\n---\n\n### Additional Resources\n"
        "- [Docs](https://docs.djangoproject.com/)\n"
    )
    document = parse(text)
    assert document.layout == "bullets"
    assert shape(document) == [
        ("1. Basics", [("", "What is Django"), ("", "What is an app")]),
        ("2. ORM", [("", "What is a QuerySet?")]),
    ]
    assert [q.answer_md for q in document.questions] == ["A web framework.", "A package.", "A lazy query."]
    assert "Additional Resources" in document.closing_md
    assert "Table of Contents" not in document.intro_md


def test_escaped_numbers_and_prefixes_are_markers_not_titles():
    text = "# T\n\n## Q. ***What is Docker?***\nA tool.\n\n## Q: What is an image?\nA template.\n\n" \
           "## 151\\. **Q:** What is a volume?\nStorage.\n\n## Q1. What is a layer?\nA diff.\n"
    document = parse(text)
    assert [(q.number, q.title) for q in document.questions] == [
        ("", "What is Docker?"), ("", "What is an image?"), ("151", "What is a volume?"), ("1", "What is a layer?"),
    ]
    paragraphs = parse("# T\n\n150\\. **Q:** What is X?\n\nX.\n\n151\\. **Q.** What is Y?\n\nY.\n")
    assert [(q.number, q.title, q.answer_md) for q in paragraphs.questions] == [
        ("150", "What is X?", "X."), ("151", "What is Y?", "Y."),
    ]


def test_table_of_contents_is_dropped_and_nothing_else():
    text = (
        "# SQL\n\n## Table of Contents\n\n- [What is a join?](#what-is-a-join)\n- [What is an index?](#what-is-an-index)\n\n"
        "### 1. What is a join?\nRows from two tables.\n\n### 2. What is an index?\nA lookup structure.\n\n"
        "### 3. What is a view?\nA saved query.\n\n#### Example\nCREATE VIEW.\n\n## More\n\n### 4. What is a CTE?\nA WITH.\n"
    )
    document = parse(text)
    assert [q.title for q in document.questions] == [
        "What is a join?", "What is an index?", "What is a view?", "What is a CTE?",
    ]
    assert document.questions[0].answer_md == "Rows from two tables."
    assert "#### Example" in document.questions[2].answer_md
    assert "Table of Contents" not in document.intro_md and "#what-is" not in document.intro_md


def test_headings_inside_answers_that_break_the_pattern_are_not_categories():
    text = (
        "# React\n\n## Basics\n\n### 1. What is JSX?\nSyntax.\n\n## Key Points\nIt compiles to calls.\n\n"
        "### 2. What is a prop?\nAn input.\n\n## Hooks\n\n### 1. What is useState?\nState.\n\n### 2. What is useEffect?\n"
        "Effects.\n\n1. Item one\n\n   ## 1. Syntax:\n   indented heading inside a list item\n"
    )
    document = parse(text)
    assert shape(document) == [
        ("Basics", [("1", "What is JSX?"), ("2", "What is a prop?")]),
        ("Hooks", [("1", "What is useState?"), ("2", "What is useEffect?")]),
    ]
    assert "## Key Points" in document.questions[0].answer_md
    assert "## 1. Syntax:" in document.questions[3].answer_md


def test_a_section_heading_at_the_question_level_inside_an_answer_stays_in_it():
    text = (
        "# React\n\n### 1. What is React?\nA library.\n\n### State\nData that changes.\n\n### Props\nInputs.\n\n"
        "### 2. What is JSX?\nSyntax.\n\n### Hooks\n\n### 3. What is useState?\nState in a function.\n"
    )
    document = parse(text)
    assert shape(document) == [
        ("General", [("1", "What is React?"), ("2", "What is JSX?")]),
        ("Hooks", [("3", "What is useState?")]),  # no text under it: a category, numbered on
    ]
    assert document.questions[0].answer_md == "A library.\n\n### State\nData that changes.\n\n### Props\nInputs."


def test_question_level_drift_keeps_the_numbering():
    text = "## 🤖 General 🤖\n\n#### 🔎 Try the code in the playground 🔎\n\n#### 1. What is Go?\nA language.\n\n" \
           "### 2. How do you declare a variable?\nvar x int\n\n#### 3. What is a goroutine?\nA thread.\n\n" \
           "## ❗ Tricky ❗\n\n#### 1. What does this print?\nNothing.\n\n### 2. What is a race?\nA bug.\n"
    document = parse(text, "go.md")
    assert [(c.title, len(c.questions)) for c in document.categories] == [("🤖 General 🤖", 3), ("❗ Tricky ❗", 2)]
    assert [q.number for q in document.questions] == ["1", "2", "3", "1", "2"]


def test_bare_question_headings_below_the_question_level_are_questions():
    text = "# Docker\n\n## Q. ***What is Docker?***\nA tool.\n\n## Q. ***What is a container?***\nA process.\n\n" \
           "#### Q. What is Paravirtualization?\n\n#### Q. How to link containers?\n"
    document = parse(text)
    assert [q.title for q in document.questions][-2:] == ["What is Paravirtualization?", "How to link containers?"]
    empty = [w for w in document.warnings if "empty answer" in w.message]
    assert [w.line for w in empty] == [9, 11]


def test_stray_fence_inside_an_item_ends_with_the_item():
    text = "# R\n\n1. ### What is a ref?\n\n   A handle.\n\n   ```jsx\n   <div ref={r} />\n\n2. ### What is a portal?\n\n   A mount point.\n"
    document = parse(text)
    assert [q.title for q in document.questions] == ["What is a ref?", "What is a portal?"]
    assert document.questions[0].examples[0].code == "<div ref={r} />\n"
    assert document.questions[1].answer_md == "A mount point."
    assert any(w.line == 7 and "never closed" in w.message for w in document.warnings)


def test_trailing_section_in_another_style_is_its_own_category():
    text = (
        "# Python\n\n1. **What is a list?**\n\n   A sequence.\n\n2. **What is a tuple?**\n\n   Immutable.\n\n"
        "3. **What is a set?**\n\n   Unique items.\n\n## Coding exercises\n\n#### 1. Reverse a string\n\n```python\ns[::-1]\n```\n\n"
        "#### 2. Sum a list\n\n```python\nsum(xs)\n```\n"
    )
    document = parse(text)
    assert [(c.title, len(c.questions)) for c in document.categories] == [("General", 3), ("Coding exercises", 2)]
    assert document.questions[2].answer_md == "Unique items."


def test_back_to_top_debris_is_removed_in_every_form():
    text = (
        "# SQL\n\n### 1. What is a key?\nA column.\n\n[[↑] Back to top](#SQL)\n### 2. What is a view?\nA query.\n\n"
        '<div align="right">\n    <b><a href="#">↥ back to top</a></b>\n</div>\n\n### 3. What is a CTE?\nA WITH.\n\n'
        "**[⬆ Back to Top](#table-of-contents)**\n\n### 4. What is a join?\nRows.\n"
    )
    document = parse(text)
    assert [q.answer_md for q in document.questions] == ["A column.", "A query.", "A WITH.", "Rows."]
    glued = parse("# T\n\n### 1. What is X?\nSee [top-level await](#top-level-await). [↑ Back to top](#top)\n\n"
                  '### 2. What is Y?\nA why. <a href="#top">↥ back to top</a>\n')
    assert [q.answer_md for q in glued.questions] == ["See [top-level await](#top-level-await).", "A why."]


def test_promotional_and_disclaimer_sections_are_kept_apart():
    text = "# React\n\n## Basics\n\n### 1. What is React?\nA library.\n\n### 2. What is JSX?\nSyntax.\n\n" \
           "## Disclaimer\n\nThese questions may not be asked.\n"
    document = parse(text)
    assert document.questions[-1].answer_md == "Syntax."
    assert "These questions may not be asked." in document.closing_md


def test_front_matter_gives_source_and_license_and_never_shows():
    text = "---\ntitle: Go questions\nsource: https://github.com/x/y\nlicense: MIT\n---\n\n### 1. What is Go?\nA language.\n\n### 2. Why?\nSpeed.\n"
    document = parse(text)
    assert (document.title, document.source_url, document.license) == ("Go questions", "https://github.com/x/y", "MIT")
    assert "license" not in document.intro_md and "---" not in document.intro_md


def test_warnings_name_the_lines_to_look_at():
    answers = "".join(f"### {n}. Question {n}?\nShort answer {n}.\n\n" for n in range(1, 10))
    text = "# T\n\n" + answers + "### 11. Question eleven?\n" + ("Long text. " * 600) + "\n\n### 11. Again?\n\n![chart](img/c.png)\n"
    document = parse(text)
    warnings = [(w.line, w.message) for w in document.warnings]

    def at(line, words):
        return any(n == line and words in message for n, message in warnings)

    assert at(30, "jumps from 9 to 11") and at(30, "times the median")
    assert at(33, "repeats") and not at(33, "empty answer")
    assert at(35, "relative image")
    assert not [w for w in parse(text, base_url="https://example.com/").warnings if "relative image" in w.message]


def test_a_line_that_looks_like_a_question_inside_an_answer_warns():
    text = "# T\n\n1. **What is A?**\n\n   A.\n\n2. **What is B?**\n\n   B.\n\n3. **What is C?**\n\n   C.\n\n" \
           "4. **What is D?**\n5. **What is E?**\n"
    document = parse(text)
    assert len(document.questions) == 3
    assert [w.line for w in document.warnings if "looks like a question" in w.message] == [15]


def test_a_lone_top_heading_over_every_question_is_also_the_title():
    document = parse("## SQL\n\n### What is a key?\nA column.\n\n### What is a view?\nA query.\n", "faq.md")
    assert document.title == "SQL" and [c.title for c in document.categories] == ["SQL"]
    two = parse("## SQL\n\n### What is a key?\nA column.\n\n## NoSQL\n\n### What is a document?\nJSON.\n", "faq.md")
    assert two.title == "Faq"


def test_a_question_heading_hidden_in_an_answer_warns():
    text = "# T\n\n### 1. What is A?\nA.\n\n<details><summary>More</summary>\n\n### 2. What is B?\nB.\n\n</details>\n\n" \
           "### 3. What is C?\nC.\n"
    document = parse(text)
    assert [q.number for q in document.questions] == ["1", "3"]
    assert [w.line for w in document.warnings if "looks like a question" in w.message] == [8]
