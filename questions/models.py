"""The study content: question sets, their categories, questions and code examples.

Rows are written only by this app: QuestionSet.objects.sync() (questions.importing) and the admin's
editing workflow. The other apps read them.
"""

import fsrs
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q
from django.urls import reverse

from prepsite import precompiled


class QuestionSetManager(models.Manager):
    def sync(self, document, *, dry_run: bool = False, target=None, source_hash: str = "", **kwargs):
        """Write a parsed Document over its set in one transaction; returns an ImportReport."""
        from .importing import sync  # importing imports these models

        return sync(document, dry_run=dry_run, target=target, source_hash=source_hash, **kwargs)


class QuestionSet(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    source_name = models.CharField(max_length=255, blank=True)
    source_url = models.URLField(
        "source", max_length=500, blank=True, help_text="Where the set comes from (front matter `source:`)."
    )
    license = models.CharField(max_length=100, blank=True, help_text="For example MIT or CC BY-SA 4.0.")
    content_hash = models.CharField(max_length=64, blank=True)
    layout = models.CharField(max_length=40, blank=True)
    intro_md = models.TextField(blank=True)
    intro_html = models.TextField(blank=True)
    closing_md = models.TextField(blank=True)
    closing_html = models.TextField(blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionSetManager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("questions:set_detail", args=[self.slug])


class CategoryQuerySet(models.QuerySet):
    def of_set(self, set_slug: str):
        return self.filter(question_set__slug=set_slug).select_related("question_set")

    def with_question_counts(self):
        return self.annotate(
            question_count=models.Count("questions", filter=models.Q(questions__archived=False))
        )

    def listed(self):
        """Categories with at least one listed question, with their question counts.

        Ordered explicitly: Meta.ordering does not apply to a GROUP BY query.
        """
        return self.with_question_counts().filter(question_count__gt=0).order_by("question_set_id", "position")


class Category(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="categories")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    intro_md = models.TextField(blank=True)
    intro_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["question_set", "position"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["question_set", "slug"], name="unique_category_slug_per_set"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("questions:category_detail", args=[self.question_set.slug, self.slug])


class QuestionQuerySet(models.QuerySet):
    def listed(self):
        """Questions a candidate may see: archived ones are hidden from study and quizzes."""
        return self.filter(archived=False)

    def of_set(self, set_slug: str):
        return self.filter(category__question_set__slug=set_slug)

    def with_category(self):
        return self.select_related("category", "category__question_set")

    def with_study_status(self, user):
        """Annotate `is_bookmarked` and the state of the user's review card (progress.Card).

        The card comes through the reverse relation only, so this app never imports progress.
        """
        if not user.is_authenticated:
            return self
        return self.annotate(
            is_bookmarked=Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk"))),
            my_card=FilteredRelation("review_cards", condition=Q(review_cards__user=user)),
            card_state=F("my_card__state"),
            card_last_review=F("my_card__last_review"),
            card_stability=F("my_card__stability"),
            card_last_rating=F("my_card__last_rating"),
        )

    def reader_state(self, user, question_id: int) -> dict:
        """with_study_status() and with_note() of one question as a dict, in one precompiled query."""
        rows = precompiled.run("reader-state", _reader_state_query, user.pk, question_id)
        if not rows:
            raise self.model.DoesNotExist
        return rows[0]

    def with_note(self, user):
        """Annotate the user's note on each question (at most one: unique per user and question)."""
        return self.annotate(
            my_note=FilteredRelation("notes", condition=Q(notes__user=user)),
            note_id=F("my_note__id"),
            note_text=F("my_note__text"),
            note_updated_at=F("my_note__updated_at"),
        )


READER_FIELDS = ("is_bookmarked", "card_state", "card_last_review", "card_stability", "card_last_rating",
                 "note_id", "note_text", "note_updated_at")


def _reader_state_query(user_id: int, question_id: int):
    reader = get_user_model()(pk=user_id)
    return Question.objects.filter(pk=question_id).order_by().with_study_status(reader).with_note(reader).values(
        *READER_FIELDS)


# progress' rule for "mastered", repeated here: questions does not import progress (test_status_badges checks both).
MASTERED_STABILITY_DAYS = 21.0
MASTERED_RATINGS = (fsrs.Rating.Good.value, fsrs.Rating.Easy.value)


class Question(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    number = models.CharField(max_length=20, blank=True, help_text="The number as written in the source.")
    title = models.CharField(max_length=500)
    # The question's identity within its set across re-imports (the parser's key).
    slug = models.SlugField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    answer_md = models.TextField(blank=True)
    answer_html = models.TextField(blank=True)
    archived = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "position"]
        indexes = [models.Index(fields=["category", "archived", "position"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        category = self.category
        return reverse(
            "questions:question_detail",
            args=[category.question_set.slug, category.slug, self.slug],
        )

    @property
    def study_status(self) -> str:
        """new / learning / known from the annotations of with_study_status(); "" when unknown.

        "known" is progress' "mastered": stability of 21 days or more and a last rating of Good or Easy.
        """
        if not hasattr(self, "card_state"):
            return ""
        if self.card_state is None or self.card_last_review is None:
            return "new"
        mastered = (self.card_stability or 0) >= MASTERED_STABILITY_DAYS and self.card_last_rating in MASTERED_RATINGS
        return "known" if mastered else "learning"


class Example(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="examples")
    position = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=40, blank=True)
    code = models.TextField()
    highlighted_html = models.TextField()
    caption = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["question", "position"]

    def __str__(self) -> str:
        return f"{self.question} · example {self.position + 1} ({self.language or 'text'})"


class AuthoredItem(models.Model):
    """A multiple-choice item written in the Markdown under a question's "Quiz" sub-heading."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="authored_items")
    position = models.PositiveIntegerField(default=0)
    prompt = models.TextField()
    # [{"text": "...", "correct": true}, ...] in the order written
    choices = models.JSONField()
    explanation = models.TextField(blank=True)
    # "" for items written inside the set's own document; a supplement's file name otherwise,
    # so re-importing the set never wipes items that came from elsewhere.
    source = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["question", "source", "position"]

    def __str__(self) -> str:
        return self.prompt[:80]

    @property
    def correct_indexes(self) -> list[int]:
        return [i for i, choice in enumerate(self.choices) if choice.get("correct")]


class KeyPoints(models.Model):
    """An editor's list of a question's key points for the drill, replacing the generated one.

    Kept apart from Question's imported text: sync keeps the Question row (its identity is the
    slug), so these edits survive every re-import.
    """

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="key_points_override")
    text = models.TextField(help_text="One key point per line; blank lines are ignored. Leave empty to use the generated points.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "key points"
        verbose_name_plural = "key points"

    def __str__(self) -> str:
        return f"Key points of {self.question}"

    @property
    def points(self) -> list[str]:
        return self.split(self.text)

    @staticmethod
    def split(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="unique_bookmark")]


class Note(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=10_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "question"], name="unique_note")]


class OldSlugQuerySet(models.QuerySet):
    def remember(self, rows: list["OldSlug"]) -> None:
        """Record old paths; a path recorded again points at its newest owner."""
        self.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["set_slug", "category_slug", "question_slug"],
            update_fields=["question_set", "category", "question"],
        )

    def target_of(self, set_slug: str, category_slug: str = "", question_slug: str = ""):
        """The set, category or question that once had this path, or None."""
        old = (
            self.select_related("question_set", "category__question_set", "question__category__question_set")
            .filter(set_slug=set_slug, category_slug=category_slug, question_slug=question_slug)
            .first()
        )
        return old and (old.question or old.category or old.question_set)


class OldSlug(models.Model):
    """A path a set, category or question had before a rename, so old links answer 301."""

    set_slug = models.SlugField(max_length=120)
    category_slug = models.SlugField(max_length=120, blank=True)
    question_slug = models.SlugField(max_length=120, blank=True)
    question_set = models.ForeignKey(QuestionSet, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OldSlugQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["set_slug", "category_slug", "question_slug"], name="unique_old_path"),
        ]

    def __str__(self) -> str:
        return "/".join(s for s in (self.set_slug, self.category_slug, self.question_slug) if s)


from .import_records import ImportRecord  # noqa: E402,F401  (a model of this app, kept in its own module)
from .export_files import AnkiExport  # noqa: E402,F401  (a model of this app, kept in its own module)
