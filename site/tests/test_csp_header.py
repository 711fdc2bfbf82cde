"""The CSP header built once (prepsite.middleware.CSPMiddleware) is django-csp's header, on every response."""

import pytest
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from prepsite.middleware import CSPMiddleware


@pytest.mark.django_db
def test_every_response_gets_the_same_header_as_django_csp(client):
    expected = DjangoCSPMiddleware(lambda r: HttpResponse()).process_response(RequestFactory().get("/"), HttpResponse())
    first, second = client.get("/"), client.get("/search/")
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"] == expected["Content-Security-Policy"]
    assert "script-src 'self'" in first["Content-Security-Policy"]


def test_a_response_with_its_own_policy_still_gets_it():
    middleware = CSPMiddleware(lambda r: HttpResponse())
    plain = middleware.process_response(RequestFactory().get("/"), HttpResponse())
    own = HttpResponse()
    own._csp_update = {"img-src": ["https://example.com"]}
    updated = middleware.process_response(RequestFactory().get("/"), own)
    assert "https://example.com" in updated["Content-Security-Policy"]
    after = middleware.process_response(RequestFactory().get("/"), HttpResponse())["Content-Security-Policy"]
    assert after == plain["Content-Security-Policy"] and "https://example.com" not in after
