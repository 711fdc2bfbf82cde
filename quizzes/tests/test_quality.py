"""Quiz quality over the seed and the corpora: no giveaways, plausible distractors, spread, key points."""

from django.urls import reverse

from content.parser import parse
from questions.importing import sync
from questions.models import Example, QuestionSet
from quizzes.generation import Spec, generate
from quizzes.kinds import KINDS, Kind
from quizzes.quality import Report, corpora_dir
from quizzes.services import start_attempt
from quizzes.text import key_points, role


def test_roles_follow_the_syntax():
    assert role("delay", "    send_email.", "(user.pk)") == "method"
    assert role("cache_page", "@", "(60 * 15)") == "decorator"
    assert role("atomic", "@transaction.", "") == "decorator"
    assert role("DEBUG", "", " = False") == "setting"
    assert role("max_length", "    title = models.CharField(", "=200)") == "keyword"
    assert role("INSTALLED_APPS", "settings.", "") == "setting"
    assert role("CharField", "    title = models.", "(max_length=200)") == "method"
    assert role("Paginator", "from django.core.paginator import ", "") == "class"
    assert role("render", "    return ", "(request, 't.html')") == "function"


def test_key_points_from_bullets_terms_sentences_and_comments():
    md = "Django is a web framework. It is old.\n\n**ORM** matters.\n\n- one item\n- two item\n- three item\n"
    points = {(p.text, p.source) for p in key_points(md)}
    assert {("one item", "bullet"), ("ORM", "term"), ("Django is a web framework.", "sentence")} <= points
    assert ("It is old.", "sentence") not in points
    code = "# select_related: SQL JOIN for ForeignKey/OneToOne\nqs = A.objects.select_related('b')  # inline\n# {{ x }}\n"
    assert [p.text for p in key_points("", (code,))] == ["select_related: SQL JOIN for ForeignKey/OneToOne"]
    # Comments only stand in when the prose has nothing.
    assert all(p.source != "comment" for p in key_points(md, (code,)))


def test_seed_yields_key_point_items(seed_set):
    items = generate(Spec(seed_set.pk, seed=2, count=10, kinds=["key_point"]))
    assert len(items) == 10


def _quizzes(question_set, seeds):
    for seed in seeds:
        yield generate(Spec(question_set.pk, seed=seed, count=20))


def test_no_giveaways_no_repeats_over_seed_and_corpora(seed_set):
    sets = [seed_set]
    for path in sorted(corpora_dir().glob("*.md")):
        if path.name != "SOURCES.md":
            report = sync(parse(path.read_bytes(), path.name))
            sets.append(QuestionSet.objects.get(pk=report.question_set_id))
    assert len(sets) == 9  # the seed and the eight corpora
    report = Report()
    for question_set in sets:
        for items in _quizzes(question_set, range(4)):
            report.add_quiz(items)
    assert report.items > 300
    assert report.leaks == []
    assert report.repeats == 0


def test_cloze_distractors_share_the_answers_role_and_are_not_in_the_snippet(seed_set):
    items = [i for seed in range(6) for i in generate(Spec(seed_set.pk, seed=seed, count=15, kinds=["cloze"]))]
    assert items
    codes = dict(Example.objects.values_list("pk", "code"))
    same = total = 0
    for item in items:
        distractors = [c["text"] for c in item["choices"] if c["id"] not in item["key"]]
        assert not any(d in codes[item["example_id"]] for d in distractors)
        total += len(distractors)
        same += item["same_role"]
    assert same / total > 0.8


def test_no_example_twice_in_a_quiz(seed_set):
    for seed in range(3):
        items = generate(Spec(seed_set.pk, seed=seed, count=40, kinds=["cloze", "code_question"]))
        used = [i["example_id"] for i in items]
        assert len(used) == len(set(used))


# The kinds whose page cannot give their answer away, and why; every other kind says what it shows.
NOT_CHECKED_FOR_GIVEAWAYS = {
    "authored": "a person wrote the prompt and the choices",
    "recall": "self-graded: it shows only the question",
}


def test_every_kind_is_checked_for_giveaways(tiny_set):
    assert NOT_CHECKED_FOR_GIVEAWAYS.keys() <= KINDS.keys()
    checked = [name for name in KINDS if name not in NOT_CHECKED_FOR_GIVEAWAYS]
    for name in checked:
        assert type(KINDS[name]).answer_and_shown is not Kind.answer_and_shown, f"{name} does not say what it shows"
        items = generate(Spec(tiny_set.pk, seed=1, count=5, kinds=[name]))
        assert items, name
        for item in items:  # an empty answer or shown text would make the leak check pass vacuously
            answer, shown = KINDS[name].answer_and_shown(item)
            assert answer.strip() and shown.strip(), (name, item)


def test_least_recently_asked_questions_come_first(make_question, user):
    questions = [make_question(answer_md="Some words to recall.") for _ in range(10)]
    question_set = questions[0].category.question_set

    def asked(seed):
        attempt = start_attempt(user, question_set, count=5, kinds=["recall"], seconds_per_item=60,
                                feedback="immediate", title="t", seed=seed)
        return {item.question_id for item in attempt.items.all()}

    first = asked(1)
    second = asked(1)  # the same seed: only the spread can make it differ
    assert len(first) == len(second) == 5 and not first & second
    assert asked(1) == first  # everything asked once: the oldest come back first


def test_start_form_disables_kinds_the_content_cannot_make(signed_in, make_question, django_assert_max_num_queries):
    make_question(answer_md="Plain prose that says something useful.")
    with django_assert_max_num_queries(12):
        response = signed_in.get(reverse("quizzes:start"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Code cloze (unavailable: no question in this choice has a Python example" in html
    assert "Key point (unavailable" not in html
    cloze = next(tag for tag in html.split("<input") if 'value="cloze"' in tag)
    assert "disabled" in cloze and "checked" not in cloze
    # Posting only impossible kinds is a form error, not an empty quiz.
    question_set = QuestionSet.objects.get()
    response = signed_in.post(reverse("quizzes:start"), {
        "question_set": question_set.pk, "count": 5, "seconds_per_item": 60, "kinds": ["cloze", "authored"],
        "feedback": "immediate",
    })
    assert response.status_code == 422 and "None of the chosen item types can be made" in response.content.decode()
