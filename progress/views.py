"""Review sessions, their actions (rate, undo, bury, suspend), settings and the progress dashboard.

Every action answers htmx with the refreshed session fragment and a plain POST with a redirect
back to the session, so the page works without JavaScript. Card actions name the question: a
card is created when it is first rated (or buried, or suspended), never when it is shown.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from prepsite.htmx import HtmxHttpRequest, for_htmx, wants_fragment
from prepsite.models import Job
from prepsite.pagecache import cache_signed_in, cacheable
from questions.models import Category, Question, QuestionSet

from . import caching, optimizer, planning, services, stats
from .charts import readiness_chart
from .forms import (
    CardActionForm, FlashcardRatingForm, InterviewForm, OutcomeForm, PlanForm, RatingForm, ReviewSettingsForm, ScopeForm,
    UndoForm,
)
from .models import Card, Interview, ReviewLog
from .queue import Scope, active_plan, build_session, due_counts, learning_after, plan_key

SESSION = "review.html#session"
UNDO = "review.html#undo_slot"
NOT_READ = object()  # the active plan, when the caller has not read it yet


def _scope(request: HtmxHttpRequest) -> Scope:
    """The session's scope from the query or the form; an unknown category or set is a 404."""
    data = request.POST if request.method == "POST" else request.GET
    if "category" not in data and "set" not in data:  # the whole queue: nothing to check
        return Scope()
    form = ScopeForm(data)
    if not form.is_valid():
        raise Http404("No such category or question set.")
    if form.cleaned_data["category"] is not None:
        category = get_object_or_404(Category.objects.select_related("question_set"), pk=form.cleaned_data["category"])
        return Scope(category=category)
    set_slug = form.cleaned_data["set"]
    if set_slug:
        if not QuestionSet.objects.filter(slug=set_slug).exists():
            raise Http404("No such question set.")
        return Scope(set_slug=set_slug)
    return Scope()


def _settings(request: HtmxHttpRequest, **read):
    """The user's review settings; `saved=` the row as the caller has just read it (None: there is none)."""
    return services.settings_for(request.user, request.COOKIES.get("tz", ""), save=request.method == "POST", **read)


def _review_url(scope: Scope) -> str:
    return reverse("progress:review") + (f"?{scope.querystring}" if scope.querystring else "")


def _session_response(
    request, scope: Scope, review_settings, *, undo_log: ReviewLog | None = None, notice="", errors=None, status=200,
    version: tuple | None = None, plan=NOT_READ,
) -> TemplateResponse:
    """The review session; with the user's progress `version` (just read), a page cached under it."""
    now = services.utc_now()
    cached = version is not None
    if plan is NOT_READ:
        if version is not None and not caching.may_have_plan(version):
            plan = None
        else:
            plan = active_plan(request.user, review_settings, scope, now)
    context = {
        "scope": scope,
        "review_settings": review_settings,
        "notice": notice,
        "errors": errors or [],
        "revealed": request.GET.get("reveal") == "1",
        "now": now,
        "plan": plan,
    }
    if cached:
        key, session_and_log = _cached_session(request.user, review_settings, scope, now, plan, version)
        # A page cache hit needs none of it: the page's key is the session's.
        return cacheable(TemplateResponse(request, "progress/review.html", context, status=status), key,
                         fill=lambda: _session_context(review_settings, now, *session_and_log()))
    counts = due_counts(request.user, review_settings, scope, now, plan)
    session = build_session(request.user, review_settings, scope, now, counts)
    last_log = None if undo_log else services.last_undoable(request.user)
    context.update(_session_context(review_settings, now, session, undo_log or last_log))
    return TemplateResponse(request, "progress/review.html", context, status=status)


def _session_context(review_settings, now, session, undo_log) -> dict:
    context = {"session": session, "undo_log": undo_log}
    for card in session.cards:
        rated = stats.outcomes(review_settings, card, now)
        card.previews = stats.previews(review_settings, card, now, rated)
        card.info = stats.card_info(review_settings, card, now)
        card.learning_after = learning_after(rated, now)  # the browser counts ahead with it
    if session.card is not None:
        context["previews"], context["card_info"] = session.card.previews, session.card.info
    return context


def _cached_session(user, review_settings, scope: Scope, now, plan, version):
    """The session's key, and a function returning the session's card and counts and the last undoable
    rating, cached under the user's progress version (every rating, undo, bury and suspend moves it),
    the plan and the minute."""
    def build():
        counts = due_counts(user, review_settings, scope, now, plan)
        return build_session(user, review_settings, scope, now, counts), services.last_undoable(user)

    key = caching.user_key("review-session", user, review_settings, now, scope.query, plan_key(plan), version=version)
    return key, lambda: caching.cached(key, build)


