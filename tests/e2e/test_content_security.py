"""The Content-Security-Policy in a real browser: the site runs under it (every browser test
fails on a violation, tests/e2e/conftest.py), the API's Swagger UI works under it, and script
injected into a page does not run."""

from pathlib import Path

import pytest

from tests.factories import ReadyTrackFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_required"),
]


def test_the_api_docs_work_under_the_policy(browser, site: str, output_dir: Path):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(f"{site}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("AlbumVote")
    expect(page.locator(".opblock").first).to_be_visible()
    page.screenshot(path=str(output_dir / "api-docs.png"))


def test_script_injected_into_a_page_does_not_run(browser, site: str):
    """As if a title had smuggled markup past the templates: an inline script and an inline
    handler are refused, and the browser reports the violation."""
    track = ReadyTrackFactory.create(title="Quiet Harbour")
    page = browser.browser.new_page()  # unwatched: the violations here are the test's own
    page.goto(f"{site}/tracks/{track.pk}/")
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = 'script'";
            document.body.append(script);
            const img = document.createElement("img");
            img.setAttribute("onerror", "window.injected = 'handler'");
            img.src = "data:,not-an-image";
            document.body.append(img);
        }"""
        )
    page.wait_for_function("() => document.querySelector('img[onerror]').complete")
    assert page.evaluate("() => window.injected") is None
    assert any("script-src" in text for text in refused), refused
