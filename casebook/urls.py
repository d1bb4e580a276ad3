"""The URL map, in one place. Templates and pages ask here; nothing else builds a URL.

Every URL carries the base URL's path, so a site built for https://example.org/wp-stories/
works when served from /wp-stories/.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:  # for annotations only: cli imports this module before any model
    from .model import Partnership, Story, SubElement


def normalise_base_url(text: str) -> str:
    """The address the site lives at, ending in '/'; ValueError says what is wrong with it."""
    not_one = (
        f"'{text}' is not a web address; write it in full, like https://example.org/wp-stories/"
    )
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018  # a port out of range raises ValueError
    except ValueError:
        raise ValueError(not_one) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(not_one)
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"'{text}' holds a user name or password, which every page's links would publish; "
            "remove the part before @"
        )
    if parts.query or parts.fragment or any(c.isspace() for c in text.strip()):
        raise ValueError(f"'{text}' must be a plain address, without spaces, ? or #")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Urls:
    base_url: str

    @property
    def base_path(self) -> str:
        """The path the site is served under; base_url is already normalised."""
        return urlsplit(self.base_url).path

    def _href(self, site_path: str) -> str:
        return self.base_path + quote(site_path, safe="/-._~")

    def absolute(self, href: str) -> str:
        """An href from this map as a full URL, for feeds, sitemaps and canonical links."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}{href}"

    def output_file(self, href: str) -> str:
        """Where the page at href is written, relative to the output folder."""
        path = href[len(self.base_path) :]
        return path + "index.html" if path == "" or path.endswith("/") else path

    def home(self) -> str:
        return self._href("")

    def rubric(self) -> str:
        return self._href("rubric/")

    def sub_element(self, sub_element: SubElement) -> str:
        return self._href(f"rubric/{sub_element.id}/")

    def cell(self, sub_element: SubElement, stage: int) -> str:
        return self._href(f"rubric/{sub_element.id}/{stage}/")

    def former_sub_element(self, old_id: str) -> str:
        """Where a renamed sub-element's page was (rubric `formerly`); it redirects."""
        return self._href(f"rubric/{old_id}/")

    def former_cell(self, old_id: str, stage: int) -> str:
        return self._href(f"rubric/{old_id}/{stage}/")

    def stories(self) -> str:
        return self._href("stories/")

    def list_page(self, first: str, number: int) -> str:
        """Page `number` of a long list whose first page is at `first` (a folder href).
        No story may be called 'page' and no partnership's slug is 'page' (slugs.RESERVED),
        so /stories/page/2/ and /partnerships/page/2/ are never anything else."""
        return first if number == 1 else f"{first}page/{number}/"

    def story(self, story: Story) -> str:
        return self._href(f"stories/{story.slug}/")

    def story_image(self, story: Story, name: str) -> str:
        return self._href(f"stories/{story.slug}/{name}")

    def partnerships(self) -> str:
        return self._href("partnerships/")

    def partnership(self, partnership: Partnership) -> str:
        return self._href(f"partnerships/{partnership.slug}/")

    def tags(self) -> str:
        return self._href("tags/")

    def tag(self, tag: str) -> str:
        return self._href(f"tags/{tag}/")

    def assess(self) -> str:
        return self._href("assess/")

    def about(self) -> str:
        return self._href("about/")

    def contribute(self) -> str:
        return self._href("contribute/")

    def search(self) -> str:
        return self._href("search/")

    def search_library(self) -> str:
        """Pagefind's search library, written beside its index by the search index step."""
        return self._href("pagefind/pagefind.js")

    def not_found(self) -> str:
        return self._href("404.html")

    def feed(self) -> str:
        return self._href("feed.xml")

    def sitemap(self) -> str:
        return self._href("sitemap.xml")

    def robots(self) -> str:
        return self._href("robots.txt")

    def headers(self) -> str:
        """HTTP headers for hosts that read a _headers file (Netlify, Cloudflare Pages)."""
        return self._href("_headers")

    def story_schema(self) -> str:
        """The JSON Schema of story front matter, which story files name for their editors."""
        return self._href("schema/story.schema.json")

    # Open data: the files and the page that documents them.
    def data(self) -> str:
        return self._href("data/")

    def data_stories_json(self) -> str:
        return self._href("data/stories.json")

    def data_stories_csv(self) -> str:
        return self._href("data/stories.csv")

    def data_rubric_json(self) -> str:
        return self._href("data/rubric.json")

    def static(self, name: str) -> str:
        return self._href(f"static/{name}")

    def serve_status(self) -> str:
        """While serving: the last rebuild's problems, read by serve_script()."""
        return self._href("_casebook/status.json")

    def serve_script(self) -> str:
        """While serving: shows the last rebuild's problems on every page."""
        return self._href("_casebook/status.js")
