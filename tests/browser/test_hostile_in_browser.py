"""The hostile accept/ corpus, built under a sub-path and loaded in headless Chromium: nothing runs.

tests/test_hostile.py proves from the bytes that the built pages carry no active content; this
proves it the way a reader meets it. Every output file a browser would display (each page,
the feed, the sitemap, the story images, robots.txt, the static files) is opened with an init
script that runs before anything on the page and records, in ``window.__pwned``, every call
to alert/confirm/prompt/print, fetch, XMLHttpRequest, window.open, eval, Function, string
timers and the like, and in ``window.__csp`` every ``securitypolicyviolation`` event: under
the site's Content-Security-Policy a violation means something on the page tried to run or
load. Dialogs, pop-ups, uncaught exceptions, navigations away (a meta refresh) and requests
to any other host are recorded too. Every link, and everything else that can take focus, is
hovered and focused, and the browser's own URL parser is asked what every link points at.

The init script is added through the DevTools protocol, which the page's policy does not
govern, so it runs even where the policy forbids inline script.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from ..test_hostile import hostile_content
from .harness import SUB_PATH, Site, discover_pages, start_site, stays_local

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Request

# The search page's own library starts its worker: Pagefind's file, as test_hostile checks.
SEARCH_WORKER = f"Worker({SUB_PATH}pagefind/pagefind-worker.js) on "
# ... and search.js reads the list of the index's shards, from this site only
SEARCH_SHARDS = re.compile(rf"fetch\(http://127\.0\.0\.1:\d+{SUB_PATH}pagefind/shards\.json\) on ")
NAVIGATION_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 2_000
SETTLE_MS = 300  # after loading and after the interactions: a refresh or timer gets its turn
# Non-page output a browser displays by itself; _headers and the build marker are not served
# to readers as documents, and an unknown type would only start a download.
DISPLAYED_SUFFIXES = {".xml", ".txt", ".css", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}


def _the_search_pages_own(call: str) -> bool:
    return call.startswith(SEARCH_WORKER) or SEARCH_SHARDS.match(call) is not None


INIT_SCRIPT = r"""
(() => {
  const pwned = [];
  const csp = [];
  Object.defineProperty(window, "__pwned", { value: pwned, writable: false });
  Object.defineProperty(window, "__csp", { value: csp, writable: false });
  const show = (args) => {
    try {
      return Array.from(args, (a) => String(a)).join(", ").slice(0, 200);
    } catch (e) {
      return "?";
    }
  };
  // Playwright's own helpers call eval in the page's world to hover, focus and evaluate:
  // a call made directly from them is the test's, not the page's.
  // callerLine is line 2 of a stack taken in a wrapper: "Error", the wrapper, its caller.
  const fromPlaywright = (callerLine) =>
    /^\s*at (UtilityScript|InjectedScript)\./.test(callerLine || "");
  const caller = () => (new Error().stack || "").split("\n")[3];  // past caller() and the wrapper
  const note = (what, args, callerLine) => {
    if (!fromPlaywright(callerLine)) {
      pwned.push(`${what}(${show(args || [])}) on ${location.href}`);
    }
  };
  const wrap = (owner, name, callThrough) => {
    const original = owner[name];
    if (typeof original !== "function") return;
    const wrapper = function (...args) {
      note(name, args, caller());
      if (!callThrough) return undefined;
      return new.target ? Reflect.construct(original, args, new.target)
                        : Reflect.apply(original, this, args);
    };
    wrapper.prototype = original.prototype;
    owner[name] = wrapper;
  };
  // Dialogs go through, so the page's dialog event records them too; print would block.
  for (const name of ["alert", "confirm", "prompt"]) wrap(window, name, true);
  wrap(window, "print", false);
  for (const name of ["fetch", "XMLHttpRequest", "open", "eval", "Function", "WebSocket",
                      "EventSource", "Worker", "SharedWorker", "importScripts"]) {
    wrap(window, name, true);
  }
  if (navigator.sendBeacon) wrap(navigator, "sendBeacon", true);
  if (document.write) wrap(document, "write", false);
  if (document.writeln) wrap(document, "writeln", false);
  for (const name of ["setTimeout", "setInterval"]) {
    const original = window[name];
    window[name] = function (handler, ...rest) {
      if (typeof handler === "string") note(`${name} with a string`, [handler], caller());
      return Reflect.apply(original, this, [handler, ...rest]);
    };
  }
  const onViolation = (e) => csp.push(
    `${e.effectiveDirective || e.violatedDirective} blocked ${e.blockedURI || "inline"}` +
    ` at ${e.sourceFile || location.href}:${e.lineNumber}:${e.columnNumber}` +
    (e.sample ? ` (${e.sample})` : "")
  );
  window.addEventListener("securitypolicyviolation", onViolation, true);
  document.addEventListener("securitypolicyviolation", onViolation, true);
})();
"""

# Focusable and hoverable things: links first, then whatever else could take focus.
INTERACTIVE = (
    "a, area, button, input, select, textarea, summary, details, iframe, object, embed, "
    "svg a, [tabindex], [contenteditable], [onmouseover], [onfocus]"
)

POINT_AND_FOCUS = r"""
(selector) => {
  const events = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove",
                  "focusin", "pointerleave", "mouseout", "mouseleave"];
  const elements = document.querySelectorAll(selector);
  for (const el of elements) {
    if (typeof el.focus === "function") el.focus();
    for (const type of events) {
      el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
    }
    if (typeof el.blur === "function") el.blur();
  }
  return elements.length;
}
"""

# The browser's own reading of every URL on the page, and of where each link goes.
URL_REPORT = r"""
() => {
  const found = [];
  const safe = new Set(["http:", "https:", "mailto:"]);
  const attributes = ["href", "src", "action", "formaction", "poster", "data", "xlink:href"];
  for (const el of document.querySelectorAll("*")) {
    for (const name of attributes) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      let url;
      try {
        url = new URL(value, document.baseURI);
      } catch (e) {
        continue;  // not a URL at all: nothing to follow
      }
      if (!safe.has(url.protocol)) {
        found.push(`<${el.localName} ${name}="${value}"> is a ${url.protocol} URL`);
      }
    }
  }
  for (const a of document.querySelectorAll(".prose a[href]")) {
    if (a.protocol === "mailto:" || a.host === location.host) continue;
    const rel = new Set((a.getAttribute("rel") || "").split(/\s+/));
    if (!rel.has("nofollow") || !rel.has("noopener") || a.target) {
      const href = a.getAttribute("href");
      found.push(`<a href="${href}"> goes to ${a.host} without rel nofollow noopener`);
    }
  }
  return found;
}
"""


@dataclass
class Visit:
    """What happened while one file was open in the browser."""

    host: str
    url: str
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        return stays_local(url, self.host)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def on_request(self, request: Request) -> None:
        if not self.is_local(request.url):
            self.requests.append(f"request to another host: {request.method} {request.url}")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught exception: {error}")

    def on_navigation(self, frame: Any) -> None:
        if frame.parent_frame is None and frame.url != self.url:
            self.navigations.append(f"navigated away to {frame.url}")

    def on_popup(self, popup: Page) -> None:
        self.popups.append(f"opened a window: {popup.url}")


@dataclass(frozen=True)
class Target:
    url: str
    label: str
    expected_status: int
    is_page: bool


# --------------------------------------------------------------------------- the hostile site

_HOSTILE_SITE = pytest.StashKey[Site]()


def hostile_site_for(config: pytest.Config) -> Site:
    """Build the accept/ corpus under the sub-path and serve it, once per session."""
    if _HOSTILE_SITE not in config.stash:
        factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
        workdir = factory.mktemp("hostile-browser")
        config.stash[_HOSTILE_SITE] = start_site(workdir, hostile_content(workdir))
    return config.stash[_HOSTILE_SITE]


def targets(site: Site) -> list[Target]:
    """Every page, plus every other output file a browser would display by itself."""
    found = [
        Target(p.url, p.label, p.expected_status, True)
        for p in discover_pages(site.root, site.base_url)
    ]
    for file in sorted(site.root.rglob("*")):
        if file.is_file() and file.suffix.lower() in DISPLAYED_SUFFIXES:
            relative = file.relative_to(site.root).as_posix()
            found.append(Target(site.base_url + relative, "/" + relative, 200, False))
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "hostile_target" not in metafunc.fixturenames:
        return
    site = hostile_site_for(metafunc.config)
    if site.build_error is not None:
        metafunc.parametrize("hostile_target", [None], ids=["build-failed"])
        return
    found = targets(site)
    metafunc.parametrize("hostile_target", found, ids=[t.label for t in found])


@pytest.fixture(scope="session")
def hostile_site(request: pytest.FixtureRequest) -> Iterator[Site]:
    site = hostile_site_for(request.config)
    if site.build_error is not None:
        pytest.fail(f"The hostile corpus did not build:\n{site.build_error}", pytrace=False)
    yield site
    if site.server is not None:
        site.server.close()


@pytest.fixture
def hostile_target(request: pytest.FixtureRequest, hostile_site: Site) -> Target:
    target: Target = request.param
    return target


# --------------------------------------------------------------------------- visiting


def interact(page: Page) -> int:
    """Hover every link with the mouse, then focus and point at everything that could react.

    The mouse is Playwright's (real pointer events, :hover); focusing and the synthetic
    pointer events for every interactive element are done in the page, which is a hundred
    times quicker than one DevTools round trip per element and reaches hidden ones too.
    """
    from playwright.sync_api import Error as PlaywrightError

    links = page.query_selector_all("a[href], area[href]")
    for link in links:
        # One off-screen (the skip link) cannot be hovered; the events below still reach it.
        with contextlib.suppress(PlaywrightError):
            link.hover(force=True, timeout=ACTION_TIMEOUT_MS)
    reached = page.evaluate(POINT_AND_FOCUS, INTERACTIVE)
    page.keyboard.press("Tab")
    return reached


def visit(browser: Browser, site: Site, target: Target) -> list[str]:
    """Open one file with the traps set, interact with it, and say everything that happened."""
    log = Visit(site.host, target.url)
    context = browser.new_context()
    problems: list[str] = []
    try:
        context.add_init_script(INIT_SCRIPT)
        context.route(lambda url: not log.is_local(url), lambda route: route.abort())
        page = context.new_page()
        page.on("popup", log.on_popup)
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        page.on("dialog", log.on_dialog)
        page.on("request", log.on_request)
        page.on("pageerror", log.on_page_error)
        response = page.goto(target.url, wait_until="load")
        status = response.status if response else None
        if status != target.expected_status:
            problems.append(f"answered HTTP {status}, expected {target.expected_status}")
        page.on("framenavigated", log.on_navigation)
        page.wait_for_timeout(SETTLE_MS)
        if target.is_page:
            problems += page.evaluate(URL_REPORT)
            if interact(page) == 0:
                problems.append("nothing to hover or focus: is the page empty?")
            page.wait_for_timeout(SETTLE_MS)
        if not log.navigations:
            calls = page.evaluate("window.__pwned")
            problems += [f"ran: {call}" for call in calls if not _the_search_pages_own(call)]
            problems += [f"CSP violation: {v}" for v in page.evaluate("window.__csp")]
        problems += [*log.dialogs, *log.popups, *log.requests, *log.navigations, *log.errors]
    finally:
        context.close()
    return problems


def test_nothing_hostile_runs(browser: Browser, hostile_site: Site, hostile_target: Target):
    problems = visit(browser, hostile_site, hostile_target)
    if problems:
        pytest.fail(
            f"On {hostile_target.url} ({len(problems)}):\n" + "\n".join(problems), pytrace=False
        )


def test_the_traps_are_live(browser: Browser, hostile_site: Site):
    """The traps catch script that does run: a page of the site's own origin that misbehaves.

    The bait is served beside the built site (and removed after), without the site's policy,
    so its inline script runs; every trap must then have something to report.
    """
    bait = hostile_site.root / "__bait.html"
    bait.write_text(
        "<!doctype html><title>bait</title><a href='#'>x</a>"
        "<script>alert(1); eval('1'); fetch('/x'); setTimeout('1');</script>"
        "<img src='https://evil.example/x.png' alt=''>",
        encoding="utf-8",
    )
    try:
        problems = visit(
            browser,
            hostile_site,
            Target(hostile_site.base_url + "__bait.html", "/__bait.html", 200, True),
        )
    finally:
        bait.unlink()
    text = "\n".join(problems)
    for expected in ("ran: alert(1)", "ran: eval(1)", "ran: fetch(/x)", "alert dialog",
                     "setTimeout with a string", "request to another host"):  # fmt: skip
        assert expected in text, f"the trap for {expected!r} caught nothing:\n{text}"

    policy = hostile_site.root / "__bait-csp.html"
    policy.write_text(
        "<!doctype html><meta http-equiv='Content-Security-Policy' content=\"script-src 'self'\">"
        "<title>bait</title><a href='#'>x</a><script>alert(1)</script>",
        encoding="utf-8",
    )
    try:
        problems = visit(
            browser,
            hostile_site,
            Target(hostile_site.base_url + "__bait-csp.html", "/__bait-csp.html", 200, True),
        )
    finally:
        policy.unlink()
    assert any(p.startswith("CSP violation: script-src") for p in problems), problems
