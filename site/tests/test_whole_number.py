"""The one parser of whole numbers: ASCII digits only, within the database's range."""

import pytest
from django import forms
from django.contrib.auth.models import Group

from prepsite.forms import MAX_ID, IdChoiceField, IdMultipleChoiceField, whole_number

SUPERSCRIPT_TWO = "\u00b2"  # "²".isdigit() is True, int("²") raises ValueError


def test_plain_ascii_digits_are_numbers():
    assert whole_number("42") == 42 and whole_number("007") == 7 and whole_number(str(MAX_ID)) == MAX_ID


@pytest.mark.parametrize("value", ["", SUPERSCRIPT_TWO, "\u0663", "4.2", "-1", "1e3", " 1", "+1", "1_0", "\uff11",
                                   str(MAX_ID + 1), "9" * 25, None, 1.5, True])
def test_anything_else_is_not(value):
    assert whole_number(value) is None


def test_a_maximum_is_enforced():
    assert whole_number("50", maximum=50) == 50 and whole_number("51", maximum=50) is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["99999999999999999999999", "١٢", "-1", "1.5"])
def test_id_choice_fields_refuse_ids_out_of_range_as_invalid_choices(value):
    single = IdChoiceField(queryset=Group.objects.all())
    many = IdMultipleChoiceField(queryset=Group.objects.all())
    for field, data in ((single, value), (many, [value])):
        with pytest.raises(forms.ValidationError):
            field.clean(data)
