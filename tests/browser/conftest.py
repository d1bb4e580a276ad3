"""Fixtures: one build of the example content, served under a sub-path, and a headless Chromium.

The site is built while tests are being collected, because each built page becomes its own
test id and the list of pages is only known after a build. It is built once per session and
shared by every test here; the server stops when pytest finishes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .harness import (
    AXE_PATH,
    CHROMIUM,
    VIEWPORTS,
    VNU_JAR,
    Site,
    SitePage,
    java_path,
    require,
    start_site,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps trying to reach Google's hosts, which this closed network
    # refuses, and its own failed requests would muddy the results.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

_SITE = pytest.StashKey[Site]()


def site_for(config: pytest.Config) -> Site:
    """Build and serve the site on first use; later calls get the same one."""
    if _SITE not in config.stash:
        # The tmp_path_factory fixture returns exactly this object; fixtures cannot be used
        # during collection, so it is taken from the config. The build then lands in pytest's
        # own basetemp and is cleaned up the way tmp_path folders are.
        factory: pytest.TempPathFactory = config._tmp_path_factory  # type: ignore[attr-defined]
        config.stash[_SITE] = start_site(factory.mktemp("casebook-build"))
    return config.stash[_SITE]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the server, if this session started one."""
    site = config.stash.get(_SITE, None)
    if site is not None and site.server is not None:
        site.server.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give each built page its own test id, and each viewport its own run where asked."""
    if "site_page" in metafunc.fixturenames:
        site = site_for(metafunc.config)
        if site.build_error is not None:
            # One placeholder, so the build's own message is reported by the `site` fixture
            # as a test failure rather than as an empty (silently skipped) parameter set.
            metafunc.parametrize("site_page", [None], ids=["build-failed"])
        else:
            metafunc.parametrize("site_page", site.pages, ids=[page.label for page in site.pages])
    if "viewport" in metafunc.fixturenames:
        metafunc.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Site:
    """The built, served site; fails every test that needs it if the build failed."""
    built = site_for(request.config)
    if built.build_error is not None:
        pytest.fail(f"The site did not build:\n{built.build_error}", pytrace=False)
    if not built.pages:
        pytest.fail(f"The build produced no .html files in {built.root}", pytrace=False)
    return built


@pytest.fixture
def site_page(request: pytest.FixtureRequest, site: Site) -> SitePage:
    """The page under test (parametrized by pytest_generate_tests)."""
    page: SitePage = request.param
    return page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright; never a browser that Playwright downloads."""
    require(CHROMIUM.is_file(), f"Chromium ({CHROMIUM}, Debian package `chromium`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "The Python package `playwright` (the `test` extra)")
        raise
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script(site: Site) -> str:
    """The URL of axe-core on the test server's own origin."""
    require(AXE_PATH.is_file(), f"axe-core ({AXE_PATH}, from `npm ci --prefix tests`)")
    return site.axe_url


@pytest.fixture(scope="session")
def vnu_command() -> list[str]:
    """How to start the Nu Html Checker with the system's Java."""
    java = java_path()
    require(java is not None, "Java (Debian package `default-jre-headless`)")
    require(VNU_JAR.is_file(), f"The Nu Html Checker ({VNU_JAR}, from `npm ci --prefix tests`)")
    assert java is not None
    return [java, "-jar", str(VNU_JAR)]


@pytest.fixture(scope="session")
def site_root(site: Site) -> Path:
    """The build output folder."""
    return site.root