@login_required
@require_GET
@cache_signed_in
@for_htmx(target="review-session", use_partial="session")
def review(request: HtmxHttpRequest) -> HttpResponse:
    scope = _scope(request)
    version, saved = caching.progress_state(request.user)
    return _session_response(request, scope, _settings(request, saved=saved), version=version)


def _after_action(request: HtmxHttpRequest, scope: Scope, review_settings, *, notice: str = "", undo_log=None,
                  form=None, plan=NOT_READ) -> HttpResponse:
    """The refreshed session for htmx (422 with the form's errors), else a redirect back to it."""
    errors = [f"{form[name].label}: {error}" for name, field_errors in form.errors.items() for error in field_errors] if form is not None else []
    if wants_fragment(request):
        response = _session_response(request, scope, review_settings, undo_log=undo_log, notice=notice,
                                     errors=errors, status=422 if errors else 200, plan=plan)
        response.template_name = f"progress/{SESSION}"
        if not errors:
            trigger_client_event(response, "reviewChanged")
        return response
    if errors:
        return _session_response(request, scope, review_settings, errors=errors, status=422)
    if notice:
        messages.info(request, notice)
    return redirect(_review_url(scope))


def _plan_settings(review_settings, plan, question_id: int):
    """The settings to rate with: a plan's higher retention applies to the cards of its scope."""
    if plan is None or plan.plan_retention is None:
        return review_settings
    if not Question.objects.filter(plan.questions_q(), pk=question_id).exists():
        return review_settings
    raised = copy.copy(review_settings)
    raised.desired_retention = max(plan.plan_retention, review_settings.desired_retention)
    return raised


@login_required
@require_POST
def rate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Rate the user's card for question `pk`; the first rating creates the card."""
    form = RatingForm(request.POST)
    scope = _scope(request)
    review_settings = _settings(request)
    if not form.is_valid():
        return _after_action(request, scope, review_settings, form=form)
    data = form.cleaned_data
    plan = active_plan(request.user, review_settings, scope, services.utc_now())
    try:
        log = services.rate_question(
            request.user, pk, data["rating"], version=data["version"], duration_ms=data["duration_ms"],
            review_settings=_plan_settings(review_settings, plan, pk),
        )
    except Question.DoesNotExist:
        raise Http404("No such question.") from None
    except services.StaleCard:
        return _after_action(request, scope, review_settings, notice="That card was already answered; here is the next one.")
    log.card = Card(pk=log.card_id)  # the undo button needs only the ids
    if data["then"] and wants_fragment(request):
        # The browser already shows the next card it was sent: it needs only the undo button for this rating.
        response = TemplateResponse(request, f"progress/{UNDO}", {"scope": scope, "undo_log": log, "oob": True})
        response["HX-Reswap"] = "none"
        trigger_client_event(response, "reviewChanged")
        return response
    return _after_action(request, scope, review_settings, undo_log=log, plan=plan)


