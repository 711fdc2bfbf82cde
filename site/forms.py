"""The one parser of whole numbers typed or posted by users, and the form field built on it."""

from __future__ import annotations

from django import forms

MAX_ID = 2**63 - 1  # the largest primary key the databases accept


def whole_number(value, maximum: int = MAX_ID) -> int | None:
    """The non-negative integer an ASCII digit string spells (at most `maximum`), else None.

    int() also takes " 12", "+12", "1_2" and "١٢"; str.isdigit() is true for "²", which int()
    then refuses. Only plain ASCII digits count here.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not (value.isascii() and value.isdecimal()) or len(value) > 19:
        return None
    number = int(value)
    return number if number <= maximum else None


class WholeNumberField(forms.IntegerField):
    """An IntegerField that accepts plain ASCII digits only."""

    default_error_messages = {"invalid": "“%(value)s” is not a whole number."}

    def __init__(self, *, maximum: int = MAX_ID, **kwargs):
        self.maximum = maximum
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = whole_number(value, self.maximum)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": str(value)[:20]})
        return number


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose ids must be whole numbers in range, so no id reaches the database as an overflow."""

    def to_python(self, value):
        if value not in self.empty_values and whole_number(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same rule for each id of a ModelMultipleChoiceField."""

    def _check_values(self, value):
        for pk in value:
            if whole_number(pk) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
