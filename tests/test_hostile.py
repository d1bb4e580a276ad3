"""Hostile stories: the build refuses some outright and publishes the rest with nothing active.

The corpus is tests/fixtures/hostile/ (its README.md says what each file attacks):

- accept/  stories the build must accept. They are built together, with the real site.yaml
  and rubric, by the real command line, and every output file is scanned: no script but the
  templates' own, no event handler or style attribute, no script URL, no element that embeds,
  submits or restyles, nothing loaded from another host, feed and sitemap well-formed, and
  every front-matter string shown as the text it is.
- refuse/  stories `check` must refuse: exit status 1, no traceback, every problem naming the
  file (exactly, where the message is stable), and a failed `build` leaves the last site
  byte-identical. Some refused inputs cannot live in a repository (symbolic links, odd file
  names, a file over 1 MB): those are made here at run time (RUNTIME_CASES).
- either/  stories the build may refuse or publish, as long as a published one is clean.

Every run of the command line has a 2 GB address-space cap and a time limit, as the issue asks
of pathological input. What is allowed "because the templates emit it" is learned from a build
of the example content (content/) for the same base URL, so a template that later adds a form
or a same-origin script does not need this file changed.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import resource
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from .conftest import CONTENT, REPO

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
ACCEPT = HOSTILE / "accept"
REFUSE = HOSTILE / "refuse"
EITHER = HOSTILE / "either"
TEMPLATES = REPO / "templates"

BASE_URL = "https://casebook.example/sub/path/"
BASE_PATH = urlsplit(BASE_URL).path
SITE_HOST = urlsplit(BASE_URL).netloc
STATIC_PATH = BASE_PATH + "static/"

MEMORY_CAP = 2 * 1024**3  # the bound for pathological input
RUN_TIMEOUT_S = 120  # a 10 s render limit per story, with room for a slow machine
PWNED_MARKER = Path("/tmp/casebook-hostile-pwned")  # what the python-tag stories would touch

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_NAMES = (
    "feed", "title", "subtitle", "link", "id", "updated", "author", "name", "uri", "email",
    "entry", "published", "summary", "category", "content", "rights", "contributor",
    "generator", "icon", "logo", "source",
)  # fmt: skip
ATOM_TAGS = {f"{ATOM}{name}" for name in ATOM_NAMES}
SITEMAP_TAGS = {f"{SITEMAP}{name}" for name in ("urlset", "url", "loc", "lastmod")}

# Elements that run, embed, submit, restyle or redirect: allowed only as the templates emit them.
GUARDED_TAGS = {
    "applet", "area", "audio", "base", "button", "canvas", "dialog", "embed", "form", "frame",
    "frameset", "iframe", "input", "isindex", "keygen", "link", "map", "marquee", "math",
    "meta", "noscript", "object", "option", "param", "portal", "select", "source", "style",
    "svg", "template", "textarea", "track", "video",
}  # fmt: skip
URL_ATTRIBUTES = {
    "action", "archive", "background", "cite", "classid", "codebase", "data", "dynsrc",
    "formaction", "href", "icon", "longdesc", "lowsrc", "manifest", "ping", "poster",
    "profile", "src", "srcset", "usemap", "xlink:href",
}  # fmt: skip
# Attributes whose URL the browser fetches as the page loads (an <a href> is only followed).
LOADING_ATTRIBUTES = {"src", "srcset", "poster", "background", "data", "lowsrc", "dynsrc"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# What yamlfields.FORBIDDEN_CHARS refuses in front matter: C0/C1 controls but tab and newline,
# bidirectional marks, embeddings, overrides and isolates, and U+FFFE/U+FFFF. None of them
# may reach any output, however the story spelled them.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)
# The same, for what the command line prints: a newline is the only control character it needs.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
TEXT_FILES = {"robots.txt", "_headers"}
MARKER_FILE = ".casebook-site"


def fail_with(problems: list[str], heading: str) -> None:
    """Fail listing every problem, one per line, without a Python traceback in the way."""
    if problems:
        shown = "\n".join(problems[:200])
        more = f"\n... and {len(problems) - 200} more" if len(problems) > 200 else ""
        pytest.fail(f"{heading} ({len(problems)}):\n{shown}{more}", pytrace=False)


# --------------------------------------------------------------------------- running the CLI


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` in cwd, as a contributor runs it, under a 2 GB cap."""
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        timeout=RUN_TIMEOUT_S,
        preexec_fn=_cap_memory,
        check=False,
    )
    # Decoded by hand: text mode would turn a carriage return a message printed into '\n'.
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", errors="surrogateescape"),
        done.stderr.decode("utf-8", errors="surrogateescape"),
    )


def make_content(root: Path, stories: Iterable[Path] = ()) -> Path:
    """root/content with the real site.yaml and rubric, and copies of the given stories."""
    content = root / "content"
    (content / "stories").mkdir(parents=True)
    shutil.copy(CONTENT / "site.yaml", content / "site.yaml")
    shutil.copytree(CONTENT / "rubric", content / "rubric")
    for source in stories:
        target = content / "stories" / source.name
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy(source, target)
    return content


def corpus(folder: Path) -> list[Path]:
    """The stories in one corpus folder: .md files and story folders, not the README."""
    return sorted(p for p in folder.iterdir() if p.name != "README.md")


def hostile_content(root: Path) -> Path:
    """A content folder holding every story the build must accept (for the browser test too)."""
    return make_content(root, corpus(ACCEPT))


# ----------------------------------------------------------------- URLs, as browsers read them

_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))


def browser_url(value: str) -> str:
    """An attribute value as the URL parser sees it: outer C0/space gone, tabs and newlines out."""
    return re.sub("[\t\n\r]", "", value.strip(_C0_AND_SPACE))


