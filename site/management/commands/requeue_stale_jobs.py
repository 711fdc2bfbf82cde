"""Enqueue again the jobs a killed worker left running; the Procfile's worker runs this first."""

from django.core.management.base import BaseCommand

from prepsite.jobs import requeue_stale


class Command(BaseCommand):
    help = "Enqueue again jobs whose worker died mid-run (their work is idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"Re-enqueued {requeue_stale()} stale job(s).")
