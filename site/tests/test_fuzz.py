"""Walk the URLconf and send hostile values in every query parameter and form field: 4xx, never 500.

Concrete URLs come from crawling the site as a visitor and as a signed-in user (after submitting
each form once with its defaults, so quizzes, cards and bookmarks exist); parameter names come from
the forms on the pages and from the views' source.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ["/", "/search/?q=model", "/review/", "/progress/", "/quizzes/", "/quizzes/history/", "/bookmarks/",
         "/review/suspended/", "/review/settings/", "/accounts/login/", "/accounts/signup/",
         "/accounts/password/reset/", "/accounts/email/", "/accounts/password/change/", "/admin/content/import/",
         "/admin/content/import/history/"]
HOSTILE = {
    "non-ascii digits": "١٢٣",
    "huge number": "9" * 40,
    "1 MB": "x" * (1024 * 1024),
}
NEVER_SUBMIT = {"account_logout"}
PARAM_SOURCE = re.compile(r"""(?:GET|POST|data)\.get(?:list)?\(\s*["']([a-z_0-9]+)["']""")


class Forms(HTMLParser):
    """Links, and forms with their fields' default values."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._form, self._select = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for attr in ("hx-get", "hx-post"):
            if attrs.get(attr):
                self.links.append(attrs[attr])
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            name, kind = attrs["name"], attrs.get("type", "text")
            if tag == "input" and kind in ("checkbox", "radio"):
                if "checked" in attrs or name not in self._form["fields"]:
                    self._form["fields"][name] = attrs.get("value", "on")
            elif tag in ("input", "textarea", "button"):
                self._form["fields"].setdefault(name, attrs.get("value") or "")
            elif tag == "select":
                self._select = name
                self._form["fields"].setdefault(name, "")
        elif tag == "option" and self._select and self._form is not None:
            if "selected" in attrs or not self._form["fields"].get(self._select):
                self._form["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def all_routes():
    """(route text, URLPattern) for every view the site serves, Django's own admin left out."""
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                route = prefix + str(pattern.pattern)
                if route == "admin/":
                    continue
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    return list(walk(get_resolver().url_patterns, ""))


def route_of(path):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def source_params(callback) -> set[str]:
    module = getattr(callback, "__module__", "") or ""
    app = module.split(".")[0]
    folder = ROOT / ("site" if app == "prepsite" else app)
    if not folder.is_dir():
        return set()
    return {name for path in folder.glob("*.py") for name in PARAM_SOURCE.findall(path.read_text())}


def crawl(client, limit=400):
    seen, queue, pages, forms = set(), list(SEEDS), {}, []
    per_route: dict[str, int] = {}
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        route = route_of(path)
        django_admin = path.startswith("/admin/") and not path.startswith("/admin/content/")
        if url in seen or route is None or django_admin or per_route.get(route, 0) >= 2:
            continue
        seen.add(url)
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        pages.setdefault(route, url)
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(response.content.decode(errors="replace"))
        for link in parser.links:
            target = urljoin(url, link)
            if urlsplit(target).netloc in ("", "testserver"):
                queue.append(urlsplit(target).path + (f"?{urlsplit(target).query}" if urlsplit(target).query else ""))
        for form in parser.forms:
            form["action"] = urlsplit(urljoin(url, form["action"] or url)).path
            forms.append(form)
            if form["method"] == "get":
                queue.append(form["action"])
    return pages, forms


def submit_defaults(client, forms):
    for form in forms:
        if form["method"] != "post":
            continue
        try:
            name = resolve(form["action"]).url_name
        except Resolver404:
            continue
        if name in NEVER_SUBMIT:
            continue
        response = client.post(form["action"], form["fields"])
        assert response.status_code < 500, (form, response.status_code)


def fuzz(client, pages, forms, relogin, only=""):
    failures = []
    forms_by_route = {}
    for form in forms:
        route = route_of(form["action"])
        if route is not None:
            forms_by_route.setdefault(route, []).append(form)
    for route, pattern in all_routes():
        url = pages.get(route)
        if url is None or not route.startswith(only):
            continue
        relogin()
        path = urlsplit(url).path
        route_forms = forms_by_route.get(route, [])
        names = source_params(pattern.callback) | {n for form in route_forms for n in form["fields"]}
        names.discard("csrfmiddlewaretoken")
        post_defaults = next((form["fields"] for form in route_forms if form["method"] == "post"), None)
        if pattern.name in NEVER_SUBMIT:
            post_defaults = None
        for name in sorted(names):
            for label, value in HOSTILE.items():
                attempts = [("GET", lambda: client.get(path, {name: value}))]
                if post_defaults is not None:
                    attempts.append(("POST", lambda: client.post(path, {**post_defaults, name: value})))
                for method, send in attempts:
                    status = send().status_code
                    if status >= 500:
                        failures.append(f"{method} {path} {name}={label}: {status}")
        nul = {name: "a\x00b" for name in names} or {"q": "a\x00b"}
        if client.get(path, nul).status_code != 400:
            failures.append(f"GET {path} NUL not refused")
        for converter in re.findall(r"<int:\w+>", route):
            huge = re.sub(r"/\d+/", "/" + "9" * 40 + "/", path, count=1)
            if huge != path and client.get(huge).status_code >= 500:
                failures.append(f"GET {huge}: huge id in path")
    return failures


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user("stella", "stella@example.com", "correct-horse-battery",
                                                 is_staff=True, is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "user", "staff"])
def test_every_parameter_of_every_url_answers_4xx_not_500(who, seed_set, user, staff):
    cache.clear()
    client = Client(raise_request_exception=False)
    account = {"user": user, "staff": staff}.get(who)

    def relogin():
        if account is not None:
            client.force_login(account)

    relogin()
    pages, forms = crawl(client)
    if account is not None:
        submit_defaults(client, forms)
        relogin()
        more_pages, more_forms = crawl(client)
        pages = {**more_pages, **pages}
        forms += more_forms
    expected = {"", "search/", "sets/<slug:set_slug>/", "sets/<slug:set_slug>/<slug:slug>/",
                "sets/<slug:set_slug>/<slug:category_slug>/<slug:slug>/"}
    assert expected <= set(pages), sorted(set(pages))
    if account is not None:
        personal = {"quizzes/<int:pk>/", "review/", "bookmarks/", "progress/", "questions/<int:pk>/bookmark/"}
        assert personal <= set(pages) | {route_of(form["action"]) for form in forms}, sorted(set(pages))
    print(who, "covers", len(set(pages)), "of", len(all_routes()), "routes:", sorted(set(pages)))
    # The staff round adds the import pages; everything else is the signed-in user's round.
    failures = fuzz(client, pages, forms, relogin, only="admin/" if who == "staff" else "")
    assert not failures, "\n".join(failures)
