"""The question page shows a signed-in reader's own status, also once the question was reviewed."""

from datetime import datetime, timezone

from progress.models import Card


def test_a_reviewed_question_shows_its_status(signed_in, user, make_question):
    question = make_question("What is a queryset?")
    now = datetime.now(timezone.utc)
    Card.objects.create(user=user, question=question, due=now, last_review=now, state=2, stability=30,
                        difficulty=5, last_rating=3)
    response = signed_in.get(question.get_absolute_url())
    assert response.status_code == 200 and b"status-known" in response.content
