"""The stored preview (parsed once), warnings with line numbers, base URLs for relative images."""

import re
from html import unescape
from io import StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from content.parser import parse
from prepsite.jobs import run_pending
from questions import importing
from questions.import_records import ImportRecord
from questions.models import Question, QuestionSet

pytestmark = pytest.mark.django_db(transaction=True)

# One document that gives each of the five warnings an import that looks wrong must give.
FIVE = (
    "# Five warnings\n\n" + "".join(f"### {n}. Question {n}?\nShort answer {n}.\n\n" for n in range(1, 9))
    + "### 10. Question ten?\n" + "Long text. " * 600 + "\n\n"
    + "### 11. Question eleven?\n\n"
    + "### 12. Question twelve?\nSee ![chart](img/c.png).\n\n"
    + "### 13. Question thirteen?\nC.\n\n<details><summary>More</summary>\n\n### 14. Question fourteen?\nHidden.\n\n"
    + "</details>\n"
)
FIVE_WARNINGS = [
    (27, "holds 440 times the median answer's text"),  # one answer holding many times the median
    (27, "numbering jumps from 8 to 10"),
    (30, "“Question eleven?” has an empty answer"),
    (33, "relative image without a base URL"),
    (40, "looks like a question but was read as part of the answer to “Question thirteen?”"),
]


def has_five_warnings(lines: list[tuple[int, str]]) -> bool:
    return len(lines) == 5 and all(any(n == line and words in text for n, text in lines) for line, words in FIVE_WARNINGS)


WARNED = "# Warned\n\n## Basics\n\n### 1. What is a view?\nA callable.\n\n### 2. Empty?\n\n### 3. Last?\nYes.\n"


def upload(client, data: bytes, name="set.md", **fields):
    response = client.post(reverse("imports:import_upload"),
                           {"file": SimpleUploadedFile(name, data, content_type="text/markdown"), **fields})
    run_pending()  # the parse job
    return response


def apply(client, record):
    response = client.post(reverse("imports:import_apply", args=[record.pk]))
    run_pending()
    return response


def test_a_pending_preview_is_parsed_once_and_applied_from_the_stored_bytes(importer_client):
    with mock.patch("questions.imports.parse_document", wraps=importing.parse_document) as parsed:
        upload(importer_client, WARNED.encode())
        record = ImportRecord.objects.get()
        for _ in range(3):
            page = importer_client.get(record.get_absolute_url())
            assert page.status_code == 200 and "3 created" in page.content.decode()
        assert parsed.call_count == 1
        apply(importer_client, record)
        assert parsed.call_count == 2
        assert parsed.call_args.args[0] == WARNED.encode()
    record.refresh_from_db()
    assert record.status == "applied" and Question.objects.count() == 3


def test_warnings_are_listed_with_lines_and_counted_in_the_import_list(importer_client, django_assert_max_num_queries):
    upload(importer_client, WARNED.encode())
    record = ImportRecord.objects.get()
    assert record.warning_count >= 1
    with django_assert_max_num_queries(6):
        page = importer_client.get(record.get_absolute_url()).content.decode()
    assert 'id="import-warnings"' in page and "<strong>Line 8</strong>" in page and "empty answer" in page
    history = importer_client.get(reverse("imports:import_history")).content.decode()
    assert f"<td>{record.warning_count}</td>" in history


def test_base_url_from_the_upload_form_reaches_the_parser(importer_client):
    with mock.patch("questions.imports.parse_document", wraps=importing.parse_document) as parsed:
        response = upload(importer_client, WARNED.encode(), base_url="https://example.org/repo/")
    assert response.status_code == 302
    assert parsed.call_args.args[2] == "https://example.org/repo/"
    assert ImportRecord.objects.get().base_url == "https://example.org/repo/"


def test_a_bad_base_url_is_a_form_error(importer_client):
    response = upload(importer_client, WARNED.encode(), base_url="not a url")
    assert response.status_code == 422
    assert "Enter a valid URL" in response.content.decode()
    assert not ImportRecord.objects.exists()


def test_a_base_url_resolves_relative_images_and_silences_their_warning():
    text = "# Pictures\n\n### 1. What does it look like?\nLike this: ![diagram](img/flow.png)\n"
    without = importing.parse_document(text.encode(), "p.md")
    assert any("relative image" in w.message for w in without.warnings)
    resolved = importing.parse_document(text.encode(), "p.md", "https://example.org/repo/")
    assert not any("relative image" in w.message for w in resolved.warnings)
    report = QuestionSet.objects.sync(resolved)
    html = Question.objects.get(category__question_set_id=report.question_set_id).answer_html
    assert 'src="https://example.org/repo/img/flow.png"' in html


def test_command_takes_a_base_url_and_prints_warnings_with_lines(tmp_path):
    path = tmp_path / "w.md"
    path.write_text(WARNED)
    out, err = StringIO(), StringIO()
    with mock.patch("questions.management.commands.import_questions.parse_document",
                    wraps=importing.parse_document) as parsed:
        call_command("import_questions", str(path), "--base-url", "https://example.org/", stdout=out, stderr=err)
    assert parsed.call_args.args[2] == "https://example.org/"
    assert "warnings" in out.getvalue()
    assert "w.md: line 8:" in err.getvalue()


def test_source_and_license_come_from_the_document_and_survive_a_reimport_without_them():
    document = parse(WARNED, "w.md")
    document.source_url, document.license = "https://github.com/o/r", "MIT"
    QuestionSet.objects.sync(document)
    QuestionSet.objects.sync(parse(WARNED, "w.md"))
    question_set = QuestionSet.objects.get()
    assert (question_set.source_url, question_set.license) == ("https://github.com/o/r", "MIT")


def test_preview_names_the_old_title_of_a_retitled_question(importer_client):
    upload(importer_client, WARNED.encode())
    apply(importer_client, ImportRecord.objects.get())
    upload(importer_client, WARNED.replace("What is a view?", "What is a Django view?").encode())
    page = importer_client.get(ImportRecord.objects.first().get_absolute_url()).content.decode()
    assert "0 created, 1 updated" in page
    assert "retitled; was “What is a view?”" in page


def test_the_five_warnings_show_with_their_lines_in_the_command_output(tmp_path):
    path = tmp_path / "five.md"
    path.write_text(FIVE)
    out, err = StringIO(), StringIO()
    call_command("import_questions", str(path), "--dry-run", stdout=out, stderr=err)
    assert "12 questions" in out.getvalue() and "5 warnings" in out.getvalue()
    lines = [(int(m.group(1)), m.group(2)) for m in re.finditer(r"warning: five.md: line (\d+): (.*)", err.getvalue())]
    assert has_five_warnings(lines), lines


def test_the_five_warnings_show_with_their_lines_in_the_admin_preview(importer_client):
    upload(importer_client, FIVE.encode(), "five.md")
    page = importer_client.get(ImportRecord.objects.get().get_absolute_url()).content.decode()
    assert "5 warnings: check these lines before applying" in page
    items = re.findall(r"<li><strong>Line (\d+)</strong>: (.*?)</li>", page.split('id="import-warnings"')[1].split("</ul>")[0])
    assert has_five_warnings([(int(n), unescape(text)) for n, text in items]), items
