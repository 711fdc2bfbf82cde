"""Browsing, studying and searching the question sets; bookmarks and personal notes.

Each view builds its full page; for_htmx (or wants_fragment, where the fragment is cheaper to
build than the page) answers the part htmx swaps, from the same template.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prepsite.htmx import HtmxHttpRequest, for_htmx, wants_fragment
from prepsite.pagecache import cache_signed_in, cacheable

from .caching import cache_anonymous, content_version, shared_question
from .forms import NoteForm
from .models import Bookmark, Category, Note, Question, QuestionSet
from .related import related_links
from .search import search_questions

STATUS_FILTERS = [("", "All"), ("new", "New"), ("learning", "Learning"), ("known", "Mastered"), ("bookmarked", "Bookmarked")]


@require_GET
@cache_anonymous
def home(request: HtmxHttpRequest) -> HttpResponse:
    sets = QuestionSet.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.listed(), to_attr="listed_categories")
    )
    sets = [s for s in sets if s.listed_categories]
    for question_set in sets:
        question_set.question_count = sum(c.question_count for c in question_set.listed_categories)
    return TemplateResponse(request, "questions/home.html", {"sets": sets, "public_page": True})


@require_GET
@cache_anonymous
def set_detail(request: HtmxHttpRequest, set_slug: str) -> HttpResponse:
    question_set = get_object_or_404(QuestionSet, slug=set_slug)
    questions = Question.objects.listed().with_study_status(request.user).only(
        "id", "category_id", "number", "title", "slug", "position"
    )
    categories = question_set.categories.listed().prefetch_related(
        Prefetch("questions", queryset=questions, to_attr="listed_questions")
    )
    return TemplateResponse(
        request,
        "questions/set_detail.html",
        {"question_set": question_set, "categories": categories, "public_page": True},
    )


@require_GET
@cache_anonymous
@for_htmx(target="question-list", use_partial="question-list")
def category_detail(request: HtmxHttpRequest, set_slug: str, slug: str) -> HttpResponse:
    category = get_object_or_404(Category.objects.of_set(set_slug).listed(), slug=slug)
    questions = list(
        category.questions.listed()
        .with_study_status(request.user)
        .only("id", "category_id", "number", "title", "slug", "position")
    )
    status = request.GET.get("status", "")
    if status not in dict(STATUS_FILTERS) or not request.user.is_authenticated:
        status = ""
    if status == "bookmarked":
        shown = [q for q in questions if q.is_bookmarked]
    elif status:
        shown = [q for q in questions if q.study_status == status]
    else:
        shown = questions
    return TemplateResponse(
        request,
        "questions/category_detail.html",
        {
            "category": category,
            "question_set": category.question_set,
            "questions": shown,
            "total": len(questions),
            "status": status,
            "status_filters": STATUS_FILTERS,
            "public_page": True,
        },
    )


def _neighbours(question: Question) -> dict:
    """Previous/next question in the category and the position, from one small query."""
    siblings = list(question.category.questions.listed().values_list("slug", "title", "number"))
    slugs = [row[0] for row in siblings]
    index = slugs.index(question.slug)
    return {
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
        "position": index + 1,
        "count": len(siblings),
    }


@require_GET
@cache_anonymous
@cache_signed_in
@for_htmx(target="answer", use_partial="answer")
def question_detail(request: HtmxHttpRequest, set_slug: str, category_slug: str, slug: str) -> HttpResponse:
    def build():
        question = get_object_or_404(
            Question.objects.listed().with_category(),
            category__question_set__slug=set_slug,
            category__slug=category_slug,
            slug=slug,
        )
        return question, _neighbours(question)

    question, neighbours = shared_question(set_slug, category_slug, slug, build)
    mine = {}  # everything of the reader's the page shows: the signed-in page cache keys on it
    if request.user.is_authenticated:  # only the reader's bits are read per request
        mine = Question.objects.reader_state(request.user, question.pk)
        for name in ("is_bookmarked", "card_state", "card_last_review", "card_stability", "card_last_rating"):
            setattr(question, name, mine[name])
        if mine["note_id"] is not None:
            mine["minute"] = timezone.now().replace(second=0, microsecond=0)  # "Saved 3 minutes ago" moves
    if wants_fragment(request, "answer"):  # the revealed answer needs neither the note nor the neighbours
        return cacheable(TemplateResponse(request, "questions/question_detail.html", {"question": question, "study": False}),
                         content_version(), mine)
    note = None
    if mine.get("note_id") is not None:
        note = Note(pk=mine["note_id"], user=request.user, question=question, text=mine["note_text"],
                    updated_at=mine["note_updated_at"])
    return cacheable(TemplateResponse(
        request,
        "questions/question_detail.html",
        {
            "question": question,
            "category": question.category,
            "question_set": question.category.question_set,
            "study": request.GET.get("study") == "1",
            "note": note,
            "public_page": True,
            "also_in": related_links(question.pk),
            **neighbours,
        },
    ), content_version(), mine)


@require_GET
@cache_anonymous
@for_htmx(target="flashcard", use_partial="flashcard")
@for_htmx(target="answer", use_partial="answer")
def flashcard(request: HtmxHttpRequest, set_slug: str, number: int, category_slug: str | None = None) -> HttpResponse:
    """One question of the category (or of the whole set) at a time, answer hidden until revealed."""
    if category_slug is None:
        question_set = get_object_or_404(QuestionSet, slug=set_slug)
        category = None
        cards = list(
            Question.objects.listed().filter(category__question_set=question_set, category__in=Category.objects.listed())
            .order_by("category__position", "position").values_list("pk", flat=True)
        )
    else:
        category = get_object_or_404(Category.objects.of_set(set_slug).listed(), slug=category_slug)
        question_set = category.question_set
        cards = list(category.questions.listed().values_list("pk", flat=True))
    if not 1 <= number <= len(cards):
        raise Http404("No such card here.")
    question = Question.objects.select_related("category").get(pk=cards[number - 1])
    if category is not None:
        question.category = category
    reveal = request.GET.get("reveal") == "1"

    def card_url(n: int) -> str:
        if category is None:
            return reverse("questions:set_flashcard", args=[question_set.slug, n])
        return reverse("questions:flashcard", args=[question_set.slug, category.slug, n])

    context = {
        "category": category,
        "question_set": question_set,
        "card_url": card_url(number),
        "prev_url": card_url(number - 1) if number > 1 else "",
        "next_url": card_url(number + 1) if number < len(cards) else "",
        "done_url": category.get_absolute_url() if category else question_set.get_absolute_url(),
        "deck_title": category.title if category else question_set.title,
        "question": question,
        "number": number,
        "count": len(cards),
        "percent": round(100 * number / len(cards)),
        "reveal": reveal,
        "public_page": True,
    }
    return TemplateResponse(request, "questions/flashcard.html", context)


@require_GET
@cache_anonymous
@for_htmx(target="search-results", use_partial="search-results")
def search(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = search_questions(query) if query else []
    return TemplateResponse(request, "questions/search.html", {"query": query, "hits": hits, "public_page": True})


def _back_to(request: HtmxHttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def bookmark_toggle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(Question.objects.listed().with_category(), pk=pk)
    with transaction.atomic():
        removed, _ = Bookmark.objects.filter(user=request.user, question=question).delete()
        if not removed:
            Bookmark.objects.get_or_create(user=request.user, question=question)
    question.is_bookmarked = not removed
    if wants_fragment(request):
        return TemplateResponse(request, "questions/question_detail.html#bookmark-button", {"question": question})
    return redirect(_back_to(request, question.get_absolute_url()))


@login_required
@require_POST
def bookmark_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    bookmark = get_object_or_404(Bookmark, pk=pk, user=request.user)
    bookmark.delete()
    if wants_fragment(request):
        return HttpResponse("")
    return redirect("questions:bookmarks")


@login_required
@require_http_methods(["GET", "POST"])
@for_htmx(target="note", use_partial="note")
def note(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Show, edit and save the signed-in user's note on a question; an empty note is deleted."""
    question = get_object_or_404(Question.objects.listed().with_category(), pk=pk)
    note = Note.objects.filter(user=request.user, question=question).first()
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST, instance=note)
        if form.is_valid():
            text = form.cleaned_data["text"].strip()
            with transaction.atomic():
                if not text:
                    Note.objects.filter(user=request.user, question=question).delete()
                    note = None
                else:
                    note, _ = Note.objects.update_or_create(
                        user=request.user, question=question, defaults={"text": text}
                    )
            if not wants_fragment(request, "note"):
                return redirect(question.get_absolute_url() + "#note")
            editing = False
        else:
            editing, status = True, 422
    else:
        form = NoteForm(instance=note)
        editing = request.GET.get("edit") == "1" or not wants_fragment(request, "note")
    context = {"question": question, "note": note, "form": form, "editing": editing}
    return TemplateResponse(request, "questions/note.html", context, status=status)


@login_required
@require_GET
def bookmarks(request: HtmxHttpRequest) -> HttpResponse:
    note_text = Note.objects.filter(user=request.user, question=OuterRef("question")).values("text")[:1]
    marks = (
        Bookmark.objects.filter(user=request.user, question__archived=False)
        .select_related("question__category__question_set")
        .annotate(note_text=Subquery(note_text))
    )
    notes = (
        Note.objects.filter(user=request.user, question__archived=False)
        .exclude(question__bookmarks__user=request.user)
        .select_related("question__category__question_set")
        .order_by("-updated_at")
    )
    return TemplateResponse(request, "questions/bookmarks.html", {"bookmarks": marks, "notes": notes})