def url_scheme(value: str) -> str | None:
    """The scheme a browser would find in an (already entity-decoded) attribute value."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", browser_url(value))
    return match.group(1).lower() if match else None


def resolve(value: str, page_url: str) -> str:
    """Where a browser would go: for http(s) '\\' is '/' and a run of slashes is an authority."""
    url = browser_url(value)
    scheme = url_scheme(url)
    base_scheme = urlsplit(page_url).scheme
    if scheme not in (None, "http", "https"):
        return url
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    url = url[:cut].replace("\\", "/") + url[cut:]
    rest = url[len(scheme) + 1 :] if scheme else url
    slashes = re.match(r"/{2,}", rest)
    if slashes:
        return f"{scheme or base_scheme}://{rest[slashes.end() :]}"
    if scheme and scheme != base_scheme:
        return f"{scheme}://{rest}"
    return urljoin(page_url, rest)


# --------------------------------------------------------------------------- reading HTML


@dataclass
class Tag:
    name: str
    attrs: list[tuple[str, str]]
    line: int
    in_head: bool
    text: str = ""  # for <script>, <style> and the like: the raw text inside

    def get(self, name: str) -> str | None:
        return next((v for k, v in self.attrs if k == name), None)

    def signature(self) -> tuple:
        """What identifies an element the templates emit, whatever page it is on."""
        if self.name == "link":
            return ("link", self.get("rel"), self.get("type"))
        if self.name == "meta" and self.get("http-equiv") is None:
            return ("meta", self.get("name"), self.get("charset"), self.get("property"))
        if self.name == "input" and self.get("type") == "checkbox":
            # A filter checkbox's id, value and label are content (a year, a topic), as data.
            return ("input", "checkbox", tuple(sorted(k for k, _ in self.attrs)))
        return (self.name, tuple(sorted(self.attrs)), self.text.strip())

    def __str__(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs)
        return f"line {self.line}: <{self.name}{' ' + shown if shown else ''}>"


class _Scanner(HTMLParser):
    RAW_TEXT: ClassVar[set[str]] = {
        "script",
        "style",
        "textarea",
        "title",
        "noscript",
        "xmp",
        "iframe",
        "noembed",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[Tag] = []
        self.text: list[str] = []
        self.comments: list[str] = []
        self.declarations: list[str] = []
        self.in_head = False
        self._open_raw: Tag | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        element = Tag(tag, [(k, v or "") for k, v in attrs], self.getpos()[0], self.in_head)
        self.tags.append(element)
        if tag in self.RAW_TEXT:
            self._open_raw = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(Tag(tag, [(k, v or "") for k, v in attrs], self.getpos()[0], self.in_head))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if self._open_raw is not None and self._open_raw.name == tag:
            self._open_raw = None

    def handle_data(self, data: str) -> None:
        if self._open_raw is not None:
            self._open_raw.text += data
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_pi(self, data: str) -> None:
        self.declarations.append(f"?{data}")

    def unknown_decl(self, data: str) -> None:
        self.declarations.append(data)


@dataclass
class HtmlPage:
    path: str  # relative to the output folder
    url: str  # the absolute URL a reader has it at
    raw: str
    tags: list[Tag]
    text: str  # every text node, white space runs made one space
    comments: list[str]
    declarations: list[str]

    def find(self, name: str) -> list[Tag]:
        return [t for t in self.tags if t.name == name]


def page_url(relative: str) -> str:
    if relative.endswith("index.html"):
        relative = relative.removesuffix("index.html")
    return BASE_URL + relative


def read_page(path: Path, relative: str) -> HtmlPage:
    return parse_page(path.read_text(encoding="utf-8"), relative)


def parse_page(raw: str, relative: str) -> HtmlPage:
    scanner = _Scanner()
    scanner.feed(raw)
    scanner.close()
    return HtmlPage(
        relative,
        page_url(relative),
        raw,
        scanner.tags,
        squash("".join(scanner.text)),
        scanner.comments,
        scanner.declarations,
    )


def squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the built sites


@dataclass
class BuiltSite:
    root: Path
    files: dict[str, Path] = field(default_factory=dict)  # relative path -> file
    pages: dict[str, HtmlPage] = field(default_factory=dict)  # the .html files, parsed

    @classmethod
    def read(cls, root: Path) -> BuiltSite:
        site = cls(root)
        for path in sorted(root.rglob("*")):
            if path.is_file() or path.is_symlink():
                relative = path.relative_to(root).as_posix()
                site.files[relative] = path
                if relative.endswith(".html"):
                    site.pages[relative] = read_page(path, relative)
        return site

    def snapshot(self) -> dict[str, bytes]:
        return {relative: path.read_bytes() for relative, path in self.files.items()}


def build_into(content: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "build",
        "--content",
        content.name,
        "--output",
        output.name,
        "--base-url",
        BASE_URL,
        cwd=content.parent,
    )


@dataclass
class TemplateAllowance:
    """What the templates emit, learned from a build of the example content."""

    signatures: Counter  # guarded-element signature -> most seen on one page
    comments: set[str]
    csp: str
    links: set[str]  # hrefs of <a> on the example site: the templates' own (site.yaml's) links
    search_library: dict[str, bytes]  # Pagefind's own code files, as the example build has them


def learn_templates(site: BuiltSite) -> TemplateAllowance:
    signatures: Counter = Counter()
    comments: set[str] = set()
    csps = set()
    links: set[str] = set()
    for page in site.pages.values():
        links.update(t.get("href") or "" for t in page.find("a"))
        seen = Counter(t.signature() for t in page.tags if t.name in GUARDED_TAGS)
        for signature, count in seen.items():
            signatures[signature] = max(signatures[signature], count)
        comments.update(page.comments)
        csps.update(
            t.get("content") or ""
            for t in page.find("meta")
            if (t.get("http-equiv") or "").lower() == "content-security-policy"
        )
    assert len(csps) == 1, f"the example site's pages carry {len(csps)} different policies"
    library = {
        relative: path.read_bytes()
        for relative, path in site.files.items()
        if relative.startswith("pagefind/") and Path(relative).suffix not in SEARCH_INDEX_SUFFIXES
    }
    return TemplateAllowance(signatures, comments, csps.pop(), links, library)


@pytest.fixture(scope="module")
def allowance(tmp_path_factory: pytest.TempPathFactory) -> TemplateAllowance:
    """The example content built for the same base URL: what the templates emit by themselves."""
    root = tmp_path_factory.mktemp("example-build")
    shutil.copytree(CONTENT, root / "content")
    done = build_into(root / "content", root / "site")
    assert done.returncode == 0, f"the example content did not build:\n{done.stderr}"
    return learn_templates(BuiltSite.read(root / "site"))


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Every accept/ story built into one site by the real command line."""
    root = tmp_path_factory.mktemp("hostile-build")
    content = hostile_content(root)
    done = build_into(content, root / "site")
    if done.returncode != 0 or "Traceback" in done.stderr:
        pytest.fail(
            f"The accept/ corpus must build, but `build` exited {done.returncode}:\n{done.stderr}",
            pytrace=False,
        )
    return BuiltSite.read(root / "site")


# --------------------------------------------------------------------------- scanning every file


