"""python manage.py import_questions PATH [PATH ...] [--dry-run] [--shipped] [--base-url URL]"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from content.parser import ParseError
from questions.importing import SHIPPED_DIR, content_hash, parse_document
from questions.models import QuestionSet
from questions.supplement import apply_supplement

SUPPLEMENT_DIR = Path(settings.BASE_DIR) / "content" / "quizzes"


class Command(BaseCommand):
    help = "Import Markdown question sets; re-importing updates questions in place."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Markdown files to import")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument("--shipped", action="store_true", help=f"import every set in {SHIPPED_DIR}")
        parser.add_argument("--base-url", default="", help="resolve relative images against this URL")

    def handle(self, *args, paths, dry_run, shipped, base_url, **options):
        if shipped:
            paths = [*paths, *sorted(SHIPPED_DIR.glob("*.md"))]
        if not paths:
            raise CommandError("give at least one Markdown file, or --shipped")
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: cannot read the file ({exc.strerror})") from None
            try:
                document = parse_document(data, path.name, base_url)
            except ParseError as exc:
                where = f"line {exc.line}: " if exc.line else ""
                raise CommandError(f"{path}: {where}{exc.message}") from None
            report = QuestionSet.objects.sync(document, source_hash=content_hash(data), dry_run=dry_run)
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(
                f"{prefix}{report.set_title} ({path.name}, layout: {report.layout}): "
                f"{len(document.categories)} categories, {len(document.questions)} questions, "
                f"{len(document.examples)} examples; {report.summary()}; {len(report.warnings)} warnings"
            )
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(f"  warning: {path.name}: line {warning.line}: {warning.message}"))
        if shipped:
            self._apply_supplements(dry_run)

    def _apply_supplements(self, dry_run):
        """Authored quiz items kept beside the sets (see README, "Authored quiz items")."""
        for path in sorted(SUPPLEMENT_DIR.glob("*.md")):
            try:
                report = apply_supplement(path.read_bytes(), path.name, dry_run=dry_run)
            except ParseError as exc:
                where = f"line {exc.line}: " if exc.line else ""
                raise CommandError(f"{path}: {where}{exc.message}") from None
            prefix = "[dry run] " if dry_run else ""
            self.stdout.write(f"{prefix}{report.set_title} ({path.name}, quiz items): {report.summary()}")
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(f"  warning: {path.name}: line {warning.line}: {warning.message}"))
