"""Public page URLs: listening, tracks, batches, accounts, and the audio itself."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

import albumvote.converters  # noqa: F401  (registers the <id:...> converter)
from curation import feeds, streaming, views

app_name = "curation"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/", views.track_list, name="tracks"),
    path("tracks/<id:track_id>/", views.track_detail, name="track"),
    path("tracks/<id:track_id>/peaks.json", views.track_peaks, name="track-peaks"),
    path("tracks/<id:track_id>/audio.<str:fmt>", streaming.track_audio, name="track-audio"),
    path("tracks/<id:track_id>/track.mid", streaming.track_midi, name="track-midi"),
    path("batches/<id:batch_id>/", views.batch_detail, name="batch"),
    path("how-ranking-works/", views.how_ranking_works, name="how-ranking-works"),
    path("arena/", views.arena, name="arena"),
    path("feeds/top.rss", feeds.TopRss(), name="feed-top-rss"),
    path("feeds/new.rss", feeds.NewRss(), name="feed-new-rss"),
    path("feeds/top.atom", feeds.TopAtom(), name="feed-top-atom"),
    path("feeds/new.atom", feeds.NewAtom(), name="feed-new-atom"),
    path("feeds/top.json", feeds.json_feed, {"kind": "top"}, name="feed-top-json"),
    path("feeds/new.json", feeds.json_feed, {"kind": "new"}, name="feed-new-json"),
    path("", include("curation.albums.urls")),
    path("producer/", include("curation.producer.urls")),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
