"""The cached dashboard lists recent quizzes through progress.caching.register_version_part: a finished,
timed-out, deleted or new quiz shows on the next load."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from progress.caching import dashboard_version
from quizzes.models import Attempt

DASHBOARD = "/progress/"


@pytest.mark.django_db
def test_a_finished_timed_out_and_deleted_quiz_show_at_once(signed_in, start):
    finished, timed_out = start(), start(seed=2)
    Attempt.objects.filter(pk=finished.pk).update(title="Finished one")
    Attempt.objects.filter(pk=timed_out.pk).update(title="Timed out one")
    assert "No finished quizzes yet" in signed_in.get(DASHBOARD).content.decode()
    signed_in.post(reverse("quizzes:finish", args=[finished.pk]))
    html = signed_in.get(DASHBOARD).content.decode()
    assert "Finished one" in html and "Timed out one" not in html
    Attempt.objects.filter(pk=timed_out.pk).update(deadline=timezone.now() - timedelta(seconds=1))  # time passed
    assert "Timed out one" in signed_in.get(DASHBOARD).content.decode()
    signed_in.post(reverse("quizzes:delete", args=[finished.pk]))
    signed_in.get(reverse("quizzes:history"))  # shows the pending message
    assert "Finished one" not in signed_in.get(DASHBOARD).content.decode()


@pytest.mark.django_db
def test_a_new_attempt_moves_the_key(signed_in, user, start):
    now = timezone.now()
    empty = dashboard_version(user, now)[0]
    start()
    assert dashboard_version(user, now)[0] != empty
