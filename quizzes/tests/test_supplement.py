import pytest
from django.core.management import call_command

from content.document import ParseError
from questions.importing import sync
from content.parser import parse
from questions.supplement import apply_supplement
from conftest import SEED
from questions.models import AuthoredItem

from .conftest import SUPPLEMENT


def test_shipped_items_attach_to_the_seed_questions(seed_set):
    report = apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    assert report.items == 6 and report.questions == 6 and not report.warnings
    item = AuthoredItem.objects.get(question__number="6", source=SUPPLEMENT.name)
    assert item.question.category.question_set == seed_set
    assert [c["correct"] for c in item.choices] == [False, True, False, False]
    assert "prefetch_related" in item.explanation
    multi = AuthoredItem.objects.get(question__number="25")
    assert len(multi.correct_indexes) == 3


def test_reimport_replaces_atomically_and_set_reimport_keeps_them(seed_set):
    apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    assert AuthoredItem.objects.filter(source=SUPPLEMENT.name).count() == 6
    sync(parse(SEED.read_bytes(), SEED.name))  # re-importing the set leaves supplement items alone
    assert AuthoredItem.objects.filter(source=SUPPLEMENT.name).count() == 6


def test_unknown_question_is_an_error_naming_the_line(seed_set):
    apply_supplement(SUPPLEMENT.read_bytes(), SUPPLEMENT.name)
    bad = "# X\n\n## 99. A question nobody wrote?\n\n#### Quiz\n\nWhich?\n\n- [x] a\n- [ ] b\n"
    with pytest.raises(ParseError) as exc:
        apply_supplement(bad, SUPPLEMENT.name)
    assert exc.value.line == 3 and "99" in exc.value.message
    assert AuthoredItem.objects.filter(source=SUPPLEMENT.name).count() == 6  # untouched


def test_set_line_names_the_target_and_items_in_the_set_document(db):
    sync(parse("# Mine\n\n## 1. What?\nAnswer.\n\n#### Quiz\n\nPick one\n\n- [x] yes\n- [ ] no\n", "mine.md"))
    item = AuthoredItem.objects.get()
    assert item.source == "" and item.prompt == "Pick one"
    extra = "# Extra\n\nSet: mine\n\n## 1. What?\n\n#### Quiz\n\nAnother\n\n- [ ] x\n- [x] y\n\nExplanation: because.\n"
    report = apply_supplement(extra, "extra.md")
    assert report.items == 1
    assert AuthoredItem.objects.get(source="extra.md").explanation == "because."


def test_import_command_shipped_applies_supplements(db, capsys):
    call_command("import_questions", "--shipped")
    out = capsys.readouterr().out
    assert "quiz items" in out
    assert AuthoredItem.objects.filter(source=SUPPLEMENT.name).count() == 6


def test_seed_document_is_unchanged():
    # The authored items live in their own file; the seed keeps no Quiz heading.
    assert "#### Quiz" not in SEED.read_text()
