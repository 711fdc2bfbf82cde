"""AnonymousPageMiddleware: a stored public response equals the one the whole stack makes, and follows the content."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from questions import caching
from questions.models import Category, Question


@pytest.fixture
def question(tiny_set):
    category = Category.objects.listed().filter(question_set=tiny_set).order_by("position").first()
    return category.questions.listed().with_category()[1]


@pytest.mark.django_db
@override_settings(DEBUG=False)  # the CSP header as production builds it
def test_a_stored_response_has_the_headers_and_body_of_a_fresh_one(client, question, django_assert_max_num_queries):
    for url, headers in ((question.get_absolute_url(), {}), ("/search/?q=orm", {}),
                         (question.category.get_absolute_url(), {"HX-Request": "true", "HX-Target": "question-list"})):
        fresh = client.get(url, headers=headers)
        assert fresh.status_code == 200 and fresh.templates
        with django_assert_max_num_queries(0):
            stored = client.get(url, headers=headers)
        assert not stored.templates  # no view, no template: the middleware answered
        assert dict(stored.headers) == dict(fresh.headers)
        assert "Content-Security-Policy" in stored.headers and "X-Frame-Options" in stored.headers
        assert stored.content == fresh.content


@pytest.mark.django_db
def test_a_visitor_with_a_session_or_a_message_goes_through_the_stack(client, question, signed_in):
    url = question.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "pending"
    assert client.get(url).templates
    assert signed_in.get(url).templates


@pytest.mark.django_db
def test_a_host_or_a_nul_byte_the_stack_refuses_is_still_refused(client, question):
    url = question.get_absolute_url()
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"host": "evil.example"}).status_code == 400
    assert client.get(url, {"utm_source": "a\x00b"}).status_code == 400


@pytest.mark.django_db
def test_plain_http_is_left_to_the_redirect_when_https_is_required(rf, question):
    url = question.get_absolute_url()
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert not caching._eligible(rf.get(url))
        assert caching._eligible(rf.get(url, secure=True))


@pytest.mark.django_db
def test_a_head_request_or_a_page_not_found_is_not_stored(client, question):
    url = question.get_absolute_url()
    assert client.head(url).status_code == 405  # require_GET, with or without the store
    assert client.get(url + "nope/").status_code == 404
    assert client.get(url + "nope/").templates


@pytest.mark.django_db
def test_an_edit_in_another_worker_shows_once_the_version_is_read_again(client, question, monkeypatch):
    url = question.get_absolute_url()
    client.get(url)
    Question.objects.filter(pk=question.pk).update(answer_html="<p>Edited answer</p>", updated_at=timezone.now())
    assert "Edited answer" not in client.get(url).content.decode()  # within the memo's seconds
    monkeypatch.setattr(caching, "_version", None)
    assert "Edited answer" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_admin_edit_in_this_worker_shows_at_once(client, question):
    url = question.get_absolute_url()
    client.get(url)
    question.title = "A new title"
    question.save()
    assert "A new title" in client.get(url).content.decode()


@pytest.mark.django_db
def test_an_import_shows_at_once(client, question):
    url = question.category.question_set.get_absolute_url()
    client.get(url)
    question_set = question.category.question_set
    question_set.title = "Reimported set"
    question_set.imported_at = timezone.now()
    question_set.save()
    assert "Reimported set" in client.get(url).content.decode()


class _Site:
    """Stands for Django's handler behind AnonymousPageApplication: records what reached it."""

    def __init__(self):
        self.reached = []

    def __call__(self, environ, start_response):
        self.reached.append(environ["PATH_INFO"])
        start_response("204 No Content", [])
        return [b""]


def _serve(application, environ):
    answer = {}
    body = b"".join(application(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    return answer["status"], dict(answer["headers"]), body


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_the_wsgi_layer_serves_a_stored_response_before_the_site(client, rf, question):
    url = question.get_absolute_url()
    fresh = client.get(url)  # stored by the middleware, through the whole stack
    site = _Site()
    application = caching.AnonymousPageApplication(site)
    status, headers, body = _serve(application, rf.get(url, {"utm_source": "mail"}).environ)
    assert (status, headers, body) == ("200 OK", dict(fresh.headers), fresh.content)
    assert site.reached == []


@pytest.mark.django_db
def test_the_wsgi_layer_leaves_everything_else_to_the_site(client, rf, question, signed_in):
    url = question.get_absolute_url()
    client.get(url)
    site = _Site()
    application = caching.AnonymousPageApplication(site)
    refused = [
        rf.post(url).environ,
        rf.get(url, HTTP_COOKIE=signed_in.cookies[settings.SESSION_COOKIE_NAME].OutputString()).environ,
        rf.get(url, HTTP_COOKIE="messages=pending").environ,
        rf.get(url, HTTP_HOST="evil.example").environ,
        rf.get(url, {"x": "a\x00b"}).environ,
        rf.get(url + "?" + "&".join(f"f{n}=1" for n in range(2000))).environ,  # too many fields: the site says 400
        rf.get(question.category.get_absolute_url()).environ,  # a page not stored yet
    ]
    for environ in refused:
        assert _serve(application, environ)[0] == "204 No Content"
    assert len(site.reached) == len(refused)


def test_gunicorn_serves_the_wsgi_layer():
    from prepsite import wsgi

    assert isinstance(wsgi.application, caching.AnonymousPageApplication)


@pytest.mark.django_db
def test_a_failed_version_read_in_the_wsgi_layer_drops_the_broken_connection(client, rf, question, monkeypatch):
    from django.db import OperationalError, connection

    url = question.get_absolute_url()
    client.get(url)
    checked = []
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: checked.append(True))
    application = caching.AnonymousPageApplication(_Site())
    _serve(application, rf.get(url).environ)
    assert checked == []  # a healthy connection is left alone

    def broken_read():
        connection.errors_occurred = True  # as Django's error wrapper marks a connection a query failed on
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(caching, "content_version", broken_read)
    monkeypatch.setattr(connection, "errors_occurred", False)
    assert _serve(application, rf.get(url).environ)[0] == "204 No Content"
    assert checked == [True]
