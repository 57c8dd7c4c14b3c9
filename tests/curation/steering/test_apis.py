"""The steering API (issue 12, 4): what the crowd likes, the history, the fits and a refit on
demand, the picks weight and steering per schedule; strict input, producers only."""

import pytest
from django.test import Client

from curation.steering import selectors, services
from curation.steering.launch import steered_batch_launch
from curation.steering.models import PreferenceModel, SteeringSettings
from generation import schedules
from generation.models import BatchSchedule, GenerationBatch
from generation.services import batch_params_validate
from tests.curation.steering.conftest import crowd_gives, rated_tracks
from tests.factories import ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def producer(client: Client) -> Client:
    client.force_login(ProducerFactory.create())
    return client


def patch(client: Client, url: str, body: object):
    return client.patch(url, body, content_type="application/json")


def refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    assert response.json()["error"]["details"]["field"] == field


@pytest.fixture
def nightly() -> BatchSchedule:
    return schedules.schedule_save(
        schedule=BatchSchedule(name="Nightly", count=6, preset="waltz", temperature=1.1)
    )


def test_without_a_model_it_says_how_many_tracks_are_needed(producer):
    tracks = rated_tracks(6)
    usable = sum(1 for t in tracks if t.pk % selectors.HOLD_OUT_EVERY)
    body = producer.get("/api/v1/steering/").json()
    assert body["model"] is None and body["effects"] == [] and body["calibration"] is None
    assert body["tracks_usable"] == usable and body["tracks_held_out"] == 6 - usable
    assert body["tracks_needed"] == selectors.MIN_TRACKS - usable
    assert body["min_tracks"] == selectors.MIN_TRACKS


def test_with_a_model_it_gives_the_effects_with_intervals_and_calibration(waltzes_win, producer):
    version = services.preference_fit()
    assert version is not None
    body = producer.get("/api/v1/steering/").json()
    assert body["model"]["id"] == version.pk and body["model"]["samples"] == version.samples
    assert body["tracks_needed"] == 0 and body["baseline"] == "Celtic reel"
    effects = {e["feature"]: e for e in body["effects"]}
    assert set(effects) == set(version.features)
    waltz = effects["preset:waltz"]
    assert waltz["credible"] == "up" and 0 < waltz["low"] < waltz["change"] < waltz["high"]
    assert waltz["unit"] == "instead of Celtic reel" and waltz["tried"]
    assert effects["tempo_bpm"]["unit"] == "per +10 BPM in every preset"
    assert effects["tempo_bpm:waltz"]["name"] == "Tempo in Waltz"
    assert effects["tempo_bpm"]["credible"] == "unsure"  # the crowd does not care
    calibration = body["calibration"]
    assert len(calibration["points"]) == version.held_out
    assert calibration["mean_abs_error"] == pytest.approx(version.calibration["mean_abs_error"])
    assert body["model"]["coverage90"] == version.calibration["coverage90"]


