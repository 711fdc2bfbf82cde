"""Fixtures shared by the content tests."""

import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def importer(db, django_user_model):
    user = django_user_model.objects.create_user("ivy", "ivy@example.com", "correct-horse-battery", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="import_questionset", content_type__app_label="content"),
        Permission.objects.get(codename="view_questionset"),
    )
    return user
