"""The page walk: what a new user meets in the first hour, checked on every page.

Each role signs in to the demo company, in English and in 中文, on a 1366 px desktop and a
390 px phone, follows every link of the menu (dropdowns included) and opens one record of
each kind from the lists, with the Content-Security-Policy on. It fails on a response of 400
or more, a browser console error (a script or style the policy refuses is one), a
POST form without a CSRF token, a page wider than the screen or a table cut off on the
phone, a menu on more than one row or menu text that wraps onto a second line, an axe-core
(WCAG 2.1 AA) violation, and, in 中文, interface text left in English that has a Chinese
translation.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Browser, Page

from shared.extensions import db
from shared.i18n import TRANSLATIONS_DIR
from shared.seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MENU_ROW_PX = 64
AXE_URL = "/__page-walk__/axe.min.js"  # answered by the browser context, not the app  # Bootstrap's navbar is 56 px high with one row of links
SKIPPED_LINK = re.compile(r"/pdf|download=|/logout|/export|\.csv|\.xlsx|\.zip|^mailto:|^tel:")

# In the page: POST forms without a CSRF token, the overflow, and navigation text that wraps.
PAGE_FACTS = """() => {
  const forms = Array.from(document.forms)
    .filter(f => (f.getAttribute('method') || '').toLowerCase() === 'post'
                 && !f.querySelector('input[name=csrf_token]'))
    .map(f => f.getAttribute('action') || '(no action)');
  const wrapped = [];
  const walker = document.createTreeWalker(document.querySelector('nav') || document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || !node.parentElement.offsetParent) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    if (tops.size > 1) wrapped.push(text);
  }
  const nav = document.querySelector('nav.navbar');
  const cut = Array.from(document.querySelectorAll('main .table-responsive'))
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => (el.querySelector('table') || el).getAttribute('data-testid') || 'a table');
  return {forms, wrapped, cut, navHeight: nav ? nav.offsetHeight : 0,
          scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth};
}"""

# In the page: every visible text and the labels screen readers hear.
PAGE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || ['SCRIPT', 'STYLE', 'TEMPLATE'].includes(parent.tagName)) continue;
    if (node.textContent.trim()) texts.push(node.textContent.trim());
  }
  for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
    for (const name of ['placeholder', 'aria-label', 'title']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""


def translated_english() -> set[str]:
    """The English messages the catalogue translates into something else."""
    with (TRANSLATIONS_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    return {message.id for message in catalogue
            if isinstance(message.id, str) and message.id and message.string
            and message.string != message.id and "%(" not in message.id
            and re.search(r"[A-Za-z]{2}", message.id)}


@dataclass
class Walk:
    page: Page
    base: str
    locale: str
    width: str
    english: set[str]
    problems: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def visit(self, url: str) -> None:
        self.console.clear()
        response = self.page.goto(url, wait_until="networkidle")
        where = f"[{self.locale} {self.width}] {url.removeprefix(self.base)}"
        if response is None or response.status >= 400:
            self.problems.append(f"{where}: HTTP {response.status if response else '?'}")
            return
        facts = self.page.evaluate(PAGE_FACTS)
        self.problems += [f"{where}: POST form without a CSRF token ({action})"
                          for action in facts["forms"]]
        if facts["scrollWidth"] > facts["width"] + 1:
            self.problems.append(f"{where}: page is {facts['scrollWidth']} px wide on a "
                                 f"{facts['width']} px screen")
        if self.width == "desktop":
            self.problems += [f"{where}: menu text wraps: {text!r}"
                              for text in facts["wrapped"]]
            if facts["navHeight"] > MENU_ROW_PX:
                self.problems.append(f"{where}: the menu takes more than one row "
                                     f"({facts['navHeight']} px high)")
        else:
            self.problems += [f"{where}: {table} is cut off (scrolls sideways)"
                              for table in facts["cut"]]
        self.problems += [f"{where}: console: {message}" for message in self.console]
        self.problems += [f"{where}: axe {v['id']} ({v['impact']}): {len(v['nodes'])} "
                          f"place(s), e.g. {v['nodes'][0]['target']}"
                          for v in self.axe_violations()]
        if self.locale == "zh":
            left = sorted({text for text in self.page.evaluate(PAGE_TEXTS)
                           if text in self.english})
            if left:
                self.problems.append(f"{where}: English left in 中文: {left}")

    def axe_violations(self) -> list[dict]:
        # Served from the site itself (see walk_role), so the page's Content-Security-Policy,
        # which allows only this site's scripts, stays on during the walk.
        self.page.add_script_tag(url=f"{self.base}{AXE_URL}")
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        return result["violations"]

    def links(self, selector: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            selector, "els => els.map(a => a.getAttribute('href'))")
        return [self.base + href for href in hrefs
                if href and href.startswith("/") and not SKIPPED_LINK.search(href)]


def shape(url: str) -> str:
    """A URL with its numbers replaced: one record of each kind is enough."""
    return re.sub(r"\d+", "N", url.split("?")[0])


@pytest.fixture
def demo(app: Flask) -> Iterator[Flask]:
    """The demo company. The walk checks pages (templates, scripts, styles, translations),
    which are the same whatever the database, so it runs once, on SQLite (it is the suite's
    slowest test: about 200 pages, each checked by axe-core)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the page walk runs on SQLite only: the pages do not depend on it")
        assert seed_demo()
    yield app


def walk_role(browser: Browser, live_server: str, email: str, locale: str, width: str,
              english: set[str]) -> list[str]:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h},
                                  locale="zh-CN" if locale == "zh" else "en-GB")
    context.route(f"{live_server}{AXE_URL}", lambda route: route.fulfill(
        path=str(AXE), content_type="text/javascript"))
    page = context.new_page()
    walk = Walk(page, live_server, locale, width, english)
    page.on("console", lambda m: walk.console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: walk.console.append(str(error)))
    try:
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_selector("[data-testid=current-user]", state="attached")
        page.locator(f"[data-testid=language-switch] button[value={locale}]").click()
        page.wait_for_selector("html[lang=zh-CN]" if locale == "zh" else "html[lang=en]",
                               state="attached")
        walk.visit(f"{live_server}/")
        menu = list(dict.fromkeys(walk.links("#mainnav a.nav-link, #mainnav a.dropdown-item")))
        seen_records: set[str] = set()
        for url in menu:
            walk.visit(url)
            for record in walk.links("main table tbody a[href], main .list-group a[href]"):
                if shape(record) not in seen_records and shape(record) not in map(shape, menu):
                    seen_records.add(shape(record))
                    walk.visit(record)
        return walk.problems
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("email", [email for email, _name, _roles in DEMO_USERS])
def test_every_page_of_every_role_in_both_languages_and_widths(demo, live_server, browser,
                                                                email, locale, width):
    problems = walk_role(browser, live_server, email, locale, width, translated_english())
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
