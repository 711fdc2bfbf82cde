"""The message for an answer that arrives after the deadline."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from progress.models import ReviewSettings
from quizzes import services
from quizzes.models import Attempt


def test_late_message_leaves_out_the_server_clock(start, user):
    attempt = start(count=5, kinds=["code_question"])
    deadline = timezone.now() - timedelta(seconds=7)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    with pytest.raises(services.TooLate) as caught:
        services.answer(user, attempt.pk, 1, ["a"], "")
    message = caught.value.message
    assert "Time is up" in message and "not counted" in message and "7 s" in message
    assert not re.search(r"\d\d:\d\d", message)  # no UTC clock time presented as the user's own
    attempt.refresh_from_db()
    assert attempt.finish_reason == "timeout"


def test_late_message_uses_the_users_time_zone(start, user):
    ReviewSettings.objects.update_or_create(user=user, defaults={"time_zone": "Asia/Kolkata"})
    attempt = start(count=5, kinds=["code_question"])
    deadline = timezone.now() - timedelta(seconds=3)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    with pytest.raises(services.TooLate) as caught:
        services.answer(user, attempt.pk, 1, ["a"], "")
    local = timezone.localtime(deadline, timezone=__import__("zoneinfo").ZoneInfo("Asia/Kolkata"))
    assert f"{local:%H:%M:%S} (Asia/Kolkata)" in caught.value.message
    assert f"{deadline:%H:%M:%S}" not in caught.value.message  # UTC is 5:30 away
