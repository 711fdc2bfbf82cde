"""Placeholder until the spaced-repetition issue lands."""

from django.http import HttpResponse


def review(request):
    return HttpResponse("Review sessions are coming soon.")


def dashboard(request):
    return HttpResponse("The progress dashboard is coming soon.")
