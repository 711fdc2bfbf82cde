"""Every page of the site, for each kind of visitor: a GET reads, it never writes."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pagewalk import site_pages  # noqa: F401  (fixture)
from prepsite import precompiled

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_no_page_writes_on_get(site_pages):
    clients: dict[str, Client] = {}
    found = []
    for site_page in site_pages:
        client = clients.get(site_page.who)
        if client is None:
            client = clients[site_page.who] = Client()
            if site_page.who != "anonymous":
                client.force_login(get_user_model().objects.get(username=site_page.who))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(site_page.url)
        assert response.status_code == 200, f"{site_page.name}: {site_page.url} answered {response.status_code}"
        statements = [precompiled.statement_sql(q["sql"]) for q in ctx.captured_queries]
        found += [f"{site_page.name}: {sql[:160]}" for sql in statements if sql.lstrip().upper().startswith(WRITES)]
    assert not found, "\n".join(found)
