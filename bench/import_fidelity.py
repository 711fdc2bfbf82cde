"""Import fidelity: every real document in the corpora against the hand counts in SOURCES.md.

    python bench/import_fidelity.py [--corpora DIR] [--import]

Per document: questions and categories found against SOURCES.md, the biggest answer as a
multiple of the median, the number of warnings, and the time to parse and render. With
--import each document is also imported into a fresh SQLite database through the importer,
imported again unchanged (must be 0 created, 0 updated), then imported as an edited copy with
one title and one other answer changed (must update exactly those two rows, ids kept).
Exits 1 when any count differs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPORA = ROOT / "content" / "tests" / "corpora"


def expected_counts(sources: Path) -> dict[str, tuple[int, int]]:
    """file → (questions, categories) from the SOURCES.md table; no categories counts as one."""
    counts = {}
    for line in sources.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not cells[0].endswith(".md"):
            continue
        questions = cells[4]
        total = int(re.match(r"\d+", questions).group(0))
        sections = re.search(r"in (\d+) (?:categories|sections)", questions)
        counts[cells[0]] = (total, int(sections.group(1)) if sections else 1)
    return counts


def parse_and_render(path: Path) -> dict:
    from content.document import CODE_MARK_RE
    from content.parser import parse
    from content.parser.assemble import answer_size
    from content.render import Renderer, example_figure, highlight, placeholder

    data = path.read_bytes()
    started = time.perf_counter()
    document = parse(data, path.name)
    parsed = time.perf_counter()
    renderer = Renderer()
    for question in document.questions:
        figures = [example_figure(i, e.language, highlight(e.code, e.language)) for i, e in enumerate(question.examples)]
        template = CODE_MARK_RE.sub(lambda m: m.group(1) + placeholder(int(m.group(2))), question.answer_md)
        renderer.answer(template, figures)
    rendered = time.perf_counter()
    sizes = [answer_size(q) for q in document.questions]
    return {
        "questions": len(document.questions),
        "categories": len(document.categories),
        "biggest": max(sizes) / (statistics.median(sizes) or 1),
        "warnings": len(document.warnings),
        "parse": parsed - started,
        "render": rendered - parsed,
    }


def child_import(path: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from content.parser import parse
    from questions.models import Category, Question, QuestionSet

    from questions.tests.test_identity import edit_one_title_and_one_answer

    name, text = Path(path).name, Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    QuestionSet.objects.sync(parse(text, name))
    seconds = time.perf_counter() - started
    counts = {"questions": Question.objects.count(), "categories": Category.objects.count()}
    again = QuestionSet.objects.sync(parse(text, name))
    ids = set(Question.objects.values_list("pk", flat=True))
    edited, retitled, reworded = edit_one_title_and_one_answer(text, name)
    report = QuestionSet.objects.sync(parse(edited, name))
    changed = {c.title for c in report.changes if c.status == "updated"}
    return {"seconds": seconds, **counts,
            "again": [again.created, again.updated, again.archived],
            "edit": [report.created, report.updated, report.archived],
            "edit_in_place": changed == {retitled + " (revised)", reworded}
            and set(Question.objects.values_list("pk", flat=True)) == ids}


def run_import(path: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp}/fidelity.sqlite3")
        result = subprocess.run([sys.executable, __file__, "--child", str(path)], cwd=ROOT, env=env,
                                capture_output=True, text=True, check=False)
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--import", dest="import_", action="store_true", help="also import each into a fresh DB")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_import(args.child)))
        return 0

    expected = expected_counts(args.corpora / "SOURCES.md")
    header = f"{'document':38} {'questions':>11} {'categories':>11} {'max/median':>10} {'warnings':>8} {'parse':>7} {'render':>7}"
    print(header + ("  import   again c/u/a  edit c/u/a in place" if args.import_ else ""))
    failures = 0
    for name, (want_questions, want_categories) in sorted(expected.items()):
        got = parse_and_render(args.corpora / name)
        ok = got["questions"] == want_questions and got["categories"] == want_categories
        failures += not ok
        row = (f"{name:38} {got['questions']:>5}/{want_questions:<5} {got['categories']:>5}/{want_categories:<5} "
               f"{got['biggest']:>9.1f}x {got['warnings']:>8} {got['parse']:>6.2f}s {got['render']:>6.2f}s")
        if args.import_:
            imported = run_import(args.corpora / name)
            if "error" in imported:
                row += f"  import failed: {imported['error']}"
                failures += 1
            else:
                same = (imported["questions"], imported["categories"]) == (want_questions, want_categories)
                stable = imported["again"] == [0, 0, 0] and imported["edit"] == [0, 2, 0] and imported["edit_in_place"]
                failures += not (same and stable)
                again, edit = ("/".join(map(str, imported[k])) for k in ("again", "edit"))
                row += (f"  {imported['seconds']:.2f}s {'ok' if same else 'MISMATCH'}  {again:>11}  {edit:>10} "
                        f"{'yes' if imported['edit_in_place'] else 'NO'}")
        print(row + ("" if ok else "  MISMATCH"))
    print(f"{len(expected) - failures} of {len(expected)} documents match the hand counts")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
