"""Producer dashboard URLs, under /producer/ in the curation namespace."""

from django.urls import URLPattern, URLResolver, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.producer import composer, stems, views
from curation.steering import views as steering

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
    path("steering/", steering.steering_page, name="producer-steering"),
    path("steering/refit/", steering.steering_refit, name="producer-steering-refit"),
    path("steering/settings/", steering.steering_settings, name="producer-steering-settings"),
    path(
        "steering/schedules/<id:schedule_id>/",
        steering.steering_schedule,
        name="producer-steering-schedule",
    ),
]
