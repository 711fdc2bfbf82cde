"""Quiz pages: the start form, the timed attempt, its result and the history.

Each view builds its full page; for_htmx answers the fragment htmx swaps. The server's
clock decides about time, the page's countdown only shows it.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.db.models import Count, Q
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from prepsite.forms import whole_number
from prepsite.htmx import for_htmx, wants_fragment
from prepsite.pagecache import cache_signed_in, cacheable
from questions.caching import content_version
from questions.models import QuestionSet

from . import services
from .forms import AnswerForm, ItemQueryForm, MarkForm, Preset, QuizForm
from .caching import first_set
from .models import Attempt, AttemptItem, Drill, Feedback, FinishReason, recent_attempts
from .services import QuizError

STAGE = "quiz-stage"
FIELDS_CACHE_SECONDS = 300


def _redirect(request, url: str) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _own_attempt(request, pk: int) -> Attempt:
    # Someone else's attempt is a 404, never a 403: its existence is not revealed.
    attempt = get_object_or_404(Attempt.objects.select_related("question_set"), pk=pk, user=request.user)
    attempt.user = request.user
    return attempt


def _start_page(request, form=None, status=200, error="", question_set=None) -> TemplateResponse:
    """The start page; without a bound `form`, a blank one for `question_set` (else the first set)."""
    recent = recent_attempts(request.user)
    context = {"error": error, "recent_attempts": recent}
    if form is not None:  # a bound form: its data and errors are never cached (a 0 s timeout stores nothing)
        context.update(form=form, fields_cache=(0, "bound"))
        return TemplateResponse(request, "quizzes/start.html", context, status=status)
    # A blank form renders the same for everyone: its fields are cached by content version.
    chosen = question_set or first_set()
    fields_key = f"{content_version()}|{chosen and chosen.pk}"
    context["fields_cache"] = (FIELDS_CACHE_SECONDS, fields_key)
    response = TemplateResponse(request, "quizzes/start.html", context, status=status)

    def blank_form():
        return {"form": QuizForm(question_set=question_set)}

    if error:
        context.update(blank_form())
        return response
    # The whole page is cached under what it shows of the user (the recent results as listed),
    # so a hit builds no form.
    return cacheable(response, fields_key, [
        (a.pk, a.title, a.auto_correct, a.auto_total, a.recall_correct, a.recall_total) for a in recent
    ], fill=blank_form)


@login_required
@require_http_methods(["GET", "POST"])
@cache_signed_in
@for_htmx(target="categories", use_partial="categories")
def start(request):
    if request.method == "GET":
        try:
            question_set = _set_from_query(request)
        except QuizError as exc:
            return _start_page(request, status=exc.status, error=exc.message)
        return _start_page(request, question_set=question_set)
    Attempt.objects.of(request.user).finalize_expired()  # what GETs read as timed out, stored
    form = QuizForm(request.POST)
    if not form.is_valid():
        return _start_page(request, form, status=422)
    data = form.cleaned_data
    question_set = data["question_set"]
    preset = data.get("preset") or ""
    question_ids = None
    title = services.describe(question_set, data["categories"], data["kinds"], preset=Preset(preset).label if preset else "")
    if preset == Preset.WEAK:
        question_ids = services.weak_question_ids(request.user, question_set)
        if not question_ids:
            form.add_error(None, "No weak spots yet: nothing answered wrong and no card with low retrievability.")
    elif preset == Preset.DUE:
        question_ids = services.due_question_ids(request.user, question_set)
        if not question_ids:
            form.add_error(None, "Nothing is due now in this set.")
    if form.errors:
        return _start_page(request, form, status=422)
    try:
        attempt = services.start_attempt(
            request.user,
            question_set,
            count=data["count"],
            kinds=data["kinds"],
            seconds_per_item=data["seconds_per_item"],
            feedback=data["feedback"],
            title=title,
            category_ids=[c.pk for c in data["categories"]],
            question_ids=question_ids,
        )
    except QuizError as exc:
        form.add_error(None, exc.message)
        return _start_page(request, form, status=exc.status)
    if attempt.config["asked"] < data["count"]:
        messages.info(
            request,
            f"The content gave {attempt.config['asked']} distinct items of the chosen types "
            f"(you asked for {data['count']}).",
        )
    return _redirect(request, attempt.get_absolute_url())


def _set_from_query(request):
    """The set named by ?question_set=; None when absent, QuizError when bad or unknown."""
    value = request.GET.get("question_set", "")
    if value == "":
        return None
    number = whole_number(value)
    if number is None:
        raise QuizError(f"The question set number “{value[:20]}” is not a number.", status=400)
    question_set = QuestionSet.objects.filter(pk=number).first()
    if question_set is None:
        raise QuizError(f"There is no question set number {number}.", status=404)
    return question_set


def _items(attempt: Attempt) -> list[AttemptItem]:
    # The navigation needs no snapshots; the one item shown loads its own on first use.
    return list(attempt.items.defer("snapshot"))


def _current(items: list[AttemptItem], number: int | None) -> AttemptItem | None:
    if number is not None:
        if not 1 <= number <= len(items):
            raise QuizError(f"This quiz has no item {number}.", status=400)
        return items[number - 1]
    pending = [i for i in items if not i.is_done]
    return pending[0] if pending else None


def _stage_context(attempt: Attempt, items: list[AttemptItem], current: AttemptItem | None, **extra) -> dict:
    done = sum(1 for i in items if i.is_answered)
    after = None
    if current is not None:
        later = [i for i in items[current.position + 1 :] + items[: current.position] if not i.is_done]
        after = later[0] if later else None
    play_url = reverse("quizzes:play", args=[attempt.pk])
    # Plain strings, built once: the template would localize every number of a 50-item list.
    nav = [
        {
            "number": str(i.position + 1),
            "url": f"{play_url}?item={i.position + 1}",
            "current": i is current,
            "answered": i.answered_at is not None,
        }
        for i in items
    ]
    return {
        "attempt": attempt,
        "items": items,
        "nav": nav,
        "item_count": str(len(items)),
        "current": current,
        "next_item": after,
        "answered_count": done,
        "remaining_ms": int(attempt.remaining().total_seconds() * 1000),
        "show_feedback": current is not None and current.is_answered and (
            attempt.feedback == Feedback.IMMEDIATE or current.self_graded
        ),
        **extra,
    }


# no-store: after a timeout, Back re-requests the page and lands on the result, not a stale live form.
@never_cache
@login_required
@require_GET
@for_htmx(target=STAGE, use_partial="stage")
def play(request, pk: int):
    attempt = _own_attempt(request, pk)
    query = ItemQueryForm(request.GET)
    if _closed(attempt):
        if attempt.finish_reason in ("", FinishReason.TIMEOUT) and request.GET.get("item"):
            messages.warning(request, "Time is up: the quiz has been finished.")
        return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))
    items = _items(attempt)
    try:
        if not query.is_valid():
            raise QuizError(query.errors["item"][0], status=400)
        current = _current(items, query.cleaned_data["item"])
    except QuizError as exc:
        return _stage_error(request, attempt, items, exc)
    if current is None:
        # Everything answered but the attempt is open: only recall marks can be missing.
        current = items[0]
    return TemplateResponse(request, "quizzes/play.html", _stage_context(attempt, items, current))


def _closed(attempt: Attempt) -> bool:
    """Finished, or past its deadline: a GET reads it as closed, the next POST stores the close."""
    return attempt.is_finished or attempt.is_expired()


@login_required
@require_POST
def show(request, pk: int):
    """Go on to an item: its answer time starts now, so reading the last feedback is not counted."""
    attempt = _own_attempt(request, pk)
    if services.close_if_expired(attempt):
        return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))
    form = ItemQueryForm(request.POST)
    items = _items(attempt)
    try:
        if not form.is_valid() or form.cleaned_data["item"] is None:
            raise QuizError(form.errors["item"][0] if form.errors else "Say which item to show.", status=400)
        current = _current(items, form.cleaned_data["item"])
    except QuizError as exc:
        return _stage_error(request, attempt, items, exc)
    services.mark_shown(current)
    if not wants_fragment(request):
        return redirect(f"{reverse('quizzes:play', args=[attempt.pk])}?item={current.number}")
    return TemplateResponse(request, "quizzes/play.html#stage", _stage_context(attempt, items, current))


def _stage_error(request, attempt, items, exc: QuizError) -> TemplateResponse:
    """The stage with the error shown: a fragment for htmx, else the whole page."""
    current = _current(items, None) or (items[0] if items else None)
    context = _stage_context(attempt, items, current, error=exc.message)
    template = "quizzes/play.html#stage" if wants_fragment(request) else "quizzes/play.html"
    return TemplateResponse(request, template, context, status=exc.status)


@login_required
@require_POST
def answer(request, pk: int):
    form = AnswerForm(request.POST)
    # The service locks the attempt (and checks its owner) itself: no separate read here.
    return _record(request, pk, form, lambda data: services.answer(
        request.user, pk, data["item"], data["choice"], data["text"]
    ))


@login_required
@require_POST
def mark(request, pk: int):
    form = MarkForm(request.POST)
    return _record(request, pk, form, lambda data: services.mark_recall(
        request.user, pk, data["item"], data["verdict"], rating=data["rating"]
    ))


def _first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def _record(request, pk: int, form, record) -> HttpResponse:
    try:
        if not form.is_valid():
            _own_attempt(request, pk)  # someone else's attempt is a 404 before any message
            raise QuizError(_first_error(form))
        outcome = record(form.cleaned_data)
    except Attempt.DoesNotExist:
        raise Http404("No such quiz.") from None
    except (services.TooLate, services.Finished) as exc:
        messages.error(request, exc.message)
        return _redirect(request, reverse("quizzes:result", args=[pk]))
    except QuizError as exc:
        attempt = _own_attempt(request, pk)
        return _stage_error(request, attempt, _items(attempt), exc)
    return _after(request, outcome)


def _after(request, outcome: services.Outcome) -> HttpResponse:
    attempt, items, current = outcome.attempt, outcome.items, outcome.item
    if outcome.finished:
        return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))
    notice = "" if outcome.applied else "This item was already answered; your first answer stands."
    show_now = attempt.feedback == Feedback.IMMEDIATE or (current.self_graded and not current.is_done)
    if not show_now:
        nxt = _current(items, None)
        current = nxt or current
        services.mark_shown(current)
    if not wants_fragment(request):  # answers are posted from the stage only: it is the fragment
        return redirect(f"{reverse('quizzes:play', args=[attempt.pk])}?item={current.number}")
    return TemplateResponse(request, "quizzes/play.html#stage", _stage_context(attempt, items, current, notice=notice))


@login_required
@require_POST
def finish(request, pk: int):
    attempt = _own_attempt(request, pk)
    services.finish(attempt)
    return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))


@login_required
@require_GET
def clock(request, pk: int):
    """The countdown, re-read from the server so a sleeping tab or a paused timer catches up."""
    attempt = _own_attempt(request, pk)
    if _closed(attempt):
        return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))
    if not wants_fragment(request, "countdown"):
        return redirect(attempt.get_absolute_url())  # the countdown lives on the quiz page
    return TemplateResponse(
        request, "quizzes/play.html#countdown",
        {"attempt": attempt, "remaining_ms": int(attempt.remaining().total_seconds() * 1000)},
    )


@login_required
@require_GET
def result(request, pk: int):
    attempt = _own_attempt(request, pk)
    if not _closed(attempt):
        return redirect(attempt.get_absolute_url())
    items = list(
        attempt.items.select_related("question__category__question_set").only(
            "attempt_id", "position", "kind", "snapshot", "answered_at", "response", "correct", "duration_ms",
            "question__slug", "question__category__slug", "question__category__question_set__slug",
        )
    )
    attempt.settle(items)
    categories: dict[str, dict] = {}
    for item in items:
        row = categories.setdefault(
            item.snapshot.get("category") or "—", {"name": item.snapshot.get("category") or "—",
                                                    "auto": 0, "right": 0, "recall": 0, "recall_right": 0}
        )
        if item.self_graded:
            row["recall"] += 1
            row["recall_right"] += bool(item.correct)
        else:
            row["auto"] += 1
            row["right"] += bool(item.correct)
    for row in categories.values():
        row["percent"] = round(100 * row["right"] / row["auto"]) if row["auto"] else None
    missed = sum(1 for item in items if not item.correct)
    return TemplateResponse(request, "quizzes/result.html", {
        "attempt": attempt, "items": items, "categories": sorted(categories.values(), key=lambda r: r["name"]),
        "missed": missed, "abandoned": not any(item.is_answered for item in items),
    })


@login_required
@require_POST
def delete(request, pk: int):
    """Delete a quiz finished without a single answer; one with answers is the user's record."""
    attempt = _own_attempt(request, pk)
    if not services.close_if_expired(attempt):
        return HttpResponse("Finish the quiz before deleting it.", status=409)
    with transaction.atomic():
        if AttemptItem.objects.filter(attempt=attempt, answered_at__isnull=False).exists():
            return HttpResponse("Only a quiz with no answers can be deleted.", status=409)
        attempt.delete()
    messages.info(request, f"Deleted the unanswered quiz “{attempt.title}”.")
    return _redirect(request, reverse("quizzes:history"))


@login_required
@require_POST
def retry(request, pk: int):
    attempt = _own_attempt(request, pk)
    if not services.close_if_expired(attempt):
        return HttpResponse("Finish the quiz before retrying its missed items.", status=409)
    try:
        new = services.retry_missed(attempt)
    except QuizError as exc:
        messages.info(request, exc.message)
        return _redirect(request, reverse("quizzes:result", args=[attempt.pk]))
    return _redirect(request, new.get_absolute_url())


@login_required
@require_GET
def history(request):
    attempts = Attempt.objects.of(request.user).annotate(
        answered=Count("items", filter=Q(items__answered_at__isnull=False))
    ).order_by("-started_at", "-pk")[:200].settled()
    # Abandoned quizzes (finished with no answer) say nothing about the user: not in the trend.
    finished = [a for a in attempts if a.is_finished and a.auto_total and a.answered]
    open_attempts = [a for a in attempts if not a.is_finished]
    return TemplateResponse(request, "quizzes/history.html", {
        "attempts": [a for a in attempts if a.is_finished],
        "open_attempts": open_attempts,
        "trend": list(reversed(finished[:30])),
        "drills": Drill.objects.of(request.user).with_counts()[:10],
    })

