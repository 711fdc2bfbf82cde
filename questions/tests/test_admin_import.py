"""The admin import page: who may use it, upload → preview → apply/cancel, history, bad input."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prepsite.jobs import run_pending
from questions.import_records import ImportRecord
from questions.models import Question, QuestionSet

SEED = Path(__file__).resolve().parents[2] / "content" / "sets" / "django-interview-questions.md"
TINY = Path(__file__).with_name("tiny-set.md")
UPLOAD = reverse("imports:import_upload")
HISTORY = reverse("imports:import_history")

SMALL = """# Small set

## Basics

### 1. What is a view?
A callable that takes a request and returns a response.

### 2. What is a model?
A class mapped to a table.

```python
class Book(models.Model):
    title = models.CharField(max_length=200)
```
"""


@pytest.fixture
def staff(db, django_user_model):
    return django_user_model.objects.create_user("sam", "sam@example.com", "correct-horse-battery", is_staff=True)


def upload(client, data: bytes, name="set.md", replaces=None, **headers):
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/markdown")}
    if replaces is not None:
        payload["replaces"] = replaces.pk
    response = client.post(UPLOAD, payload, headers=headers)
    run_pending()  # the parse job
    return response


def apply(client, record, **kwargs):
    response = client.post(reverse("imports:import_apply", args=[record.pk]), **kwargs)
    run_pending()
    return response


# --- who may use it -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_anonymous_and_non_staff_are_sent_to_the_admin_login(client, user):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(user)
    for url in (UPLOAD, HISTORY):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    response = client.post(UPLOAD, {"file": SimpleUploadedFile("a.md", SMALL.encode())})
    assert response.status_code == 302
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_staff_without_the_permission_get_403(client, staff):
    client.force_login(staff)
    assert client.get(UPLOAD).status_code == 403
    assert client.get(HISTORY).status_code == 403
    assert upload(client, SMALL.encode()).status_code == 403
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_pending_record_cannot_be_applied_by_someone_without_the_permission(importer_client, client, staff):
    upload(importer_client, SMALL.encode())
    record = ImportRecord.objects.get()
    client.force_login(staff)
    assert client.post(reverse("imports:import_apply", args=[record.pk])).status_code == 403
    assert client.post(reverse("imports:import_cancel", args=[record.pk])).status_code == 403
    assert client.get(record.get_absolute_url()).status_code == 403
    record.refresh_from_db()
    assert record.status == "pending" and not QuestionSet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_question_set_list_links_to_the_import_page(importer_client, client, admin_user):
    response = importer_client.get(reverse("admin:questions_questionset_changelist"))
    assert response.status_code == 200
    assert UPLOAD.encode() in response.content and HISTORY.encode() in response.content
    client.force_login(admin_user)
    assert UPLOAD.encode() in client.get(reverse("admin:questions_questionset_changelist")).content


# --- upload → preview → apply / cancel ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_upload_previews_without_changing_anything(importer_client, importer):
    data = SEED.read_bytes()
    response = upload(importer_client, data, SEED.name)
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert bytes(record.data) == data and record.status == "pending" and record.uploaded_by == importer
    assert not QuestionSet.objects.exists() and not Question.objects.exists()

    response = importer_client.get(record.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-layout">headings<' in page
    assert f"{record.created} created, 0 updated, 0 unchanged, 0 archived" in page
    assert record.created == Question.objects.count() + record.created  # still nothing written
    assert "Core Concepts" in page and "What is Django and what are its key features?" in page
    assert not QuestionSet.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_apply_imports_once_and_refuses_a_second_time(importer_client):
    upload(importer_client, SMALL.encode(), "small.md")
    record = ImportRecord.objects.get()
    apply_url = reverse("imports:import_apply", args=[record.pk])
    assert importer_client.get(apply_url).status_code == 405

    response = importer_client.post(apply_url, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-progress"' in page and 'id="apply-import"' not in page  # the job runs; no second Apply
    run_pending()
    page = importer_client.get(record.get_absolute_url()).content.decode()
    assert "2 created, 0 updated, 0 unchanged, 0 archived" in page and 'id="import-progress"' not in page
    record.refresh_from_db()
    assert record.status == "applied" and record.applied_at is not None
    question_set = QuestionSet.objects.get()
    assert record.question_set == question_set
    assert list(Question.objects.values_list("title", flat=True)) == ["What is a view?", "What is a model?"]
    assert Question.objects.get(title="What is a model?").examples.get().language == "python"

    response = apply(importer_client, record, follow=True)
    assert "already applied" in response.content.decode()
    assert Question.objects.count() == 2 and QuestionSet.objects.count() == 1
    assert importer_client.post(reverse("imports:import_cancel", args=[record.pk])).status_code == 302
    record.refresh_from_db()
    assert record.status == "applied"


@pytest.mark.django_db(transaction=True)
def test_cancel_changes_nothing_and_cannot_be_applied_afterwards(importer_client):
    upload(importer_client, SMALL.encode())
    record = ImportRecord.objects.get()
    response = importer_client.post(reverse("imports:import_cancel", args=[record.pk]))
    assert response.status_code == 302 and response["Location"] == HISTORY
    record.refresh_from_db()
    assert record.status == "cancelled"
    apply(importer_client, record)
    assert not QuestionSet.objects.exists()
    record.refresh_from_db()
    assert record.status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_apply_uses_the_stored_bytes(importer_client):
    upload(importer_client, SMALL.encode())
    record = ImportRecord.objects.get()
    apply(importer_client, record)
    assert QuestionSet.objects.get().content_hash == record.sha256


@pytest.mark.django_db(transaction=True)
def test_reupload_of_the_same_file_shows_nothing_to_do(importer_client, tiny_set):
    response = upload(importer_client, TINY.read_bytes(), TINY.name, follow=False)
    record = ImportRecord.objects.get()
    page = importer_client.get(response["Location"]).content.decode()
    total = Question.objects.count()
    assert f"0 created, 0 updated, {total} unchanged, 0 archived" in page
    assert (record.created, record.updated, record.unchanged) == (0, 0, total)


@pytest.mark.django_db(transaction=True)
def test_preview_shows_escaped_diffs_creations_and_archivals_per_category(importer_client, tiny_set):
    text = TINY.read_text()
    first = Question.objects.of_set(tiny_set.slug).first()
    last = Question.objects.of_set(tiny_set.slug).last()
    edited = text.replace(
        "It follows foreign keys in the same query",
        "It follows <script>alert(1)</script> foreign keys in one query",
        1,
    )
    cut = edited.index(f"### {last.number}. ")
    edited = edited[:cut] + "### 999. A brand new question?\nYes.\n"
    upload(importer_client, edited.encode(), TINY.name)
    record = ImportRecord.objects.get()
    page = importer_client.get(record.get_absolute_url()).content.decode()
    assert (record.created, record.updated, record.archived) == (1, 1, 1)
    assert "1 created, 1 updated" in page and "1 archived" in page
    assert "A brand new question?" in page and last.title in page
    assert '<span class="add">+It follows &lt;script&gt;alert(1)&lt;/script&gt;' in page
    assert '<span class="remove">-It follows foreign keys in the same query' in page
    assert "<script>alert(1)</script>" not in page
    assert first.title in page


@pytest.mark.django_db(transaction=True)
def test_replaces_an_existing_set_chosen_on_the_form(importer_client, tiny_set):
    text = TINY.read_text().replace("# Tiny Django Set", "# Django questions, 2nd edition", 1)
    upload(importer_client, text.encode(), "second-edition.md", replaces=tiny_set)
    record = ImportRecord.objects.get()
    assert record.target == tiny_set and record.created == 0
    apply(importer_client, record)
    tiny_set.refresh_from_db()
    assert QuestionSet.objects.count() == 1
    assert tiny_set.title == "Django questions, 2nd edition"


@pytest.mark.django_db(transaction=True)
def test_warnings_are_listed_in_the_preview(importer_client):
    text = SMALL + "\n### 3. What is a view?\n\n### 4. Empty one?\n"
    upload(importer_client, text.encode())
    page = importer_client.get(ImportRecord.objects.get().get_absolute_url()).content.decode()
    assert "duplicate title" in page and "empty answer" in page


@pytest.mark.django_db(transaction=True)
def test_htmx_upload_redirects_the_client_or_swaps_the_form(importer_client):
    response = upload(importer_client, SMALL.encode(), HX_Request="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == ImportRecord.objects.get().get_absolute_url()
    response = upload(importer_client, b"", HX_Request="true", HX_Target="upload-form")
    assert response.status_code == 422  # the form with its errors, swapped in place
    assert b"<html" not in response.content and b'id="upload-form"' in response.content


# --- bad input ---------------------------------------------------------------------------

BROKEN_FENCE = "# Set\n\nSome intro.\n\n```python\nprint('never closed')\nmore code\n"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("Caf\xe9 question?\n".encode("latin-1"), "latin.md", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "image.md", "binary"),
        (b"", "empty.md", "empty"),
        (b"   \n\n  ", "blank.md", "empty"),
        (SMALL.encode(), "set.pdf", "ends in .md"),
    ],
    ids=["latin-1", "binary", "empty", "blank", "extension"],
)
def test_bad_input_is_refused_on_the_upload_page(importer_client, tiny_set, data, name, message):
    before = list(Question.objects.values_list("pk", "answer_md", "archived"))
    response = upload(importer_client, data, name)
    assert response.status_code == 422
    page = response.content.decode()
    assert message.lower() in page.lower()
    assert "nothing changed" in page
    assert not ImportRecord.objects.exists()
    assert list(Question.objects.values_list("pk", "answer_md", "archived")) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"# Notes\n\nJust some prose without any questions.\n", "no questions found"),
        (BROKEN_FENCE.encode(), "Line 5: code fence"),
    ],
    ids=["no-questions", "unclosed-fence"],
)
def test_a_failing_parse_is_recorded_with_a_readable_reason(importer_client, tiny_set, data, message):
    before = list(Question.objects.values_list("pk", "answer_md", "archived"))
    response = upload(importer_client, data, "bad.md")
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and record.status == "failed"
    assert message.lower() in record.failure.lower()
    assert record.job.state == "failed" and record.job.attempts == 1  # bad input is not retried
    page = importer_client.get(record.get_absolute_url()).content.decode()
    assert 'id="import-failure"' in page and message.lower() in page.lower() and 'id="apply-import"' not in page
    assert list(Question.objects.values_list("pk", "answer_md", "archived")) == before


@pytest.mark.django_db(transaction=True)
def test_too_large_is_refused(importer_client, settings):
    data = (SMALL + "x" * 100 + "\n").encode() * (5 * 1024 * 1024 // 150 + 10)
    assert len(data) > 5 * 1024 * 1024
    response = upload(importer_client, data, "huge.md")
    assert response.status_code == 422
    assert "the limit is 5 MB" in response.content.decode()
    assert not ImportRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_missing_file_is_a_form_error(importer_client):
    response = importer_client.post(UPLOAD, {})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


# --- history ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_history_lists_who_when_file_hash_and_counts(importer_client, importer, django_assert_max_num_queries):
    for n in range(3):
        upload(importer_client, SMALL.replace("Small set", f"Small set {n}").encode(), f"small-{n}.md")
    record = ImportRecord.objects.first()
    apply(importer_client, record)
    record.refresh_from_db()
    with django_assert_max_num_queries(8):
        response = importer_client.get(HISTORY)
    page = response.content.decode()
    assert response.status_code == 200
    for r in ImportRecord.objects.all():
        assert r.file_name in page and r.sha256[:12] in page
    assert "ivy" in page and "applied" in page and "awaiting review" in page

    question_set = record.question_set
    response = importer_client.get(HISTORY, {"set": question_set.pk})
    table = response.content.decode().split('id="import-history"')[1].split("</table>")[0]
    assert table.count("<tr>") == 2  # header + the one applied record

    response = importer_client.get(reverse("imports:import_source", args=[record.pk]))
    assert response.content == bytes(record.data)
    assert importer_client.get(reverse("imports:import_detail", args=[99999])).status_code == 404
    assert importer_client.get(HISTORY, {"set": "²"}).status_code == 400
    assert importer_client.get(HISTORY, {"set": "99999"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_each_set_shows_its_last_import(importer_client, admin_user, client, django_assert_max_num_queries):
    for _ in range(2):
        upload(importer_client, SMALL.encode(), "small.md")
        apply(importer_client, ImportRecord.objects.first())
    latest = ImportRecord.objects.applied().first()
    question_set = QuestionSet.objects.get()
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("admin:questions_questionset_changelist"))
    assert latest.get_absolute_url().encode() in response.content
    response = client.get(reverse("admin:questions_questionset_change", args=[question_set.pk]))
    page = response.content.decode()
    assert latest.get_absolute_url() in page and "0 created, 0 updated, 2 unchanged" in page
    assert reverse("exports:export_markdown", args=[question_set.slug]) in page
    assert reverse("exports:export_anki", args=[question_set.slug]) in page




@pytest.mark.django_db
def test_the_readmes_admin_who_can_import_can(client, django_user_model):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### An admin who can import"):readme.index("## Importing question sets")]
    assert "createsuperuser" in section
    app_label, codename = re.search(r"`(\w+)\.(import_questionset)`", section).groups()
    staff = django_user_model.objects.create_user("ines", "ines@example.com", "pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename),
                               Permission.objects.get(codename="view_questionset"))
    client.force_login(staff)
    assert client.get(UPLOAD).status_code == 200
    assert f'href="{UPLOAD}"' in client.get(reverse("admin:questions_questionset_changelist")).content.decode()
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(superuser)
    assert client.get(UPLOAD).status_code == 200
