"""The product with a keyboard only (issue 11; WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.7): the first Tab
offers to skip to the content, every stop shows where the focus is, no page traps the focus,
the phone menu opens and closes from the keyboard, and a person is registered and referred
without touching a mouse."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from referrals.models import Case
from tests.e2e.test_directory_in_three_languages import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# What the focused element looks like: an outline or a ring, and where it is.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  if (el.name) name += `[name=${el.name}]`;
  const box = el.getBoundingClientRect();
  return {name, ring, text: (el.innerText || el.value || "").trim().slice(0, 40),
          inMain: !!el.closest("main"), visible: box.width > 0 && box.height > 0};
}"""


def _tab_through(page, limit: int = 120) -> list[dict]:
    """Every focus stop of the page, in order, until the focus comes back to the first."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS)
        if focused is None:
            continue
        if stops and focused["name"] == stops[0]["name"] and focused["text"] == stops[0]["text"]:
            return stops
        stops.append(focused)
    return stops


@pytest.fixture
def keyboard_page(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "cso1.worker")
    yield page
    context.close()


@pytest.mark.parametrize(
    "path", ["/", "/cases/", "/referrals/", "/organisations/services/", "/coordination/"]
)
def test_every_focus_stop_is_visible_and_the_focus_is_never_trapped(
    keyboard_page, live_server, path
):
    page = keyboard_page
    page.goto(live_server.url + path)
    stops = _tab_through(page)

    assert stops, "nothing takes the focus"
    assert stops[0]["name"] == "a"
    assert "Skip to content" in stops[0]["text"]
    assert len(stops) < 120, "the focus never came back to the top: a trap, or a runaway page"
    hidden = [stop for stop in stops if not stop["visible"]]
    assert not hidden, f"focus on something not shown: {hidden}"
    unmarked = [stop["name"] for stop in stops if not stop["ring"]]
    assert not unmarked, f"focus without a visible ring: {unmarked}"


def test_the_skip_link_takes_the_keyboard_to_the_content(keyboard_page, live_server):
    page = keyboard_page
    page.goto(live_server.url + "/referrals/")
    page.keyboard.press("Tab")
    assert page.locator(".skip-link").bounding_box()["width"] > 1  # shown once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(_FOCUS)["inMain"]


def test_the_phone_menu_opens_and_closes_from_the_keyboard(browser, live_server):
    call_command("seed_demo", force=True, verbosity=0)
    context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
    page = context.new_page()
    sign_in(page, live_server, "cso1.worker")
    button = page.locator(".menu-button")
    button.focus()
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('nav.main-nav') !== null")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    context.close()


def test_a_person_is_registered_and_referred_with_the_keyboard_only(keyboard_page, live_server):
    page = keyboard_page
    page.goto(live_server.url + "/cases/new/")
    page.locator("input[name=given_name]").focus()
    page.keyboard.type("Keyboard")
    # To the age band, and choose one with the arrow keys.
    while page.evaluate("document.activeElement.name") != "age_band":
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    while page.evaluate("document.activeElement.name") != "vulnerabilities":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    with page.expect_navigation():
        # Enter in a text box sends its form.
        page.locator("input[name=given_name]").focus()
        page.keyboard.press("Enter")
    case = Case.objects.get(given_name="Keyboard")
    assert case.age_band
    assert case.vulnerabilities
    assert page.url.endswith(f"/cases/{case.pk}/")

    # Unfold "Record consent" with Enter, choose the municipality, tick a field, send.
    summary = page.locator("summary", has_text="Record consent")
    summary.focus()
    page.keyboard.press("Enter")
    while page.evaluate("document.activeElement.name") != "recipient":
        page.keyboard.press("Tab")
    page.keyboard.type("Municipality")  # a select jumps to the option typed
    while page.evaluate("document.activeElement.name") != "fields":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    consent = case.consents.get()
    assert consent.recipient.name == "Municipality of Sfax"
