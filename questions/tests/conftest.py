import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from questions.caching import forget_content_version


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Anonymous pages are cached in-process; no test may see another test's pages."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_content_version():
    forget_content_version()
    yield
    forget_content_version()


@pytest.fixture
def importer(db, django_user_model):
    """Staff with the import permission (and view access to the sets)."""
    user = django_user_model.objects.create_user("ivy", "ivy@example.com", "correct-horse-battery", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="import_questionset", content_type__app_label="questions"),
        Permission.objects.get(codename="view_questionset"),
    )
    return user


@pytest.fixture
def importer_client(client, importer):
    """The test client, signed in as `importer`."""
    client.force_login(importer)
    return client
