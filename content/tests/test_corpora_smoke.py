"""Smoke test: every real document in content/tests/corpora parses and renders to its hand counts."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPORA = Path(__file__).resolve().parent / "corpora"


def _bench():
    spec = importlib.util.spec_from_file_location("import_fidelity", ROOT / "bench" / "import_fidelity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
EXPECTED = BENCH.expected_counts(CORPORA / "SOURCES.md")


def test_sources_lists_every_document():
    assert sorted(EXPECTED) == sorted(p.name for p in CORPORA.glob("*.md") if p.name != "SOURCES.md")
    assert len(EXPECTED) == 8


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_document_matches_the_hand_counts(name):
    got = BENCH.parse_and_render(CORPORA / name)
    assert (got["questions"], got["categories"]) == EXPECTED[name]
    assert got["biggest"] < 10  # no answer swallowed the questions after it
