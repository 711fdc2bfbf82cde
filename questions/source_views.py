"""Where the shipped question sets come from, and under which licenses."""

from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from content.parser.text import front_matter

from .importing import SHIPPED_DIR
from .models import QuestionSet


@lru_cache(maxsize=8)
def shipped_sets(folder: Path = SHIPPED_DIR) -> tuple[dict, ...]:
    """Each shipped file's front matter (title, source_url, license) and whether a LICENSE travels with it."""
    rows = []
    for path in sorted(folder.glob("*.md")):
        meta, _ = front_matter(path.read_text(encoding="utf-8").split("\n"))
        rows.append({
            "file_name": path.name,
            "title": meta.get("title", ""),
            "source_url": meta.get("source", ""),
            "license": meta.get("license", ""),
            "license_file": path.with_suffix(".LICENSE").is_file(),
        })
    return tuple(rows)


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    imported = {
        s.source_name: s for s in QuestionSet.objects.only("title", "slug", "source_name", "source_url", "license")
    }
    shipped = []
    for row in shipped_sets():
        question_set = imported.pop(row["file_name"], None)
        shipped.append({**row, "set": question_set,
                        "title": question_set.title if question_set else row["title"] or row["file_name"]})
    others = [s for s in imported.values() if s.source_url or s.license]
    return TemplateResponse(request, "questions/sources.html", {"shipped": shipped, "others": others})
