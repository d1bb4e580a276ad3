"""Every built page, loaded in Chromium under the sub-path: clean console, no failed or foreign
requests, no WCAG 2.2 A/AA violations found by axe-core, and links that resolve.

axe-core is added to each page by URL, from the test server's own origin (``/__axe/axe.min.js``).
The site ships ``Content-Security-Policy: script-src 'self'``, which blocks inline scripts, so
``add_script_tag(content=...)`` or ``add_script_tag(path=...)`` (both inline) would be refused.
``bypass_csp=True`` would also work, but it switches the policy off for the whole page and would
hide the site's own CSP violations from the console check; a same-origin script URL keeps the
policy in force exactly as a reader gets it. ``axe.run`` itself is called through
``page.evaluate``, which the DevTools protocol runs outside the page's CSP.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from .harness import (
    AXE_PATH,
    VIEWPORTS,
    Site,
    SitePage,
    fetch,
    local_path,
    parse_html,
    require,
    resolve,
    stays_local,
)

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        ConsoleMessage,
        Page,
        Request,
        Response,
        ViewportSize,
    )

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
AXE_NODES_SHOWN = 5
NAVIGATION_TIMEOUT_MS = 30_000
# Fragments that need no matching id: the HTML spec scrolls to the top for both.
FREE_FRAGMENTS = {"", "top"}


def fail_with(problems: list[str], heading: str) -> None:
    """Fail with every problem listed, one per line, without a Python traceback in the way."""
    if problems:
        pytest.fail(f"{heading} ({len(problems)}):\n" + "\n".join(problems), pytrace=False)


# --------------------------------------------------------------------------- loading a page


@dataclass
class PageLog:
    """Everything that went wrong while a page loaded, as readable lines."""

    host: str
    expected_document: str | None = None
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        return stays_local(url, self.host)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "warning"):
            return
        where = message.location or {}
        text = f"console.{message.type}: {message.text}"
        if where.get("url"):
            text += f"  (at {where['url']}:{where.get('lineNumber', '?')})"
        if not self._is_expected_404_notice(message):
            self.console.append(text)

    def _is_expected_404_notice(self, message: ConsoleMessage) -> bool:
        """Chromium logs the 404 page's own status as an error; that one is intended."""
        where = message.location or {}
        return (
            self.expected_document is not None
            and message.type == "error"
            and where.get("url") == self.expected_document
            and "status of 404" in message.text
        )

    def on_page_error(self, error: Any) -> None:
        self.page_errors.append(f"uncaught exception: {getattr(error, 'stack', None) or error}")

    def on_request(self, request: Request) -> None:
        if not self.is_local(request.url):
            self.foreign_requests.append(f"request to another host: {request.method} {request.url}")

    def on_request_failed(self, request: Request) -> None:
        if self.is_local(request.url):
            self.failed_requests.append(
                f"request failed: {request.method} {request.url} ({request.failure})"
            )

    def on_response(self, response: Response) -> None:
        if response.status < 400:
            return
        if response.url == self.expected_document and response.status == 404:
            return
        self.bad_responses.append(f"HTTP {response.status}: {response.url}")

    def problems(self) -> list[str]:
        return [
            *self.foreign_requests,
            *self.failed_requests,
            *self.bad_responses,
            *self.page_errors,
            *self.console,
        ]


def watch(page: Page, log: PageLog) -> None:
    """Record console messages, page errors and every request and response."""
    page.on("console", log.on_console)
    page.on("pageerror", log.on_page_error)
    page.on("request", log.on_request)
    page.on("requestfailed", log.on_request_failed)
    page.on("response", log.on_response)


@contextmanager
def open_page(
    browser: Browser,
    site: Site,
    site_page: SitePage,
    viewport: ViewportSize,
    *,
    javascript: bool = True,
) -> Iterator[tuple[Page, PageLog]]:
    """Load one page in a fresh context (no shared storage between tests) and yield it.

    Requests to other hosts are recorded and then aborted, so a test never reaches the network.
    The load waits for network idle so that what scripts fetch after `load` is checked too.
    """
    log = PageLog(host=site.host)
    if site_page.expected_status != 200:
        log.expected_document = site_page.url
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    try:
        context.route(lambda url: not log.is_local(url), lambda route: route.abort())
        page = context.new_page()
        page.set_default_timeout(NAVIGATION_TIMEOUT_MS)
        watch(page, log)
        response = page.goto(site_page.url, wait_until="networkidle")
        status = response.status if response else None
        if status != site_page.expected_status:
            log.bad_responses.insert(
                0, f"page answered HTTP {status}, expected {site_page.expected_status}"
            )
        yield page, log
    finally:
        context.close()


# --------------------------------------------------------------------------- axe


def run_axe(page: Page, axe_script: str) -> list[dict[str, Any]]:
    """Inject axe-core from the test server's origin and return its violations."""
    page.add_script_tag(url=axe_script)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return list(results["violations"])


