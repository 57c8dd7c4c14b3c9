"""What every page shares, in a real browser: the phone header folds its links behind a menu
button, the favicon is there, and the scripts write lengths and dates as the server does."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import formats, timezone

from generation.templatetags.formats import duration
from tests.factories import ReadyTrackFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# The page's own util.js, by its unhashed name next to the app.js the page loads.
UTIL = "import(new URL('util.js', document.querySelector('script[src*=\"js/app\"]').src).href)"
LENGTHS = [0, 0.49, 0.5, 28.9875, 121.4, 121.6, 122.5, 59.5, 3599.6, 3725.0, -3]
MOMENTS = [
    datetime(2026, 12, 3, 23, 31, 40, tzinfo=UTC),
    datetime(2026, 9, 5, 8, 5, tzinfo=UTC),  # September: browsers spell it "Sept"
    datetime(2027, 1, 1, 0, 0, tzinfo=UTC),
]


def header_height(page) -> float:
    box = page.locator(".site-header").bounding_box()
    assert box is not None
    return box["height"]


def test_the_phone_header_is_one_line_with_a_menu_that_opens_by_key_and_by_tap(
    browser, site: str, output_dir: Path
):
    from playwright.sync_api import expect

    ReadyTrackFactory.create(title="Quiet Heron")
    page = browser.new_context(**PHONE).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.goto(f"{site}/")
    page.wait_for_load_state("networkidle")

    menu = page.get_by_role("button", name="Menu", exact=True)
    nav = page.get_by_role("navigation", name="Main")
    assert header_height(page) < 80
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav.get_by_role("link", name="Tracks")).to_be_hidden()
    page.screenshot(path=output_dir / "phone-header-closed.png")

    # By keyboard: Tab from the brand reaches the button; Enter opens; Escape closes.
    page.get_by_role("link", name="AlbumVote").focus()
    page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in ["Home", "Tracks", "Arena", "Albums", "Log in", "Sign up"]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.screenshot(path=output_dir / "phone-header-open.png")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav.get_by_role("link", name="Tracks")).to_be_hidden()

    # By touch: tap to open, tap a link; the next page's header comes closed again.
    menu.tap()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Tracks", exact=True).tap()
    page.wait_for_url(f"{site}/tracks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracks")
    expect(page.get_by_role("button", name="Menu", exact=True)).to_have_attribute(
        "aria-expanded", "false"
    )
    assert header_height(page) < 80
    # A tap elsewhere puts an open menu away.
    page.get_by_role("button", name="Menu", exact=True).tap()
    page.get_by_role("heading", level=1).tap()
    expect(page.get_by_role("button", name="Menu", exact=True)).to_have_attribute(
        "aria-expanded", "false"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # On a wide screen there is no button: the links are all there, on one line.
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    desktop.goto(f"{site}/")
    expect(desktop.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    expect(
        desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Tracks")
    ).to_be_visible()
    assert header_height(desktop) < 80
    desktop.screenshot(path=output_dir / "desktop-header.png")

    icon = desktop.request.get(f"{site}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert problems == []


def test_scripts_write_lengths_and_dates_as_the_server_does(browser, site: str):
    page = browser.new_page()
    page.goto(f"{site}/")
    written = page.evaluate(f"async (values) => (await {UTIL}).default ?? null", [])
    assert written is None  # util.js has named exports only: the import itself worked

    lengths = page.evaluate(
        f"async (values) => {{ const util = await {UTIL}; return values.map(util.formatTime); }}",
        LENGTHS,
    )
    assert lengths == [duration(value) for value in LENGTHS]

    zone = page.evaluate("document.documentElement.dataset.timeZone")
    for tz_name in [zone, "Europe/Berlin", "America/Los_Angeles"]:
        script = f"""async ([zone, moments]) => {{
            const util = await {UTIL};
            document.documentElement.dataset.timeZone = zone;
            const day = (m) => util.formatDateTime(m, {{ time: false }});
            return moments.map((m) => [util.formatDateTime(m), day(m)]);
        }}"""
        dates = page.evaluate(script, [tz_name, [m.isoformat() for m in MOMENTS]])
        with timezone.override(tz_name):
            expected = [
                [
                    formats.date_format(timezone.localtime(m), "DATETIME_FORMAT"),
                    formats.date_format(timezone.localtime(m), "DATE_FORMAT"),
                ]
                for m in MOMENTS
            ]
        assert dates == expected, tz_name
