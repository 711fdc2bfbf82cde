"""Where each set comes from: the set page, the attribution page, the shipped DevLovers set."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from content.parser import parse
from questions.models import Question, QuestionSet

pytestmark = pytest.mark.django_db
DEVLOVERS = "https://github.com/DevLoversTeam/django-interview-questions"


@pytest.fixture
def shipped(db):
    call_command("import_questions", "--shipped", stdout=StringIO(), stderr=StringIO())


def test_shipped_devlovers_set_imports_with_its_source_and_license(shipped):
    devlovers = QuestionSet.objects.get(source_name="django-devlovers-en.md")
    assert (devlovers.source_url, devlovers.license) == (DEVLOVERS, "MIT")
    assert Question.objects.listed().filter(category__question_set=devlovers).count() == 100
    assert "source:" not in devlovers.intro_md  # the front matter is not part of the set's text
    assert QuestionSet.objects.count() == 2


def test_set_page_says_where_the_set_comes_from(client, shipped):
    devlovers = QuestionSet.objects.get(source_name="django-devlovers-en.md")
    page = client.get(devlovers.get_absolute_url()).content.decode()
    assert f'<a href="{DEVLOVERS}" rel="noopener">' in page and "under the MIT license" in page


def test_attribution_page_lists_every_shipped_set(client, shipped, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("questions:sources"))
    page = response.content.decode()
    assert response.status_code == 200
    for question_set in QuestionSet.objects.all():
        assert question_set.get_absolute_url() in page
    assert DEVLOVERS in page and "django-devlovers-en.LICENSE" in page and "Written for this site" in page


def test_footer_links_to_the_attribution_page(client, db):
    assert reverse("questions:sources") in client.get(reverse("questions:sources")).content.decode()


def test_source_and_license_are_editable_in_the_admin(admin_client, seed_set):
    url = reverse("admin:questions_questionset_change", args=[seed_set.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="source_url"' in form and 'name="license"' in form
    response = admin_client.post(url, {
        "title": seed_set.title, "slug": seed_set.slug, "intro_md": seed_set.intro_md, "closing_md": "",
        "source_url": "https://example.org/set", "license": "CC BY 4.0",
    })
    assert response.status_code == 302
    seed_set.refresh_from_db()
    assert (seed_set.source_url, seed_set.license) == ("https://example.org/set", "CC BY 4.0")


def test_the_markdown_export_carries_source_and_license(client, shipped):
    devlovers = QuestionSet.objects.get(source_name="django-devlovers-en.md")
    exported = client.get(reverse("exports:export_markdown", args=[devlovers.slug])).content.decode()
    assert exported.startswith(f"---\nsource: {DEVLOVERS}\nlicense: MIT\n---\n")
    again = parse(exported, "exported.md")
    assert (again.source_url, again.license, again.title) == (DEVLOVERS, "MIT", devlovers.title)
    seed = QuestionSet.objects.get(source_name="django-interview-questions.md")
    assert client.get(reverse("exports:export_markdown", args=[seed.slug])).content.decode().startswith("# ")