def describe_violation(violation: dict[str, Any]) -> str:
    """Rule, impact, help and the first few offending elements with their HTML."""
    nodes = violation.get("nodes", [])
    lines = [
        f"[{violation.get('impact')}] {violation['id']}: {violation.get('help')}",
        f"    {violation.get('helpUrl')}",
        f"    {len(nodes)} element(s); first {min(len(nodes), AXE_NODES_SHOWN)}:",
    ]
    for node in nodes[:AXE_NODES_SHOWN]:
        target = " ".join(str(part) for part in node.get("target", []))
        lines.append(f"    - {target}")
        lines.append(f"      {node.get('html', '').strip()}")
        summary = (node.get("failureSummary") or "").strip().replace("\n", "\n        ")
        if summary:
            lines.append(f"        {summary}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- links


@dataclass
class LinkIndex:
    """Internal URLs referred to by the site, each with where it was referred to from."""

    host: str
    sources: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    fragments: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    ids: dict[str, set[str]] = field(default_factory=dict)

    def add_page(self, page_url: str, ids: set[str]) -> None:
        """Remember a page's own ids, so its same-page links (``#main``) need no fetch."""
        self.ids[page_url] = ids

    def add(self, url: str, source: str, from_url: str) -> None:
        """Keep http(s) URLs on the test server; other hosts cannot be reached from here.

        A link back to the page it is on (a skip link, a table of contents) is not fetched:
        the browser does not navigate for it, and the 404 page's own URL answers 404.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.host:
            return
        target, fragment = urldefrag(url)
        if target != from_url:
            self.sources[target].append(source)
        if unquote(fragment) not in FREE_FRAGMENTS:
            self.fragments[(target, unquote(fragment))].append(source)


def index_site_links(site: Site) -> LinkIndex:
    """Read every built page's references, resolved against the URL it is served at."""
    index = LinkIndex(site.host)
    for site_page in site.pages:
        parsed = parse_html(site_page.file.read_text(encoding="utf-8"))
        index.add_page(site_page.url, parsed.ids)
        for kind, reference in parsed.references:
            url = resolve(reference, site_page.url, parsed.base_href)
            index.add(url, f"{site_page.label} {kind}={reference!r}", site_page.url)
    return index


def check_links(index: LinkIndex) -> list[str]:
    """Fetch each URL once; report non-200 answers and fragments with no matching id."""
    problems: list[str] = []
    ids_by_url = dict(index.ids)
    for url in sorted(index.sources):
        answer = fetch(url)
        if answer.status != 200:
            detail = f" -> {answer.location}" if answer.location else ""
            problems.append(
                cited(f"HTTP {answer.status}{detail}: {local_path(url)}", index.sources[url])
            )
        elif answer.content_type == "text/html" and url not in ids_by_url:
            ids_by_url[url] = parse_html(answer.body.decode("utf-8", "replace")).ids
    for (url, fragment), sources in sorted(index.fragments.items()):
        if url in ids_by_url and fragment not in ids_by_url[url]:
            problems.append(cited(f"no element with id {fragment!r} on {local_path(url)}", sources))
    return problems


def cited(problem: str, sources: list[str]) -> str:
    """A problem followed by every place that refers to it, one per line."""
    return "\n".join([problem, *(f"    from {source}" for source in sorted(set(sources)))])


def check_page_cleanly_with_axe(
    browser: Browser, site: Site, target: SitePage, viewport: ViewportSize
) -> None:
    """For a page of a site a test module builds for itself: it loads cleanly (PageLog) and
    axe-core finds nothing."""
    require(AXE_PATH.is_file(), f"axe-core ({AXE_PATH}, from `npm ci --prefix tests`)")
    with open_page(browser, site, target, viewport) as (page, log):
        violations = run_axe(page, site.axe_url)
        problems = log.problems()
    assert problems == []
    assert violations == [], "\n".join(describe_violation(v) for v in violations)


# --------------------------------------------------------------------------- tests


def test_page_loads_cleanly(browser: Browser, site: Site, site_page: SitePage) -> None:
    """No console errors or warnings, no exceptions, no failed, 4xx/5xx or off-site requests;
    and at 320px wide (WCAG 1.4.10 reflow) the page itself never scrolls sideways: wide tables
    scroll inside their own regions."""
    with open_page(browser, site, site_page, VIEWPORTS["desktop"]) as (page, log):
        problems = log.problems()
        page.set_viewport_size({"width": 320, "height": 740})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"at 320px wide the page scrolls sideways by {overflow}px")
    fail_with(problems, f"Problems loading {site_page.url}")


def test_page_has_no_axe_violations(
    browser: Browser,
    site: Site,
    site_page: SitePage,
    viewport: ViewportSize,
    axe_script: str,
) -> None:
    """axe-core finds nothing against WCAG 2.0/2.1/2.2 levels A and AA at this viewport."""
    with open_page(browser, site, site_page, viewport) as (page, _):
        violations = run_axe(page, axe_script)
    size = f"{viewport['width']}x{viewport['height']}"
    fail_with(
        [describe_violation(violation) for violation in violations],
        f"axe-core violations on {site_page.url} at {size}",
    )


def test_internal_links_resolve(site: Site) -> None:
    """Every internal href/src on every page answers 200 under the sub-path, no redirects."""
    index = index_site_links(site)
    assert index.sources, "no internal links found at all: is the site empty?"
    fail_with(check_links(index), f"Broken internal links among {len(index.sources)} URLs checked")


def test_home_page_works_without_javascript(browser: Browser, site: Site) -> None:
    """With scripts off, the home page still loads, has content, and its links resolve."""
    home = next(page for page in site.pages if page.label == "/")
    with open_page(browser, site, home, VIEWPORTS["desktop"], javascript=False) as (page, log):
        problems = log.problems()
        text = page.inner_text("body").strip()
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    if not text:
        problems.append("the body has no visible text without JavaScript")
    index = LinkIndex(site.host)
    index.add_page(home.url, parse_html(home.file.read_text(encoding="utf-8")).ids)
    for href in hrefs:
        index.add(href, f"/ a[href]={href!r}", home.url)
    if not index.sources:
        problems.append("the home page has no internal links without JavaScript")
    problems.extend(check_links(index))
    fail_with(problems, "Home page without JavaScript")
