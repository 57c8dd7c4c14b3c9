"""Producer dashboard pages: batches and schedules, the tracks table, one track in full.

Producers only (albumvote.permissions.producer_required): anonymous visitors are sent to the
login page, other users get the 403 page. Writes go through the generation and album services;
a refusal comes back as a message on the page, never a 500.
"""

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from albumvote.exceptions import ApplicationError
from albumvote.permissions import producer_required
from curation.albums import services as album_services
from curation.producer import charts, selectors, table
from curation.producer.filters import ProducerTrackFilterSet
from curation.producer.forms import PickForm
from generation import planning, schedules
from generation import selectors as generation_selectors
from generation import services as generation_services
from generation.forms import BatchLaunchForm, BatchScheduleForm, preset_choices
from generation.models import GenerationBatch, Track

PAGE_SIZE = 50


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{form.fields[field].label or field}: "
        for error in errors:
            messages.error(request, f"{label}{error}")


@producer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {
        **selectors.batches_for_dashboard(),
        "recent_limit": selectors.RECENT_BATCHES,
        # For batches the live script adds: the same labels the server renders.
        "preset_labels": dict(preset_choices()),
        "batch_sources": dict(GenerationBatch.Source.choices),
        "launch_form": BatchLaunchForm(),
        "waiting_label": generation_selectors.WAITING_FOR_WORKER,  # the live script's word
        "schedules": list(selectors.schedule_list()),
    }
    return render(request, "producer/dashboard.html", context)


@producer_required
@require_POST
def batch_launch(request: HttpRequest) -> HttpResponse:
    form = BatchLaunchForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("curation:producer")
    steer = form.cleaned_data["steer"]
    batch = planning.launch(
        params=form.batch_params,
        source=GenerationBatch.Source.DASHBOARD,
        launched_by=request.user,
        steer=steer,
        exploration=form.cleaned_data["exploration"],
    )
    steered = " (steered by the crowd's taste)" if steer else ""
    messages.success(request, f"Launched batch {batch.pk}{steered}: {batch.count} tracks queued.")
    return redirect("curation:producer")


@producer_required
@require_POST
def track_retry(request: HttpRequest, track_id: int) -> HttpResponse:
    retried = generation_services.tracks_retry(track_ids=[track_id])
    if retried:
        messages.success(request, f"Track {track_id} is queued again.")
    else:
        messages.error(request, f"Track {track_id} is not a failed track; nothing to retry.")
    return redirect(_back(request, reverse("curation:producer-track", args=[track_id])))


@producer_required
def track_table(request: HttpRequest) -> HttpResponse:
    filterset = ProducerTrackFilterSet(request.GET, queryset=selectors.track_list())
    for problem in filterset.messages():
        messages.warning(request, problem)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    links = request.GET.copy()  # the filters, for the other pages' links
    links.pop("page", None)
    context = {
        "page": page,
        "tracks": selectors.tracks_marked(list(page.object_list)),
        "columns": table.COLUMNS,
        "more": table.MORE,
        "veto_meaning": table.VETO_MEANING,
        "shortlist_meaning": table.SHORTLIST_MEANING,
        "filters": filterset.values(),
        "choices": {
            **filterset.choices(),
            "batch": {pk: f"Batch {pk}" for pk in selectors.batch_ids_recent()},
        },
        "query": links.urlencode(),
    }
    return render(request, "producer/tracks.html", context)


@producer_required
def track_detail(request: HttpRequest, track_id: int) -> HttpResponse:
    track = selectors.track_get(track_id=track_id)
    if track is None:
        raise Http404("No such track.")
    selectors.tracks_marked([track])
    pick = getattr(track, "pick", None)
    stats = getattr(track, "stats", None)
    initial = {
        "state": "vetoed"
        if pick and pick.vetoed
        else "shortlisted"
        if pick and pick.shortlisted
        else "none",
        "notes": pick.notes if pick else "",
        "tags": ", ".join(pick.tags) if pick else "",
    }
    counts = [getattr(stats, f"stars_{k}", 0) if stats else 0 for k in range(1, 6)]
    arena_rows = selectors.batch_arena(batch_id=track.batch_id)
    positions = selectors.listener_max_positions(track_id=track.pk)
    rating_times = selectors.rating_times(track_id=track.pk)
    context = {
        "track": track,
        "stats": stats,
        "pick": pick,
        "pick_form": PickForm(initial=initial),
        "refusals": selectors.track_refusals(track_id=track.pk),
        "charts": [
            (
                "Rating distribution",
                charts.rating_distribution_chart(counts) if any(counts) else None,
                "No ratings yet.",
            ),
            (
                "Listen retention",
                charts.retention_chart(positions, track.duration_s) if positions else None,
                "Nobody has listened yet: the curve appears with the first listener.",
            ),
            (
                "Ratings over time",
                charts.ratings_over_time_chart(rating_times) if rating_times else None,
                "No ratings yet.",
            ),
            (
                "Arena ratings in this batch",
                charts.arena_batch_chart(arena_rows, highlight=track.pk),
                "The arena ratings in this batch need more votes before their intervals mean "
                "anything."
                if arena_rows
                else "No arena votes in this batch yet (ratings are refit every minute).",
            ),
        ],
        "arena_meaning": table.COLUMNS["arena"].meaning,
        "metrics": sorted((track.metrics or {}).items()),
        "params_json": json.dumps(track.params, sort_keys=True),
        "steering": getattr(track, "steering", None),
    }
    return render(request, "producer/track.html", context)


@producer_required
@require_POST
def track_picks(request: HttpRequest, track_id: int) -> HttpResponse:
    if not Track.objects.filter(pk=track_id).exists():
        raise Http404("No such track.")
    form = PickForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        try:
            album_services.pick_update(track_id=track_id, user=request.user, **form.pick_kwargs())
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Picks saved.")
    return redirect("curation:producer-track", track_id=track_id)


@producer_required
def schedule_create(request: HttpRequest) -> HttpResponse:
    return _schedule_form(request, BatchScheduleForm(request.POST or None), created=True)


@producer_required
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = selectors.schedule_get(schedule_id=schedule_id)
    if schedule is None:
        raise Http404("No such schedule.")
    return _schedule_form(request, BatchScheduleForm(request.POST or None, instance=schedule))


def _schedule_form(
    request: HttpRequest, form: BatchScheduleForm, created: bool = False
) -> HttpResponse:
    if request.method == "POST":
        if form.is_valid():
            try:
                schedule = schedules.schedule_save(schedule=form.instance)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                verb = "Created" if created else "Saved"
                messages.success(request, f"{verb} schedule '{schedule.name}'.")
                return redirect("curation:producer")
        else:
            form_errors(request, form)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "producer/schedule_form.html", {"form": form, "created": created}, status=status
    )


@producer_required
@require_POST
def schedule_toggle(request: HttpRequest, schedule_id: int) -> HttpResponse:
    enabled = request.POST.get("enabled") == "1"
    try:
        schedule = schedules.schedule_set_enabled(schedule_id=schedule_id, enabled=enabled)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        state = "resumed" if schedule.enabled else "paused"
        messages.success(request, f"Schedule '{schedule.name}' {state}.")
    return redirect("curation:producer")
