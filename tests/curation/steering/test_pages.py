"""The producers' "What this crowd likes" page (issue 12, 4): the effects, the calibration,
the steering history and the versions, its empty state, and its controls (refit now, the picks
weight, steering per schedule), each answering with a message."""

import html as markup
import re

import pytest
from django.test import Client

from curation.steering import selectors, services
from curation.steering.launch import steered_batch_launch
from curation.steering.models import PreferenceModel, SteeringSettings
from generation import schedules
from generation.models import BatchSchedule, GenerationBatch
from generation.services import batch_params_validate
from tests.curation.pages import section, text
from tests.curation.steering.conftest import crowd_gives, rated_tracks
from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db
PAGE = "/producer/steering/"


@pytest.fixture
def producer(client: Client) -> Client:
    client.force_login(ProducerFactory.create())
    return client


def messages_of(response) -> str:
    html = response.content.decode()
    return markup.unescape(text(html[html.index('class="messages"') :].split("</ul>")[0]))


@pytest.fixture
def nightly() -> BatchSchedule:
    return schedules.schedule_save(
        schedule=BatchSchedule(name="Nightly", count=6, preset="waltz", temperature=1.1)
    )


def test_before_a_model_it_says_how_many_more_rated_tracks_are_needed(producer):
    tracks = rated_tracks(9)
    kept_back = sum(1 for t in tracks if t.pk % selectors.HOLD_OUT_EVERY == 0)
    needed = selectors.MIN_TRACKS - (9 - kept_back)
    html = producer.get(PAGE).content.decode()
    assert f'data-tracks-needed="{needed}"' in html
    empty = text(section(html, "waiting-heading"))
    assert f"{needed} more rated tracks are needed" in empty
    assert f"{9 - kept_back} can be used now" in empty
    assert "batches are composed as today" in empty
    assert "The effects appear once the model is fitted." in html
    assert "No version fitted yet." in html and "No steered batch yet." in html
    assert 'class="chart"' not in html


def test_with_a_model_it_draws_the_effects_calibration_and_versions(waltzes_win, producer):
    version = services.preference_fit()
    assert version is not None
    html = producer.get(PAGE).content.decode()
    assert "waiting-heading" not in html
    assert f"Preference model {version.pk}" in html
    effects = section(html, "effects-heading")
    # The waltz is credibly liked against the baseline preset (the reel), drawn so.
    assert re.search(r'class="effect effect-up" data-feature="preset:waltz"', effects)
    assert (
        "Waltz (instead of Celtic reel)" in effects
        and "Tempo (per +10 BPM in every preset)" in effects
    )
    assert 'id="calibration"' in effects
    assert f"On the {version.held_out} tracks kept back, predictions were off by" in text(effects)
    versions = section(html, "versions-heading")
    assert f'data-version="{version.pk}"' in versions
    assert "producer/_composer_versions.html" not in html  # not wired yet: left out cleanly


def test_the_effects_are_in_a_producers_units():
    """A coefficient per standard deviation becomes a change per +10 BPM, its interval too."""
    names = ["minor", "tempo_bpm"]
    version = PreferenceModel(
        features=names,
        centre=[0.5, 120.0],
        scale=[0.5, 20.0],
        coefficients=[-0.02, 0.2],
        covariance=[[1.0, 0.0], [0.0, 4.0]],
        noise=0.0001,
    )
    effects = {e.feature: e for e in selectors.preference_effects(version)}
    tempo = effects["tempo_bpm"]
    assert tempo.change == pytest.approx(0.2 * 10 / 20)  # per +10 BPM
    assert tempo.sd == pytest.approx((0.0001 * 4.0) ** 0.5 * 10 / 20)
    assert tempo.low == pytest.approx(tempo.change - selectors.Z90 * tempo.sd)
    assert tempo.credible == "up" and tempo.unit == "per +10 BPM in every preset"
    minor = effects["minor"]
    assert minor.change == pytest.approx(-0.02 / 0.5) and minor.unit == "instead of major"
    assert minor.credible == "down" and minor.tried
    assert [e.feature for e in selectors.preference_effects(version)] == ["tempo_bpm", "minor"]


def test_a_presets_tempo_is_the_shared_slope_plus_its_own():
    """Tempo in Waltz reads both coefficients, its interval from their covariance."""
    names = ["tempo_bpm", "tempo_bpm:waltz"]
    version = PreferenceModel(
        features=names,
        centre=[0.0, 0.0],
        scale=[10.0, 5.0],
        coefficients=[0.1, -0.3],
        covariance=[[1.0, -0.5], [-0.5, 2.0]],
        noise=0.0001,
    )
    waltz = {e.feature: e for e in selectors.preference_effects(version)}["tempo_bpm:waltz"]
    assert waltz.label == "Tempo in Waltz" and waltz.unit == "per +10 BPM"
    assert waltz.change == pytest.approx(10 * (0.1 / 10 - 0.3 / 5))  # -0.5: slower, better
    a = [10 / 10, 10 / 5]
    variance = a[0] ** 2 * 1.0 + a[1] ** 2 * 2.0 + 2 * a[0] * a[1] * -0.5
    assert waltz.sd == pytest.approx((0.0001 * variance) ** 0.5)
    assert waltz.credible == "down" and waltz.tried


