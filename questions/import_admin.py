"""The read-only admin history of Markdown imports."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .import_records import ImportRecord


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """Read-only history; imports are made on the import page, which previews them first."""

    list_display = ["file_name", "status", "uploaded_by", "created_at", "question_set", "summary", "warning_count",
                    "short_sha256"]
    list_filter = ["status", "question_set"]
    search_fields = ["file_name", "sha256", "set_title"]
    list_select_related = ["uploaded_by", "question_set"]
    exclude = ["data", "report"]
    readonly_fields = ["review"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "report")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="sha256")
    def short_sha256(self, obj):
        return format_html("<code>{}</code>", obj.short_hash)

    @admin.display(description="review")
    def review(self, obj):
        return format_html('<a href="{}">Open the import page</a>', obj.get_absolute_url())

    def get_fields(self, request, obj=None):
        return ["review", "file_name", "sha256", "size", "uploaded_by", "created_at", "applied_at", "status",
                "target", "question_set", "set_title", "layout", "created", "updated", "unchanged", "archived",
                "warning_count"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "import_url": reverse("imports:import_upload")}
        return super().changelist_view(request, extra_context)