@login_required
@require_POST
def flashcard_rate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Rate a flashcard after its answer was shown, as in a review, then go on to the next card."""
    form = FlashcardRatingForm(request.POST)
    if not form.is_valid():
        return TemplateResponse(request, "progress/flashcard_rating_error.html", {"form": form}, status=422)
    data = form.cleaned_data
    question = get_object_or_404(Question.objects.listed().with_category(), pk=pk)
    try:
        log = services.rate_question(request.user, pk, data["rating"], version=data["version"],
                                     duration_ms=data["duration_ms"], source=ReviewLog.Source.FLASHCARD)
    except services.StaleCard:
        messages.info(request, "That card was already rated.")
    else:
        messages.success(request, f"Rated {log.get_rating_display()}: “{question.title}” is due again {log.due_after:%d %b}.")
    target = data["next"]
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = question.category.get_absolute_url()
    return redirect(target)


@login_required
@require_POST
def undo(request: HtmxHttpRequest) -> HttpResponse:
    form = UndoForm(request.POST)
    scope = _scope(request)
    review_settings = _settings(request)
    if not form.is_valid():
        return _after_action(request, scope, review_settings, form=form)
    log_id = form.cleaned_data["log"]
    card = services.undo_rating(request.user, log_id) if log_id is not None else None
    notice = "Rating undone." if card else "Nothing to undo: that rating was already undone or is no longer the latest."
    return _after_action(request, scope, review_settings, notice=notice)


def _card_action(request: HtmxHttpRequest, pk: int, action, done: str) -> HttpResponse:
    form = CardActionForm(request.POST)
    scope = _scope(request)
    review_settings = _settings(request)
    if not form.is_valid():
        return _after_action(request, scope, review_settings, form=form)
    try:
        action(request.user, pk, version=form.cleaned_data["version"])
    except Question.DoesNotExist:
        raise Http404("No such question.") from None
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
        raise Http404("No such card.") from None
    if wants_fragment(request):
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
    return TemplateResponse(request, "progress/suspended.html", {"cards": cards})


@login_required
@require_http_methods(["GET", "POST"])
def review_settings(request: HtmxHttpRequest) -> HttpResponse:
    current = _settings(request)
    old_time_zone = current.time_zone
    status = 200
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
        status = 422
    else:
        form = ReviewSettingsForm(instance=current)
    return TemplateResponse(
        request,
        "progress/settings.html",
        {"form": form, "time_zones": ReviewSettingsForm.time_zone_names(), "detected": not old_time_zone,
         **_fit_context(request.user, current)},
        status=status,
    )


def _fit_context(user, review_settings) -> dict:
    job = optimizer.latest_job(user)
    return {
        "review_settings": review_settings,
        "fit_job": job if job is not None and not job.finished else None,
        "failed_fit": job if job is not None and job.state == job.State.FAILED else None,
        "review_count": ReviewLog.objects.filter(user=user).count(),
        "min_fit_reviews": optimizer.MIN_REVIEWS,
    }


@login_required
@require_POST
def fit_start(request: HtmxHttpRequest) -> HttpResponse:
    """Start fitting FSRS parameters to the user's reviews (a job), when there are enough of them."""
    if ReviewLog.objects.filter(user=request.user).count() < optimizer.MIN_REVIEWS:
        messages.error(request, f"Fitting needs at least {optimizer.MIN_REVIEWS} reviews.")
        return redirect("progress:settings")
    job = optimizer.latest_job(request.user)
    if job is None or job.finished:
        with transaction.atomic():
            job = optimizer.start(request.user)
    return redirect(f"{reverse('progress:settings')}#fit-title")


