"""Keep a question's stored HTML in step with edits made by hand in the Django admin.

An answer's Markdown holds its code blocks as fences; the Example rows are those same
blocks. After an edit, whichever side was edited wins and the other is rewritten from it.
"""

from __future__ import annotations

from content.document import CODE_MARK_RE, ExampleDoc, code_mark
from content.importer import render_question
from content.parser import parse
from content.render import Renderer

from .models import Example, Question


ANSWER_PREFIX_LINES = 6  # the lines parse_answer puts before the answer


def parse_answer(title: str, answer_md: str):
    """One answer on its own, parsed as the importer would; raises ParseError naming the line."""
    title = title.replace("\n", " ") or "Question"
    text = f"# Edit\n\n## Edit\n\n### Q: {title}\n\n{answer_md}\n"
    return parse(text).questions[0]


def _answer_doc(question: Question):
    return parse_answer(question.title, question.answer_md)


def rerender(question: Question, examples_edited: bool) -> None:
    """Rewrite answer_md/answer_html and the Example rows after an admin edit.

    `examples_edited`: the inline examples changed, so their code replaces the fences in the
    answer (by position; extra examples are appended, removed ones drop their fence).
    Otherwise the answer's fences are the truth and the Example rows are rebuilt from them.
    """
    doc = _answer_doc(question)
    rows = list(question.examples.order_by("position", "pk"))
    if examples_edited:
        doc.examples = [ExampleDoc(r.language, r.code if r.code.endswith("\n") else r.code + "\n", 0, r.caption)
                        for r in rows]
        marks = len(CODE_MARK_RE.findall(doc.answer_md))
        lines = [line for line in doc.answer_md.split("\n")
                 if not ((mark := CODE_MARK_RE.fullmatch(line)) and int(mark.group(2)) >= len(rows))]
        doc.answer_md = "\n".join(lines)
        for index in range(marks, len(rows)):
            doc.answer_md = (doc.answer_md.rstrip("\n") + "\n\n" + code_mark(index)).lstrip("\n")
        question.answer_md = doc.source_md
    html, highlighted = render_question(doc, Renderer())
    question.answer_html = html
    question.save(update_fields=["answer_md", "answer_html", "updated_at"])
    if not examples_edited:
        Example.objects.filter(question=question).delete()
        rows = [Example(question=question, position=i, language=e.language[:40], code=e.code,
                        caption=e.caption[:500], highlighted_html="") for i, e in enumerate(doc.examples)]
        for row, text in zip(rows, highlighted):
            row.highlighted_html = text
        Example.objects.bulk_create(rows)
    else:
        for position, (row, text) in enumerate(zip(rows, highlighted)):
            row.position, row.highlighted_html = position, text
        Example.objects.bulk_update(rows, ["position", "highlighted_html"])