def scan_page(page: HtmlPage, allowed: TemplateAllowance) -> list[str]:
    """Everything on one page that could run, load, submit or restyle, as readable lines."""
    problems: list[str] = []

    def report(tag: Tag, what: str) -> None:
        problems.append(f"{page.path} {tag}: {what}")

    for tag in page.tags:
        for name, value in tag.attrs:
            if name.startswith("on"):
                report(tag, f"event handler attribute {name}")
            elif name == "style":
                report(tag, "style attribute")
            elif name == "srcdoc":
                report(tag, "srcdoc attribute (a document in an attribute)")
            if name not in URL_ATTRIBUTES:
                continue
            urls = (
                [u.strip().split(" ")[0] for u in value.split(",")] if name == "srcset" else [value]
            )
            for url in urls:
                scheme = url_scheme(url)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    report(tag, f"{name} has a {scheme}: URL")
                if name in LOADING_ATTRIBUTES and url.strip():
                    target = urlsplit(resolve(url, page.url))
                    if target.netloc != SITE_HOST:
                        report(tag, f"{name} loads from another host ({target.netloc or url!r})")
        if tag.name == "script" and is_json_ld(tag):
            problems.extend(f"{page.path} {tag}: {p}" for p in json_ld_problems(tag.text))
        elif tag.name == "script":
            src = tag.get("src")
            if tag.text.strip():
                report(tag, "inline script text")
            if not src or not urlsplit(resolve(src, page.url)).path.startswith(STATIC_PATH):
                report(tag, f"a script that is not one of the site's own static files ({src!r})")
            elif urlsplit(resolve(src, page.url)).netloc != SITE_HOST:
                report(tag, "a script from another host")
        if tag.name == "link" and tag.get("href"):
            target = urlsplit(resolve(tag.get("href") or "", page.url))
            if target.netloc != SITE_HOST or not target.path.startswith(BASE_PATH):
                report(tag, "a <link> outside the site")
    counts = Counter(t.signature() for t in page.tags if t.name in GUARDED_TAGS)
    for signature, count in counts.items():
        if count > allowed.signatures.get(signature, 0):
            example = next(
                t for t in page.tags if t.name in GUARDED_TAGS and t.signature() == signature
            )
            if allowed.signatures.get(signature, 0):
                report(example, f"{count} on this page; the templates emit at most "
                       f"{allowed.signatures[signature]}")  # fmt: skip
            else:
                report(example, "an element the templates never emit")
    for comment in page.comments:
        if comment not in allowed.comments:
            problems.append(f"{page.path}: an HTML comment the templates never emit: {comment!r}")
    for declaration in page.declarations:
        if declaration.lower() != "doctype html":
            problems.append(f"{page.path}: an unexpected declaration <!{declaration}>")
    return problems


def is_json_ld(tag: Tag) -> bool:
    """A JSON-LD data block: the browser never runs it, so CSP and the scan let it be."""
    return (tag.get("type") or "").lower() == "application/ld+json" and tag.get("src") is None


def json_ld_problems(text: str) -> list[str]:
    """A data block must be one JSON object that nothing in it could have closed early."""
    problems = [f"raw {c!r} in JSON-LD (escape it as \\u00XX)" for c in "<>&" if c in text]
    try:
        if not isinstance(json.loads(text), dict):
            problems.append("JSON-LD that is not one object")
    except ValueError as error:
        problems.append(f"JSON-LD that is not valid JSON: {error}")
    return problems


def scan_xml(relative: str, data: bytes) -> list[str]:
    """feed.xml, sitemap.xml and any other XML: well-formed, text only, no DTD tricks."""
    problems: list[str] = []
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE):
        problems.append(f"{relative}: a DOCTYPE or ENTITY declaration")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        return [*problems, f"{relative}: not well-formed XML: {error}"]
    known = ATOM_TAGS if root.tag == f"{ATOM}feed" else SITEMAP_TAGS
    if root.tag not in (f"{ATOM}feed", f"{SITEMAP}urlset"):
        namespace = root.tag.partition("}")[0]
        known = {el.tag for el in root.iter() if el.tag.startswith(namespace)}
    for element in root.iter():
        if element.tag not in known:
            problems.append(f"{relative}: element {element.tag} (markup that was not escaped)")
        kind = element.get("type")
        if kind in ("html", "xhtml"):
            problems.append(f"{relative}: {element.tag} has type={kind}; it must be plain text")
        for name, value in element.attrib.items():
            scheme = url_scheme(value) if name in ("href", "src", "uri") else None
            if scheme is not None and scheme not in ("http", "https"):
                problems.append(f"{relative}: {element.tag} {name}={value!r}")
    for loc in root.iter(f"{SITEMAP}loc"):
        if not (loc.text or "").startswith(BASE_URL):
            problems.append(f"{relative}: sitemap entry outside the site: {loc.text!r}")
    return problems


def scan_json(relative: str, data: bytes) -> list[str]:
    """Data files: valid JSON, with < > & escaped so that no copy of it can close a script."""
    problems = [
        f"{relative}: raw {c!r} (escape it as \\u00XX)" for c in "<>&" if c.encode() in data
    ]
    try:
        json.loads(data)
    except ValueError as error:
        problems.append(f"{relative}: not valid JSON: {error}")
    return problems


def scan_csv(relative: str, data: bytes) -> list[str]:
    """CSV exports: no cell a spreadsheet would run as a formula."""
    import csv
    import io

    problems = []
    for number, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"))), start=1):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                problems.append(f"{relative} row {number}: formula-like cell {cell[:60]!r}")
    return problems


SEARCH_INDEX_SUFFIXES = {".pf_fragment", ".pf_filter", ".pf_index", ".pf_meta"}


def scan_search_index(site: BuiltSite, relative: str, data: bytes) -> list[str]:
    """Pagefind's index: compressed data its library reads and search.js shows only as text.

    Each page's fragment must be one of the built pages (only stories, stages of the tool and
    partnerships are indexed), and its text must hold no invisible characters.
    """
    try:
        decoded = gzip.decompress(data)
    except (OSError, EOFError):
        return [f"{relative}: not gzip-compressed Pagefind data"]
    if not decoded.startswith(b"pagefind_dcd"):
        return [f"{relative}: not Pagefind data"]
    if not relative.endswith(".pf_fragment"):
        return []
    fragment = json.loads(decoded.removeprefix(b"pagefind_dcd"))
    page = fragment["url"].lstrip("/") + "index.html"
    problems = []
    if page not in site.pages or not page.startswith(("stories/", "rubric/", "partnerships/")):
        what = "not a story, stage or partnership"
        problems.append(f"{relative}: indexes {fragment['url']!r}, {what}")
    text = json.dumps(fragment, ensure_ascii=False)
    found = dict.fromkeys(f"U+{ord(c):04X}" for c in INVISIBLE.findall(text))
    if found:
        problems.append(f"{relative}: invisible characters {' '.join(found)}")
    return problems


