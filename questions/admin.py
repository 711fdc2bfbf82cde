"""The Django admin for the study content: sets, categories, questions with their examples, authored items."""

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from content.document import ParseError
from content.render import Renderer

from .editing import ANSWER_PREFIX_LINES, parse_answer, rerender
from .import_admin import ImportRecordAdmin  # noqa: F401  (registers ImportRecord)
from .import_records import ImportRecord
from .models import AuthoredItem, Category, Example, KeyPoints, OldSlug, Question, QuestionSet


def _remember_old_path(obj, change: bool) -> None:
    """A slug edited here keeps the old URL answering 301, as a re-import does."""
    if not change:
        return
    old = type(obj).objects.select_related(*_PARENTS[type(obj)]).get(pk=obj.pk)
    if old.slug == obj.slug and getattr(old, "category_id", None) == getattr(obj, "category_id", None):
        return
    if isinstance(obj, QuestionSet):
        row = OldSlug(set_slug=old.slug, question_set=obj)
    elif isinstance(obj, Category):
        row = OldSlug(set_slug=old.question_set.slug, category_slug=old.slug, category=obj)
    else:
        row = OldSlug(set_slug=old.category.question_set.slug, category_slug=old.category.slug,
                      question_slug=old.slug, question=obj)
    OldSlug.objects.remember([row])


