"""write(doc) gives Markdown that parses back to the same document."""

from pathlib import Path

import pytest

from content.parser import parse
from content.writer import below_question_level, question_heading, write

SEED = Path(__file__).resolve().parents[2] / "content" / "sets" / "django-interview-questions.md"
CORPORA = Path(__file__).resolve().parent / "corpora"


def meaningful(document, answer=lambda text: text):
    return {
        "title": document.title,
        "intro": document.intro_md,
        "closing": document.closing_md,
        "source": (document.source_url, document.license),
        "categories": [
            (c.title, c.intro_md, [
                (q.number, q.title, q.key, answer(q.answer_md),
                 [(e.language, e.code, e.caption) for e in q.examples],
                 [(i.prompt, [(ch.text, ch.correct) for ch in i.choices], i.explanation) for i in q.quiz_items])
                for q in c.questions
            ])
            for c in document.categories
        ],
    }


SMALL = [
    "# Python\n\nAn intro.\n\n## Basics\n\nAbout basics.\n\n### 1. What is a list?\n\nA sequence.\n\n```python\nxs = [1, 2]\n```\n\n"
    "### 2. What is a dict?\n\nA mapping:\n\n- keys\n- values\n\n## More\n\n### 3. What is a set?\n\nUnique.\n",
    "---\nsource: https://github.com/x/y\nlicense: MIT\n---\n\n# JS\n\n1. **What is a closure?**\n\n   A function and its scope.\n\n"
    "2. **What is hoisting?**\n\n   Declarations move up.\n\n   ```js\n   var a;\n   ```\n",
    "# Go\n\n### Q. What is Go?\n\nA language.\n\n## Details\n\nHeadings inside.\n\n### Q. What is a slice?\n\nA view.\n\n"
    "#### Quiz\n\nWhat does len return?\n\n- [x] the length\n- [ ] the capacity\n\nExplanation: len is the length.\n",
]


@pytest.mark.parametrize("text", SMALL, ids=["headings", "list-with-front-matter", "answer-headings-and-quiz"])
def test_round_trip_of_small_documents(text):
    document = parse(text)
    again = parse(write(document))
    assert meaningful(again) == meaningful(document)


def test_round_trip_of_the_seed():
    document = parse(SEED.read_bytes(), SEED.name)
    written = write(document)
    again = parse(written, SEED.name)
    assert meaningful(again) == meaningful(document)
    assert len(again.questions) == 28 and len(again.examples) == 28


@pytest.mark.parametrize("name", sorted(p.name for p in CORPORA.glob("*.md") if p.name != "SOURCES.md"))
def test_round_trip_of_the_real_documents(name):
    document = parse((CORPORA / name).read_bytes(), name)
    again = parse(write(document), name)
    # The writer puts an answer's headings below the question's level (### State → #### State);
    # answers render with their top heading at one level, so the page is the same.
    assert meaningful(again) == meaningful(document, answer=below_question_level)


def test_unnumbered_titles_keep_their_shape():
    assert question_heading("", "Explain middleware") == "### Q: Explain middleware"
    assert question_heading("", "What is a QuerySet?") == "### What is a QuerySet?"
    assert question_heading("", "404 handling?") == "### Q: 404 handling?"
    assert question_heading("12", "What is a view?") == "### 12. What is a view?"
    for title in ("Explain middleware", "404 handling?", "Q: odd"):
        assert parse(f"# T\n\n{question_heading('', title)}\nA.\n\n### What else?\nB.\n").questions[0].title == title
