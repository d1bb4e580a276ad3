"""Step 3: every page of the site, as (URL, template, what the template needs).

This is the only list of pages: the sitemap, the writer and the tests all read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .contribute import PERSPECTIVE_CHOICES, contribute_form
from .facets import gathered, search_facets, story_facets
from .model import Casebook
from .schema import schema_text
from .urls import Urls


@dataclass(frozen=True)
class Pagination:
    """One page of a long list: its items, and the addresses of all the list's pages."""

    number: int
    urls: tuple[str, ...]
    items: tuple[Any, ...]
    total: int  # items in the whole list
    start: int  # the position of this page's first item in the whole list, from 1

    @property
    def count(self) -> int:
        return len(self.urls)

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None

    def shown(self) -> list[int | None]:
        """Page numbers to link: the first, the last and two either side; None for a gap."""
        near = {1, self.count, *range(self.number - 2, self.number + 3)}
        numbers = sorted(n for n in near if 1 <= n <= self.count)
        out: list[int | None] = []
        for n in numbers:
            last = out[-1] if out else None
            if last is not None and n - last == 2:
                out.append(n - 1)  # a gap of one page: show it rather than "…"
            elif last is not None and n - last > 2:
                out.append(None)
            out.append(n)
        return out


def paginate(first: str, items: tuple[Any, ...], urls: Urls, per: int) -> list[Pagination]:
    """A list cut into pages of `per` items (site.yaml per_page): the first at `first`, then
    first/page/2/ and on. An empty list still has its first page."""
    count = max(1, -(-len(items) // per))
    hrefs = tuple(urls.list_page(first, n) for n in range(1, count + 1))
    return [
        Pagination(n, hrefs, items[(n - 1) * per : n * per], len(items), (n - 1) * per + 1)
        for n in range(1, count + 1)
    ]  # fmt: skip


def _titled(title: str, page: Pagination) -> str:
    return title if page.count == 1 else f"{title}, page {page.number} of {page.count}"


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    in_sitemap: bool = True


def site_pages(book: Casebook, urls: Urls) -> Iterator[Page]:
    """Every page of the site."""
    rubric, per = book.rubric, book.site.per_page
    yield Page(urls.home(), "home.html", book.site.title)
    yield Page(urls.rubric(), "rubric.html", rubric.short_title)
    for sub in rubric.sub_elements:
        commitment = rubric.commitment(sub.commitment_id)
        yield Page(
            urls.sub_element(sub),
            "sub_element.html",
            sub.name,
            {"sub": sub, "commitment": commitment},
        )
        for stage in rubric.stages:
            first = urls.cell(sub, stage.number)
            for part in paginate(first, book.stories_at(sub.id, stage.number), urls, per):
                yield Page(
                    part.urls[part.number - 1],
                    "cell.html",
                    _titled(f"{sub.name}: {stage.name}", part),
                    {"sub": sub, "commitment": commitment, "stage": stage, "pagination": part},
                )
    options = gathered(book)
    facets = story_facets(book, options)
    for part in paginate(urls.stories(), book.newest_first, urls, per):
        url = part.urls[part.number - 1]
        context = {"pagination": part, "facets": facets}
        yield Page(url, "stories.html", _titled("All stories", part), context)
    for story in book.stories:
        yield Page(urls.story(story), "story.html", story.title, {"story": story})
    for part in paginate(urls.partnerships(), book.partnerships, urls, per):
        url = part.urls[part.number - 1]
        yield Page(url, "partnerships.html", _titled("Partnerships", part), {"pagination": part})
    for partnership in book.partnerships:
        yield Page(
            urls.partnership(partnership),
            "partnership.html",
            partnership.name,
            {"partnership": partnership},
        )
    yield Page(urls.tags(), "tags.html", "Topics")
    for tag in book.tags:
        for part in paginate(urls.tag(tag), book.by_tag[tag], urls, per):
            url = part.urls[part.number - 1]
            title = _titled(f"Stories tagged “{book.site.topic_name(tag)}”", part)
            yield Page(url, "tag.html", title, {"tag": tag, "pagination": part})
    yield Page(urls.search(), "search.html", "Search", {"facets": search_facets(book, options)})
    yield Page(urls.assess(), "assess.html", "Self-assessment")
    yield Page(urls.about(), "about.html", "About")
    form = {"form": contribute_form(book, urls), "perspectives": PERSPECTIVE_CHOICES}
    yield Page(urls.contribute(), "contribute.html", "Share your story", form)
    yield Page(urls.data(), "data.html", "Open data")
    yield Page(urls.not_found(), "404.html", "Page not found", in_sitemap=False)
    for sub in rubric.sub_elements:
        for old in sub.formerly:
            yield _moved(urls.former_sub_element(old), urls.sub_element(sub), sub.name)
            for stage in rubric.stages:
                to, name = urls.cell(sub, stage.number), f"{sub.name}: {stage.name}"
                yield _moved(urls.former_cell(old, stage.number), to, name)


def _moved(url: str, to: str, name: str) -> Page:
    """A page at an old address that sends the reader on to `to`, the page named `name`."""
    context = {"moved_to": to, "moved_name": name}
    return Page(url, "moved.html", f"Moved: {name}", context, in_sitemap=False)


def site_files(book: Casebook, urls: Urls, pages: list[Page]) -> Iterator[Page]:
    """The non-HTML files: feed, sitemap, robots.txt, _headers and the open data files."""
    sitemap = [p for p in pages if p.in_sitemap]
    yield Page(urls.feed(), "feed.xml", book.site.title, in_sitemap=False)
    yield Page(urls.sitemap(), "sitemap.xml", "", {"pages": sitemap}, in_sitemap=False)
    yield Page(urls.robots(), "robots.txt", "", in_sitemap=False)
    yield Page(urls.headers(), "_headers", "", in_sitemap=False)
    schema_url = urls.absolute(urls.story_schema())
    schema = {"schema": schema_text(book.rubric, schema_url)}
    yield Page(urls.story_schema(), "story.schema.json", "", schema, in_sitemap=False)
    yield Page(urls.data_stories_json(), "data/stories.json", "", in_sitemap=False)
    yield Page(urls.data_stories_csv(), "data/stories.csv", "", in_sitemap=False)
    yield Page(urls.data_rubric_json(), "data/rubric.json", "", in_sitemap=False)
