"""Shared machinery for the browser tests: build the site, serve it under a sub-path, list pages.

The site is meant to be hostable under a sub-path (GitHub Pages project sites live at
``/<repo>/``), so it is built with a base URL ending in ``/wp-stories/`` and served only there:
a link that forgets the base path then 404s here, as it would for a real reader.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from ..conftest import keep_only_examples

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"
NODE_MODULES = REPO_ROOT / "tests" / "node_modules"
AXE_PATH = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")

SUB_PATH = "/wp-stories/"
AXE_URL_PATH = "/__axe/axe.min.js"
# A missing page two folders deep: GitHub Pages serves 404.html at any depth, so the 404 page
# must not use document-relative URLs for its styles, scripts or links.
MISSING_PAGE = "no/such/page/"
BUILD_TIMEOUT_S = 600
VIEWPORTS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 375, "height": 740},
}
INSTALL_HINT = "Run `bash tests/run.sh`, which installs it (apt-get, pip and npm as needed)."


def stays_local(url: str, host: str) -> bool:
    """data:, blob: and about: URLs never leave the browser; anything else must be on host."""
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.netloc == host


def in_ci() -> bool:
    """Whether we run under CI, where a missing tool must fail the run instead of skipping."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(available: bool, what: str) -> None:
    """Skip the test when a tool is missing on a developer machine, but fail it under CI.

    A skipped browser test on CI would look green while checking nothing.
    """
    if available:
        return
    message = f"{what} is missing. {INSTALL_HINT}"
    if in_ci():
        pytest.fail(f"CI is set, so this is an error: {message}", pytrace=False)
    pytest.skip(message)


def java_path() -> str | None:
    """The java executable on PATH, if any."""
    return shutil.which("java")


# --------------------------------------------------------------------------- build


