"""The Django admin for content: filters, search, rendered preview, examples edited inline."""

import pytest
from django.urls import reverse

from questions.models import Category, Example, Question, QuestionSet


@pytest.mark.django_db
def test_question_list_filters_and_search(admin_client, tiny_set, django_assert_max_num_queries):
    other = QuestionSet.objects.create(title="Other", slug="other")
    Question.objects.create(category=Category.objects.create(question_set=other, title="Misc", slug="misc"),
                            title="Other question?", slug="other-question")
    url = reverse("admin:questions_question_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("By question set", "By category", "By archived"):
        assert label.lower() in page.lower()
    category = Category.objects.filter(question_set=tiny_set).first()
    response = admin_client.get(url, {"category__id__exact": category.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == category.questions.count()

    response = admin_client.get(url, {"q": "prefetch"})
    titles = [q.title for q in response.context["cl"].result_list]
    assert any("prefetch" in t for t in titles)
    assert response.context["cl"].result_count < Question.objects.count()
    response = admin_client.get(url, {"category__question_set__id__exact": other.pk})
    assert [q.title for q in response.context["cl"].result_list] == ["Other question?"]

    question = Question.objects.first()
    question.archived = True
    question.save()
    response = admin_client.get(url, {"archived__exact": "1"})
    assert [q.pk for q in response.context["cl"].result_list] == [question.pk]


@pytest.mark.django_db
def test_set_and_category_lists(admin_client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert admin_client.get(reverse("admin:questions_questionset_changelist")).status_code == 200
    with django_assert_max_num_queries(10):
        assert admin_client.get(reverse("admin:questions_category_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:questions_authoreditem_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:questions_importrecord_changelist")).status_code == 200


@pytest.mark.django_db
def test_question_page_shows_a_rendered_preview_and_inline_examples(admin_client, tiny_set):
    question = Question.objects.filter(examples__isnull=False).first()
    response = admin_client.get(reverse("admin:questions_question_change", args=[question.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="prep-preview"' in page and 'class="highlight"' in page
    assert "examples-TOTAL_FORMS" in page
    assert "pygments-light.css" in page


def _formset(question, examples, **overrides):
    data = {
        "category": question.category_id, "number": question.number, "title": question.title,
        "slug": question.slug, "position": question.position, "answer_md": question.answer_md,
        "examples-TOTAL_FORMS": len(examples), "examples-INITIAL_FORMS": len(examples),
        "examples-MIN_NUM_FORMS": 0, "examples-MAX_NUM_FORMS": 1000,
        "authored_items-TOTAL_FORMS": 0, "authored_items-INITIAL_FORMS": 0,
        "authored_items-MIN_NUM_FORMS": 0, "authored_items-MAX_NUM_FORMS": 1000,
        "key_points_override-TOTAL_FORMS": 0, "key_points_override-INITIAL_FORMS": 0,
        "key_points_override-MIN_NUM_FORMS": 0, "key_points_override-MAX_NUM_FORMS": 1,
    }
    for i, example in enumerate(examples):
        data.update({
            f"examples-{i}-id": example.pk, f"examples-{i}-question": question.pk,
            f"examples-{i}-position": example.position, f"examples-{i}-language": example.language,
            f"examples-{i}-caption": example.caption, f"examples-{i}-code": example.code,
        })
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_editing_an_example_inline_updates_the_answer_and_its_highlighting(admin_client, tiny_set):
    question = Question.objects.filter(examples__isnull=False).first()
    examples = list(question.examples.all())
    url = reverse("admin:questions_question_change", args=[question.pk])
    data = _formset(question, examples, **{"examples-0-code": "answer_to_everything = 42\n"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    example = question.examples.get(position=0)
    assert example.code.startswith("answer_to_everything = 42")
    assert "answer_to_everything" in example.highlighted_html
    assert "answer_to_everything = 42" in question.answer_md
    assert "answer_to_everything" in question.answer_html
    assert question.examples.count() == len(examples)


@pytest.mark.django_db
def test_editing_the_answer_rebuilds_examples_from_its_fences(admin_client, tiny_set):
    question = Question.objects.filter(examples__isnull=True).first() or Question.objects.first()
    examples = list(question.examples.all())
    url = reverse("admin:questions_question_change", args=[question.pk])
    answer = "Short answer with <script>alert(1)</script> and code:\n\n```sql\nSELECT 1;\n```"
    response = admin_client.post(url, _formset(question, examples, answer_md=answer))
    assert response.status_code == 302
    question.refresh_from_db()
    assert [(e.language, e.code) for e in question.examples.all()] == [("sql", "SELECT 1;\n")]
    assert "<script>" not in question.answer_html
    assert 'class="highlight"' in question.answer_html
    assert Example.objects.filter(question=question).count() == 1


@pytest.mark.django_db
def test_admin_edits_markdown_only_and_html_is_rendered_sanitized(admin_client, tiny_set):
    category = Category.objects.filter(question_set=tiny_set).first()
    url = reverse("admin:questions_category_change", args=[category.pk])
    form = admin_client.get(url).context["adminform"].form
    assert "intro_html" not in form.fields
    response = admin_client.post(url, {
        "question_set": tiny_set.pk, "title": category.title, "slug": category.slug,
        "position": category.position, "intro_md": "**Hi** <script>alert(1)</script>",
        "intro_html": "<script>alert(2)</script>",
    })
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.intro_html.startswith("<p><strong>Hi</strong>")
    assert "script" not in category.intro_html

    url = reverse("admin:questions_questionset_change", args=[tiny_set.pk])
    response = admin_client.post(url, {
        "title": tiny_set.title, "slug": tiny_set.slug, "intro_md": "Welcome *all*.",
        "closing_md": "Good luck <img src=x onerror=alert(1)>",
    })
    assert response.status_code == 302
    tiny_set.refresh_from_db()
    assert tiny_set.intro_html == "<p>Welcome <em>all</em>.</p>"
    assert "onerror" not in tiny_set.closing_html and "Good luck" in tiny_set.closing_html


@pytest.mark.django_db
def test_broken_answer_is_refused_with_its_line(admin_client, tiny_set):
    question = Question.objects.filter(examples__isnull=True).first()
    before = question.answer_md
    url = reverse("admin:questions_question_change", args=[question.pk])
    response = admin_client.post(url, _formset(question, [], answer_md="Text\n\n```python\nx = 1\n"))
    assert response.status_code == 200
    assert "Line 3 of the answer: code fence" in response.content.decode()
    question.refresh_from_db()
    assert question.answer_md == before


@pytest.mark.django_db
def test_key_points_are_edited_inline_on_the_question(admin_client, make_question):
    question = make_question("What is a queryset?", answer_md="A lazy collection of rows.")
    url = reverse("admin:questions_question_change", args=[question.pk])
    assert "key_points_override-TOTAL_FORMS" in admin_client.get(url).content.decode()
    data = _formset(question, [], **{"key_points_override-TOTAL_FORMS": 1,
                                     "key_points_override-0-text": "Lazy\nChainable",
                                     "key_points_override-0-question": question.pk})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert question.key_points_override.points == ["Lazy", "Chainable"]
