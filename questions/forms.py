from django import forms

from .models import Note


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        labels = {"text": "Your note"}
        widgets = {"text": forms.Textarea(attrs={"rows": 5, "placeholder": "What to remember, in your own words…"})}
        help_texts = {"text": "Only you can see it. Save an empty note to delete it."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False
        self.fields["text"].max_length = 10_000
        self.fields["text"].widget.attrs["maxlength"] = 10_000