def scan_file(
    site: BuiltSite, relative: str, allowed: TemplateAllowance, sources: dict[str, Path]
) -> list[str]:
    """Every output file by kind; a kind this test does not know is itself a failure."""
    path = site.files[relative]
    if path.is_symlink():
        return [f"{relative}: a symbolic link in the output"]
    data = path.read_bytes()
    suffix = Path(relative).suffix.lower()
    problems: list[str] = []
    if relative in site.pages:
        problems += scan_page(site.pages[relative], allowed)
    elif suffix == ".xml":
        problems += scan_xml(relative, data)
    elif suffix == ".json":
        problems += scan_json(relative, data)
    elif suffix == ".csv":
        problems += scan_csv(relative, data)
    elif relative.startswith("pagefind/") and suffix in SEARCH_INDEX_SUFFIXES:
        problems += scan_search_index(site, relative, data)
    elif relative.startswith("pagefind/"):
        if allowed.search_library.get(relative) != data:
            problems.append(f"{relative}: not Pagefind's own file, as the example build has it")
    elif relative.startswith("static/"):
        source = TEMPLATES / "static" / relative.removeprefix("static/")
        if not source.is_file() or source.read_bytes() != data:
            problems.append(f"{relative}: not a copy of the templates' own static file")
    elif suffix in IMAGE_SUFFIXES:
        source = sources.get(relative)
        if source is None or source.read_bytes() != data:
            problems.append(f"{relative}: an image that is not a copy of a story's own file")
    elif relative in TEXT_FILES or relative == MARKER_FILE:
        pass  # checked for hostile strings below, like every text file
    else:
        problems.append(
            f"{relative}: a kind of output file this scan does not know; teach scan_file "
            "what active content it could carry"
        )
    if suffix not in IMAGE_SUFFIXES and not relative.startswith("pagefind/"):
        text = data.decode("utf-8", errors="replace")
        for number, line in enumerate(text.split("\n"), start=1):
            if suffix == ".csv":  # RFC 4180 ends each record with CR LF
                line = line.removesuffix("\r")
            found = dict.fromkeys(f"U+{ord(c):04X}" for c in INVISIBLE.findall(line))
            if found:
                problems.append(f"{relative}:{number}: invisible characters {' '.join(found)}")
    return problems


def story_sources() -> dict[str, Path]:
    """Output path -> corpus file, for the images beside folder stories."""
    found = {}
    for folder in corpus(ACCEPT):
        if folder.is_dir():
            for image in folder.iterdir():
                found[f"stories/{folder.name}/{image.name}"] = image
    return found


def scan_site(site: BuiltSite, allowed: TemplateAllowance) -> list[str]:
    sources = story_sources()
    return [p for relative in site.files for p in scan_file(site, relative, allowed, sources)]


def problems_of(site: BuiltSite, allowed: TemplateAllowance, pattern: str) -> list[str]:
    return [p for p in scan_site(site, allowed) if re.search(pattern, p)]


# --------------------------------------------------------------------------- the scan itself

SCAN_BAIT = {
    "inline script": "<script>alert(1)</script>",
    "script typed as JSON-LD": '<script type="application/ld+json">{"a": "</p>"}</script>',
    "JSON-LD that is not JSON": '<script type="application/ld+json">alert(1)</script>',
    "script from another host": '<script src="https://evil.example/x.js"></script>',
    "script outside static/": f'<script src="{BASE_PATH}stories/x/app.js"></script>',
    "event handler": '<p onclick="alert(1)">x</p>',
    "upper-case handler": '<p ONMOUSEOVER="alert(1)">x</p>',
    "style attribute": '<p style="color:red">x</p>',
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "obfuscated javascript": '<a href=" &#x01;jav&#x09;ascript&colon;alert(1)">x</a>',
    "vbscript link": '<a href="VBScript:msgbox(1)">x</a>',
    "data link": '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    "formaction": '<button formaction="javascript:alert(1)">x</button>',
    "xlink": '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    "srcdoc": '<iframe srcdoc="x"></iframe>',
    "iframe": '<iframe src="/x/"></iframe>',
    "object": '<object data="/x"></object>',
    "embed": '<embed src="/x">',
    "form": '<form action="/x"></form>',
    "input": "<input>",
    "base": '<base href="/">',
    "style element": "<style>p{}</style>",
    "meta refresh": '<meta http-equiv="refresh" content="0;url=/x">',
    "svg": "<svg></svg>",
    "math": "<math></math>",
    "stylesheet from another host": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "image from another host": '<img src="https://evil.example/x.png" alt="">',
    "image protocol-relative": '<img src="//evil.example/x.png" alt="">',
    "image through a backslash": '<img src="/\\evil.example/x.png" alt="">',
    "srcset from another host": '<img src="a.png" srcset="a.png 1x, //evil.example/b.png 2x">',
    "comment": "<!-- <script>alert(1)</script> -->",
    "processing instruction": '<?xml-stylesheet href="x"?>',
}


@pytest.mark.parametrize("bait", SCAN_BAIT.values(), ids=SCAN_BAIT.keys())
def test_the_scan_finds_what_it_looks_for(bait: str, allowance: TemplateAllowance):
    """The scanner itself, on one thing each: a scan that finds nothing proves nothing."""
    raw = f"<!doctype html><html><head></head><body><main>{bait}</main></body></html>"
    assert scan_page(parse_page(raw, "stories/x/index.html"), allowance), bait


@pytest.mark.parametrize(
    "feed",
    [
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title><script>x</script></title></feed>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>\x1b</title></feed>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><summary type="html">x</summary></feed>',
        b'<!DOCTYPE x [<!ENTITY a "b">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
    ],
)
def test_the_xml_scan_finds_what_it_looks_for(feed: bytes):
    assert scan_xml("feed.xml", feed)


# --------------------------------------------------------------------------- the accepted corpus


def test_the_accept_corpus_is_all_published(accepted: BuiltSite):
    """A story the build silently dropped would be scanned by nothing below."""
    published = {
        p.split("/")[1] for p in accepted.files if re.fullmatch(r"stories/[^/]+/index\.html", p)
    }
    expected = {p.name.removesuffix(".md") for p in corpus(ACCEPT)} - {"fm-draft"}
    assert sorted(expected - published) == []


def test_no_script_but_the_templates_own(accepted: BuiltSite, allowance: TemplateAllowance):
    fail_with(problems_of(accepted, allowance, r"script"), "script in the built site")


def test_no_event_handler_style_or_srcdoc_attribute(
    accepted: BuiltSite, allowance: TemplateAllowance
):
    found = problems_of(accepted, allowance, r"event handler|style attribute|srcdoc")
    fail_with(found, "attributes that run script or restyle the page")


def test_no_javascript_vbscript_or_data_urls(accepted: BuiltSite, allowance: TemplateAllowance):
    fail_with(problems_of(accepted, allowance, r" URL$"), "URLs with a scheme that is not safe")


