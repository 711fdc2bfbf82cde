"""Review forms: the settings, each field with a message that says what is allowed, and the actions."""

from django import forms

from prepsite.forms import IdChoiceField, IdMultipleChoiceField, WholeNumberField
from questions.models import Category, QuestionSet

from .models import DEFAULT_RETENTION, Interview, Rating, ReviewSettings, time_zone_names, valid_time_zone

MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
MAX_NEW_PER_DAY = 500


class ReviewSettingsForm(forms.ModelForm):
    desired_retention = forms.FloatField(
        label="Desired retention",
        min_value=MIN_RETENTION,
        max_value=MAX_RETENTION,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": MIN_RETENTION, "max": MAX_RETENTION}),
        help_text="The chance of recalling a card when it comes due, from 0.70 to 0.97. "
        "Higher means more reviews; 0.90 suits most people.",
        error_messages={
            "min_value": "Desired retention must be at least 0.70: below that you forget too much between reviews.",
            "max_value": "Desired retention can be at most 0.97: above that the review load explodes.",
            "invalid": "Enter the desired retention as a number such as 0.90.",
            "required": "Enter a desired retention between 0.70 and 0.97.",
        },
    )
    new_per_day = forms.IntegerField(
        label="New cards per day",
        min_value=0,
        max_value=MAX_NEW_PER_DAY,
        help_text=f"How many new questions a review session introduces each day (0 to {MAX_NEW_PER_DAY}).",
        error_messages={
            "min_value": "The daily new-card limit cannot be negative; use 0 to pause new cards.",
            "max_value": f"The daily new-card limit can be at most {MAX_NEW_PER_DAY}.",
            "invalid": "Enter the daily new-card limit as a whole number, such as 20.",
            "required": "Enter a daily new-card limit (20 is a good start).",
        },
    )
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="Days, streaks and “bury until tomorrow” follow this zone. Defaults to your browser's.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Choose a time zone, such as Europe/Berlin."},
    )

    class Meta:
        model = ReviewSettings
        fields = ["desired_retention", "new_per_day", "time_zone"]

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if not valid_time_zone(name):
            raise forms.ValidationError(
                f"“{name}” is not a time zone name. Use an IANA name such as Europe/Berlin or America/New_York."
            )
        return name

    @staticmethod
    def time_zone_names() -> list[str]:
        return sorted(time_zone_names())


MAX_DURATION_MS = 60 * 60 * 1000  # longer than an hour is a tab left open, not thinking time


class ScopeForm(forms.Form):
    """The optional narrowing of a review session: a category id or a set slug."""

    category = WholeNumberField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here, as a class attribute it would shadow the builtin set.
        self.fields["set"] = forms.SlugField(required=False, max_length=120)


class CardActionForm(forms.Form):
    """Bury or suspend; without a version the action applies whatever the card's state."""

    version = WholeNumberField(label="Card version", required=False)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Rating", choices=Rating.choices, coerce=int,
        error_messages={"required": "Choose a rating from 1 (Again) to 4 (Easy).",
                        "invalid_choice": "A rating is a value from 1 (Again) to 4 (Easy)."},
    )
    version = WholeNumberField(label="Card version", error_messages={"required": "The card's version is missing."})
    duration_ms = WholeNumberField(label="Time taken (ms)", required=False)
    # Set when the browser holds the session's next card: the answer need not carry the session.
    then = forms.BooleanField(required=False)

    def clean_duration_ms(self) -> int:
        return min(self.cleaned_data["duration_ms"] or 0, MAX_DURATION_MS)


class FlashcardRatingForm(RatingForm):
    next = forms.CharField(required=False, max_length=2000)


class UndoForm(forms.Form):
    log = WholeNumberField(label="Rating log", required=False)


MIN_TARGET, MAX_TARGET = 0.5, 0.99


class InterviewForm(forms.ModelForm):
    title = forms.CharField(label="Name", max_length=120, required=False,
                            help_text="Optional, such as “Acme, onsite”.")
    on = forms.DateField(
        label="Interview date", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the interview.",
                        "invalid": "Enter the date as YYYY-MM-DD, such as 2026-12-15."},
    )
    scope = forms.ChoiceField(label="Questions to prepare", choices=Interview.Scope.choices,
                              widget=forms.RadioSelect, initial=Interview.Scope.ALL)
    question_set = IdChoiceField(
        label="Question set", queryset=QuestionSet.objects.order_by("title"), required=False,
        error_messages={"invalid_choice": "That question set does not exist."},
    )
    categories = IdMultipleChoiceField(
        label="Categories", required=False, widget=forms.CheckboxSelectMultiple,
        queryset=Category.objects.listed().select_related("question_set").order_by("question_set__title", "position"),
        error_messages={"invalid_choice": "One of the chosen categories does not exist.",
                        "invalid_pk_value": "One of the chosen categories does not exist."},
    )
    target = forms.FloatField(
        label="Target recall", min_value=MIN_TARGET, max_value=MAX_TARGET, initial=DEFAULT_RETENTION,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": MIN_TARGET, "max": MAX_TARGET}),
        help_text="The average chance of recalling a question on the day you aim for, from 0.50 to 0.99.",
        error_messages={"min_value": "The target must be at least 0.50.",
                        "max_value": "The target can be at most 0.99: nobody recalls everything.",
                        "invalid": "Enter the target as a number such as 0.90.",
                        "required": "Enter a target between 0.50 and 0.99, such as 0.90."},
    )

    class Meta:
        model = Interview
        fields = ["title", "on", "scope", "question_set", "categories", "target"]

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_on(self):
        on = self.cleaned_data["on"]
        if self.today is not None and on < self.today and (self.instance.pk is None or on != self.instance.on):
            raise forms.ValidationError("The interview date cannot be in the past.")
        return on

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == Interview.Scope.SET and not data.get("question_set"):
            self.add_error("question_set", "Choose the question set to prepare.")
        if scope == Interview.Scope.CATEGORIES and not data.get("categories"):
            self.add_error("categories", "Choose at least one category to prepare.")
        if scope != Interview.Scope.SET:
            data["question_set"] = None
        if scope != Interview.Scope.CATEGORIES:
            data["categories"] = Category.objects.none()
        return data


class OutcomeForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label="How did it go?", widget=forms.RadioSelect,
        choices=[c for c in Interview.Outcome.choices if c[0]],
        error_messages={"required": "Choose how the interview went.",
                        "invalid_choice": "Choose one of the answers listed."},
    )
    outcome_note = forms.CharField(label="Notes for next time", required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Interview
        fields = ["outcome", "outcome_note"]


class PlanForm(forms.Form):
    """Apply a study plan to an interview: new questions a day from its scope, and optionally a higher retention."""

    RETENTIONS = [("", "Keep my desired retention"), ("0.92", "92%"), ("0.95", "95%"), ("0.97", "97%")]

    new_per_day = WholeNumberField(label="New questions a day", maximum=1000)
    retention = forms.TypedChoiceField(label="Desired retention for this scope until the date", choices=RETENTIONS,
                                       coerce=float, empty_value=None, required=False)
