"""The upload form: every way a file can be wrong becomes a message on the form."""

from django import forms

from content.parser import ParseError, decode

from .imports import MAX_UPLOAD_BYTES
from .models import QuestionSet


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Markdown file",
        help_text="A .md file in UTF-8, at most 5 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,text/markdown,text/plain"}),
    )
    replaces = forms.ModelChoiceField(
        queryset=QuestionSet.objects.order_by("title"),
        required=False,
        empty_label="— the set with the same title, or a new set —",
        label="Replaces",
        help_text="Questions are matched in place, so users' progress is kept; missing ones are archived.",
    )

    base_url = forms.URLField(
        label="Base URL for relative images",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Where the file's images live, e.g. https://raw.githubusercontent.com/owner/repo/main/. "
        "Without it, relative images show their alt text.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".md", ".markdown")):
            raise forms.ValidationError("Upload a Markdown file whose name ends in .md.", code="extension")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 5 MB.", code="too_large"
            )
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.", code="too_large")
        try:
            decode(data)
        except ParseError as exc:
            raise forms.ValidationError(parse_error_message(exc), code="unreadable") from None
        self.data_bytes = data
        return upload


def parse_error_message(exc: ParseError) -> str:
    where = f"Line {exc.line}: " if exc.line else ""
    text = exc.message[:1].upper() + exc.message[1:]
    return f"{where}{text}." if not text.endswith(".") else f"{where}{text}"