def test_no_embedding_submitting_or_restyling_elements(
    accepted: BuiltSite, allowance: TemplateAllowance
):
    found = problems_of(accepted, allowance, r"templates (never emit|emit at most)")
    fail_with(found, "elements beyond what the templates emit")


def test_nothing_loads_from_another_host(accepted: BuiltSite, allowance: TemplateAllowance):
    found = problems_of(accepted, allowance, r"another host|outside the site")
    fail_with(found, "requests the pages would make to other hosts")


def test_every_output_file_is_clean(accepted: BuiltSite, allowance: TemplateAllowance):
    """Everything at once, including feed, sitemap, data files and kinds this scan does not know."""
    fail_with(scan_site(accepted, allowance), "active or unexpected content in the output")


def test_every_page_carries_the_content_security_policy_first(
    accepted: BuiltSite, allowance: TemplateAllowance
):
    policy = allowance.csp
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "base-uri 'none'" in policy and "'unsafe-inline'" not in policy
    problems = []
    for page in accepted.pages.values():
        metas = [
            t
            for t in page.find("meta")
            if (t.get("http-equiv") or "").lower() == "content-security-policy"
        ]
        if [t.get("content") for t in metas] != [policy] or not metas[0].in_head:
            problems.append(f"{page.path}: {len(metas)} policies, not the one in <head>")
            continue
        first_fetching = next(
            (t for t in page.tags if t.name in ("link", "script", "style", "img", "base")), None
        )
        if first_fetching is not None and page.tags.index(first_fetching) < page.tags.index(
            metas[0]
        ):
            problems.append(f"{page.path}: {first_fetching} comes before the policy")
    fail_with(problems, "pages without the site's Content-Security-Policy")


def test_links_to_other_hosts_are_nofollow_noopener(
    accepted: BuiltSite, allowance: TemplateAllowance
):
    """Links a story makes to other hosts; the templates' own (the repository) are the site's."""
    problems = []
    checked = 0
    for page in accepted.pages.values():
        for tag in page.find("a"):
            href = tag.get("href")
            if href is None or url_scheme(href) == "mailto" or href in allowance.links:
                continue
            if urlsplit(resolve(href, page.url)).netloc == SITE_HOST:
                continue
            checked += 1
            rel = set((tag.get("rel") or "").split())
            if not {"nofollow", "noopener"} <= rel or tag.get("target") is not None:
                problems.append(f"{page.path} {tag}: goes to another host without rel nofollow")
    assert checked, "the corpus links to other hosts, so some links should have been checked"
    fail_with(problems, "links to other hosts")


def test_feed_and_sitemap_are_well_formed_text(accepted: BuiltSite):
    for name in ("feed.xml", "sitemap.xml"):
        assert name in accepted.files, f"no {name} in the output"
        fail_with(scan_xml(name, accepted.files[name].read_bytes()), f"problems in {name}")


# --------------------------------------------------------------------------- front matter as text


@dataclass(frozen=True)
class FrontMatter:
    slug: str
    values: dict

    @property
    def title(self) -> str:
        return str(self.values["title"])

    @property
    def summary(self) -> str | None:
        return self.values.get("summary")

    @property
    def names(self) -> tuple[str, str]:
        p = self.values["partnership"]
        return str(p["institution"]), str(p["students_union"])

    def strings(self) -> list[tuple[str, str]]:
        """(field, value) for every string that reaches a page."""
        found = [("title", self.title)]
        if self.summary:
            found.append(("summary", self.summary))
        if not self.values.get("anonymous"):
            found += [("institution", self.names[0]), ("students_union", self.names[1])]
        for i, contributor in enumerate(self.values.get("contributors") or []):
            if isinstance(contributor, str):
                found.append((f"contributors[{i}]", contributor))
            else:
                found.append((f"contributors[{i}].name", contributor["name"]))
                if contributor.get("role"):
                    found.append((f"contributors[{i}].role", contributor["role"]))
        return [(name, str(value).strip()) for name, value in found]


def front_matter(path: Path) -> FrontMatter:
    """The test's own reading of a corpus story (the corpus is trusted here)."""
    file = path / "index.md" if path.is_dir() else path
    text = file.read_text(encoding="utf-8")
    values = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    return FrontMatter(path.name.removesuffix(".md"), values)


PUBLISHED = [
    fm
    for fm in map(front_matter, corpus(ACCEPT))
    if not fm.values.get("draft") and fm.slug.startswith("fm-")
]


@pytest.mark.parametrize("fm", PUBLISHED, ids=[fm.slug for fm in PUBLISHED])
def test_front_matter_shows_as_the_text_it_is(fm: FrontMatter, accepted: BuiltSite):
    """Each string is on its page as text, in the meta description as the value, never as markup."""
    page = accepted.pages[f"stories/{fm.slug}/index.html"]
    problems = []
    for name, value in fm.strings():
        if squash(value) not in page.text:
            problems.append(f"{name} {value!r} is not shown as text on {page.path}")
    title_text = squash(next((t.text for t in page.find("title")), ""))
    if squash(fm.title) not in title_text:
        problems.append(f"<title> is {title_text!r}; expected it to contain the title as text")
    if fm.summary:
        described = [t.get("content") for t in page.find("meta") if t.get("name") == "description"]
        if described != [fm.summary.strip()]:
            problems.append(f"meta description is {described!r}, not the summary as written")
    for name, value in fm.strings():
        if not re.search(r"[<>\"]", value):
            continue
        for relative, path in accepted.files.items():
            if relative.endswith((".html", ".xml")) and value in path.read_text(encoding="utf-8"):
                problems.append(f"{name} {value!r} appears unescaped in {relative}")
    fail_with(problems, f"front matter of {fm.slug} not shown as text")


@pytest.mark.parametrize("fm", PUBLISHED, ids=[fm.slug for fm in PUBLISHED])
def test_front_matter_round_trips_through_the_feed(fm: FrontMatter, accepted: BuiltSite):
    feed = ET.fromstring(accepted.files["feed.xml"].read_bytes())
    url = f"{BASE_URL}stories/{fm.slug}/"
    entry = next((e for e in feed.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == url), None)
    assert entry is not None, f"no feed entry for {url}"
    assert (entry.findtext(f"{ATOM}title") or "").removesuffix(" (example)") == fm.title
    author = entry.findtext(f"{ATOM}author/{ATOM}name")
    if fm.values.get("anonymous"):
        assert author == "An anonymous partnership"
    else:
        assert author == f"{fm.names[0]} and {fm.names[1]}"
    if fm.summary:
        assert entry.findtext(f"{ATOM}summary") == fm.summary.strip()


