"""Admin for curation: listeners, ratings, per-track figures and refused attempts (read-only)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from curation.models import Listener, Rating, RefusedAttempt, TrackStats


class ReadOnlyAdmin(admin.ModelAdmin):
    """Feedback rows are written by the services only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Listener)
class ListenerAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "created_at", "created_ip", "merged_into"]
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
