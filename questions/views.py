"""Browsing the imported question sets."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Category, Question, QuestionSet


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.with_question_counts().filter(question_count__gt=0)
    sets = QuestionSet.objects.prefetch_related(Prefetch("categories", queryset=categories))
    return render(request, "questions/home.html", {"sets": sets})


@require_GET
def set_detail(request: HttpRequest, set_slug: str) -> HttpResponse:
    question_set = get_object_or_404(QuestionSet, slug=set_slug)
    categories = question_set.categories.prefetch_related(
        Prefetch("questions", queryset=Question.objects.listed())
    )
    return render(request, "questions/set_detail.html", {"question_set": question_set, "categories": categories})


@require_GET
def category_detail(request: HttpRequest, set_slug: str, slug: str) -> HttpResponse:
    category = get_object_or_404(Category.objects.of_set(set_slug), slug=slug)
    questions = category.questions.listed()
    return render(request, "questions/category_detail.html", {"category": category, "questions": questions})


@require_GET
def question_detail(request: HttpRequest, set_slug: str, category_slug: str, slug: str) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.listed().with_category(),
        category__question_set__slug=set_slug,
        category__slug=category_slug,
        slug=slug,
    )
    return render(request, "questions/question_detail.html", {"question": question})
