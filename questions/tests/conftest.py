import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Anonymous pages are cached in-process; no test may see another test's pages."""
    cache.clear()
    yield
    cache.clear()
