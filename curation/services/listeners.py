"""Listener identities: creating them (with a per-IP burst limit) and adopting them on log-in."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone

from albumvote import limits
from albumvote.clients import client_address
from albumvote.exceptions import ApplicationError
from curation.identity import current_listener_id, remember_listener
from curation.models import (
    Listener,
    ListenerTrack,
    ListeningEvent,
    Rating,
    RefusedAttempt,
)
from curation.rules import proven
from curation.services.aggregates import stats_rebuild
from curation.services.listening import server_heard_s
from curation.services.ratings import listener_prove
from curation.services.refusals import refusal_count


def client_ip(request: HttpRequest) -> str:
    """The client's address; behind NUM_PROXIES proxies, the address they saw."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR")
    )


def account_create(*, form: Any, request: HttpRequest) -> Any:
    """Create the account a valid sign-up form describes, within the address's limit
    (CURATION_SIGNUPS_PER_IP an hour); over it, a 429 application error and no account."""
    allowed, retry_after = limits.hit(
        f"signup:{client_ip(request)}",
        limit=settings.CURATION_SIGNUPS_PER_IP,
        window_s=settings.CURATION_SIGNUPS_WINDOW_S,
    )
    if not allowed:
        refusal_count(track_id=None, kind="signup", reason=RefusedAttempt.Reason.THROTTLED_IP)
        minutes = max(1, round(retry_after / 60))
        raise ApplicationError(
            f"Too many new accounts from this address; try again in about {minutes} minutes.",
            code="throttled",
            status_code=429,
            headers={"Retry-After": str(int(retry_after) + 1)},
        )
    return form.save()


def listener_for_request(request: HttpRequest, *, create: bool) -> int | None:
    """The listener behind this request, creating one if asked (and the IP is within limits)."""
    listener_id = current_listener_id(request)
    if listener_id is not None or not create:
        if listener_id is not None and getattr(request, "listener_id", None) != listener_id:
            remember_listener(request, listener_id)
        return listener_id
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        listener, _ = Listener.objects.get_or_create(user=user)
        remember_listener(request, listener.pk)
        return listener.pk
    return _listener_create(request)


def _listener_create(request: HttpRequest) -> int:
    ip = client_ip(request)
    allowed, retry_after = limits.hit(
        f"new-listener:{ip}",
        limit=settings.CURATION_NEW_LISTENERS_PER_IP,
        window_s=settings.CURATION_NEW_LISTENERS_WINDOW_S,
    )
    if not allowed:
        refusal_count(track_id=None, kind="identity", reason=RefusedAttempt.Reason.IDENTITY_BURST)
        raise ApplicationError(
            "Too many new listeners from your network in a short time. "
            f"Try again in {int(retry_after) + 1} s.",
            code="throttled",
            details={"retry_after_s": int(retry_after) + 1},
            status_code=429,
        )
    listener = Listener.objects.create(created_ip=ip or None)
    remember_listener(request, listener.pk)
    return listener.pk


def listener_adopt(*, user: User, listener_id: int | None) -> Listener:
    """Give a user the history of the anonymous listener they were before logging in.

    Without a listener of their own, the user takes the anonymous one over. Otherwise its
    ratings and listening move to the user's listener; where both rated the same track, the
    more recent rating wins, so there is still one rating per listener and track. The merged
    listener is proven if either was, or if their listening together proves it; the ratings
    of a side not proven before count from the merge (listener_prove).
    """
    with transaction.atomic():
        mine = Listener.objects.select_for_update().filter(user=user).first()
        anonymous = (
            Listener.objects.select_for_update()
            .filter(pk=listener_id, user__isnull=True, merged_into__isnull=True)
            .first()
            if listener_id is not None
            else None
        )
        if mine is None:
            if anonymous is not None:
                anonymous.user = user
                anonymous.save(update_fields=["user"])
                return anonymous
            try:
                with transaction.atomic():
                    return Listener.objects.create(user=user)
            except IntegrityError:
                return Listener.objects.get(user=user)
        if anonymous is None or anonymous.pk == mine.pk:
            return mine
        touched = _merge_listening(anonymous, mine)
        _prove_merged(anonymous, mine)
        touched |= _merge_ratings(anonymous, mine)
        anonymous.merged_into = mine
        anonymous.save(update_fields=["merged_into"])
        stats_rebuild(track_ids=sorted(touched))
        return mine


def _prove_merged(source: Listener, target: Listener) -> None:
    """Before the ratings move (the listening has): both sides count, or neither does."""
    if target.proven_at is None and source.proven_at is None:
        heard = ListenerTrack.objects.filter(listener=target).aggregate(total=Sum("listened_s"))
        if not proven(heard["total"] or 0.0):
            return
    now = timezone.now()
    for side in (source, target):
        listener_prove(listener_id=side.pk, at=now)


def _merge_ratings(source: Listener, target: Listener) -> set[int]:
    touched: set[int] = set()
    theirs = {r.track_id: r for r in Rating.objects.filter(listener=target)}
    for rating in Rating.objects.filter(listener=source):
        existing = theirs.get(rating.track_id)
        touched.add(rating.track_id)
        if existing is None:
            rating.listener = target
            rating.save(update_fields=["listener"])
        elif rating.updated_at > existing.updated_at:
            existing.stars = rating.stars
            existing.save(update_fields=["stars", "updated_at"])
            rating.delete()
        else:
            rating.delete()
    return touched


def _merge_listening(source: Listener, target: Listener) -> set[int]:
    touched: set[int] = set()
    ListeningEvent.objects.filter(listener=source).update(listener=target)
    targets = {s.track_id: s for s in ListenerTrack.objects.filter(listener=target)}
    for state in ListenerTrack.objects.filter(listener=source):
        existing = targets.get(state.track_id)
        # Every track they heard: a side's listening was held out of the figures while it
        # was not proven, and the merged listener's standing decides (stats_rebuild).
        touched.add(state.track_id)
        if existing is None:
            state.listener = target
            state.save(update_fields=["listener"])
            continue
        # Two identities of one person may have played at the same time: their listening,
        # merged, still cannot exceed the server's clock since the earlier of them began.
        starts = [t for t in (existing.heard_since, state.heard_since) if t is not None]
        existing.heard_since = min(starts) if starts else None
        ListenerTrack.objects.filter(pk=existing.pk).update(
            listened_s=min(
                existing.listened_s + state.listened_s, server_heard_s(existing, timezone.now())
            ),
            heard_since=existing.heard_since,
            plays=F("plays") + state.plays,
            completes=F("completes") + state.completes,
            skips=F("skips") + state.skips,
            early_skips=F("early_skips") + state.early_skips,
            replays=F("replays") + state.replays,
            max_position_s=max(existing.max_position_s, state.max_position_s),
        )
        # The two identities were one person: their track's listening figures (listeners,
        # share heard) are rebuilt from the merged rows.
        state.delete()
    return touched
