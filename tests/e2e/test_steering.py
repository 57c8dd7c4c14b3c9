"""Steering in a real browser (issue 12, 4): a producer refits the crowd's preference model,
reads what this crowd likes, turns steering on for a schedule, and launches a steered batch
from the dashboard whose tracks say why they were composed as they were; the page fits a
desktop and a phone."""

from pathlib import Path

import pytest

from curation.steering.models import PreferenceModel, TrackSteering
from generation import schedules
from generation.models import BatchSchedule, GenerationBatch
from tests.curation.steering.conftest import crowd_gives, waltz_crowd
from tests.e2e.album_steps import log_in, watch
from tests.factories import ProducerFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required", "redis_channel_layer"),
]


def test_a_producer_steers_a_schedule_and_launches_a_steered_batch(
    browser, site: str, output_dir: Path
):
    from playwright.sync_api import expect

    waltz_crowd()
    nightly = schedules.schedule_save(
        schedule=BatchSchedule(name="Nightly waltzes", count=6, preset="waltz", temperature=1.1)
    )
    producer = ProducerFactory.create()
    problems: list[str] = []
    page = watch(browser.new_context(viewport={"width": 1280, "height": 1000}).new_page(), problems)
    log_in(page, site, producer.username, "/producer/")
    page.get_by_role("link", name="What this crowd likes").click()
    expect(page.get_by_role("heading", name="What this crowd likes", level=1)).to_be_visible()
    expect(page.locator("[data-model-status]")).to_contain_text("No preference model yet")

    # Refit now: the effects are drawn, the waltz credibly liked against the reel.
    page.get_by_role("button", name="Refit now").click()
    version = PreferenceModel.objects.get()
    expect(page.locator(".messages")).to_contain_text(f"Refitted: preference model {version.pk}")
    effects = page.locator("svg#effects")
    expect(effects).to_be_visible()
    expect(effects.locator('[data-feature="preset:waltz"]')).to_have_class("effect effect-up")
    expect(page.locator("svg#calibration")).to_be_visible()
    expect(page.locator(f'[data-version="{version.pk}"]')).to_be_visible()
    page.locator('[data-figure="effects"] summary').click()
    expect(page.locator('[data-figure="effects"] table')).to_contain_text("Waltz (instead of")

    # Steering on for the schedule, its pins shown.
    card = page.locator(f'[data-schedule-steering="{nightly.pk}"]')
    expect(card.locator("[data-pins]")).to_have_text("Pins: preset Waltz, temperature 1.1.")
    card.get_by_label("Steer by the crowd's taste").check()
    card.get_by_label("Exploration share").fill("0.25")
    card.get_by_role("button", name="Save steering").click()
    expect(page.locator(".messages")).to_contain_text(
        "Schedule 'Nightly waltzes' is steered, 25% exploring."
    )
    nightly.refresh_from_db()
    assert nightly.steer and nightly.exploration == 0.25
    expect(
        page.locator(f'[data-schedule-steering="{nightly.pk}"]').get_by_label(
            "Steer by the crowd's taste"
        )
    ).to_be_checked()
    page.screenshot(path=output_dir / "steering-1280.png", full_page=True)

    # A steered batch from the dashboard's launch form.
    page.get_by_role("link", name="Dashboard").click()
    launch = page.locator("section[aria-labelledby='launch-heading']")
    launch.get_by_label("Count").fill("5")
    launch.get_by_label("Seed").fill("11")
    launch.get_by_label("Steer by the crowd's taste").check()
    launch.get_by_role("button", name="Launch").click()
    batch = GenerationBatch.objects.latest("pk")
    expect(page.locator(".messages")).to_contain_text(
        f"Launched batch {batch.pk} (steered by the crowd's taste)"
    )
    steered = TrackSteering.objects.filter(track__batch=batch, steered=True).first()
    assert steered is not None and steered.policy_version_id == version.pk
    assert TrackSteering.objects.filter(track__batch=batch).count() == 5

    page.goto(f"{site}/producer/tracks/{steered.track_id}/")
    why = page.locator("[data-steering]")
    expect(why).to_contain_text(f"Steered by preference model {version.pk}")
    expect(why).to_contain_text("predicted crowd score")
    assert problems == []

    # The crowd rates the batch: the history draws steered against exploring tracks.
    for track in batch.tracks.all():
        crowd_gives(track, [4, 5, 4])

    # The page on a phone: nothing wider than the screen.
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(phone, site, producer.username, "/producer/steering/")
    expect(phone.locator("svg#effects")).to_be_visible()
    expect(phone.locator("svg#history .series-steered").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= phone.evaluate(
        "document.documentElement.clientWidth"
    )
    phone.screenshot(path=output_dir / "steering-390.png", full_page=True)
    phone.context.close()
