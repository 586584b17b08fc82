"""A crawl of the web interface as one signed-in person sees it, in a real browser.

From the home page it follows every link of the product (not the admin, the API or downloads),
one or two pages of each kind (``/referrals/12/`` and ``/referrals/31/`` are one kind), and reads
each page in every language asked. On each it notes what a person on a phone would meet:

- a page that fails (5xx) or a link that leads nowhere (4xx);
- a page wider than the screen (it scrolls sideways), with the elements that stick out;
- interface text left in English: in Arabic any Latin word outside user-entered text (which
  carries ``dir="auto"``, or ``translate="no"`` for codes), in every language a text that is an
  English string of the catalogue whose translation differs.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]

# Not the product's own pages, or not pages at all.
SKIPPED = re.compile(
    r"^/(admin|api|static|media|accounts/logout|i18n|metrics|health)(/|$)"
    r"|\.(ics|csv|json|pdf|xlsx|zip)$|/(export|download|feed|calendar)(/|\.|$)"
)
DOWNLOAD_KEYS = {"export", "format", "download"}
PER_KIND = 1

_PAGE_CHECKS = r"""
(language) => {
  const width = document.documentElement.clientWidth;
  const overflow =
    Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - width;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].join(".");
    return name;
  };
  // Clipped by an ancestor that scrolls, along the chain of containing blocks: an absolutely
  // placed element (a visually hidden label) escapes a scroll box that is not positioned.
  const clippedByAncestor = (el) => {
    let absolute = getComputedStyle(el).position === "absolute";
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (absolute && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      absolute = style.position === "absolute";
    }
    return false;
  };
  const wide = [];
  if (overflow > 0) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      if ((box.right > width + 1 || box.left < -1) && !clippedByAncestor(el)) {
        wide.push(`${describe(el)} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
      }
    }
  }
  const hidden = ["html", "body"].filter(
    (tag) => getComputedStyle(document.querySelector(tag)).overflowX === "hidden");

  // Visible interface text, outside what a person typed (bdi, dir=auto, a textarea, the name of
  // a record offered as a choice) or a code (translate=no).
  const exempt =
    "[dir=auto], bdi, [unicode-bidi=plaintext], [translate=no], code, pre, textarea, script, " +
    "style, noscript";
  const isId = (value) => /^(\w+:)?\d+$/.test(value || "");  // 12, or organisation:12
  const record = (el) =>
    (el.tagName === "OPTION" && isId(el.value)) ||
    [...el.querySelectorAll(":scope > input[type=checkbox], :scope > input[type=radio]")]
      .some((input) => isId(input.value));
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // Text between first-strong isolates (U+2068 ... U+2069) is a name inside plain text.
    const text = node.textContent
      .replace(/\u2068[^\u2069]*\u2069/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    const parent = node.parentElement;
    if (!text || !parent || parent.closest(exempt) || record(parent)) continue;
    const own = parent.closest("[lang]");
    if (own && own !== document.documentElement && own.lang !== language) continue;
    texts.push(text);
  }
  for (const el of document.body.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    if (el.closest(exempt)) continue;
    for (const attribute of ["placeholder", "aria-label", "title", "alt"]) {
      const value = (el.getAttribute(attribute) || "").trim();
      if (value) texts.push(value);
    }
  }
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.href);
  return {overflow, wide: wide.slice(0, 6), hidden, texts, links};
}
"""


@dataclass
class Finding:
    role: str
    language: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.role} [{self.language}] {self.url}: {self.problem}"


@dataclass
class Crawl:
    pages: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)


def kind_of(path_and_query: str) -> str:
    parts = urlsplit(path_and_query)
    path = re.sub(r"/\d+(?=/|$)", "/0", parts.path)
    path = re.sub(r"/[0-9a-f-]{32,36}(?=/|$)", "/u", path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


def _local(url: str, origin: str) -> str | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    if SKIPPED.search(parts.path):
        return None
    if DOWNLOAD_KEYS & {key for key, _ in parse_qsl(parts.query)}:
        return None
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "next"]
    )
    return parts.path + (f"?{query}" if query else "")


def english_strings(language: str) -> set[str]:
    """The catalogue's English strings that this language translates differently."""
    mo = ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"
    with open(mo, "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    strings = set()
    for msgid, msgstr in catalogue.items():
        english = msgid[0] if isinstance(msgid, tuple) else msgid
        if not english or "%" in english or "{" in english or msgstr == english:
            continue
        if "\x04" in english:  # a context: "context\x04message"
            english = english.split("\x04", 1)[1]
        if len(english) > 2:
            strings.add(english)
    return strings


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Addresses and codes (a case reference such as C-7K2M9QXA, a file type such as .ics) are no
# words to translate.
_NOT_WORDS = re.compile(r"https?://\S+|\S+@\S+|\b[\w-]*\d[\w-]*\b|\.[a-z]{2,4}\b")
# Words that are the same in every language here: the product, formats, the authenticator apps
# named in the two-factor set-up, the calendar programs and the minutes' Markdown.
_EVERYWHERE = {
    "Relais",
    "API",
    "CSV",
    "iCalendar",
    "OK",
    "ID",
    "URL",
    "HSDS",
    "PDF",
    "TOTP",
    "QR",
    "FreeOTP",
    "Aegis",
    "Google",
    "Authenticator",
    "Ctrl",
    "Outlook",
    "Apple",
    "Markdown",
}
# Words in capitals are codes and acronyms (RRULE, RFC 5545, FREQ=MONTHLY), not sentences.
_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9_]+\b")


def untranslated(texts: list[str], language: str, catalogue: set[str]) -> list[str]:
    found = []
    for text in texts:
        if text in catalogue:
            found.append(text)
        elif language == "ar":
            words = [
                w
                for w in _LATIN_WORD.findall(_CAPITALS.sub(" ", _NOT_WORDS.sub(" ", text)))
                if w not in _EVERYWHERE
            ]
            if words:
                found.append(text)
    return sorted(set(found))


def _open(page, url: str) -> int | None:
    """The status of the page at ``url``; None for a file that downloads instead."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return None
        raise
    return response.status if response else 0


def _problems(checks: dict, language: str, catalogue: set[str] | None) -> list[str]:
    problems = []
    if checks["overflow"] > 0:
        problems.append(f"{checks['overflow']} px wider than the screen: {checks['wide']}")
    if checks["hidden"]:
        problems.append(f"overflow-x hidden on {checks['hidden']} (hides, does not fit)")
    if catalogue is not None:
        left = untranslated(checks["texts"], language, catalogue)
        if left:
            problems.append(f"untranslated: {left[:8]}")
    return problems


# WCAG 2.1 A and AA, as axe-core checks them; the serious and critical violations fail the crawl.
_AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_AXE = Axe()


def with_axe(context) -> None:
    """axe-core in every page the context opens, handed to the browser once: sent with each
    check instead (half a megabyte of script over the wire per page), it was two thirds of a
    crawl's time."""
    context.add_init_script(script=_AXE.axe_script)


def accessibility_problems(page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):  # a context without ``with_axe``
        page.evaluate(_AXE.axe_script)
    violations = page.evaluate("(options) => axe.run(document, options)", _AXE_OPTIONS)[
        "violations"
    ]
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"][0]) for node in v["nodes"][:4])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def page_problems(
    page, language: str, catalogue: set[str] | None, *, axe: bool = True
) -> list[str]:
    """What the crawl notes on the page the browser shows now (a page reached by a form, say):
    overflow, interface text left untranslated (given the ``catalogue`` of ``english_strings``)
    and, with ``axe``, serious accessibility violations."""
    problems = _problems(page.evaluate(_PAGE_CHECKS, language), language, catalogue)
    return problems + (accessibility_problems(page) if axe else [])


def crawl_as(
    browser,
    base_url: str,
    role: str,
    sign_in,
    *,
    languages: tuple[str, ...] = ("en", "fr", "ar"),
    width: int = 360,
    limit: int = 60,
    words: bool = True,
    axe: bool = True,
    start: str = "/",
    within: str = "/",
) -> Crawl:
    """Sign in as ``role`` and read every kind of page it can reach, in each language (``words``:
    and look for interface text left untranslated; ``axe``: and check each page's accessibility
    with axe-core, in each language). ``start``: the first page; ``within``: the paths it follows
    (the public pages name their language in the path: each is crawled in its own)."""
    result = Crawl()
    catalogues = {language: english_strings(language) for language in languages if language != "en"}
    catalogues["en"] = set()
    context = browser.new_context(
        locale="en-GB", viewport={"width": width, "height": 740}, is_mobile=True, has_touch=True
    )
    if axe:
        with_axe(context)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, base_url, role)
        host = urlsplit(base_url).hostname
        queue, seen, kinds = deque([start]), {start}, Counter()
        while queue and sum(result.pages.values()) < limit * len(languages):
            path = queue.popleft()
            for language in languages:
                cookie = {"name": "django_language", "value": language, "domain": host, "path": "/"}
                context.add_cookies([cookie])
                status = _open(page, base_url + path)
                if status is None:
                    break
                result.pages[language] += 1
                if status >= 400 or status == 0:
                    result.findings.append(Finding(role, language, path, f"answered {status}"))
                    break
                checks = page.evaluate(_PAGE_CHECKS, language)
                catalogue = catalogues[language] if words else None
                problems = _problems(checks, language, catalogue)
                if axe:
                    problems += accessibility_problems(page)
                result.findings += [Finding(role, language, path, p) for p in problems]
                if language == languages[0]:
                    for link in checks["links"]:
                        local = _local(link, base_url)
                        if local is None or local in seen or not local.startswith(within):
                            continue
                        seen.add(local)
                        if kinds[kind_of(local)] < PER_KIND:
                            kinds[kind_of(local)] += 1
                            queue.append(local)
    finally:
        context.close()
    return result
