"""A person walking a journey on a phone, in one of the site's languages (issue 11).

The phone's own language is the page's (an Arabic phone reading the Arabic site); buttons and
links are found by the words the person reads, taken from the catalogue, so that a journey
fails when a label is left untranslated or a step cannot be found. After each step ``check()``
notes what the crawl notes on a page (overflow, English left in the interface, serious
accessibility violations): forms with errors and pages in mid-journey states, which a crawl of
links never reaches."""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.formats import date_format

from organisations.demo import DEMO_PASSWORD
from tests.e2e.crawl import english_strings, page_problems

LOCALES = {"en": "en-GB", "fr": "fr-FR", "ar": "ar-TN"}
PHONE = {"width": 360, "height": 740}


class Walk:
    def __init__(self, browser, live_server, language: str) -> None:
        self.base = live_server.url
        self.language = language
        self.context = browser.new_context(
            locale=LOCALES[language], viewport=PHONE, is_mobile=True, has_touch=True
        )
        self.context.add_cookies([{"name": "django_language", "value": language, "url": self.base}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.catalogue = english_strings(language) if language != "en" else set()
        self.findings: list[str] = []

    def t(self, message: str, context: str | None = None) -> str:
        """``message`` as the page's language says it."""
        with translation.override(self.language):
            if context:
                return translation.pgettext(context, message)
            return translation.gettext(message)

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def check(self, step: str) -> None:
        """Note what is wrong with the page shown now; ``findings`` collects it."""
        for problem in page_problems(self.page, self.language, self.catalogue):
            self.findings.append(f"[{self.language}] {step} ({self.path}): {problem}")

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    # The header, folded on a phone ------------------------------------------------------------

    def open_menu(self) -> None:
        button = self.page.locator(".menu-button")
        if button.is_visible() and button.get_attribute("aria-expanded") != "true":
            button.tap()

    def menu(self, label: str) -> None:
        """Open the menu and follow its link ``label`` (an English msgid)."""
        self.open_menu()
        name = re.compile(rf"^\s*{re.escape(self.t(label))}\s*$")
        self.tap(self.page.locator("nav.main-nav a", has_text=name))

    def sign_in(self, username: str) -> None:
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")

    def sign_out(self) -> None:
        self.open_menu()
        self.page.locator(".user-menu summary").tap()
        self.button("Sign out", within=".user-menu")

    # The page ---------------------------------------------------------------------------------

    def button(
        self, label: str, *, within: str = "main", context: str | None = None, kind: str = ""
    ) -> None:
        """Tap the button or link that reads ``label`` (an English msgid) and wait for the next
        page; ``kind="summary"`` unfolds a <details> instead."""
        name = re.compile(rf"^\s*{re.escape(self.t(label, context))}\s*$")
        target = self.page.locator(within).locator(kind or "button, a", has_text=name).first
        if kind == "summary":
            target.tap()
        else:
            self.tap(target)

    def tap(self, target) -> None:
        """Tap a link or a form's button (a locator or a selector) and wait for the next page."""
        if isinstance(target, str):
            target = self.page.locator(target)
        with self.page.expect_navigation():
            target.tap()

    def date_echo(self, input_id: str, day) -> None:
        """The date picker ``input_id`` holds ``day``: the page repeats it in its own language."""
        echo = self.page.locator(f"#{input_id}-echo").inner_text()
        with translation.override(self.language):
            month = date_format(day, "F")
        assert month in echo, echo
        assert str(day.day) in echo, echo
        assert str(day.year) in echo, echo

    def messages(self) -> str:
        return self.page.inner_text(".messages")

    def close(self) -> None:
        self.context.close()