def test_template_syntax_in_the_body_is_shown_not_run(accepted: BuiltSite):
    text = accepted.pages["stories/fm-template-syntax/index.html"].text
    assert "{{ 7*7 }} and {% if true %}yes{% endif %} in the body too." in text


def _everywhere(site: BuiltSite) -> Iterable[tuple[str, str]]:
    """(what, text) for every output file's path and decoded content; the search index's
    files are gzip-compressed, so they are read decompressed."""
    for relative, path in site.files.items():
        yield f"path {relative}", relative
        suffix = Path(relative).suffix.lower()
        if suffix in SEARCH_INDEX_SUFFIXES:
            data = gzip.decompress(path.read_bytes())
            yield relative, html.unescape(data.decode("utf-8", errors="replace"))
        elif suffix not in IMAGE_SUFFIXES:
            yield relative, html.unescape(path.read_text(encoding="utf-8", errors="replace"))


def test_anonymous_partnership_names_appear_nowhere(accepted: BuiltSite):
    """fm-anonymous.md's names carry the markers 'Zanzibar' and 'Quokka'."""
    assert "stories/fm-anonymous/index.html" in accepted.pages
    title = "An anonymous story whose names must never appear"
    indexed = [where for where, text in _everywhere(accepted) if where.endswith(".pf_fragment")]
    assert any(title in text for where, text in _everywhere(accepted) if where in indexed), (
        "the search index is read as text here (the story itself is in it)"
    )
    found = [
        f"{where} mentions {marker!r}"
        for where, text in _everywhere(accepted)
        for marker in ("zanzibar", "quokka")
        if marker in text.lower()
    ]
    fail_with(found, "an anonymous partnership named")


def test_a_draft_appears_nowhere(accepted: BuiltSite):
    """fm-draft.md: its slug, title, names and only tag carry 'draft' markers."""
    markers = ("fm-draft", "unpublished-draft-marker", "draft-only")
    found = [
        f"{where} mentions {marker!r}"
        for where, text in _everywhere(accepted)
        for marker in markers
        if marker in text.lower()
    ]
    fail_with(found, "a draft published")


def test_only_the_storys_own_images_are_published(accepted: BuiltSite):
    folder = ACCEPT / "folder-images"
    published = sorted(p for p in accepted.files if p.startswith("stories/folder-images/"))
    expected = sorted(
        f"stories/folder-images/{p.name}"
        for p in folder.iterdir()
        if p.suffix in IMAGE_SUFFIXES and not p.name.startswith(".")
    )
    assert published == ["stories/folder-images/index.html", *expected]
    for relative in expected:
        assert accepted.files[relative].read_bytes() == (folder / Path(relative).name).read_bytes()
    images = [t.get("src") for t in accepted.pages["stories/folder-images/index.html"].find("img")]
    assert set(images) == {"pic.png", "polyglot.gif"}


# --------------------------------------------------------------------------- refused stories


@dataclass(frozen=True)
class Refusal:
    """What `check` must print for one refused story: lines exactly, or only their start."""

    names: str  # every problem line starts with this
    lines: tuple[str, ...] = ()  # the exact problem lines, when the message is stable


def _lines(name: str, *messages: str) -> Refusal:
    path = f"content/stories/{name}"
    return Refusal(path, tuple(f"{path}{m}" for m in messages))


ONLY_IMAGES = (
    ": only images named with lowercase letters, digits and hyphens, ending "
    ".png, .jpg, .jpeg, .webp or .gif, may sit beside a story"
)
CONTROL = "contains an invisible control or text-direction character; retype it as plain text"
NO_ALIASES = "YAML aliases (*name) are not allowed; write the value out in full"
NO_LINKS = ": symbolic links are not allowed in content/"


def _invisible(character: str) -> str:
    return (
        "shows nothing: it holds only characters that take no room on the page, such as "
        f"{character}; write something or remove the field"
    )


def _tag(line: int, tag: str) -> str:
    return f":{line}: YAML tag '{tag}' is not allowed; remove it and write a plain value"


def _bad_tag(value: str, suggestion: str) -> str:
    return (
        f":11: tag '{value}' may use only lowercase letters, digits and hyphens; "
        f"for example '{suggestion}'"
    )


