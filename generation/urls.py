"""Page URLs owned by generation: the minimal home page and track file downloads."""

from django.urls import path

from . import views

app_name = "generation"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/<int:track_id>/<str:kind>", views.track_file, name="track-file"),
]
