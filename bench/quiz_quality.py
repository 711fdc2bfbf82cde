"""Quiz quality report: over 1,000+ generated items from the seed and the shared corpora, print

  - the share of items whose answer appears elsewhere in what the item shows (must be 0);
  - the share of distractors of the same kind as the answer (names of the same role for a cloze,
    titles for a title, key points for a key point);
  - the number of repeats within a quiz (an example or an item used twice; must be 0).

    python bench/quiz_quality.py [--items 1000] [--database /tmp/quiz_quality.sqlite3]

Exits with status 1 when a giveaway or a repeat is found.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "sets" / "django-interview-questions.md"
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--database", default="/tmp/quiz_quality.sqlite3")
    args = parser.parse_args()

    database = Path(args.database)
    database.unlink(missing_ok=True)  # a fresh import each run: the report is about today's content
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prepsite.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from content.parser import parse
    from questions.importing import sync
    from questions.models import QuestionSet
    from quizzes.generation import Spec, generate
    from quizzes.quality import Report, corpora_dir

    paths = [SEED]
    paths += sorted(p for p in corpora_dir().glob("*.md") if p.name != "SOURCES.md")
    sets = []
    for path in paths:
        report = sync(parse(path.read_bytes(), path.name))
        if report.question_set_id:
            sets.append(QuestionSet.objects.get(pk=report.question_set_id))
    print(f"sets: {len(sets)} ({', '.join(s.title for s in sets)})")

    report = Report()
    kinds: Counter[str] = Counter()
    seed = 0
    while report.items < args.items:
        for question_set in sets:
            items = generate(Spec(question_set.pk, seed=seed, count=20))
            report.add_quiz(items)
            kinds.update(item["kind"] for item in items)
        seed += 1
    print(f"items: {report.items} in {seed * len(sets)} quizzes of 20 ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    print(f"answer shown elsewhere in the item: {report.leak_share:.2%} ({len(report.leaks)} items; must be 0)")
    print(f"distractors of the same kind as the answer: {report.same_kind_share:.1%} of {report.distractors}; "
          f"cloze names of the same role: {report.cloze_same_role_share:.1%} of {report.cloze_distractors}")
    print(f"repeats within a quiz: {report.repeats} (must be 0)")
    for item in report.leaks[:10]:
        print("  giveaway:", item["kind"], item["question_title"][:70])
    sys.exit(1 if report.leaks or report.repeats else 0)


if __name__ == "__main__":
    main()
