"""Review forms: the settings, each field with a message that says what is allowed, and the actions."""

from django import forms

from prepsite.forms import WholeNumberField

from .models import Rating, ReviewSettings, time_zone_names, valid_time_zone

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

    def clean_duration_ms(self) -> int:
        return min(self.cleaned_data["duration_ms"] or 0, MAX_DURATION_MS)


class UndoForm(forms.Form):
    log = WholeNumberField(label="Rating log", required=False)