_PARENTS = {QuestionSet: [], Category: ["question_set"], Question: ["category__question_set"]}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _last_import():
    return ImportRecord.objects.applied().filter(question_set=OuterRef("pk")).order_by("-applied_at", "-pk")


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    change_list_template = "questions/admin/questionset_change_list.html"
    list_display = ["title", "slug", "layout", "question_count", "last_import", "imported_at"]
    search_fields = ["title", "slug", "source_name"]
    readonly_fields = ["source_name", "content_hash", "layout", "imported_at", "last_import_detail", "exports"]
    prepopulated_fields = {"slug": ["title"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "intro_md", "closing_md"]}),
        ("Source", {"fields": ["source_url", "license"]}),
        ("Import", {"fields": ["last_import_detail", "source_name", "content_hash", "layout", "imported_at"]}),
        ("Export", {"fields": ["exports"]}),
    ]

    def save_model(self, request, obj, form, change):
        # Only the Markdown is editable; its HTML is always rendered and sanitized here.
        renderer = Renderer()
        obj.intro_html = renderer.markdown(obj.intro_md) if obj.intro_md else ""
        obj.closing_html = renderer.markdown(obj.closing_md) if obj.closing_md else ""
        _remember_old_path(obj, change)
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        last = _last_import()
        return (
            super()
            .get_queryset(request)
            .annotate(
                question_count=Count("categories__questions", filter=Q(categories__questions__archived=False)),
                last_import_id=Subquery(last.values("pk")[:1]),
                last_import_name=Subquery(last.values("file_name")[:1]),
                last_import_at=Subquery(last.values("applied_at")[:1]),
            )
        )

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, obj):
        return obj.question_count

    @admin.display(description="last import", ordering="last_import_at")
    def last_import(self, obj):
        if not obj.last_import_id:
            return "—"
        url = reverse("imports:import_detail", args=[obj.last_import_id])
        return format_html('<a href="{}">{}</a> · {}', url, obj.last_import_name, _when(obj.last_import_at))

    @admin.display(description="last import")
    def last_import_detail(self, obj):
        record = (
            ImportRecord.objects.applied().filter(question_set=obj).defer("data", "report")
            .select_related("uploaded_by").order_by("-applied_at", "-pk").first()
            if obj.pk else None
        )
        if record is None:
            return "No import through the admin yet (the management command leaves no record)."
        history = reverse("imports:import_history") + f"?set={obj.pk}"
        return format_html(
            '<a href="{}">{}</a> by {} on {} — {} · <code>{}</code> · <a href="{}">all imports of this set</a>',
            record.get_absolute_url(), record.file_name, record.uploaded_by or "a deleted user",
            _when(record.applied_at), record.summary(), record.short_hash, history,
        )

    @admin.display(description="download")
    def exports(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">Markdown (.md)</a> <a class="button" href="{}">Anki deck (.apkg)</a> '
            '<a href="{}?set={}">Import a new version…</a>',
            reverse("exports:export_markdown", args=[obj.slug]),
            reverse("exports:export_anki", args=[obj.slug]),
            reverse("imports:import_upload"), obj.pk,
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["title", "question_set", "position", "question_count"]
    list_filter = ["question_set"]
    search_fields = ["title", "slug"]
    list_select_related = ["question_set"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["question_set", "title", "slug", "position", "intro_md"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            question_count=Count("questions", filter=Q(questions__archived=False))
        )

    def save_model(self, request, obj, form, change):
        obj.intro_html = Renderer().markdown(obj.intro_md) if obj.intro_md else ""
        _remember_old_path(obj, change)
        super().save_model(request, obj, form, change)

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, obj):
        return obj.question_count


class ExampleInline(admin.StackedInline):
    model = Example
    extra = 0
    fields = ["position", "language", "caption", "code"]
    ordering = ["position"]


class AuthoredItemInline(admin.TabularInline):
    model = AuthoredItem
    extra = 0
    fields = ["position", "prompt", "choices", "explanation", "source"]


class KeyPointsInline(admin.StackedInline):
    """The drill's key points, edited per question; stored apart from the imported answer."""

    model = KeyPoints
    extra = 0
    max_num = 1
    fields = ["text"]


@admin.register(KeyPoints)
class KeyPointsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at"]
    list_select_related = ["question"]
    search_fields = ["question__title", "text"]
    raw_id_fields = ["question"]


class CategoryListFilter(admin.RelatedFieldListFilter):
    """Categories labelled with their set, since titles repeat across sets."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, f"{c.question_set.title} › {c.title}")
                for c in Category.objects.select_related("question_set")]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = "__all__"

    def clean_answer_md(self):
        text = self.cleaned_data["answer_md"]
        try:
            parse_answer(self.cleaned_data.get("title", ""), text)
        except ParseError as exc:
            where = f"Line {exc.line - ANSWER_PREFIX_LINES} of the answer: " if exc.line else ""
            raise forms.ValidationError(f"{where}{exc.message}") from None
        return text


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["__str__", "category", "question_set", "archived", "updated_at"]
    list_filter = [("category__question_set", admin.RelatedOnlyFieldListFilter),
                   ("category", CategoryListFilter), "archived"]
    search_fields = ["title", "answer_md", "slug", "number"]
    list_select_related = ["category", "category__question_set"]
    readonly_fields = ["preview", "updated_at"]
    fields = ["category", "number", "title", "slug", "position", "archived", "answer_md", "preview", "updated_at"]
    inlines = [ExampleInline, AuthoredItemInline, KeyPointsInline]
    list_per_page = 50

    class Media:
        # The dark colours load second, so they win only where the OS asks for dark mode.
        css = {
            "all": ["css/pygments-light.css", "css/import-admin.css"],
            "(prefers-color-scheme: dark)": ["css/pygments-dark.css"],
        }

    @admin.display(description="set", ordering="category__question_set__title")
    def question_set(self, obj):
        return obj.category.question_set

    @admin.display(description="rendered preview")
    def preview(self, obj):
        if not obj.pk:
            return "Saved questions show their rendered answer here."
        # answer_html was sanitized (nh3) and highlighted (Pygments) when it was written.
        return format_html(
            '<div class="prep-preview"><h3>{}</h3>{}</div>',
            str(obj), mark_safe(obj.answer_html),
        )

    def save_model(self, request, obj, form, change):
        _remember_old_path(obj, change)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        examples_edited = any(fs.model is Example and fs.has_changed() for fs in formsets)
        if examples_edited or "answer_md" in form.changed_data or not change:
            rerender(form.instance, examples_edited)


@admin.register(AuthoredItem)
class AuthoredItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "question", "source", "position"]
    list_filter = ["source", ("question__category__question_set", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["prompt", "explanation", "question__title"]
    list_select_related = ["question"]
    raw_id_fields = ["question"]