def test_the_history_compares_steered_and_exploring_tracks_per_batch(
    waltzes_win, queued, producer, django_assert_num_queries
):
    services.preference_fit()
    params = batch_params_validate({"count": 5, "seed": 3})
    batch = steered_batch_launch(params=params, source=GenerationBatch.Source.COMMAND)
    unrated = section(producer.get(PAGE).content.decode(), "history-heading")
    assert "1 steered batch, none of their tracks rated yet." in text(unrated)
    tracks = list(batch.tracks.select_related("steering").order_by("position"))
    for track, stars in zip(tracks, ([5, 5], [4, 4], [3], [2, 2], [1]), strict=True):
        crowd_gives(track, stars)
    with django_assert_num_queries(1):
        (row,) = selectors.steering_history()
    steered = [t for t in tracks if t.steering.steered]
    assert row.batch_id == batch.pk and row.tracks == 5
    assert row.steered_rated == len(steered) == 4 and row.exploring_rated == 1
    scores = {t.pk: t.stats.crowd_score for t in batch.tracks.select_related("stats")}
    assert row.steered_mean == pytest.approx(sum(scores[t.pk] for t in steered) / 4)
    history = section(producer.get(PAGE).content.decode(), "history-heading")
    assert 'id="history"' in history and f"Batch {batch.pk}" in history
    assert "steered 0." in history and "(4 rated)" in history


def test_refit_now_fits_a_version_or_says_why_not(producer):
    rated_tracks(3)
    response = producer.post("/producer/steering/refit/", follow=True)
    assert "Not refitted:" in messages_of(response)
    assert not PreferenceModel.objects.exists()


def test_refit_now_fits_a_new_version(waltzes_win, producer):
    response = producer.post("/producer/steering/refit/", follow=True)
    version = PreferenceModel.objects.get()
    assert f"Refitted: preference model {version.pk}" in messages_of(response)
    assert f'data-version="{version.pk}"' in response.content.decode()


def test_the_picks_weight_is_saved_and_bad_values_are_refused(producer):
    response = producer.post("/producer/steering/settings/", {"picks_weight": "0.3"}, follow=True)
    assert "Picks weight set to 0.3." in messages_of(response)
    assert SteeringSettings.current().picks_weight == 0.3
    assert 'value="0.3"' in section(response.content.decode(), "controls-heading")
    for bad in ("1.5", "lots", ""):
        response = producer.post("/producer/steering/settings/", {"picks_weight": bad}, follow=True)
        assert response.status_code == 200
        assert "Picks weight:" in messages_of(response)
    assert SteeringSettings.current().picks_weight == 0.3


def test_steering_is_turned_on_for_a_schedule_with_its_pins_shown(producer, nightly):
    html = producer.get(PAGE).content.decode()
    card = section(html, "schedules-heading")
    assert "Pins: preset Waltz, temperature 1.1." in text(card)
    response = producer.post(
        f"/producer/steering/schedules/{nightly.pk}/",
        {"steer": "on", "exploration": "0.3"},
        follow=True,
    )
    assert "Schedule 'Nightly' is steered, 30% exploring." in messages_of(response)
    nightly.refresh_from_db()
    assert nightly.steer and nightly.exploration == 0.3
    assert nightly.periodic_task is not None and nightly.periodic_task.enabled
    assert f'id="steer-{nightly.pk}" checked' in response.content.decode()

    response = producer.post(
        f"/producer/steering/schedules/{nightly.pk}/", {"exploration": "0.3"}, follow=True
    )
    assert "Schedule 'Nightly' is not steered." in messages_of(response)
    nightly.refresh_from_db()
    assert not nightly.steer


@pytest.mark.parametrize("exploration", ["1.5", "-0.1", "some", ""])
def test_a_bad_exploration_share_is_refused_with_a_message(producer, nightly, exploration):
    response = producer.post(
        f"/producer/steering/schedules/{nightly.pk}/",
        {"steer": "on", "exploration": exploration},
        follow=True,
    )
    assert "Exploration share:" in messages_of(response)
    nightly.refresh_from_db()
    assert not nightly.steer and nightly.exploration == 0.2


def test_an_unknown_schedule_is_a_message(producer):
    response = producer.post(
        "/producer/steering/schedules/999999/", {"steer": "on", "exploration": "0.2"}, follow=True
    )
    assert "No such schedule." in messages_of(response)


def test_the_producer_nav_leads_to_the_page(producer):
    html = producer.get("/producer/").content.decode()
    assert f'href="{PAGE}"' in html and "What this crowd likes" in html
