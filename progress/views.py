"""Review sessions, their actions (rate, undo, bury, suspend), settings and the progress dashboard.

Every action answers htmx with the refreshed session fragment and a plain POST with a redirect
back to the session, so the page works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

import fsrs
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from questions.htmx import HtmxHttpRequest
from questions.models import Category, QuestionSet

from . import services, stats
from .forms import ReviewSettingsForm
from .models import Card, Rating, ReviewLog
from .queue import Scope, build_session

MAX_DURATION_MS = 60 * 60 * 1000  # longer than an hour is a tab left open, not thinking time
MAX_ID = 2**63 - 1


class BadParameter(Exception):
    """A form field that is present but not a whole number."""


def whole_number(value: str) -> int | None:
    """The non-negative integer an ASCII digit string spells, else None.

    str.isdigit() accepts "²" and other Unicode digits that int() rejects, hence isascii().
    """
    if value.isascii() and value.isdecimal() and len(value) <= 19:
        return int(value)
    return None


def _optional_number(request: HttpRequest, name: str, maximum: int = MAX_ID) -> int | None:
    """The POSTed whole number `name`, None when absent; BadParameter when malformed."""
    value = request.POST.get(name, "")
    if value == "":
        return None
    number = whole_number(value)
    if number is None or number > maximum:
        raise BadParameter(f"“{name}” must be a whole number, not “{value[:20]}”.")
    return number


def _scope(request: HttpRequest) -> Scope:
    data = request.POST if request.method == "POST" else request.GET
    category_id = data.get("category", "")
    if category_id:
        number = whole_number(category_id)
        if number is None or number > MAX_ID:
            raise Http404("No such category.")
        category = get_object_or_404(Category.objects.select_related("question_set"), pk=number)
        return Scope(category=category)
    set_slug = data.get("set", "")
    if set_slug:
        if not QuestionSet.objects.filter(slug=set_slug).exists():
            raise Http404("No such question set.")
        return Scope(set_slug=set_slug)
    return Scope()


def _settings(request: HttpRequest):
    return services.settings_for(request.user, request.COOKIES.get("tz", ""))


def _review_url(scope: Scope) -> str:
    query = urlencode(scope.query)
    return reverse("progress:review") + (f"?{query}" if query else "")


def _render_session(request, scope: Scope, review_settings, *, undo_log: ReviewLog | None = None, lookup_undo=True, notice=""):
    now = services.utc_now()
    session = build_session(request.user, review_settings, scope, now)
    if lookup_undo and undo_log is None:
        undo_log = services.last_undoable(request.user)
    context = {
        "session": session,
        "scope": scope,
        "review_settings": review_settings,
        "undo_log": undo_log,
        "notice": notice,
        "revealed": request.GET.get("reveal") == "1",
        "now": now,
    }
    if session.card is not None:
        context["previews"] = stats.previews(review_settings, session.card, now)
        context["card_info"] = stats.card_info(review_settings, session.card, now)
    template = "progress/review.html"
    if request.htmx:
        template += "#session"
    return render(request, template, context)


@login_required
@require_GET
def review(request: HtmxHttpRequest) -> HttpResponse:
    return _render_session(request, _scope(request), _settings(request))


def _after_action(request: HtmxHttpRequest, scope: Scope, review_settings, *, notice: str = "", undo_log=None, lookup_undo=True):
    if request.htmx:
        response = _render_session(
            request, scope, review_settings, undo_log=undo_log, lookup_undo=lookup_undo, notice=notice
        )
        trigger_client_event(response, "reviewChanged")
        return response
    if notice:
        messages.info(request, notice)
    return redirect(_review_url(scope))


@login_required
@require_POST
def rate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    rating = request.POST.get("rating", "")
    try:
        version = _optional_number(request, "version")
        duration_ms = min(_optional_number(request, "duration_ms") or 0, MAX_DURATION_MS)
    except BadParameter as error:
        return HttpResponseBadRequest(str(error))
    if rating not in {str(r.value) for r in Rating} or version is None:
        return HttpResponseBadRequest("A rating needs a value from 1 (Again) to 4 (Easy) and the card's version.")
    scope = _scope(request)
    review_settings = _settings(request)
    try:
        log = services.rate_card(
            request.user, pk, fsrs.Rating(int(rating)), version=version, duration_ms=duration_ms,
            review_settings=review_settings,
        )
    except Card.DoesNotExist:
        raise Http404("No such card.")
    except services.StaleCard:
        return _after_action(request, scope, review_settings, notice="That card was already answered; here is the next one.")
    log.card = Card(pk=log.card_id)  # the undo button needs only the ids
    return _after_action(request, scope, review_settings, undo_log=log)


@login_required
@require_POST
def undo(request: HtmxHttpRequest) -> HttpResponse:
    try:
        log_id = _optional_number(request, "log")
    except BadParameter as error:
        return HttpResponseBadRequest(str(error))
    scope = _scope(request)
    review_settings = _settings(request)
    card = services.undo_rating(request.user, log_id) if log_id is not None else None
    notice = "Rating undone." if card else "Nothing to undo: that rating was already undone or is no longer the latest."
    return _after_action(request, scope, review_settings, notice=notice)


def _card_action(request: HtmxHttpRequest, pk: int, action, done: str) -> HttpResponse:
    try:
        version = _optional_number(request, "version")  # absent: act whatever the version
    except BadParameter as error:
        return HttpResponseBadRequest(str(error))
    scope = _scope(request)
    review_settings = _settings(request)
    try:
        action(request.user, pk, version=version)
    except Card.DoesNotExist:
        raise Http404("No such card.")
    except services.StaleCard:
        return _after_action(request, scope, review_settings, notice="That card has changed in another tab; here is the current one.")
    return _after_action(request, scope, review_settings, notice=done)


@login_required
@require_POST
def bury(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _card_action(request, pk, services.bury_card, "Buried until tomorrow.")


@login_required
@require_POST
def suspend(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _card_action(request, pk, services.suspend_card, "Suspended. Unsuspend it from the list of suspended cards.")


@login_required
@require_POST
def unsuspend(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    try:
        card = services.unsuspend_card(request.user, pk)
    except Card.DoesNotExist:
        raise Http404("No such card.")
    if request.htmx:
        return HttpResponse("")  # the row disappears from the list
    messages.success(request, f"“{card.question.title}” is back in the review queue.")
    return redirect("progress:suspended")


@login_required
@require_GET
def suspended(request: HtmxHttpRequest) -> HttpResponse:
    cards = (
        Card.objects.of(request.user)
        .filter(suspended=True)
        .select_related("question__category__question_set")
        .order_by("question__category__question_set__title", "question__category__position", "question__position")
    )
    return render(request, "progress/suspended.html", {"cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: HtmxHttpRequest) -> HttpResponse:
    current = _settings(request)
    old_time_zone = current.time_zone
    if request.method == "POST":
        form = ReviewSettingsForm(request.POST, instance=current)
        if form.is_valid():
            new_time_zone = form.cleaned_data["time_zone"]
            form.instance.time_zone = old_time_zone
            with transaction.atomic():  # the settings and the re-dayed logs change together or not at all
                form.save()
                if new_time_zone != old_time_zone:
                    services.change_time_zone(current, new_time_zone)
            messages.success(request, "Review settings saved.")
            return redirect("progress:settings")
        status = 400
    else:
        form = ReviewSettingsForm(instance=current)
        status = 200
    return render(
        request,
        "progress/settings.html",
        {"form": form, "time_zones": ReviewSettingsForm.time_zone_names(), "detected": not old_time_zone},
        status=status,
    )


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    review_settings = _settings(request)
    context = stats.dashboard(request.user, review_settings, services.utc_now())
    context["review_settings"] = review_settings
    return render(request, "progress/dashboard.html", context)
