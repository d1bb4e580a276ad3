"""Step 3: every page of the site, as (URL, template, what the template needs).

This is the only list of pages: the sitemap, the writer and the tests all read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .facets import search_facets, story_facets
from .model import Casebook
from .urls import Urls


@dataclass(frozen=True)
class Page:
    url: str
    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    in_sitemap: bool = True


def site_pages(book: Casebook, urls: Urls) -> Iterator[Page]:
    rubric = book.rubric
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
            yield Page(
                urls.cell(sub, stage.number),
                "cell.html",
                f"{sub.name}: {stage.name}",
                {"sub": sub, "commitment": commitment, "stage": stage},
            )
    yield Page(urls.stories(), "stories.html", "All stories", {"facets": story_facets(book)})
    for story in book.stories:
        yield Page(urls.story(story), "story.html", story.title, {"story": story})
    yield Page(urls.partnerships(), "partnerships.html", "Partnerships")
    for partnership in book.partnerships:
        yield Page(
            urls.partnership(partnership),
            "partnership.html",
            partnership.name,
            {"partnership": partnership},
        )
    yield Page(urls.tags(), "tags.html", "Topics")
    for tag in book.tags:
        yield Page(urls.tag(tag), "tag.html", f"Stories tagged “{tag}”", {"tag": tag})
    yield Page(urls.search(), "search.html", "Search", {"facets": search_facets(book)})
    yield Page(urls.about(), "about.html", "About")
    yield Page(urls.contribute(), "contribute.html", "Share your story")
    yield Page(urls.not_found(), "404.html", "Page not found", in_sitemap=False)


def site_files(book: Casebook, urls: Urls, pages: list[Page]) -> Iterator[Page]:
    """The non-HTML files made from templates: feed, sitemap, robots.txt."""
    sitemap = [p for p in pages if p.in_sitemap]
    yield Page(urls.feed(), "feed.xml", book.site.title, in_sitemap=False)
    yield Page(urls.sitemap(), "sitemap.xml", "", {"pages": sitemap}, in_sitemap=False)
    yield Page(urls.robots(), "robots.txt", "", in_sitemap=False)
    yield Page(urls.headers(), "_headers", "", in_sitemap=False)
