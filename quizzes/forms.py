"""The quiz start form: which content, how many items, how much time, which kinds."""

from django import forms

from questions.models import Category, QuestionSet

from .kinds import KINDS, kind_choices
from .models import Feedback
from .services import NUMBER_RE

PRESETS = {
    "quick": "Quick 10",
    "weak": "Weak spots",
    "due": "Due now",
}


def _plain_number(value, field) -> None:
    if not isinstance(value, (str, int)) or not NUMBER_RE.fullmatch(str(value)):
        raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                    params={"value": str(value)[:20]})


class SetChoiceField(forms.ModelChoiceField):
    """Only a plain ASCII number names a set: int() would also take "١" or " 1"."""

    def to_python(self, value):
        if value not in self.empty_values:
            _plain_number(value, self)
        return super().to_python(value)


class CategoriesField(forms.ModelMultipleChoiceField):
    """Primary keys must be plain ASCII numbers of sane length: "²" or a 25-digit value is a
    form error here, not a ValueError or an integer overflow in the database driver."""

    def _check_values(self, value):
        for pk in value:
            if not isinstance(pk, (str, int)) or not NUMBER_RE.fullmatch(str(pk)):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:20]}
                )
        return super()._check_values(value)


class QuizForm(forms.Form):
    question_set = SetChoiceField(
        QuestionSet.objects.all(), label="Question set", empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    categories = CategoriesField(
        Category.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to draw from every category.",
    )
    count = forms.IntegerField(label="Number of items", min_value=5, max_value=50, initial=10)
    seconds_per_item = forms.IntegerField(
        label="Seconds per item", min_value=3, max_value=600, initial=60,
        help_text="The quiz's time limit is this times the number of items; the server's clock decides.",
    )
    kinds = forms.MultipleChoiceField(
        label="Item types", choices=kind_choices, initial=lambda: list(KINDS),
        widget=forms.CheckboxSelectMultiple,
    )
    feedback = forms.ChoiceField(
        label="Feedback", choices=Feedback.choices, initial=Feedback.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    preset = forms.ChoiceField(choices=[("", "")] + list(PRESETS.items()), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, question_set: QuestionSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = question_set
        if self.is_bound:
            value = self.data.get("question_set", "")
            if isinstance(value, str) and NUMBER_RE.fullmatch(value):
                chosen = QuestionSet.objects.filter(pk=int(value)).first() or chosen
        if chosen is None:
            chosen = QuestionSet.objects.order_by("title").first()
        self.chosen_set = chosen
        if chosen is not None:
            self.fields["question_set"].initial = chosen.pk
            self.fields["categories"].queryset = Category.objects.filter(question_set=chosen).order_by("position")

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            # A preset ignores the detailed choices except the set, the time and the feedback.
            for name in ("count", "kinds", "categories"):
                self.errors.pop(name, None)
            data["count"] = 10 if preset == "quick" else min(max(data.get("count") or 10, 5), 50)
            data["kinds"] = list(KINDS)
            data["categories"] = []
            if "seconds_per_item" not in data:
                self.errors.pop("seconds_per_item", None)
                data["seconds_per_item"] = 60
            if "feedback" not in data:
                self.errors.pop("feedback", None)
                data["feedback"] = Feedback.IMMEDIATE
        return data
