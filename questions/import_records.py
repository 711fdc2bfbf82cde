"""Import records: every Markdown upload, kept with its bytes so preview and apply read the same text."""

from django.conf import settings
from django.db import models
from django.urls import reverse


def format_counts(created: int, updated: int, unchanged: int, archived: int) -> str:
    return f"{created} created, {updated} updated, {unchanged} unchanged, {archived} archived"


class ImportRecordQuerySet(models.QuerySet):
    def applied(self):
        return self.filter(status=ImportRecord.Status.APPLIED)


class ImportRecord(models.Model):
    class Status(models.TextChoices):
        PARSING = "parsing", "being parsed"
        PENDING = "pending", "awaiting review"
        APPLIED = "applied", "applied"
        CANCELLED = "cancelled", "cancelled"
        FAILED = "failed", "failed"

    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The set chosen on the upload form to be replaced; empty means "the set with the same title".
    target = models.ForeignKey(
        "questions.QuestionSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The set the import wrote to, once applied.
    question_set = models.ForeignKey(
        "questions.QuestionSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_records"
    )
    set_title = models.CharField(max_length=300, blank=True)
    layout = models.CharField(max_length=40, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # The importer's report (changes and warnings) as JSON: the dry run made once at upload, then
    # the applied result.
    report = models.JSONField(default=dict, blank=True)
    base_url = models.URLField(max_length=500, blank=True)
    # The latest job on this record: its parse, then its apply.
    job = models.ForeignKey("prepsite.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    failure = models.TextField(blank=True, help_text="Why the upload could not be parsed, naming the line.")

    objects = ImportRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("import_questionset", "Can import question sets from Markdown")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("imports:import_detail", args=[self.pk])

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def summary(self) -> str:
        return format_counts(self.created, self.updated, self.unchanged, self.archived)
