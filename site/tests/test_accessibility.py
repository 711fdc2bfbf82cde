"""axe-core over every page, light and dark: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from pagewalk import site_pages, walk  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def _describe(page_name: str, violation: dict) -> str:
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:240]
    return f"{page_name}: {violation['id']} ({violation['impact']}) at {targets}: {summary}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(walk, site_pages, scheme):
    found: list[str] = []
    seen: set[str] = set()

    def visit(page, site_page):
        seen.add(site_page.name)
        # Django admin's pages follow prefers-color-scheme in CSS and carry no data-bs-theme.
        theme = page.evaluate("document.documentElement.dataset.bsTheme") or scheme
        assert theme == scheme, f"{site_page.name} rendered {theme}, not {scheme}"
        results = AXE.run(page)
        found.extend(
            _describe(site_page.name, v) for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        )

    # bypass_csp: axe is injected as a script, which a strict Content-Security-Policy would refuse.
    walk(visit, color_scheme=scheme, bypass_csp=True)
    assert seen == {p.name for p in site_pages}
    assert not found, "\n".join(found)
