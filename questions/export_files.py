"""Anki decks of large sets, built by a job and kept until the set changes."""

from django.db import models


class AnkiExport(models.Model):
    question_set = models.ForeignKey("questions.QuestionSet", on_delete=models.CASCADE, related_name="+")
    # The set's state when the deck was built (see export_views.set_version): a change builds a new deck.
    version = models.CharField(max_length=100)
    job = models.OneToOneField("prepsite.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.BinaryField(blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes of the built deck; 0 while it is being built.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["question_set", "version"])]

    def __str__(self) -> str:
        return f"Anki deck of set {self.question_set_id} ({self.version})"
