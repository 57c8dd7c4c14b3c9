"""Listener API URLs."""

from django.urls import include, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation import apis, catalog
from curation.arena.apis import ArenaLeaderboardApi, ArenaPairApi, ArenaVoteApi
from curation.ranking.apis import RankingsApi
from curation.steering import composer_apis

urlpatterns = [
    path("tracks/<id:track_id>/rating/", apis.track_rating, name="api-track-rating"),
    path("listening-events/", apis.ListeningEventsApi.as_view(), name="api-listening-events"),
    path("live/", apis.LiveStateApi.as_view(), name="api-live-state"),
    path("rankings/", RankingsApi.as_view(), name="api-rankings"),
    path("arena/pair/", ArenaPairApi.as_view(), name="api-arena-pair"),
    path("arena/votes/", ArenaVoteApi.as_view(), name="api-arena-votes"),
    path("arena/leaderboard/", ArenaLeaderboardApi.as_view(), name="api-arena-leaderboard"),
    path("tracks/", catalog.TrackListApi.as_view(), name="api-tracks"),
    path("tracks/<id:track_id>/", catalog.TrackDetailApi.as_view(), name="api-track"),
    path(
        "composer/versions/",
        composer_apis.ComposerVersionsApi.as_view(),
        name="api-composer-versions",
    ),
    path(
        "composer/versions/rollback/",
        composer_apis.ComposerRollbackApi.as_view(),
        name="api-composer-rollback",
    ),
    path(
        "composer/versions/<id:version_id>/promote/",
        composer_apis.ComposerVersionPromoteApi.as_view(),
        name="api-composer-promote",
    ),
    path(
        "composer/versions/<id:version_id>/duel/",
        composer_apis.ComposerDuelApi.as_view(),
        name="api-composer-duel",
    ),
    path("", include("curation.albums.api_urls")),
    path("steering/", include("curation.steering.api_urls")),
]
