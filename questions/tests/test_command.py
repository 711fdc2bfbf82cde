"""python manage.py import_questions"""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from questions.models import Question, QuestionSet

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_questions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_shipped_import_then_reimport_reports_counts():
    out, _ = run("--shipped")
    assert "Django Interview Questions & Answers" in out
    assert "12 categories, 28 questions, 28 examples; 28 created, 0 updated, 0 unchanged, 0 archived" in out
    out, _ = run("--shipped")
    assert "0 created, 0 updated, 28 unchanged, 0 archived" in out


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "set.md"
    path.write_text("# S\n\n### 1. Q?\nA.\n\n### 2. R?\nB.\n")
    out, _ = run(str(path), "--dry-run")
    assert out.startswith("[dry run] S (set.md")
    assert "2 created" in out
    assert not QuestionSet.objects.exists()


def test_bad_file_names_the_line_and_changes_nothing(tmp_path):
    run("--shipped")
    before = list(Question.objects.values_list("pk", "answer_md"))
    good = tmp_path / "good.md"
    good.write_text("# Other\n\n### 1. Q?\nA.\n")
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"# Bad\n\n### 1. Q?\n```python\nx = 1\n")
    with pytest.raises(CommandError, match=r"bad.md: line 4: code fence ``` opened here is never closed"):
        run(str(bad))
    with pytest.raises(CommandError, match="cannot read the file"):
        run(str(tmp_path / "missing.md"))
    assert list(Question.objects.values_list("pk", "answer_md")) == before
    assert not QuestionSet.objects.filter(title="Bad").exists()


def test_warnings_go_to_stderr(tmp_path):
    path = tmp_path / "w.md"
    path.write_text("# W\n\n### 1. Empty?\n\n### 2. Full?\nYes.\n")
    _, err = run(str(path))
    assert "warning: w.md: line 3" in err and "empty answer" in err


def test_command_exits_non_zero_without_traceback(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00\x00binary")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_questions", str(bad), "--dry-run"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "binary" in result.stderr
    assert "Traceback" not in result.stderr