@login_required
@require_GET
@for_htmx(target="fit-progress", use_partial="fit-progress")
def fit_status(request: HtmxHttpRequest, pk) -> HttpResponse:
    """The fit job's progress; once it has finished, htmx reloads the settings page with the figures."""
    job = get_object_or_404(Job.objects.filter(user=request.user, kind=optimizer.KIND), pk=pk)
    if job.finished and wants_fragment(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("progress:settings")
        return response
    return TemplateResponse(request, "progress/fit_status.html", {"fit_job": job})


@login_required
@require_POST
def fit_revert(request: HtmxHttpRequest) -> HttpResponse:
    review_settings = _settings(request)
    with transaction.atomic():
        if review_settings.revert_parameters():
            messages.success(request, "Reverted to the previous FSRS parameters.")
        else:
            messages.info(request, "Nothing to revert.")
    return redirect("progress:settings")


@login_required
@require_GET
@cache_signed_in
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    return _dashboard_response(request)


def _dashboard_response(request, invalid: OutcomeForm | None = None) -> TemplateResponse:
    """The dashboard; `invalid` is a posted outcome form to show with its errors (422)."""
    now = services.utc_now()
    version, any_interviews, saved = caching.dashboard_version(request.user, now)
    review_settings = _settings(request, saved=saved)
    today = review_settings.local_day(now)
    upcoming, awaiting = services.interviews_for(request.user, today) if any_interviews else ([], [])
    readiness_on = upcoming[0].on if upcoming else None
    # One key for the figures and the whole page: everything of the user's the page shows, the
    # interviews and other apps' sections (the recent quizzes, in the version) included, and the minute.
    key = caching.user_key("dashboard", request.user, review_settings, now, readiness_on,
                           caching.interviews_state(upcoming + awaiting), version=version)

    def figures():
        return caching.cached(key, lambda: {
            **stats.dashboard(request.user, review_settings, now, readiness_on=readiness_on),
            "interviews": stats.interview_figures(request.user, review_settings, upcoming, now),
        })

    context = {
        "review_settings": review_settings,
        "dashboard_key": key,
        "awaiting_outcome": [
            invalid if invalid is not None and invalid.instance.pk == interview.pk
            else OutcomeForm(instance=interview, prefix=f"i{interview.pk}")
            for interview in awaiting
        ],
    }
    if invalid is not None:
        return TemplateResponse(request, "progress/dashboard.html", {**figures(), **context}, status=422)
    # A page cache hit needs none of the figures.
    return cacheable(TemplateResponse(request, "progress/dashboard.html", context), key, fill=figures)


def _interviews_page(request, review_settings, form, *, status=200, editing=None) -> TemplateResponse:
    now = services.utc_now()
    today = review_settings.local_day(now)
    upcoming, awaiting = services.interviews_for(request.user, today)
    past = Interview.objects.of(request.user).filter(on__lt=today).exclude(outcome="")
    return TemplateResponse(request, "progress/interviews.html", {
        "form": form,
        "editing": editing,
        "interviews": stats.interview_figures(request.user, review_settings, upcoming, now),
        "awaiting_outcome": awaiting,
        "past": past,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def interviews(request: HtmxHttpRequest) -> HttpResponse:
    """The user's interview dates, and the form to add one."""
    review_settings = _settings(request)
    today = review_settings.local_day(services.utc_now())
    if request.method == "POST":
        form = InterviewForm(request.POST, today=today, instance=Interview(user=request.user))
        if form.is_valid():
            with transaction.atomic():  # the row and its categories
                interview = form.save()
            messages.success(request, f"Interview date saved: {interview.label}, {interview.on:%d %B %Y}.")
            return redirect("progress:interviews")
        return _interviews_page(request, review_settings, form, status=422)
    return _interviews_page(request, review_settings, InterviewForm(today=today))


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(Interview.objects.of(request.user), pk=pk)
    review_settings = _settings(request)
    today = review_settings.local_day(services.utc_now())
    if request.method == "POST":
        form = InterviewForm(request.POST, today=today, instance=interview)
        if form.is_valid():
            with transaction.atomic():
                form.save()
            messages.success(request, "Interview date updated.")
            return redirect("progress:interviews")
        return _interviews_page(request, review_settings, form, status=422, editing=interview)
    return _interviews_page(request, review_settings, InterviewForm(today=today, instance=interview), editing=interview)


@login_required
@require_POST
def interview_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    interview = get_object_or_404(Interview.objects.of(request.user), pk=pk)
    interview.delete()
    messages.success(request, f"Removed {interview.label}.")
    return redirect("progress:interviews")


@login_required
@require_POST
def interview_outcome(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Store how a past interview went."""
    interview = get_object_or_404(Interview.objects.of(request.user), pk=pk)
    form = OutcomeForm(request.POST, instance=interview, prefix=f"i{interview.pk}")
    if not form.is_valid():
        return _dashboard_response(request, invalid=form)
    form.instance.outcome_at = services.utc_now()
    form.save()
    messages.success(request, "Thank you: noted how it went.")
    return redirect("progress:dashboard")


def _plan_page(request, interview: Interview, review_settings, form=None, *, status=200) -> TemplateResponse:
    now = services.utc_now()
    today = review_settings.local_day(now)
    # cached like the dashboard: a rating, a plan or an edit of the date moves the key
    key = caching.user_key("interview-plan", request.user, review_settings, now, planning.interview_state(interview))
    plan, pace, measured = caching.cached(key, lambda: (
        planning.interview_plan(request.user, review_settings, interview, now),
        *planning.seconds_per_review(request.user),
    ))
    if form is None:
        form = PlanForm(initial={"new_per_day": plan.recommended.new_per_day,
                                 "retention": "" if interview.plan_retention is None else str(interview.plan_retention)})
    return TemplateResponse(request, "progress/interview_plan.html", {
        "interview": interview,
        "days_left": interview.days_left(today),
        "plan": plan,
        "chart": readiness_chart(today, plan.current.readiness, plan.recommended.readiness, interview.target),
        "pace": pace,
        "pace_measured": measured,
        "review_settings": review_settings,
        "form": form,
    }, status=status)


def _own_upcoming_interview(request, pk: int, review_settings) -> Interview:
    today = review_settings.local_day(services.utc_now())
    return get_object_or_404(
        Interview.objects.of(request.user).upcoming(today).select_related("question_set").prefetch_related("categories"),
        pk=pk,
    )


@login_required
@require_GET
def interview_plan(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The forecast for an upcoming interview: readiness by day under the current and the recommended plan."""
    review_settings = _settings(request)
    return _plan_page(request, _own_upcoming_interview(request, pk, review_settings), review_settings)


@login_required
@require_POST
def interview_apply_plan(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    review_settings = _settings(request)
    interview = _own_upcoming_interview(request, pk, review_settings)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, interview, review_settings, form, status=422)
    interview.apply_plan(form.cleaned_data["new_per_day"], form.cleaned_data["retention"], services.utc_now())
    messages.success(request, f"Plan applied: {interview.plan_new_per_day} new question{'s' if interview.plan_new_per_day != 1 else ''} "
                              f"a day from {interview.scope_label} until {interview.on:%d %B}.")
    return redirect("progress:interview_plan", pk=interview.pk)


@login_required
@require_POST
def interview_end_plan(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    review_settings = _settings(request)
    interview = _own_upcoming_interview(request, pk, review_settings)
    interview.clear_plan()
    messages.success(request, "Plan ended: the review queue follows your settings again.")
    return redirect("progress:interview_plan", pk=interview.pk)
