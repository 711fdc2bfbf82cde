"""Placeholder until the quiz issue lands."""

from django.http import HttpResponse


def start(request):
    return HttpResponse("Quizzes are coming soon.")


def history(request):
    return HttpResponse("Quiz history is coming soon.")
