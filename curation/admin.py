"""Admin for curation: listeners, ratings, per-track figures and refused attempts (read-only);
albums, their versions, audit log and jobs (read-only: the producer pages and services write
them, so an admin edit can never change a finalized version)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from curation.models import (
    Album,
    AlbumAudit,
    AlbumJob,
    AlbumTrack,
    AlbumVersion,
    ArenaRating,
    ArenaVote,
    Listener,
    PreferenceModel,
    Rating,
    RefusedAttempt,
    TrackPick,
    TrackStats,
    VoterFlag,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Feedback rows are written by the services only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Listener)
class ListenerAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "created_at", "created_ip", "proven_at", "merged_into"]
    search_fields = ["user__username", "created_ip"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["id", "track", "listener", "stars", "updated_at"]
    list_filter = ["stars"]
    list_select_related = ["track", "listener"]


@admin.register(TrackStats)
class TrackStatsAdmin(ReadOnlyAdmin):
    list_display = [
        "track",
        "rating_count",
        "average",
        "plays",
        "unique_listeners",
        "listen_seconds",
        "skips",
        "completes",
        "updated_at",
    ]
    list_select_related = ["track"]


@admin.register(RefusedAttempt)
class RefusedAttemptAdmin(ReadOnlyAdmin):
    list_display = ["day", "track", "kind", "reason", "count"]
    list_filter = ["reason", "kind", "day"]
    list_select_related = ["track"]


@admin.register(ArenaVote)
class ArenaVoteAdmin(admin.ModelAdmin):
    list_display = ["id", "listener", "track_a", "track_b", "outcome", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["listener", "track_a", "track_b"]


@admin.register(VoterFlag)
class VoterFlagAdmin(admin.ModelAdmin):
    """Flagged voters: their votes are kept for audit and left out of every figure."""

    list_display = ["listener", "reason", "p_value", "votes", "flagged_at"]
    list_filter = ["reason"]
    raw_id_fields = ["listener"]


@admin.register(ArenaRating)
class ArenaRatingAdmin(admin.ModelAdmin):
    list_display = ["track", "rating", "low", "high", "votes", "computed_at"]
    raw_id_fields = ["track"]


@admin.register(TrackPick)
class TrackPickAdmin(ReadOnlyAdmin):
    list_display = ["track", "shortlisted", "vetoed", "tags", "updated_by", "updated_at"]
    list_filter = ["shortlisted", "vetoed"]
    list_select_related = ["track", "updated_by"]


class AlbumTrackInline(admin.TabularInline):
    model = AlbumTrack
    fields = ["position", "track"]
    readonly_fields = ["position", "track"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Album)
class AlbumAdmin(ReadOnlyAdmin):
    list_display = ["title", "published_version", "created_by", "updated_at"]
    list_select_related = ["published_version", "created_by"]
    search_fields = ["title"]
    inlines = [AlbumTrackInline]


@admin.register(AlbumVersion)
class AlbumVersionAdmin(ReadOnlyAdmin):
    list_display = ["album", "number", "total_s", "finalized_by", "finalized_at"]
    list_select_related = ["album", "finalized_by"]


@admin.register(AlbumAudit)
class AlbumAuditAdmin(ReadOnlyAdmin):
    list_display = ["at", "album", "action", "actor", "version"]
    list_filter = ["action"]
    list_select_related = ["album", "actor", "version"]


@admin.register(AlbumJob)
class AlbumJobAdmin(ReadOnlyAdmin):
    list_display = ["id", "album", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["album"]


@admin.register(PreferenceModel)
class PreferenceModelAdmin(ReadOnlyAdmin):
    """Versions of the crowd's preference model (curation.steering), fitted by the beat."""

    list_display = ["id", "fitted_at", "samples", "held_out", "noise"]
