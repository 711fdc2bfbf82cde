"""The job worker: django-tasks-db's db_worker, with stale jobs requeued at start and then periodically."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from prepsite.jobs import requeue_stale, start_watching_stale


class Command(BaseCommand):
    help = "Run jobs (db_worker); jobs whose worker died are enqueued again at start and every JOB_STALE_AFTER/4 s."

    def handle(self, *args, **options):
        self.stdout.write(f"Re-enqueued {requeue_stale()} stale job(s).")
        start_watching_stale()
        call_command("db_worker", verbosity=options["verbosity"])