REFUSALS: dict[str, Refusal] = {
    # each picture is named at its line; the wording is test_content_errors.py's to pin
    "pictures-elsewhere.md": Refusal("content/stories/pictures-elsewhere.md:"),
    "folder-pictures": Refusal("content/stories/folder-pictures/index.md:"),
    "bidi-body.md": _lines(
        "bidi-body.md",
        ":12: this line contains an invisible control or text-direction character; "
        "retype it as plain text",
    ),
    "bidi-names.md": _lines(
        "bidi-names.md",
        f":5: 'institution' {CONTROL}",
        f":6: 'students_union' {CONTROL}",
        f":12: 'name' {CONTROL}",
        f":13: 'role' {CONTROL}",
        f":14: 'summary' {CONTROL}",
    ),
    "bidi-title.md": _lines("bidi-title.md", f":2: 'title' {CONTROL}"),
    "control-chars.md": _lines(
        "control-chars.md",
        f":2: 'title' {CONTROL}",
        f":11: 'summary' {CONTROL}",
        f":13: 'name' {CONTROL}",
    ),
    "invisible-names.md": _lines(
        "invisible-names.md",
        f":2: 'title' {_invisible('a zero width space (U+200B)')}",
        f":5: 'institution' {_invisible('a soft hyphen (U+00AD)')}",
        f":6: 'students_union' {_invisible('a hangul filler (U+3164)')}",
        f":11: 'summary' {_invisible('a zero width no-break space (U+FEFF)')}",
        f":13: 'name' {_invisible('a braille pattern blank (U+2800)')}",
    ),
    "folder-html": _lines("folder-html", f"/extra.html{ONLY_IMAGES}", f"/index.html{ONLY_IMAGES}"),
    "folder-script": _lines(
        "folder-script",
        f"/app.js{ONLY_IMAGES}",
        f"/feed.xml{ONLY_IMAGES}",
        f"/pic.png.html{ONLY_IMAGES}",
    ),
    "folder-subfolder": _lines(
        "folder-subfolder",
        "/index.md:13: picture 'nested/pic.png' cannot be shown: a picture must sit beside the "
        "story, not in another folder; put pic.png beside the story's index.md and write "
        "![nested](pic.png)",
        "/nested: a story folder may hold only index.md and image files",
    ),
    "folder-svg": _lines(
        "folder-svg",
        "/index.md:13: picture 'logo.svg' cannot be shown: a picture must be a .png, .jpg, "
        ".jpeg, .webp or .gif file; save it as logo.png beside the story's index.md and write "
        "![logo](logo.png)",
        f"/logo.svg{ONLY_IMAGES}",
    ),
    "folder-svg-in-disguise": _lines(
        "folder-svg-in-disguise",
        "/logo.png: this file is not a PNG picture, nor any picture a browser shows; save the "
        "picture again as PNG or JPEG",
    ),
    "folder-uppercase-image": _lines(
        "folder-uppercase-image",
        f"/Photo.png{ONLY_IMAGES}",
        f"/SHOUT.PNG{ONLY_IMAGES}",
        "/index.md:13: picture 'Photo.png' cannot be shown: a picture's name may use only "
        "lowercase letters, digits and hyphens; rename the file photo.png and write "
        "![mixed](photo.png)",
        "/index.md:13: picture 'SHOUT.PNG' cannot be shown: a picture's name may use only "
        "lowercase letters, digits and hyphens; rename the file shout.png and write "
        "![shouting](shout.png)",
    ),
    "tags-markup.md": _lines(
        "tags-markup.md",
        _bad_tag('"><svg onload=alert(1)>', "svg-onload-alert-1"),
        _bad_tag("../../etc/passwd", "etc-passwd"),
        _bad_tag("<script>alert(1)</script>", "script-alert-1-script"),
        _bad_tag("Data-Sharing", "data-sharing"),
        _bad_tag("a b", "a-b"),
    ),
    # Values quoted back in messages: the lines must name the file, and carry no raw escapes.
    "terminal-escapes.md": Refusal("content/stories/terminal-escapes.md:"),
    "title-too-long.md": _lines(
        "title-too-long.md", ":2: 'title' is 225 characters long; keep it to 200"
    ),
    "too-many-assessments.md": _lines(
        "too-many-assessments.md", ":8: a story can have at most 9 assessments, one per sub-element"
    ),
    "yaml-anchor-alias.md": _lines(
        "yaml-anchor-alias.md", f":11: {NO_ALIASES}", f":13: {NO_ALIASES}"
    ),
    "yaml-billion-laughs.md": _lines(
        "yaml-billion-laughs.md", *(f":{n}: {NO_ALIASES}" for n in range(12, 17))
    ),
    # Depth is measured from the parser's events before composing, so the problem is reported
    # where the front matter starts rather than at the deep line.
    "yaml-deep-block.md": _lines(
        "yaml-deep-block.md", ":2: YAML nested more than 16 levels deep; flatten it"
    ),
    "yaml-deep-flow.md": _lines(
        "yaml-deep-flow.md", ":2: YAML nested more than 16 levels deep; flatten it"
    ),
    "yaml-merge-key.md": _lines(
        "yaml-merge-key.md", ":5: YAML merge keys (<<) are not allowed; write the fields out"
    ),
    "yaml-other-tags.md": _lines(
        "yaml-other-tags.md",
        _tag(2, "!include"),
        _tag(11, "!!binary"),
        _tag(12, "!!set"),
        _tag(13, "!!omap"),
    ),
    "yaml-python-name.md": _lines("yaml-python-name.md", _tag(11, "!!python/name:os.system")),
    "yaml-python-object.md": _lines(
        "yaml-python-object.md", _tag(2, "!!python/object/apply:os.system")
    ),
    # A %TAG directive cannot sit inside front matter: a plain syntax error is the right answer.
    "yaml-tag-directive.md": _lines(
        "yaml-tag-directive.md", ":3: YAML syntax error: did not find expected <document start>"
    ),
    "yaml-verbatim-tag.md": _lines(
        "yaml-verbatim-tag.md", _tag(2, "!!python/object/new:subprocess.check_output")
    ),
}


# Refused inputs a repository cannot hold, or should not: made in the test's content folder.

VALID_STORY = ACCEPT / "fm-title-script.md"


def _write(stories: Path, name: str, extra: str = "") -> None:
    (stories / name).write_text(VALID_STORY.read_text(encoding="utf-8") + extra, encoding="utf-8")


def _symlinked_story(stories: Path) -> None:
    (stories / "passwd.md").symlink_to("/etc/passwd")


def _symlinked_story_outside(stories: Path) -> None:
    outside = stories.parent.parent / "outside"
    outside.mkdir()
    _write(outside, "valid.md")
    (stories / "linked-story.md").symlink_to(outside / "valid.md")


def _symlinked_folder(stories: Path) -> None:
    outside = stories.parent.parent / "outside" / "folder"
    outside.mkdir(parents=True)
    _write(outside, "index.md")
    (stories / "linked-folder").symlink_to(outside)


def _symlinked_index(stories: Path) -> None:
    (stories / "linked-index").mkdir()
    (stories / "linked-index" / "index.md").symlink_to("/etc/passwd")


def _symlinked_images(stories: Path) -> None:
    folder = stories / "linked-image"
    folder.mkdir()
    _write(folder, "index.md", "\n![passwd](passwd.png) ![zero](zero.gif)\n")
    (folder / "passwd.png").symlink_to("/etc/passwd")
    (folder / "zero.gif").symlink_to("/dev/zero")


def _symlinked_stories_folder(stories: Path) -> None:
    outside = stories.parent.parent / "outside-stories"
    outside.mkdir()
    _write(outside, "from-outside.md")
    stories.rmdir()
    stories.symlink_to(outside, target_is_directory=True)


def _symlinked_rubric_folder(stories: Path) -> None:
    rubric = stories.parent / "rubric"
    outside = stories.parent.parent / "outside-rubric"
    rubric.rename(outside)
    rubric.symlink_to(outside, target_is_directory=True)
    _write(stories, "fine.md")


def _oversized(stories: Path) -> None:
    _write(stories, "oversized.md", "x" * 1_000_001)


def _markup_file_name(stories: Path) -> None:
    _write(stories, '"><svg onload=alert(1)>.md')


def _escape_in_file_name(stories: Path) -> None:
    _write(stories, "escape\x1b[2Jname.md")


def _newline_in_file_name(stories: Path) -> None:
    _write(stories, "new\nline.md")


def _latin_1(stories: Path) -> None:
    text = VALID_STORY.read_text(encoding="utf-8") + "Caf\xe9 written in Latin-1.\n"
    (stories / "not-utf8.md").write_bytes(text.encode("latin-1", errors="replace"))


def _utf_16(stories: Path) -> None:
    (stories / "utf16.md").write_bytes(VALID_STORY.read_text(encoding="utf-8").encode("utf-16"))


def _slow_markdown(stories: Path) -> None:
    _write(stories, "slow-brackets.md", "[" * 60_000 + "\n")


