"""Steering API URLs, under /api/v1/steering/ (producers only)."""

from django.urls import path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation.steering import apis

urlpatterns = [
    path("", apis.SteeringApi.as_view(), name="api-steering"),
    path("history/", apis.SteeringHistoryApi.as_view(), name="api-steering-history"),
    path("fits/", apis.SteeringFitsApi.as_view(), name="api-steering-fits"),
    path("settings/", apis.SteeringSettingsApi.as_view(), name="api-steering-settings"),
    path(
        "schedules/<id:schedule_id>/",
        apis.ScheduleSteeringApi.as_view(),
        name="api-steering-schedule",
    ),
]
