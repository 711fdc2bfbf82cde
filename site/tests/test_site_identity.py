"""The site's name and domain for emails come from the environment, not "example.com"."""

import pytest
from django.contrib.sites.models import Site
from django.core import mail

from prepsite.apps import name_the_site
from prepsite.jobs import run_pending


@pytest.mark.django_db
def test_migrate_names_the_site_from_settings(settings):
    assert Site.objects.get_current().domain != "example.com"
    settings.SITE_NAME, settings.SITE_DOMAIN = "Prep Test", "prep.test"
    name_the_site()
    site = Site.objects.get_current()
    assert (site.name, site.domain) == ("Prep Test", "prep.test")


@pytest.mark.django_db(transaction=True)
def test_password_reset_email_names_the_site(client, user, settings):
    settings.SITE_NAME, settings.SITE_DOMAIN = "Prep Test", "prep.test"
    name_the_site()
    client.post("/accounts/password/reset/", {"email": user.email})
    run_pending()  # account mail goes out through a job
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Prep Test" in message.subject + message.body and "prep.test" in message.body
    assert "example.com" not in message.subject + message.body