def test_a_refit_on_demand_gives_the_new_version_or_409(producer):
    rated_tracks(4)
    response = producer.post("/api/v1/steering/fits/", content_type="application/json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "too_few_tracks" and error["details"]["tracks_needed"] > 0
    assert not PreferenceModel.objects.exists()


def test_a_refit_on_demand_gives_the_new_version(waltzes_win, producer):
    response = producer.post("/api/v1/steering/fits/", content_type="application/json")
    assert response.status_code == 201
    version = PreferenceModel.objects.get()
    assert response.json()["id"] == version.pk and response.json()["held_out"] == version.held_out
    again = producer.post("/api/v1/steering/fits/", content_type="application/json").json()
    listed = producer.get("/api/v1/steering/fits/").json()["results"]
    assert [v["id"] for v in listed] == [again["id"], version.pk]  # newest first
    refused(producer.post("/api/v1/steering/fits/", {"now": 1}, "application/json"), "now")


def test_the_history_gives_steered_and_exploring_means_per_batch(waltzes_win, queued, producer):
    services.preference_fit()
    params = batch_params_validate({"count": 5, "seed": 3})
    batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    for track in batch.tracks.all():
        crowd_gives(track, [4, 5])
    (row,) = producer.get("/api/v1/steering/history/").json()["batches"]
    assert row["batch"] == batch.pk and row["tracks"] == 5
    assert row["steered"]["rated"] == 4 and row["exploring"]["rated"] == 1
    assert 0 < row["steered"]["mean"] < 1


def test_the_picks_weight_is_read_and_set(producer):
    assert producer.get("/api/v1/steering/settings/").json()["picks_weight"] == 0.0
    response = patch(producer, "/api/v1/steering/settings/", {"picks_weight": 0.4})
    assert response.status_code == 200 and response.json()["picks_weight"] == 0.4
    assert SteeringSettings.current().picks_weight == 0.4
    assert patch(producer, "/api/v1/steering/settings/", {}).json()["picks_weight"] == 0.4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"picks_weight": "0.4"}, "picks_weight"),
        ({"picks_weight": True}, "picks_weight"),
        ({"picks_weight": 1.5}, "picks_weight"),
        ({"picks_weight": -0.1}, "picks_weight"),
        ({"picks_weight": None}, "picks_weight"),
        ({"picks_weight": 0.1, "weight": 0.2}, "weight"),
        ([0.4], "non_field_errors"),
    ],
)
def test_a_bad_picks_weight_is_refused_naming_the_field(producer, body, field):
    refused(patch(producer, "/api/v1/steering/settings/", body), field)
    assert SteeringSettings.current().picks_weight == 0.0


def test_steering_is_set_per_schedule(producer, nightly):
    url = f"/api/v1/steering/schedules/{nightly.pk}/"
    body = patch(producer, url, {"steer": True, "exploration": 0.1}).json()
    assert body["steer"] is True and body["exploration"] == 0.1
    assert body["pins"] == {"preset": "waltz", "temperature": 1.1}
    nightly.refresh_from_db()
    assert nightly.steer and nightly.exploration == 0.1
    assert patch(producer, url, {"steer": False}).json() == {**body, "steer": False}
    missing = patch(producer, "/api/v1/steering/schedules/999999/", {"steer": True})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steer": "yes"}, "steer"),
        ({"steer": 1}, "steer"),
        ({"steer": None}, "steer"),
        ({"exploration": "0.1"}, "exploration"),
        ({"exploration": 2}, "exploration"),
        ({"exploration": False}, "exploration"),
        ({"steer": True, "preset": "waltz"}, "preset"),
    ],
)
def test_bad_schedule_steering_is_refused_naming_the_field(producer, nightly, body, field):
    refused(patch(producer, f"/api/v1/steering/schedules/{nightly.pk}/", body), field)
    nightly.refresh_from_db()
    assert not nightly.steer and nightly.exploration == 0.2


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/steering/"),
        ("get", "/api/v1/steering/history/"),
        ("get", "/api/v1/steering/fits/"),
        ("post", "/api/v1/steering/fits/"),
        ("get", "/api/v1/steering/settings/"),
        ("patch", "/api/v1/steering/settings/"),
        ("patch", "/api/v1/steering/schedules/{schedule}/"),
    ],
)
def test_listeners_and_visitors_are_refused(client, nightly, method, url):
    url = url.format(schedule=nightly.pk)
    body = {"picks_weight": 1, "steer": True}
    send = getattr(client, method)
    answer = send(url) if method == "get" else send(url, body, content_type="application/json")
    assert answer.status_code in (401, 403) and set(answer.json()) == {"error"}
    client.force_login(UserFactory.create())
    answer = send(url) if method == "get" else send(url, body, content_type="application/json")
    assert answer.status_code == 403 and set(answer.json()) == {"error"}
    nightly.refresh_from_db()
    assert not nightly.steer and SteeringSettings.current().picks_weight == 0.0
    assert not PreferenceModel.objects.exists()
