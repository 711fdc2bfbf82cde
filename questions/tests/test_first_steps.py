"""First steps: what the home page offers, per-set actions, whole-set flashcards, "Also in" links."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from content.parser import parse
from questions.models import Category, Question, QuestionSet
from questions.related import compute


@pytest.fixture
def second_set(tiny_set):
    """A second set whose questions overlap the shipped one on some topics."""
    other = QuestionSet.objects.create(title="Second Set", slug="second-set")
    category = Category.objects.create(question_set=other, title="ORM", slug="orm")
    rows = [
        ("prefetch", "When do select_related and prefetch_related help?"),
        ("middleware", "What is middleware?"),
        ("unrelated", "How do you size a thread pool?"),
    ]
    for position, (slug, title) in enumerate(rows):
        Question.objects.create(category=category, position=position, slug=slug, title=title,
                                answer_md="An answer.", answer_html="<p>An answer.</p>")
    return other


@pytest.mark.django_db
def test_anonymous_home_says_what_the_site_does_with_one_start(client, tiny_set):
    html = client.get("/").content.decode()
    intro = html[html.index('id="intro-title"'):html.index("</section>", html.index('id="intro-title"'))]
    assert intro.count("<li>") == 3
    start = reverse("questions:set_flashcard", args=[tiny_set.slug, 1])
    assert intro.count('class="btn') == 1 and f'href="{start}"' in intro
    assert client.get(start).status_code == 200


@pytest.mark.django_db
def test_signed_in_home_leads_with_today(signed_in, tiny_set):
    html = signed_in.get("/").content.decode()
    assert 'id="intro-title"' not in html
    assert html.index('id="review-summary-title"') < html.index(f'id="set-{tiny_set.slug}"')


@pytest.mark.django_db
def test_set_page_offers_quiz_review_and_whole_set_flashcards(signed_in, tiny_set):
    html = signed_in.get(tiny_set.get_absolute_url()).content.decode()
    links = [
        reverse("questions:set_flashcard", args=[tiny_set.slug, 1]),
        f"{reverse('quizzes:start')}?question_set={tiny_set.pk}",
        f"{reverse('progress:review')}?set={tiny_set.slug}",
    ]
    for link in links:
        assert f'href="{link}"' in html
        assert signed_in.get(link).status_code == 200, link


@pytest.mark.django_db
def test_whole_set_flashcards_walk_every_category(client, user, tiny_set, django_assert_max_num_queries):
    listed = list(Question.objects.listed().of_set(tiny_set.slug).order_by("category__position", "position"))
    last = reverse("questions:set_flashcard", args=[tiny_set.slug, len(listed)])
    with django_assert_max_num_queries(5):
        response = client.get(last)
    assert response.status_code == 200
    assert response.context["question"] == listed[-1]
    assert listed[-1].category.title in response.content.decode()
    assert response.context["next_url"] == ""
    reader = Client()  # signed in, each card a first visit: rendered, not served from the anonymous cache
    reader.force_login(user)
    walked, url = [], reverse("questions:set_flashcard", args=[tiny_set.slug, 1])
    while url:  # Next from the first card: every question once, category by category
        context = reader.get(url).context
        walked.append(context["question"])
        url = context["next_url"]
    assert walked == listed and len({q.category_id for q in walked}) == tiny_set.categories.count() > 1
    beyond = reverse("questions:set_flashcard", args=[tiny_set.slug, len(listed) + 1])
    assert client.get(beyond).status_code == 404
    assert client.get(reverse("questions:set_flashcard", args=["no-such-set", 1])).status_code == 404


@pytest.mark.django_db
def test_related_questions_link_across_sets_only(tiny_set, second_set):
    links = compute()
    shipped = Question.objects.get(category__question_set=tiny_set, title__contains="`select_related()`")
    prefetch = Question.objects.get(category__question_set=second_set, slug="prefetch")
    assert [link["url"] for link in links[shipped.pk]][:1] == [prefetch.get_absolute_url()]
    assert shipped.get_absolute_url() in [link["url"] for link in links[prefetch.pk]]
    middleware = Question.objects.get(category__question_set=second_set, slug="middleware")
    assert any("middleware" in link["title"] for link in links[middleware.pk])
    unrelated = Question.objects.get(category__question_set=second_set, slug="unrelated")
    assert unrelated.pk not in links
    for question_id, found in links.items():
        own_set = Question.objects.get(pk=question_id).category.question_set.title
        assert all(link["set_title"] != own_set for link in found)


@pytest.mark.django_db
def test_question_page_shows_also_in_from_cache(signed_in, tiny_set, second_set, django_assert_max_num_queries):
    cache.clear()
    prefetch = Question.objects.get(category__question_set=second_set, slug="prefetch")
    signed_in.get(prefetch.get_absolute_url())  # builds the map once
    with django_assert_max_num_queries(9):
        response = signed_in.get(prefetch.get_absolute_url())
    html = response.content.decode()
    assert "Also in other sets" in html
    assert "<code>select_related()</code>" in html and tiny_set.title.replace("&", "&amp;") in html
    unrelated = Question.objects.get(category__question_set=second_set, slug="unrelated")
    assert "Also in other sets" not in signed_in.get(unrelated.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_shipped_sets_link_questions_on_the_same_topic_both_ways(client, seed_set):
    devlovers_path = Path(settings.BASE_DIR) / "content" / "sets" / "django-devlovers-en.md"
    devlovers = QuestionSet.objects.get(pk=QuestionSet.objects.sync(
        parse(devlovers_path.read_bytes(), devlovers_path.name)).question_set_id)
    cache.clear()
    links = compute()

    def titles(title, of):
        question = Question.objects.get(category__question_set=of, title=title)
        return [link["title"] for link in links.get(question.pk, [])], question

    caching, seed_caching = titles("How do you implement caching in Django?", seed_set)
    assert caching == ["How does caching work in Django? Main caching approaches."]  # not redirects or pagination
    middleware, _ = titles("How do you create custom middleware in Django?", seed_set)
    assert "How do you create custom middleware?" in middleware and all("iddleware" in t for t in middleware)
    back, devlovers_caching = titles("How does caching work in Django? Main caching approaches.", devlovers)
    assert seed_caching.title in back
    for question, other in ((seed_caching, devlovers), (devlovers_caching, seed_set)):
        page = client.get(question.get_absolute_url()).content.decode()
        also_in = page[page.index('id="also-in-heading"'):page.index("</aside>", page.index('id="also-in-heading"'))]
        assert other.title.replace("&", "&amp;") in also_in
