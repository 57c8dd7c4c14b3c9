"""The producers' "What this crowd likes" page (/producer/steering/) and its controls: refit
now, the picks weight, and steering per schedule. Producers only; each control answers with a
message on the page, a refusal included, never a 500."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from albumvote.exceptions import ApplicationError
from albumvote.permissions import producer_required
from curation.producer import selectors as producer_selectors
from curation.producer.views import form_errors
from curation.steering import charts, selectors, services
from curation.steering.composer_versions import composer_versions_panel
from curation.steering.forms import PicksWeightForm, ScheduleSteeringForm
from curation.steering.models import SteeringSettings


@producer_required
def steering_page(request: HttpRequest) -> HttpResponse:
    overview = selectors.steering_overview()
    points = overview.calibration["points"] if overview.calibration else []
    history = selectors.steering_history()
    context: dict[str, Any] = {
        "overview": overview,
        "version": overview.version,
        "effects_chart": charts.effects_chart(overview.effects) if overview.effects else None,
        "calibration_chart": charts.calibration_chart(points) if points else None,
        "history": charts.history_chart(history) if any(b.rated for b in history) else None,
        "history_empty": (
            f"{len(history)} steered batch{'es' if len(history) != 1 else ''}, none of their "
            "tracks rated yet."
            if history
            else "No steered batch yet."
        ),
        "versions": list(selectors.preference_versions()),
        "composer_versions": composer_versions_panel(),
        "schedules": [
            (schedule, ScheduleSteeringForm(initial=_schedule_initial(schedule)))
            for schedule in producer_selectors.schedule_list()
        ],
        "picks_form": PicksWeightForm(
            initial={"picks_weight": SteeringSettings.current().picks_weight}
        ),
    }
    return render(request, "producer/steering.html", context)


def _schedule_initial(schedule: Any) -> dict[str, Any]:
    return {"steer": schedule.steer, "exploration": schedule.exploration}


@producer_required
@require_POST
def steering_refit(request: HttpRequest) -> HttpResponse:
    try:
        version = services.preference_refit()
    except ApplicationError as exc:
        messages.error(request, f"Not refitted: {exc.message}")
    else:
        messages.success(
            request, f"Refitted: preference model {version.pk}, from {version.samples} tracks."
        )
    return redirect("curation:producer-steering")


@producer_required
@require_POST
def steering_settings(request: HttpRequest) -> HttpResponse:
    form = PicksWeightForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("curation:producer-steering")
    settings = services.steering_settings_update(picks_weight=form.cleaned_data["picks_weight"])
    messages.success(request, f"Picks weight set to {settings.picks_weight:g}.")
    return redirect("curation:producer-steering")


@producer_required
@require_POST
def steering_schedule(request: HttpRequest, schedule_id: int) -> HttpResponse:
    form = ScheduleSteeringForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("curation:producer-steering")
    try:
        schedule = services.schedule_steering_set(
            schedule_id=schedule_id,
            steer=form.cleaned_data["steer"],
            exploration=form.cleaned_data["exploration"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        state = (
            f"steered, {schedule.exploration:.0%} exploring" if schedule.steer else "not steered"
        )
        messages.success(request, f"Schedule '{schedule.name}' is {state}.")
    return redirect("curation:producer-steering")