def run_check(content: Path) -> subprocess.CompletedProcess[str]:
    """`python build.py check --content DIR`, as a contributor runs it, for its output."""
    return subprocess.run(
        [sys.executable, "build.py", "check", "--content", str(content)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


class BuildError(Exception):
    """The generator exited non-zero; the message carries its output."""


def build_site(output: Path, base_url: str, content: Path = CONTENT_DIR) -> None:
    """Build ``content`` (the example content unless told) with the real CLI into ``output``."""
    command = [
        sys.executable,
        "build.py",
        "build",
        "--content",
        str(content),
        "--output",
        str(output),
        "--base-url",
        base_url,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"could not run {' '.join(command)}: {error}") from error
    if done.returncode != 0:
        raise BuildError(
            f"`{' '.join(command)}` exited {done.returncode}\n"
            f"--- stderr ---\n{done.stderr}\n--- stdout ---\n{done.stdout}"
        )


# --------------------------------------------------------------------------- server

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".csv": "text/csv",
    ".svg": "image/svg+xml",
}


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serves ``site_root`` at ``SUB_PATH`` only, the way GitHub Pages serves a project site.

    Missing paths under the sub-path get the site's own 404.html with status 404; anything
    outside it gets a bare 404, except ``AXE_URL_PATH``, which serves axe-core from the same
    origin so the site's ``script-src 'self'`` policy admits it (see the page tests).
    """

    site_root: Path
    extra_files: dict[str, Path]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.site_root), **kwargs)

    def do_GET(self) -> None:
        if self._routed():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._routed():
            super().do_HEAD()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """Content types a static host sends, where Python's own table differs or is silent."""
        return CONTENT_TYPES.get(Path(path).suffix.lower()) or super().guess_type(path)

    def _routed(self) -> bool:
        """Answer requests outside the sub-path here; True means let the file server answer."""
        path = urlsplit(self.path).path
        if path in self.extra_files:
            self._send_file(self.extra_files[path], HTTPStatus.OK)
            return False
        if path == SUB_PATH.rstrip("/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", SUB_PATH)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        if not path.startswith(SUB_PATH):
            self._send_bare_404()
            return False
        return True

    def translate_path(self, path: str) -> str:
        """Map ``/wp-stories/x`` onto ``site_root/x``."""
        inside = "/" + urlsplit(path).path[len(SUB_PATH) :]
        return super().translate_path(inside)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without index.html is a missing page, not a listing."""
        self.send_error(HTTPStatus.NOT_FOUND)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Use the site's own 404 page for missing paths under the sub-path."""
        not_found_page = self.site_root / "404.html"
        if code == HTTPStatus.NOT_FOUND and not_found_page.is_file():
            self._send_file(not_found_page, HTTPStatus.NOT_FOUND)
            return
        super().send_error(code, message, explain)

    def _send_file(self, file: Path, status: HTTPStatus) -> None:
        body = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", self.guess_type(str(file)))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_bare_404(self) -> None:
        body = b"Not found: outside the site's sub-path\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: failures are reported by the tests, not by an access log."""


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 with a free port, known before the site is built.

    The port must be known first because it is part of the base URL baked into the pages.
    """

    def __init__(self, site_root: Path, extra_files: dict[str, Path]) -> None:
        handler = type(
            "BoundSubPathHandler",
            (SubPathHandler,),
            {"site_root": site_root, "extra_files": extra_files},
        )
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="site-server", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()


# --------------------------------------------------------------------------- the built site


@dataclass(frozen=True)
class SitePage:
    """One built .html file and the URL a reader reaches it by."""

    file: Path
    url: str
    label: str
    expected_status: int = 200


@dataclass
class Site:
    """A built and served site, or the reason it could not be built."""

    root: Path
    server: SiteServer | None = None
    build_error: str | None = None
    pages: list[SitePage] = field(default_factory=list)

    @property
    def origin(self) -> str:
        assert self.server is not None
        return self.server.origin

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the only host a page may send requests to."""
        return urlsplit(self.origin).netloc

    @property
    def base_url(self) -> str:
        return self.origin + SUB_PATH

    @property
    def axe_url(self) -> str:
        return self.origin + AXE_URL_PATH


def start_site(workdir: Path, content: Path = CONTENT_DIR) -> Site:
    """Open the server (for its port), build ``content`` into ``workdir/site``, serve it."""
    root = workdir / "site"
    server = SiteServer(root, extra_files={AXE_URL_PATH: AXE_PATH})
    site = Site(root=root, server=server)
    try:
        build_site(root, site.base_url, content)
    except BuildError as error:
        server.close()
        return Site(root=root, build_error=str(error))
    server.start()
    site.pages.extend(discover_pages(root, site.base_url))
    return site


@contextmanager
def examples_served(workdir: Path, change: Callable[[Path], object]) -> Iterator[Site]:
    """The example stories (whatever else content/ holds) with `change(content)` made to a
    copy, built into workdir and served while the block runs; a build that fails fails the
    test with its message."""
    content = workdir / "content"
    keep_only_examples(shutil.copytree(CONTENT_DIR, content))
    change(content)
    site = start_site(workdir, content)
    if site.build_error is not None:
        pytest.fail(site.build_error, pytrace=False)
    assert site.server is not None
    try:
        yield site
    finally:
        site.server.close()


def built_page(site: Site, path: str) -> SitePage:
    """The page at `path` (a folder address under the site, such as "about/")."""
    file = site.root / path / "index.html"
    assert file.is_file(), f"{path} was not built"
    return SitePage(file, site.base_url + path, path)


def discover_pages(root: Path, base_url: str) -> list[SitePage]:
    """Every .html file in the output, addressed the way a reader would address it."""
    pages = [page_for(file, root, base_url) for file in root.rglob("*.html")]
    return sorted(pages, key=lambda page: page.label)


def page_for(file: Path, root: Path, base_url: str) -> SitePage:
    """Folder URLs for index.html; 404.html at a missing URL, since that is how it is seen."""
    relative = file.relative_to(root).as_posix()
    if relative == "404.html":
        return SitePage(file, base_url + MISSING_PAGE, "/404.html", expected_status=404)
    if file.name == "index.html":
        folder = relative.removesuffix("index.html")
        return SitePage(file, base_url + folder, "/" + folder)
    return SitePage(file, base_url + relative, "/" + relative)


# --------------------------------------------------------------------------- links


REFERENCE_ATTRIBUTES = {
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("track", "src"),
    ("video", "poster"),
    ("form", "action"),
}


class ReferenceParser(HTMLParser):
    """Collects the URLs a page points at, and the fragment targets (ids) it offers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.base_href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and "href" in values:
            self.base_href = values["href"]
        for name, value in values.items():
            if (tag, name) in REFERENCE_ATTRIBUTES and value.strip():
                self.references.append((f"{tag}[{name}]", value.strip()))


def parse_html(text: str) -> ReferenceParser:
    parser = ReferenceParser()
    parser.feed(text)
    parser.close()
    return parser


@dataclass(frozen=True)
class Fetched:
    """What the test server answered for one URL, without following redirects."""

    status: int
    location: str | None
    content_type: str
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report redirects instead of following them: a link should name the final URL."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> Fetched:
    """GET ``url`` from the local test server (never anything else)."""
    assert urlsplit(url).hostname == "127.0.0.1", url
    try:
        with _OPENER.open(url, timeout=30) as response:
            return Fetched(
                response.status,
                None,
                response.headers.get_content_type(),
                response.read(),
            )
    except urllib.error.HTTPError as error:
        return Fetched(
            error.code,
            error.headers.get("Location"),
            error.headers.get_content_type(),
            error.read(),
        )


def resolve(reference: str, page_url: str, base_href: str | None) -> str:
    """The absolute URL a browser would compute for ``reference`` on ``page_url``."""
    base = urljoin(page_url, base_href) if base_href else page_url
    return urljoin(base, reference)


def local_path(url: str) -> str:
    """The decoded path of a URL, for readable reports."""
    return unquote(urlsplit(url).path)
