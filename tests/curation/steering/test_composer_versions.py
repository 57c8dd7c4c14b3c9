"""Composer versions for producers: the list (API and the page's partial), training, duels,
promotion and rollback by hand (with a confirmation step on the page), and bad input."""

import pytest
from django.test import Client
from django.urls import reverse

from curation.steering.composer_versions import composer_version_rows
from curation.steering.tuning import TUNE_COMPOSER, composer_tune
from generation import dispatch
from generation.composer.model import current_version
from generation.models import ComposerVersion
from tests.factories import ProducerFactory

pytestmark = pytest.mark.django_db

VERSIONS = "/api/v1/composer/versions/"


@pytest.fixture
def producer() -> Client:
    client = Client()
    client.force_login(ProducerFactory.create())
    return client


@pytest.fixture
def candidate(rated, own_model_dir) -> ComposerVersion:
    return composer_tune()


def error_code(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"]
    return body["error"]["code"]


def test_the_list_shows_training_and_arena_in_a_fixed_number_of_queries(
    producer, candidate, rated, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = producer.get(VERSIONS)
    assert response.status_code == 200
    rows = {row["status"]: row for row in response.json()}
    assert set(rows) == {"current", "candidate"}
    tuned = rows["candidate"]
    assert (
        tuned["version"] == candidate.version
        and tuned["trained_from"] == rows["current"]["version"]
    )
    assert tuned["training"]["corpus_pieces"] > 0
    assert {t["id"] for t in tuned["training"]["tuned"]} == {rated[0].pk, rated[1].pk}
    assert all(t["crowd_score"] >= 0.6 and t["weight"] >= 1 for t in tuned["training"]["tuned"])
    assert tuned["arena"] == {
        "wins": 0,
        "ties": 0,
        "losses": 0,
        "verdicts": 0,
        "win_rate": None,
        "ci95": [0.025, 0.975],
        "decision": "undecided",
    }
    # The selector's queries do not grow with the versions.
    for _ in range(3):
        ComposerVersion.objects.create(version=f"{_:012x}", artifact="x.npz", status="retired")
    with django_assert_max_num_queries(4):
        assert len(composer_version_rows()) == 5


def test_training_is_queued_202_and_refused_409_when_nothing_is_approved(
    producer, rated, own_model_dir, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(dispatch, "send", lambda name, kwargs: sent.append((name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        response = producer.post(VERSIONS, {}, content_type="application/json")
    assert response.status_code == 202 and response.json() == {"queued": True, "tracks": 2}
    assert sent and sent[0][0] == TUNE_COMPOSER and sent[0][1]["created_by_id"]

    response = producer.post(VERSIONS, {"weights": 3}, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "invalid"
    rated[0].stats.delete()
    rated[1].stats.delete()
    response = producer.post(VERSIONS, {}, content_type="application/json")
    assert response.status_code == 409 and error_code(response) == "nothing_to_tune"


def test_promote_and_roll_back_through_the_api(producer, candidate, own_model_dir):
    before = current_version(own_model_dir)
    response = producer.post(f"{VERSIONS}{candidate.pk}/promote/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "current" and body["promoted_how"] == "hand"
    assert body["promoted_by"] and body["replaced"] == before
    assert current_version(own_model_dir) == candidate.version

    response = producer.post(f"{VERSIONS}{candidate.pk}/promote/")
    assert response.status_code == 409 and error_code(response) == "already_current"

    response = producer.post(f"{VERSIONS}rollback/")
    assert response.status_code == 200 and response.json()["version"] == before
    assert response.json()["promoted_how"] == "rollback"
    assert current_version(own_model_dir) == before
    response = producer.post(f"{VERSIONS}rollback/")
    assert response.status_code == 409 and error_code(response) == "nothing_to_roll_back"


def test_a_duel_batch_through_the_api(producer, candidate, queued):
    response = producer.post(
        f"{VERSIONS}{candidate.pk}/duel/", {"pairs": 3, "seed": 9}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["count"] == 6
    for body, details in (
        ({"pairs": 0}, {"field": "pairs"}),
        ({"pairs": 2, "colour": 1}, {"fields": ["colour"]}),
    ):
        response = producer.post(
            f"{VERSIONS}{candidate.pk}/duel/", body, content_type="application/json"
        )
        assert response.status_code == 400 and response.json()["error"]["details"] == details


@pytest.mark.parametrize("path", ["987654/promote/", "987654/duel/"], ids=["promote", "duel"])
def test_an_unknown_version_is_404_in_the_one_error_shape(producer, own_model_dir, path):
    response = producer.post(VERSIONS + path, {"pairs": 1}, content_type="application/json")
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_the_page_lists_versions_with_their_buttons(producer, candidate):
    page = producer.get(reverse("curation:producer-composer")).content.decode()
    assert f'data-version="{candidate.version}" data-status="candidate"' in page
    assert reverse("curation:producer-composer-promote", args=[candidate.pk]) in page
    assert reverse("curation:producer-composer-duel", args=[candidate.pk]) in page
    assert "Roll back" not in page, "nothing to roll back to yet"
    assert "2 approved tracks to train on" in page


def test_promotion_and_rollback_on_the_page_ask_first(producer, candidate, own_model_dir):
    before = current_version(own_model_dir)
    promote = reverse("curation:producer-composer-promote", args=[candidate.pk])
    asked = producer.post(promote)
    assert asked.status_code == 200 and "data-confirm-promote" in asked.content.decode()
    assert current_version(own_model_dir) == before, "nothing changes until confirmed"

    done = producer.post(promote, {"confirm": "1"}, follow=True)
    assert current_version(own_model_dir) == candidate.version
    assert "is now the current one" in done.content.decode()
    assert f"Roll back to <code>{before}</code>" in done.content.decode()

    rollback = reverse("curation:producer-composer-rollback")
    asked = producer.post(rollback)
    assert "data-confirm-rollback" in asked.content.decode()
    assert current_version(own_model_dir) == candidate.version
    done = producer.post(rollback, {"confirm": "1"}, follow=True)
    assert current_version(own_model_dir) == before
    assert "Rolled back" in done.content.decode()


def test_refusals_on_the_page_are_messages_not_errors(producer, own_model_dir, rated, queued):
    missing = reverse("curation:producer-composer-promote", args=[987654])
    response = producer.post(missing, {"confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert "There is no composer version 987654" in response.content.decode()
    response = producer.post(reverse("curation:producer-composer-rollback"), follow=True)
    assert "nothing to roll back to" in response.content.decode()
    current = ComposerVersion.objects.get(status="current")
    duel = reverse("curation:producer-composer-duel", args=[current.pk])
    response = producer.post(duel, {"pairs": "x"}, follow=True)
    assert "pairs must be a whole number" in response.content.decode()
    response = producer.post(duel, {"pairs": "2"}, follow=True)
    assert "only a candidate duels" in response.content.decode()


def test_the_page_states_how_much_the_approved_tracks_weigh(producer, own_model_dir):
    """The rule as curation.steering.tuning applies it: weighted by score, together half of
    what a candidate learns from, no track above 2% of the corpus."""
    page = producer.get(reverse("curation:producer-composer")).content.decode()
    assert "together 50% of what the new version learns from" in page
    assert "no track more than 2% of the corpus" in page
    assert "counted up to" not in page
