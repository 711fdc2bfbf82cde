import pytest
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from progress import models as progress_models
from questions import caching, models as question_models
from questions.models import Bookmark, Category, Note, Question
from questions.search import SEARCH_CONFIG, search_vector

HTMX = {"HX-Request": "true"}


@pytest.fixture
def category(tiny_set):
    return Category.objects.listed().filter(question_set=tiny_set).order_by("position").first()


@pytest.fixture
def questions(category):
    return list(category.questions.listed().with_category())


@pytest.fixture
def question(questions):
    return questions[1]


# ---- pages -------------------------------------------------------------------


@pytest.mark.django_db
def test_home_lists_sets_categories_and_counts(client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert tiny_set.title.replace("&", "&amp;") in html
    for category in Category.objects.listed().filter(question_set=tiny_set):
        assert category.title in html


@pytest.mark.django_db
def test_home_hides_categories_without_listed_questions(client, tiny_set, category):
    category.questions.update(archived=True)
    html = client.get("/").content.decode()
    assert category.get_absolute_url() not in html
    assert client.get(category.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_home_signed_in_query_count(signed_in, tiny_set, django_assert_max_num_queries):
    # Includes progress's review summary (due counts) on the home page.
    with django_assert_max_num_queries(12):
        response = signed_in.get("/")
    assert response.status_code == 200
    assert "Signed in as" in response.content.decode()


@pytest.mark.django_db
def test_set_page_lists_questions_in_order(client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get(tiny_set.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    questions = Question.objects.listed().of_set(tiny_set.slug).with_category().order_by("category__position", "position")
    urls = [q.get_absolute_url() for q in questions]
    positions = [html.index(f'href="{url}"') for url in urls]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_set_page_query_count_does_not_grow(signed_in, tiny_set, user, django_assert_max_num_queries):
    for question in Question.objects.all():
        Bookmark.objects.create(user=user, question=question)
    with django_assert_max_num_queries(7):
        response = signed_in.get(tiny_set.get_absolute_url())
    assert response.content.decode().count("status-bookmarked") == Question.objects.count()


@pytest.mark.django_db
def test_archived_questions_are_hidden(client, tiny_set, category, question):
    question.archived = True
    question.save()
    assert question.title not in client.get(category.get_absolute_url()).content.decode()
    assert question.title not in client.get(tiny_set.get_absolute_url()).content.decode()
    assert client.get(question.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_category_page_and_fragment(client, category, questions, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        full = client.get(category.get_absolute_url())
    assert full.status_code == 200
    assert b"<html" in full.content
    for q in questions:
        assert q.get_absolute_url() in full.content.decode()
    with django_assert_max_num_queries(4):
        fragment = client.get(category.get_absolute_url(), headers={**HTMX, "HX-Target": "question-list"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'id="question-list"' in fragment.content
    assert "HX-Request" in fragment["Vary"]


@pytest.mark.django_db
def test_category_status_filter(signed_in, user, category, questions, django_assert_max_num_queries):
    Bookmark.objects.create(user=user, question=questions[0])
    with django_assert_max_num_queries(6):
        response = signed_in.get(category.get_absolute_url() + "?status=bookmarked",
                             headers={**HTMX, "HX-Target": "question-list"})
    html = response.content.decode()
    assert questions[0].get_absolute_url() in html
    assert questions[1].get_absolute_url() not in html


@pytest.mark.django_db
def test_status_badges_from_review_cards(signed_in, user, other_user, category, questions, make_question,
                                        django_assert_max_num_queries):
    Card = apps.get_model("progress", "Card")
    questions = questions + [make_question(category=category), make_question(category=category)]
    now = timezone.now()
    Card.objects.create(user=user, question=questions[0], state=2, due=now, last_review=now, stability=30, last_rating=3)
    Card.objects.create(user=user, question=questions[1], state=1, due=now, last_review=now)
    # in review, but neither stable enough nor last passed: not mastered (progress' rule)
    Card.objects.create(user=user, question=questions[-2], state=2, due=now, last_review=now, stability=8.3, last_rating=4)
    Card.objects.create(user=user, question=questions[-1], state=2, due=now, last_review=now, stability=40, last_rating=2)
    Card.objects.create(user=user, question=questions[2], state=1, due=now, last_review=None)
    # Someone else's card must not leak into the user's badges.
    Card.objects.create(user=other_user, question=questions[3], state=2, due=now, last_review=now)
    with django_assert_max_num_queries(6):
        response = signed_in.get(category.get_absolute_url())
    shown = {q.pk: q.study_status for q in response.context["questions"]}
    assert shown[questions[0].pk] == "known"
    assert shown[questions[1].pk] == "learning"
    assert shown[questions[2].pk] == "new"
    assert shown[questions[3].pk] == "new"
    assert shown[questions[-2].pk] == shown[questions[-1].pk] == "learning"
    assert len(response.context["questions"]) == len(questions)
    assert "Mastered: stability of 21 days or more and a last rating of Good or Easy." in response.content.decode()
    assert (progress_models.MASTERED_STABILITY_DAYS, progress_models.MASTERED_RATINGS) == (
        question_models.MASTERED_STABILITY_DAYS, question_models.MASTERED_RATINGS)


@pytest.mark.django_db
def test_question_page(client, category, questions, question, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert question.title in html or question.title.replace("'", "&#x27;") in html
    assert 'class="code-example"' in html
    assert '<div class="highlight">' in html
    assert 'class="code-lang">python' in html
    assert questions[0].get_absolute_url() in html  # previous
    assert questions[2].get_absolute_url() in html  # next
    assert category.get_absolute_url() in html
    # Anonymous public pages carry no CSRF token, so they can be cached for everyone.
    assert "X-CSRFToken" not in html
    assert "csrftoken" not in response.cookies


@pytest.mark.django_db
def test_question_page_is_cached_for_anonymous(client, question, django_assert_max_num_queries):
    first = client.get(question.get_absolute_url())
    with django_assert_max_num_queries(0):  # the content version is memoised for a moment
        second = client.get(question.get_absolute_url())
    assert second.content == first.content


@pytest.mark.django_db
def test_reimport_invalidates_cached_pages(client, tiny_set, question):
    client.get(question.get_absolute_url())
    Question.objects.filter(pk=question.pk).update(title="Renamed by an import")
    tiny_set.imported_at = timezone.now()
    tiny_set.save()
    assert "Renamed by an import" in client.get(question.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_admin_edits_invalidate_cached_pages_in_other_workers(client, tiny_set, question, monkeypatch):
    client.get(question.get_absolute_url())
    client.get(question.category.get_absolute_url())
    # Another worker's edit: no signal reaches this process, only the database changes.
    Question.objects.filter(pk=question.pk).update(title="Edited elsewhere", updated_at=timezone.now())
    Category.objects.filter(pk=question.category_id).update(
        title="Category edited elsewhere", updated_at=timezone.now()
    )
    monkeypatch.setattr(caching, "_version", None)  # the memo's few seconds have passed
    assert "Edited elsewhere" in client.get(question.get_absolute_url()).content.decode()
    assert "Category edited elsewhere" in client.get(question.category.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_study_mode_hides_answer_and_fragment_reveals_it(client, question, django_assert_max_num_queries):
    response = client.get(question.get_absolute_url() + "?study=1")
    html = response.content.decode()
    assert "Reveal answer" in html
    assert 'class="code-example"' not in html
    with django_assert_max_num_queries(3):
        fragment = client.get(question.get_absolute_url(), headers={**HTMX, "HX-Target": "answer"})
    assert b"<html" not in fragment.content
    assert b'class="code-example"' in fragment.content
    assert b'id="answer"' in fragment.content


@pytest.mark.django_db
def test_history_restore_gets_full_page(client, question):
    response = client.get(
        question.get_absolute_url(),
        headers={**HTMX, "HX-Target": "answer", "HX-History-Restore-Request": "true"},
    )
    assert b"<html" in response.content


@pytest.mark.django_db
def test_question_404s(client, tiny_set, category, question):
    assert client.get(f"/sets/{tiny_set.slug}/{category.slug}/no-such-question/").status_code == 404
    assert client.get(f"/sets/nope/{category.slug}/{question.slug}/").status_code == 404
    assert client.get(f"/sets/{tiny_set.slug}/nope/").status_code == 404
    assert client.get("/sets/nope/").status_code == 404


@pytest.mark.django_db
def test_question_page_signed_in(signed_in, user, question, django_assert_max_num_queries):
    Note.objects.create(user=user, question=question, text="Remember <b>this</b>")
    with django_assert_max_num_queries(8):
        response = signed_in.get(question.get_absolute_url())
    html = response.content.decode()
    assert "Remember &lt;b&gt;this&lt;/b&gt;" in html
    assert "☆ Bookmark" in html
    assert "X-CSRFToken" in html


@pytest.mark.django_db
def test_post_only_endpoints_reject_get(signed_in, user, question):
    bookmark = Bookmark.objects.create(user=user, question=question)
    for url in (reverse("questions:bookmark_toggle", args=[question.pk]),
                reverse("questions:bookmark_delete", args=[bookmark.pk])):
        assert signed_in.get(url).status_code == 405, url
    assert Bookmark.objects.filter(pk=bookmark.pk).exists()


# ---- flashcards -----------------------------------------------------------------


@pytest.mark.django_db
def test_flashcards(client, category, questions, django_assert_max_num_queries):
    url = reverse("questions:flashcard", args=[category.question_set.slug, category.slug, 2])
    with django_assert_max_num_queries(4):
        response = client.get(url)
    html = response.content.decode()
    assert f"2 / {len(questions)}" in html
    assert "Show answer" in html
    assert 'class="code-example"' not in html
    with django_assert_max_num_queries(4):
        card = client.get(url, headers={**HTMX, "HX-Target": "flashcard"})
    assert b"<html" not in card.content and b'id="flashcard"' in card.content
    answer = client.get(url + "?reveal=1", headers={**HTMX, "HX-Target": "answer"})
    assert b"<html" not in answer.content and b"prose answer" in answer.content
    assert b"prose answer" in client.get(url + "?reveal=1").content
    last = reverse("questions:flashcard", args=[category.question_set.slug, category.slug, len(questions) + 1])
    assert client.get(last).status_code == 404
    zero = reverse("questions:flashcard", args=[category.question_set.slug, category.slug, 0])
    assert client.get(zero).status_code == 404


# ---- search ----------------------------------------------------------------------


@pytest.mark.django_db
def test_search_empty_and_no_results(client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        empty = client.get("/search/")
    assert empty.status_code == 200 and b"Type a word or two" in empty.content
    none = client.get("/search/?q=xylophonequartz")
    assert b"No questions match" in none.content
    punctuation = client.get("/search/?q=%27%22%3A%2A%26%7C%21%28")
    assert punctuation.status_code == 200


@pytest.mark.django_db
def test_search_finds_titles_answers_and_code(client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/search/?q=prefetch_related")
    hits = response.context["hits"]
    assert hits
    assert "prefetch_related" in hits[0].question.title.lower()  # title matches rank first
    # Code: an identifier that appears only inside code examples.
    code_hits = client.get("/search/?q=pub_date__year").context["hits"]
    assert code_hits
    assert all(hit.question.category.title for hit in code_hits)


@pytest.mark.django_db
def test_search_prefix_while_typing(client, tiny_set):
    assert client.get("/search/?q=prefet").context["hits"]


@pytest.mark.django_db
def test_search_highlights_and_escapes(client, tiny_set, category, question):
    Question.objects.filter(pk=question.pk).update(title="Zebrafish <script>alert(1)</script> question")
    response = client.get("/search/?q=zebrafish")
    html = response.content.decode()
    assert "<mark>Zebrafish</mark>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_search_skips_archived(client, tiny_set, question, monkeypatch):
    Question.objects.filter(pk=question.pk).update(title="Zebrafish archived")
    assert [hit.question.pk for hit in client.get("/search/?q=zebrafish").context["hits"]] == [question.pk]
    Question.objects.filter(pk=question.pk).update(archived=True, updated_at=timezone.now())
    monkeypatch.setattr(caching, "_version", None)  # the archiving is seen after the memo's seconds
    assert not client.get("/search/?q=zebrafish").context["hits"]


@pytest.mark.django_db
def test_search_fragment(client, tiny_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/search/?q=orm", headers={**HTMX, "HX-Target": "search-results"})
    assert b"<html" not in response.content
    assert b'id="search-results"' in response.content


# ---- bookmarks and notes ---------------------------------------------------------


@pytest.mark.django_db
def test_bookmark_requires_login(client, question):
    response = client.post(reverse("questions:bookmark_toggle", args=[question.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Bookmark.objects.exists()


@pytest.mark.django_db
def test_bookmark_toggle_htmx_and_plain(signed_in, user, question):
    url = reverse("questions:bookmark_toggle", args=[question.pk])
    response = signed_in.post(url, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content and "★ Bookmarked" in response.content.decode()
    assert Bookmark.objects.filter(user=user, question=question).exists()
    response = signed_in.post(url)
    assert response.status_code == 302 and response["Location"] == question.get_absolute_url()
    assert not Bookmark.objects.exists()


@pytest.mark.django_db
def test_bookmark_redirect_ignores_foreign_next(signed_in, question):
    response = signed_in.post(reverse("questions:bookmark_toggle", args=[question.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == question.get_absolute_url()


@pytest.mark.django_db
def test_bookmark_unknown_or_archived_question_404(signed_in, question):
    assert signed_in.post(reverse("questions:bookmark_toggle", args=[999999])).status_code == 404
    Question.objects.filter(pk=question.pk).update(archived=True)
    assert signed_in.post(reverse("questions:bookmark_toggle", args=[question.pk])).status_code == 404


@pytest.mark.django_db
def test_bookmarks_page(signed_in, user, other_user, tiny_set, django_assert_max_num_queries):
    questions = list(Question.objects.listed().with_category())
    for q in questions[:3]:
        Bookmark.objects.create(user=user, question=q)
    Bookmark.objects.create(user=other_user, question=questions[4])
    Note.objects.create(user=user, question=questions[0], text="my bookmarked note")
    Note.objects.create(user=user, question=questions[5], text="note without bookmark")
    with django_assert_max_num_queries(6):
        response = signed_in.get(reverse("questions:bookmarks"))
    html = response.content.decode()
    for q in questions[:3]:
        assert q.get_absolute_url() in html
    assert questions[4].get_absolute_url() not in html
    assert "my bookmarked note" in html and "note without bookmark" in html


@pytest.mark.django_db
def test_bookmarks_page_requires_login(client):
    assert client.get(reverse("questions:bookmarks")).status_code == 302


@pytest.mark.django_db
def test_bookmark_delete_foreign_id_404(signed_in, user, other_user, question):
    theirs = Bookmark.objects.create(user=other_user, question=question)
    assert signed_in.post(reverse("questions:bookmark_delete", args=[theirs.pk])).status_code == 404
    assert Bookmark.objects.filter(pk=theirs.pk).exists()
    mine = Bookmark.objects.create(user=user, question=question)
    response = signed_in.post(reverse("questions:bookmark_delete", args=[mine.pk]), headers=HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Bookmark.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_note_create_edit_delete(signed_in, user, other_user, question):
    url = reverse("questions:note", args=[question.pk])
    Note.objects.create(user=other_user, question=question, text="mallory's secret")
    page = signed_in.get(url)
    assert page.status_code == 200 and b"<html" in page.content and b"<textarea" in page.content
    assert b"mallory" not in page.content
    form = signed_in.get(url + "?edit=1", headers={**HTMX, "HX-Target": "note"})
    assert b"<html" not in form.content and b"<textarea" in form.content
    saved = signed_in.post(url, {"text": "  use select_related  "}, headers={**HTMX, "HX-Target": "note"})
    assert saved.status_code == 200 and b"use select_related" in saved.content and b"<textarea" not in saved.content
    assert Note.objects.get(user=user, question=question).text == "use select_related"
    assert Note.objects.get(user=other_user).text == "mallory's secret"
    plain = signed_in.post(url, {"text": "changed"})
    assert plain.status_code == 302
    assert Note.objects.get(user=user, question=question).text == "changed"
    signed_in.post(url, {"text": "   "}, headers=HTMX)
    assert not Note.objects.filter(user=user).exists()
    assert Note.objects.filter(user=other_user).exists()


@pytest.mark.django_db
def test_note_too_long_is_rejected(signed_in, user, question):
    url = reverse("questions:note", args=[question.pk])
    response = signed_in.post(url, {"text": "x" * 10_001}, headers=HTMX)
    assert response.status_code == 422
    assert b"at most 10000 characters" in response.content or b"10,000" in response.content
    assert signed_in.post(url, {"text": "x" * 10_001}).status_code == 422
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_note_unknown_question_404(signed_in):
    assert signed_in.get(reverse("questions:note", args=[424242])).status_code == 404
    assert signed_in.post(reverse("questions:note", args=[424242]), {"text": "x"}).status_code == 404


@pytest.mark.django_db
def test_csrf_enforced_on_posts(user, question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    toggle = reverse("questions:bookmark_toggle", args=[question.pk])
    assert client.post(toggle).status_code == 403
    assert client.post(reverse("questions:note", args=[question.pk]), {"text": "x"}).status_code == 403
    assert not Bookmark.objects.exists() and not Note.objects.exists()
    page = client.get(question.get_absolute_url()).content.decode()
    token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    assert client.post(toggle, headers={"X-CSRFToken": token, **HTMX}).status_code == 200
    assert Bookmark.objects.exists()


# ---- accounts -----------------------------------------------------------------


@pytest.mark.django_db
def test_account_pages_use_site_layout_and_crispy(client, tiny_set):
    for name in ["account_login", "account_signup", "account_reset_password"]:
        response = client.get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="site-nav"' in html
        assert "form-control" in html  # crispy-bootstrap5 fields
        assert "btn btn-primary" in html


@pytest.mark.django_db
def test_login_by_email_or_username(client, user):
    for login in ["alice", "alice@example.com"]:
        response = client.post(reverse("account_login"), {"login": login, "password": "correct-horse-battery"})
        assert response.status_code == 302
        assert "Signed in as" in client.get("/").content.decode()
        client.post(reverse("account_logout"))


@pytest.mark.django_db
def test_nav_links(client, tiny_set):
    html = client.get("/").content.decode()
    for name in ["questions:home", "questions:search", "progress:review", "progress:dashboard",
                 "quizzes:start", "questions:bookmarks", "account_login", "account_signup"]:
        assert f'href="{reverse(name)}"' in html


@pytest.mark.django_db
def test_postgres_search_uses_gin_index(tiny_set):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite uses the substring fallback")


    query = SearchQuery("middlew:*", search_type="raw", config=SEARCH_CONFIG)
    sql, params = Question.objects.annotate(d=search_vector()).filter(d=query).only("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "questions_question_search_gin" in plan, plan
