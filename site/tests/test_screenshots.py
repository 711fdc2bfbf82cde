"""Screenshots of every page at 1280 px and 390 px, light and dark, in bench/screenshots/ (SCREENSHOTS=1)."""

import os
from pathlib import Path

import pytest
from pagewalk import site_pages, walk  # noqa: F401  (fixtures)

OUT = Path(__file__).resolve().parents[2] / "bench" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="set SCREENSHOTS=1 to save screenshots"),
]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_every_page(walk, site_pages, width, scheme):
    OUT.mkdir(parents=True, exist_ok=True)
    saved = []

    def visit(page, site_page):
        path = OUT / f"{site_page.name}-{width}-{scheme}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)

    walk(visit, viewport={"width": width, "height": 900}, color_scheme=scheme)
    assert len(saved) == len(site_pages) and all(p.stat().st_size > 0 for p in saved)
