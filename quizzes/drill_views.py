"""The drill's pages: start (GET shows the form, POST creates the drill), the current step with its
reveal, saving a step, and the summary.

Every step works as a plain page: the reveal is a link (?reveal=1), ticking points and rating is a
form. htmx swaps the step region for the reveal and the save.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from prepsite.htmx import for_htmx, wants_fragment
from progress.models import Rating
from progress.services import utc_now

from . import drill as drills
from .forms import DrillStartForm, DrillStepForm
from .models import Drill, DrillStep

STEP = "drill-step"


def _start_form(request) -> tuple[DrillStartForm, drills.Scope]:
    """The form (bound to the query on GET, to the POST otherwise) and its scope; 404 for an unknown scope."""
    if request.method == "POST":
        form = DrillStartForm(request.POST)
    else:
        form = DrillStartForm({"minutes": drills.DEFAULT_MINUTES, "count": drills.DEFAULT_COUNT, **request.GET.dict()})
    form.is_valid()
    if any(name in form.errors for name in DrillStartForm.SCOPE):
        raise Http404("No such question, category or question set.")
    data = form.cleaned_data
    scope = drills.scope_of(request.user, question=data.get("question"), category=data.get("category"),
                            set_slug=data.get("set", ""), due=data.get("due", False), now=utc_now())
    if scope is None:
        raise Http404("Start a drill from a question, a category, a set or the review queue.")
    return form, scope


@login_required
@require_http_methods(["GET", "POST"])
def start(request) -> HttpResponse:
    """GET shows what the drill will ask and its settings; POST creates it."""
    form, scope = _start_form(request)
    error = ""
    if form.is_valid() and request.method == "POST":
        drill = drills.start(request.user, scope, count=form.cleaned_data["count"],
                             minutes=form.cleaned_data["minutes"], now=utc_now())
        if drill is not None:
            return redirect(drill.get_absolute_url())
        error = "There is nothing to drill here right now."
    status = 200 if form.is_valid() and not error else (422 if request.method == "POST" else 400)
    return TemplateResponse(request, "quizzes/drill_start.html", {
        "form": form, "scope": scope, "available": scope.questions[: drills.COUNTS[-1]].count(), "error": error,
    }, status=status)


def _own_drill(request, pk: int) -> Drill:
    # Someone else's drill is a 404: its existence is not revealed.
    return get_object_or_404(Drill.objects.of(request.user), pk=pk)


def _current_step(drill: Drill) -> DrillStep | None:
    return (drill.steps.filter(saved_at__isnull=True).order_by("position")
            .select_related("question__category__question_set", "question__key_points_override").first())


def _step_response(request, drill: Drill, step: DrillStep, *, reveal: bool, form: DrillStepForm | None = None,
                   notice: str = "", status: int = 200) -> TemplateResponse:
    now = utc_now()
    total = drill.steps.count()
    elapsed = drills.elapsed_ms(step, now)
    context = {"drill": drill, "step": step, "question": step.question, "total": total, "notice": notice,
               "revealed": reveal, "elapsed_ms": elapsed, "elapsed_shown": _whole_seconds(elapsed), "limit_ms": drill.seconds * 1000,
               "over_time": elapsed > drill.seconds * 1000, "rule": drills.RULE}
    if reveal:
        points = drills.points_for(step.question)
        form = form or DrillStepForm(request.GET or None, points=len(points))
        covered: set[int] = set()
        duration = elapsed
        if form.is_bound and form.is_valid():
            covered = set(form.cleaned_data["covered"])
            if form.cleaned_data["duration_ms"]:
                duration = min(form.cleaned_data["duration_ms"], elapsed)
        elif form.is_bound:
            status = max(status, 400)
        chosen = form.cleaned_data.get("rating") if form.is_bound and form.is_valid() else None
        suggested = drills.suggest_rating(len(covered), len(points), duration, drill.seconds)
        context.update({
            "form": form, "duration_ms": duration, "duration_shown": _whole_seconds(duration), "suggested": suggested, "chosen": chosen,
            "points": [{"index": i, "number": i + 1, "text": text, "checked": i in covered,
                        "key": i + 1 if i < drills.SHORTCUT_POINTS else None} for i, text in enumerate(points)],
            "ratings": Rating.choices, "covered_count": len(covered),
            "errors": [e for errors in form.errors.values() for e in errors] if form.is_bound else [],
        })
    return TemplateResponse(request, "quizzes/drill_step.html", context, status=status)


def _whole_seconds(ms: int) -> int:
    """Milliseconds rounded down to whole seconds: the mmss filter rounds up, as a countdown does."""
    return ms // 1000 * 1000


def _to(request, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# no-store: Back after the last step re-requests the page and lands on the summary.
@never_cache
@login_required
@require_GET
@for_htmx(target=STEP, use_partial="step")
def step(request, pk: int) -> HttpResponse:
    drill = _own_drill(request, pk)
    current = _current_step(drill)
    if current is None:
        return _to(request, reverse("drill:summary", args=[drill.pk]))
    return _step_response(request, drill, current, reveal=request.GET.get("reveal") == "1")


@login_required
@require_POST
def save(request, pk: int, number: int) -> HttpResponse:
    """Save step `number` of the drill (its ticks and rating) and go on; `action=check` only
    shows the suggested rating for the ticks (no JavaScript)."""
    drill = _own_drill(request, pk)
    current = _current_step(drill)
    if current is None or current.number != number:
        # An earlier step is a replayed post (another tab, a double click); a later one is not reachable yet.
        if (current is not None and number > current.number) or not drill.steps.filter(position=number - 1).exists():
            raise Http404("This drill has no such question.")
        messages.info(request, "That answer was already saved; here is the next question.")
        return _to(request, drill.get_absolute_url())
    points = drills.points_for(current.question)
    form = DrillStepForm(request.POST, points=len(points))
    if not form.is_valid() or form.cleaned_data["action"] == "check":
        status = 422 if not form.is_valid() else 200
        response = _step_response(request, drill, current, reveal=True, form=form, status=status)
        if wants_fragment(request):
            response.template_name = "quizzes/drill_step.html#step"
        return response
    data = form.cleaned_data
    try:
        result = drills.save(request.user, drill.pk, current.position, covered=data["covered"], rating=data["rating"],
                             duration_ms=data["duration_ms"], now=utc_now())
    except Drill.DoesNotExist:
        raise Http404("This question is no longer in the drill.") from None
    if result is None:
        messages.info(request, "That answer was already saved; here is the next question.")
        return _to(request, drill.get_absolute_url())
    drill, saved = result
    label = Rating(saved.rating).label
    if drill.finished_at:
        return _to(request, reverse("drill:summary", args=[drill.pk]))
    if wants_fragment(request):
        following = _current_step(drill)
        response = _step_response(request, drill, following, reveal=False,
                                  notice=f"Saved “{saved.question.title}” as {label}.")
        response.template_name = "quizzes/drill_step.html#step"
        return response
    messages.success(request, f"Saved “{saved.question.title}” as {label}.")
    return redirect(drill.get_absolute_url())


@login_required
@require_GET
def summary(request, pk: int) -> HttpResponse:
    drill = _own_drill(request, pk)
    steps = list(drill.steps.filter(saved_at__isnull=False).order_by("position")
                 .select_related("question__category__question_set"))
    counts = {value: 0 for value, _ in Rating.choices}
    for done in steps:
        counts[done.rating] = counts.get(done.rating, 0) + 1
    return TemplateResponse(request, "quizzes/drill_summary.html", {
        "drill": drill, "steps": steps, "remaining": drill.steps.filter(saved_at__isnull=True).exists(),
        "ratings": [(label, counts[value], value) for value, label in Rating.choices],
        "missed": drills.missed_most(request.user, steps),
        "total_ms": sum(s.duration_ms for s in steps),
    })
