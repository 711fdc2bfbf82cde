"""Quiz forms: the start form (which content, how many items, how much time, which kinds) and answers."""

from django import forms
from django.db import models
from django.urls import reverse_lazy

from prepsite.forms import WholeNumberField, whole_number
from progress.models import Rating
from questions.models import Category, QuestionSet

from . import drill
from .caching import first_set, unavailable_kinds
from .kinds import KINDS, kind_choices
from .models import Feedback


class Preset(models.TextChoices):
    QUICK = "quick", "Quick 10"
    WEAK = "weak", "Weak spots"
    DUE = "due", "Due now"


def _plain_number(value, field) -> None:
    if whole_number(value) is None:
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
            if whole_number(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:20]}
                )
        return super()._check_values(value)


class KindsWidget(forms.CheckboxSelectMultiple):
    """Item types; those the chosen content cannot make are disabled, with the reason in the label."""

    unavailable: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        reason = self.unavailable.get(value)
        if reason:
            option["attrs"]["disabled"] = True
            option["selected"] = False
            option["attrs"].pop("checked", None)
            option["label"] = f"{label} (unavailable: {reason})"
        return option


class QuizForm(forms.Form):
    question_set = SetChoiceField(
        QuestionSet.objects.all(), label="Question set", empty_label=None,
        # Changing the set swaps in its categories; without JavaScript the form still posts.
        widget=forms.Select(attrs={"class": "form-select", "hx-get": reverse_lazy("quizzes:start"), "hx-trigger": "change",
                                   "hx-target": "#categories", "hx-swap": "outerHTML"}),
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
        widget=KindsWidget,
    )
    feedback = forms.ChoiceField(
        label="Feedback", choices=Feedback.choices, initial=Feedback.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    preset = forms.ChoiceField(choices=[("", ""), *Preset.choices], required=False, widget=forms.HiddenInput)

    def __init__(self, *args, question_set: QuestionSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = question_set
        if self.is_bound:
            number = whole_number(self.data.get("question_set", ""))
            if number is not None:
                chosen = QuestionSet.objects.filter(pk=number).first() or chosen
        if chosen is None:
            chosen = first_set()
        self.chosen_set = chosen
        if chosen is not None:
            self.fields["question_set"].initial = chosen.pk
            self.fields["categories"].queryset = Category.objects.filter(question_set=chosen).order_by("position")
        category_ids = []
        if self.is_bound and chosen is not None:
            posted = self.data.getlist("categories") if hasattr(self.data, "getlist") else self.data.get("categories") or []
            category_ids = [n for n in (whole_number(v) for v in posted) if n is not None]
        self.unavailable = unavailable_kinds(chosen, category_ids) if chosen is not None else {}
        self.fields["kinds"].widget.unavailable = self.unavailable
        self.fields["kinds"].initial = [name for name in KINDS if name not in self.unavailable]

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            # A preset ignores the detailed choices except the set, the time and the feedback.
            for name in ("count", "kinds", "categories"):
                self.errors.pop(name, None)
            data["count"] = 10 if preset == Preset.QUICK else min(max(data.get("count") or 10, 5), 50)
            data["kinds"] = [name for name in KINDS if name not in self.unavailable]
            data["categories"] = []
            if "seconds_per_item" not in data:
                self.errors.pop("seconds_per_item", None)
                data["seconds_per_item"] = 60
            if "feedback" not in data:
                self.errors.pop("feedback", None)
                data["feedback"] = Feedback.IMMEDIATE
        elif data.get("kinds"):
            possible = [name for name in data["kinds"] if name not in self.unavailable]
            if not possible:
                self.add_error("kinds", "None of the chosen item types can be made from these questions: "
                               + "; ".join(f"{KINDS[n].label}: {self.unavailable[n]}" for n in data["kinds"]) + ".")
            data["kinds"] = possible
        return data


def item_field(**kwargs) -> WholeNumberField:
    return WholeNumberField(error_messages={
        "required": "The item number is missing.", "invalid": "The item number “%(value)s” is not a number.",
    }, **kwargs)


class OptionIdsField(forms.MultipleChoiceField):
    """Option ids as posted; the item itself checks them against its own choices."""

    def valid_value(self, value) -> bool:
        return len(value) <= 20


class ItemQueryForm(forms.Form):
    item = item_field(required=False)


class AnswerForm(forms.Form):
    item = item_field()
    choice = OptionIdsField(required=False)
    text = forms.CharField(required=False, max_length=10_000, error_messages={
        "max_length": "The answer is too long (10,000 characters at most).",
    })


class MarkForm(forms.Form):
    """The user's rating of their recall (1 Again … 4 Easy); a bare right/wrong verdict is still accepted."""

    item = item_field()
    rating = forms.TypedChoiceField(choices=[(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")], coerce=int,
                                    required=False, empty_value=None, error_messages={
        "invalid_choice": "Rate your answer from 1 (Again) to 4 (Easy).",
    })
    verdict = forms.ChoiceField(choices=[("right", "Right"), ("wrong", "Wrong")], required=False, error_messages={
        "invalid_choice": "Mark the answer as right or wrong.",
    })

    def clean(self):
        data = super().clean()
        if data.get("rating") is None and not data.get("verdict") and not self.errors:
            raise forms.ValidationError("Rate your answer from 1 (Again) to 4 (Easy).")
        if data.get("rating") is not None:
            data["verdict"] = "right" if data["rating"] > 1 else "wrong"
        return data


class DrillStartForm(forms.Form):
    """What a drill asks (one question, a category, a set, or the due cards, optionally within a
    set or category) and how: the speaking time per question and the number of questions."""

    question = WholeNumberField(required=False)
    category = WholeNumberField(required=False)
    due = forms.BooleanField(required=False)
    minutes = forms.TypedChoiceField(
        label="Speaking time per question", coerce=int, widget=forms.RadioSelect,
        choices=[(m, f"{m} minute{'s' if m > 1 else ''}") for m in drill.MINUTES], initial=drill.DEFAULT_MINUTES,
        error_messages={"invalid_choice": "Choose 1, 2 or 3 minutes.", "required": "Choose 1, 2 or 3 minutes."},
    )
    count = forms.TypedChoiceField(
        label="Questions", coerce=int, widget=forms.RadioSelect,
        choices=[(n, str(n)) for n in drill.COUNTS], initial=drill.DEFAULT_COUNT,
        error_messages={"invalid_choice": "Choose 3, 5 or 10 questions.", "required": "Choose 3, 5 or 10 questions."},
    )

    SCOPE = ("question", "category", "set", "due")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here, as a class attribute it would shadow the builtin set.
        self.fields["set"] = forms.SlugField(required=False, max_length=120)

    @property
    def scope_fields(self) -> dict:
        """The scope, to carry as hidden fields into the POST."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("question", "category", "set") if data.get(name) not in (None, "")}
        return fields | ({"due": "1"} if data.get("due") else {})


class DrillStepForm(forms.Form):
    """The reveal's checklist and rating; `action` "check" only recomputes the suggestion (no JS)."""

    covered = forms.TypedMultipleChoiceField(
        required=False, coerce=int, choices=(),
        error_messages={"invalid_choice": "A ticked point is not one of this question's key points; reload the page."},
    )
    rating = forms.ChoiceField(
        label="Rating", required=False,
        choices=[("auto", "The suggested rating"), *((str(v), label) for v, label in Rating.choices)],
        error_messages={"invalid_choice": "A rating is “suggested” or one of 1 (Again) to 4 (Easy)."},
    )
    duration_ms = WholeNumberField(label="Time used (ms)", required=False)
    action = forms.ChoiceField(required=False, choices=[("save", "Save"), ("check", "Suggest a rating")])

    def __init__(self, *args, points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["covered"].choices = [(str(i), str(i)) for i in range(points)]

    def clean_rating(self) -> int | None:
        value = self.cleaned_data["rating"]
        return int(value) if value and value != "auto" else None

    def clean_duration_ms(self) -> int:
        return min(self.cleaned_data["duration_ms"] or 0, drill.MAX_DURATION_MS)
