"""The producer's composer versions: the list (the partial
templates/producer/_composer_versions.html, on its own page here), training a crowd-tuned
candidate, a duel batch, and promotion and rollback, each asked for once more on a
confirmation page (they change what every next batch sounds like). Producers only; a refusal
comes back as a message."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from albumvote.exceptions import ApplicationError
from albumvote.permissions import producer_required
from curation.steering.composer_versions import composer_versions_panel
from curation.steering.tuning import composer_tune_request
from generation.duels import duel_launch
from generation.models import ComposerVersion, GenerationBatch
from generation.versions import (
    composer_version_get,
    composer_version_promote,
    composer_version_rollback,
    composer_version_sync,
)

CONFIRMED = "confirm"  # the confirmation page's form sends confirm=1


def _list() -> HttpResponse:
    return redirect("curation:producer-composer")


@producer_required
@require_GET
def composer_versions(request: HttpRequest) -> HttpResponse:
    try:
        composer_version_sync()  # rows follow the pointer, if a model was trained outside
    except ApplicationError as exc:
        messages.warning(request, exc.message)
    return render(
        request, "producer/composer.html", {"composer_versions": composer_versions_panel()}
    )


@producer_required
@require_POST
def composer_train(request: HttpRequest) -> HttpResponse:
    try:
        tracks = composer_tune_request(created_by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Training a crowd-tuned candidate on {tracks} approved track{'s' * (tracks != 1)}; "
            "it appears here when trained (a minute at most).",
        )
    return _list()


@producer_required
@require_POST
def composer_duel(request: HttpRequest, version_id: int) -> HttpResponse:
    raw = request.POST.get("pairs", "")
    try:
        batch = duel_launch(
            candidate_id=version_id,
            pairs=int(raw) if raw.isdigit() else raw,
            source=GenerationBatch.Source.DASHBOARD,
            launched_by=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Duel batch {batch.pk} queued: {batch.count // 2} pairs; the arena offers them "
            "once composed.",
        )
    return _list()


@producer_required
@require_POST
def composer_promote(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        target = composer_version_get(version_id)
        current = composer_version_sync()
        if request.POST.get(CONFIRMED) != "1":
            return _confirm(request, "promote", target=target, current=current)
        composer_version_promote(version_id=version_id, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Composer version {target.version} is now the current one.")
    return _list()


@producer_required
@require_POST
def composer_rollback(request: HttpRequest) -> HttpResponse:
    try:
        current = composer_version_sync()
        if request.POST.get(CONFIRMED) != "1":
            if current.replaced is None:
                raise ApplicationError(
                    f"Composer version {current.version} replaced no other: there is nothing "
                    "to roll back to."
                )
            return _confirm(request, "rollback", target=current.replaced, current=current)
        back = composer_version_rollback(by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Rolled back: composer version {back.version} is current.")
    return _list()


def _confirm(
    request: HttpRequest, action: str, *, target: ComposerVersion, current: ComposerVersion
) -> HttpResponse:
    url = (
        reverse("curation:producer-composer-promote", args=[target.pk])
        if action == "promote"
        else reverse("curation:producer-composer-rollback")
    )
    context = {"action": action, "target": target, "current": current, "post_to": url}
    return render(request, "producer/composer_confirm.html", context)
