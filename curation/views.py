"""Public pages: home, the track list with sorts and filters, a track, a batch, sign-up."""

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from albumvote.exceptions import ApplicationError
from curation import anomalies, scoring, selectors
from curation.arena import selectors as arena_selectors
from curation.arena import services as arena_services
from curation.filters import TrackFilterSet
from curation.identity import current_listener_id
from curation.ranking import verdict
from curation.rules import PROVEN_LISTENING_S
from curation.services import listeners
from generation import selectors as generation_selectors
from generation.models import Track

PAGE_SIZE = 30


def home(request: HttpRequest) -> HttpResponse:
    length = selectors.HOME_LIST_LENGTH
    new_tracks = list(selectors.track_list(selectors.TrackFilters(sort="new"))[:length])
    latest = selectors.batch_latest()
    context = {
        "new_tracks": new_tracks,
        "top_tracks": list(selectors.track_top_rated(length)),
        "latest_batch": latest,
        "latest_tracks": selectors.home_latest_batch_rest(batch=latest, shown=new_tracks),
        "list_length": length,
        "running": generation_selectors.batch_running_progress(),
    }
    return render(request, "curation/home.html", context)


def track_list(request: HttpRequest) -> HttpResponse:
    filters, problems = _parse_filters(request.GET)
    for problem in problems:
        messages.warning(request, problem)
    page = Paginator(selectors.track_list(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "tracks": page.object_list,
        "filters": filters,
        "choices": selectors.track_filter_choices(),
        "query": query.urlencode(),
        "filtered": any(
            value not in (None, "") for name, value in vars(filters).items() if name != "sort"
        ),
        "running": generation_selectors.batch_running_progress(),
    }
    return render(request, "curation/track_list.html", context)


def track_detail(request: HttpRequest, track_id: int) -> HttpResponse:
    track = selectors.track_detail(track_id=track_id)
    if track is None:
        raise Http404("No such track, or it is not published.")
    mine = selectors.listener_track_mine(
        listener_id=current_listener_id(request), track_id=track.pk, duration_s=track.duration_s
    )
    context = {
        "track": track,
        "rating": selectors.rating_state(getattr(track, "stats", None)),
        "mine": mine,
        "listen": listen_progress(mine),
        "summary": selectors.track_summary(track),
        "proven_minutes": PROVEN_LISTENING_S / 60,
    }
    return render(request, "curation/track_detail.html", context)


def listen_progress(mine: dict[str, Any]) -> dict[str, Any]:
    """The stars' listen-first figures in whole seconds, worked out as rating.js does from the
    same server figures: counted rounds down and needed rounds up, as the refusal says them."""
    required, listened = mine["required_s"], mine["listened_s"]
    needed = math.ceil(required)
    counted = min(math.floor(listened), needed)
    return {
        "locked": not mine["stars"] and not mine["can_rate"],
        "required_s": needed,
        "counted_s": counted,
        "left_s": max(1, needed - counted),
        "share": min(1.0, listened / required) if required > 0 else 1.0,
    }


def track_peaks(request: HttpRequest, track_id: int) -> JsonResponse:
    peaks = (
        Track.objects.filter(pk=track_id, status=Track.Status.READY)
        .values_list("peaks", flat=True)
        .first()
    )
    if peaks is None:
        raise Http404("No such track.")
    response = JsonResponse({"track": track_id, "peaks": peaks})
    response["Cache-Control"] = "public, max-age=86400"
    return response


def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_detail(batch_id=batch_id)
    if batch is None:
        raise Http404("No such batch.")
    context = {
        "batch": batch,
        "tracks": list(selectors.track_list(selectors.TrackFilters(batch=batch.pk))),
        "counts": generation_selectors.batch_status_counts(batch_id=batch.pk),
    }
    return render(request, "curation/batch_detail.html", context)


def arena(request: HttpRequest) -> HttpResponse:
    """Two tracks of a batch as A and B; vote once both have been heard for 10 s each."""
    raw = request.GET.get("batch", "")
    asked = int(raw) if raw.isdigit() and len(raw) <= 18 else None
    batch_id = arena_selectors.arena_batch(asked)
    pair = arena_selectors.arena_next_pair(batch_id=batch_id) if batch_id else None
    board = list(arena_selectors.arena_leaderboard(batch_id=batch_id)) if batch_id else []
    context = {
        "batch_id": batch_id,
        "asked": raw,
        "sides": arena_selectors.arena_sides(
            pair,
            listener_id=current_listener_id(request),
            needed_s=arena_services.LISTEN_EACH_S,
        ),
        "listen_each_s": int(arena_services.LISTEN_EACH_S),
        "arena_rule": arena_selectors.arena_rule_text(),
        "chart": arena_selectors.leaderboard_chart(board),
        "proven_minutes": PROVEN_LISTENING_S / 60,
    }
    return render(request, "curation/arena.html", context)


def how_ranking_works(request: HttpRequest) -> HttpResponse:
    """The formulas in words, with the constants the code uses (so the page cannot drift)."""
    context = {
        "z": scoring.LCB_Z,
        "empty_bound": scoring.lower_bound([0, 0, 0, 0, 0]),
        "ten_fives": scoring.lower_bound([0, 0, 0, 0, 10]),
        "strength": settings.CURATION_BAYES_PRIOR_STRENGTH,
        "prior": verdict.site_mean_rating(),
        "weights": scoring.CROWD_WEIGHTS,
        "shrink": scoring.SHRINK_LISTENERS,
        "neutral_through": scoring.NEUTRAL_LISTEN_THROUGH,
        "neutral_skip": scoring.NEUTRAL_SKIP_RATE,
        "half_life_h": scoring.TREND_HALF_LIFE_S / 3600,
        "proven_minutes": PROVEN_LISTENING_S / 60,
        "flag_one_in": f"{round(1 / anomalies.ALPHA):,}",
        "flag_min_votes": anomalies.MIN_VOTES,
    }
    return render(request, "curation/how_ranking_works.html", context)


def signup(request: HttpRequest) -> HttpResponse:
    form: UserCreationForm[User] = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = listeners.account_create(form=form, request=request)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            response = render(request, "registration/signup.html", {"form": form}, status=429)
            response["Retry-After"] = exc.headers["Retry-After"]
            return response
        # Logging in adopts this browser's listening history and ratings.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome! Your ratings and listening are kept with your account.")
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return redirect(target)
    return render(request, "registration/signup.html", {"form": form})


def _parse_filters(params: Any) -> tuple[selectors.TrackFilters, list[str]]:
    """The page's filters through the one FilterSet (curation.filters): a refused value is a
    message, and the rest still filters."""
    problems: list[str] = []
    sort = params.get("sort") or "new"
    if sort not in selectors.SORTS:
        problems.append(f"Unknown sort '{sort}'; showing the newest tracks.")
        sort = "new"
    filterset = TrackFilterSet(params, queryset=selectors.published_tracks())
    for name, problem in filterset.problems():
        label = filterset.filters[name].label
        problems.append(f"{label} {problem}; '{params.get(name, '')[:40]}' was ignored.")
    given = filterset.form.cleaned_data if filterset.is_bound else {}

    def number(name: str) -> Any:
        value = given.get(name)
        return int(value) if name == "batch" and value is not None else value

    return selectors.TrackFilters(
        sort=sort,
        batch=number("batch"),
        preset=given.get("preset") or None,
        key=given.get("key") or None,
        tempo_min=float(given["tempo_min"]) if given.get("tempo_min") is not None else None,
        tempo_max=float(given["tempo_max"]) if given.get("tempo_max") is not None else None,
    ), problems
