import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Anonymous pages are cached in-process; no test may see another test's pages."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_content_version():
    from questions.caching import forget_content_version

    forget_content_version()
    yield
    forget_content_version()