SIZE = len(VALID_STORY.read_bytes()) + 1_000_001
RUNTIME_CASES: dict[str, tuple[Callable[[Path], None], Refusal]] = {
    "symlink-to-etc-passwd": (_symlinked_story, _lines("passwd.md", NO_LINKS)),
    "symlink-to-a-story-outside": (_symlinked_story_outside, _lines("linked-story.md", NO_LINKS)),
    "symlinked-story-folder": (_symlinked_folder, _lines("linked-folder", NO_LINKS)),
    "symlinked-index-md": (_symlinked_index, _lines("linked-index/index.md", NO_LINKS)),
    "symlinked-images": (
        _symlinked_images,
        _lines(
            "linked-image",
            "/index.md:15: image 'passwd.png' not found; put the image file in the story's "
            "folder, or remove the reference",
            "/index.md:15: image 'zero.gif' not found; put the image file in the story's "
            "folder, or remove the reference",
            "/passwd.png: a story folder may hold only index.md and image files",
            "/zero.gif: a story folder may hold only index.md and image files",
        ),
    ),
    # content/stories itself a symbolic link: stories would be read from outside content/.
    "symlinked-stories-folder": (_symlinked_stories_folder, Refusal("content/stories")),
    "symlinked-rubric-folder": (_symlinked_rubric_folder, Refusal("content/rubric")),
    "over-1-mb": (
        _oversized,
        _lines("oversized.md", f": file is {SIZE:,} bytes, over the 1,000,000 byte limit"),
    ),
    "markup-in-file-name": (
        _markup_file_name,
        _lines(
            '"><svg onload=alert(1)>.md',
            """: the name '"><svg onload=alert(1)>' becomes the story's web address, so it may """
            "use only lowercase letters, digits and single hyphens; rename it, for example to "
            "'svg-onload-alert-1'",
        ),
    ),
    "latin-1": (
        _latin_1,
        _lines("not-utf8.md", ":14: file is not UTF-8 text; save it with UTF-8 encoding"),
    ),
    "utf-16": (
        _utf_16,
        _lines("utf16.md", ":1: file is UTF-16 text, not UTF-8; save it with UTF-8 encoding"),
    ),
    "escape-in-file-name": (_escape_in_file_name, Refusal("content/stories/escape")),
    "newline-in-file-name": (_newline_in_file_name, Refusal("content/stories/new")),
    "quadratic-markdown": (
        _slow_markdown,
        _lines(
            "slow-brackets.md",
            ":13: the story took longer than 10 s to render; simplify its Markdown",
        ),
    ),
}

REFUSED_IN_CORPUS = [p.name for p in corpus(REFUSE)]
REFUSED = [*REFUSED_IN_CORPUS, *RUNTIME_CASES]


def test_every_refused_story_has_an_expectation():
    assert sorted(REFUSED_IN_CORPUS) == sorted(REFUSALS)


def refused_content(root: Path, case: str) -> tuple[Path, Refusal]:
    if case in RUNTIME_CASES:
        content = make_content(root)
        make, refusal = RUNTIME_CASES[case]
        make(content / "stories")
        return content, refusal
    return make_content(root, [REFUSE / case]), REFUSALS[case]


def visible(text: str) -> str:
    """Control and direction characters shown as escapes, so a report cannot hide them."""
    return TERMINAL_UNSAFE.sub(lambda m: f"\\x{{{ord(m.group()):02x}}}", text)


def check_refusal(done: subprocess.CompletedProcess[str], refusal: Refusal, ending: str) -> None:
    """Exit 1, no traceback, problem lines naming the file, a count, nothing unprintable."""
    shown = "\n".join(visible(line) for line in done.stderr.split("\n"))
    report = (
        f"exit status {done.returncode}\n--- stderr ---\n{shown}\n--- stdout ---\n{done.stdout}"
    )
    assert done.returncode == 1, report
    assert "Traceback" not in done.stderr, report
    assert not re.search(r"^\w*(Error|Exception)\b", done.stderr, re.MULTILINE), report
    unsafe = sorted({f"U+{ord(c):04X}" for c in TERMINAL_UNSAFE.findall(done.stderr)})
    assert not unsafe, (
        f"the messages print raw control characters {unsafe} to the terminal:\n{report}"
    )
    lines = done.stderr.rstrip("\n").split("\n")
    strays = [visible(line) for line in lines[:-1] if not line.startswith(refusal.names)]
    assert not strays, f"lines that do not start with {refusal.names}: {strays}\n{report}"
    count = len(lines) - 1
    noun = "problem" if count == 1 else "problems"
    ending = ending.replace("{them}", "it" if count == 1 else "them")
    assert lines[-1] == f"casebook: {count} {noun} found; {ending}", report
    if refusal.lines:
        assert tuple(lines[:-1]) == refusal.lines, report


@pytest.mark.parametrize("case", REFUSED)
def test_check_refuses(case: str, tmp_path: Path):
    PWNED_MARKER.unlink(missing_ok=True)
    content, refusal = refused_content(tmp_path, case)
    done = run_cli("check", "--content", "content", cwd=content.parent)
    check_refusal(done, refusal, "fix {them} and run check again")
    assert done.stdout == ""
    assert not PWNED_MARKER.exists(), "a YAML tag ran a command"


@pytest.fixture(scope="module")
def last_good_site(accepted: BuiltSite) -> dict[str, bytes]:
    return accepted.snapshot()


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_build_leaves_the_last_site_byte_identical(
    case: str, tmp_path: Path, accepted: BuiltSite, last_good_site: dict[str, bytes]
):
    content, refusal = refused_content(tmp_path, case)
    output = tmp_path / "site"
    shutil.copytree(accepted.root, output, symlinks=True)
    before = {p.name for p in tmp_path.iterdir()}
    done = build_into(content, output)
    check_refusal(done, refusal, "nothing was built and site/ is unchanged")
    assert BuiltSite.read(output).snapshot() == last_good_site
    left = {p.name for p in tmp_path.iterdir()} - {".casebook"}  # the build cache may stay
    assert left == before, "a staging folder was left behind"


# --------------------------------------------------------------------------- refuse or neutralise

EITHER_CASES = [p.name for p in corpus(EITHER)]


@pytest.mark.parametrize("case", EITHER_CASES)
def test_refused_or_published_clean(case: str, tmp_path: Path, allowance: TemplateAllowance):
    """Either `build` refuses the story naming it, or everything it publishes is clean."""
    content = make_content(tmp_path, [EITHER / case])
    done = build_into(content, tmp_path / "site")
    if done.returncode != 0:
        check_refusal(
            done, Refusal(f"content/stories/{case}"), "nothing was built and site/ is unchanged"
        )
        return
    assert "Traceback" not in done.stderr
    fail_with(scan_site(BuiltSite.read(tmp_path / "site"), allowance), f"{case} was published")
