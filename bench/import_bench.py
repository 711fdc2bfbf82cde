"""Import benchmark: a 10,000-question document built from the seed.

    python bench/import_bench.py [--questions 10000] [--database-url URL]

Reports wall time and peak memory (max RSS of a fresh process) for:
  floor   python-markdown (fenced_code + codehilite, i.e. Pygments) rendering the same text
  import  content.parser.parse + QuestionSet.objects.sync into an empty database
and the ratio import / floor (target ≤ 1.5×, peak memory < 500 MB). Then, for hostile-size
input, the parse and render time of a 5 MB real-looking document: the corpora in
content/tests/corpora repeated (--real-mb 0 skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "sets" / "django-interview-questions.md"
sys.path.insert(0, str(ROOT))


def build_document(count: int) -> str:
    """Repeat the seed's questions with varied titles, numbers and code until `count`."""
    seed = SEED.read_text(encoding="utf-8")
    body = seed.split("\n## ", 1)[1].rsplit("\nThis comprehensive guide", 1)[0]
    categories = ["## " + part for part in ("\n" + body).split("\n## ") if part.strip()]
    parsed = []
    for category in categories:
        head, *questions = re.split(r"\n(?=### \d+\. )", category)
        parsed.append((head.strip(), [q.strip() for q in questions]))
    out = ["# Django Interview Questions at Scale\n"]
    number, round_ = 0, 0
    while number < count:
        round_ += 1
        for head, questions in parsed:
            out.append(f"{head} (part {round_})\n")
            for question in questions:
                if number >= count:
                    break
                number += 1
                title_line, rest = question.split("\n", 1)
                title = re.sub(r"^### \d+\. ", "", title_line)
                rest = rest.replace("```python\n", f"```python\n# variant {round_}.{number}\n", 1)
                out.append(f"### {number}. {title} (variant {round_})\n{rest}\n")
            if number >= count:
                break
    out.append("This document was generated for the import benchmark.\n")
    return "\n".join(out)


def child_floor(path: str) -> dict:
    """Whole-document rendering, and the same text rendered one question at a time."""
    import markdown

    text = Path(path).read_text(encoding="utf-8")
    started = time.perf_counter()
    html = markdown.markdown(text, extensions=["fenced_code", "codehilite", "tables"])
    whole = time.perf_counter() - started

    # The generated document has no "### " lines inside code, so this split is exact.
    sections = re.split(r"\n(?=#{2,3} )", text)
    md = markdown.Markdown(extensions=["fenced_code", "codehilite", "tables"])
    started = time.perf_counter()
    for section in sections:
        md.reset()
        md.convert(section)
    per_question = time.perf_counter() - started
    return {"seconds": min(whole, per_question), "whole": whole, "per_question": per_question, "html_bytes": len(html)}


def child_import(path: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from questions.importing import sync
    from content.parser import parse
    from questions.models import Example, Question

    data = Path(path).read_bytes()
    started = time.perf_counter()
    document = parse(data, "bench.md")
    parsed = time.perf_counter()
    report = sync(document)
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "parse_seconds": parsed - started,
        "created": report.created,
        "questions": Question.objects.count(),
        "examples": Example.objects.count(),
    }


def build_real_document(megabytes: float) -> str:
    corpora = sorted(p for p in (ROOT / "content" / "tests" / "corpora").glob("*.md") if p.name != "SOURCES.md")
    texts = [p.read_text(encoding="utf-8") for p in corpora]
    out, size = [], 0
    while size < megabytes * 1e6:
        for text in texts:
            out.append(text)
            size += len(text.encode("utf-8"))
    return "\n\n".join(out)


def child_real(path: str) -> dict:
    """Parse and render (no database) a large document made of real ones."""
    from content.document import CODE_MARK_RE
    from content.parser import parse
    from content.render import Renderer, example_figure, highlight, placeholder

    data = Path(path).read_bytes()
    started = time.perf_counter()
    document = parse(data, "real.md")
    parsed = time.perf_counter()
    renderer = Renderer()
    for question in document.questions:
        figures = [example_figure(i, e.language, highlight(e.code, e.language)) for i, e in enumerate(question.examples)]
        renderer.answer(CODE_MARK_RE.sub(lambda m: m.group(1) + placeholder(int(m.group(2))), question.answer_md), figures)
    return {"parse_seconds": parsed - started, "render_seconds": time.perf_counter() - parsed,
            "questions": len(document.questions), "megabytes": len(data) / 1e6}


def run_child(kind: str, path: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, path],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        sys.exit(f"{kind} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--real-mb", type=float, default=5.0, help="size of the real-looking document")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, path = args.child
        figures = {"floor": child_floor, "import": child_import, "real": child_real}[kind](path)
        figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return

    with tempfile.TemporaryDirectory() as tmp:
        document = Path(tmp) / "bench.md"
        document.write_text(build_document(args.questions), encoding="utf-8")
        env = dict(os.environ)
        env["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        size_mb = document.stat().st_size / 1e6
        print(f"document: {args.questions} questions, {size_mb:.1f} MB; database: {env['DATABASE_URL'].split(':')[0]}")
        floor = run_child("floor", str(document), env)
        imported = run_child("import", str(document), env)
        real = None
        if args.real_mb:
            big = Path(tmp) / "real.md"
            big.write_text(build_real_document(args.real_mb), encoding="utf-8")
            real = run_child("real", str(big), env)

    ratio = imported["seconds"] / floor["seconds"]
    print(
        f"floor  (python-markdown + Pygments): whole document {floor['whole']:.2f} s, "
        f"question by question {floor['per_question']:.2f} s; peak RSS {floor['max_rss_mb']:.0f} MB"
    )
    print(
        f"import (parse + render + write):     {imported['seconds']:.2f} s "
        f"(parse {imported['parse_seconds']:.2f} s), peak RSS {imported['max_rss_mb']:.0f} MB; "
        f"{imported['questions']} questions, {imported['examples']} examples"
    )
    print(f"ratio import/floor (the faster floor): {ratio:.2f}x (target <= 1.5x); "
          f"peak memory {imported['max_rss_mb']:.0f} MB (target < 500 MB)")
    if real:
        print(f"real-looking document ({real['megabytes']:.1f} MB of the corpora repeated, {real['questions']} questions): "
              f"parse {real['parse_seconds']:.2f} s, render {real['render_seconds']:.2f} s, "
              f"peak RSS {real['max_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
