"""Producer dashboard URLs, under /producer/ in the curation namespace."""

from django.urls import URLPattern, URLResolver, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.producer import composer, stems, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="producer"),
    path("batches/launch/", views.batch_launch, name="producer-batch-launch"),
    path("tracks/", views.track_table, name="producer-tracks"),
    path("tracks/<id:track_id>/", views.track_detail, name="producer-track"),
    path("tracks/<id:track_id>/picks/", views.track_picks, name="producer-track-picks"),
    path("tracks/<id:track_id>/retry/", views.track_retry, name="producer-track-retry"),
    path("tracks/<id:track_id>/stems/", stems.track_stems, name="producer-track-stems"),
    path("schedules/new/", views.schedule_create, name="producer-schedule-create"),
    path("schedules/<id:schedule_id>/", views.schedule_edit, name="producer-schedule-edit"),
    path("composer/", composer.composer_versions, name="producer-composer"),
    path("composer/train/", composer.composer_train, name="producer-composer-train"),
    path("composer/rollback/", composer.composer_rollback, name="producer-composer-rollback"),
    path(
        "composer/versions/<id:version_id>/promote/",
        composer.composer_promote,
        name="producer-composer-promote",
    ),
    path(
        "composer/versions/<id:version_id>/duel/",
        composer.composer_duel,
        name="producer-composer-duel",
    ),
    path(
        "schedules/<id:schedule_id>/enabled/",
        views.schedule_toggle,
        name="producer-schedule-toggle",
    ),
]
