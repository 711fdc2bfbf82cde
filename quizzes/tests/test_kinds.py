"""Quiz item kinds are units: a new kind is one class in KINDS and one fragment."""

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.kinds import KINDS, Kind
from quizzes.models import AttemptItem


class CategoryOf(Kind):
    """Which category a question belongs to: the example of a kind added from outside."""

    name = "category_of"
    label = "Which category?"
    template = "quizzes/partials/kinds/key_point.html"  # a real kind ships its own fragment

    def make(self, gen, question):
        ident = f"co:{question.pk}"
        if not gen.free(ident):
            return None
        others = sorted({title for title in ("Views", "Models", "Forms", "Admin") if title != question.category})
        choices, key = gen.choices([question.category], others[:3])
        return {"ident": ident, "kind": self.name, "prompt": f"Where does “{question.title}” belong?",
                "choices": choices, "key": key, "multiple": False, "explanation": ""}


@pytest.fixture
def category_of(monkeypatch):
    monkeypatch.setitem(KINDS, CategoryOf.name, CategoryOf())


def test_a_new_kind_is_generated_asked_answered_and_scored(category_of, signed_in, user, make_question):
    for n in range(5):
        question_set = make_question(f"Question {n}", category__title="Signals").category.question_set
    attempt = services.start_attempt(user, question_set, count=5, kinds=["category_of"], seconds_per_item=60,
                                     feedback="immediate", title="New kind")
    items = list(attempt.items.all())
    assert [i.kind for i in items] == ["category_of"] * 5

    page = signed_in.get(reverse("quizzes:play", args=[attempt.pk]))
    assert page.status_code == 200
    assert "Which category?" in page.content.decode() and "Signals" in page.content.decode()
    assert items[0].public.keys() == {"kind", "prompt", "choices", "multiple"}

    for item in items:
        signed_in.post(reverse("quizzes:answer", args=[attempt.pk]), {"item": item.number, "choice": item.snapshot["key"]})
    attempt.refresh_from_db()
    assert (attempt.finish_reason, attempt.auto_correct, attempt.auto_total) == ("completed", 5, 5)
    assert ("category_of", "Which category?") in list(AttemptItem._meta.get_field("kind").choices)


def test_the_start_form_offers_every_registered_kind(category_of, signed_in, make_question):
    make_question()
    page = signed_in.get(reverse("quizzes:start")).content.decode()
    for kind in KINDS.values():
        assert f'value="{kind.name}"' in page
