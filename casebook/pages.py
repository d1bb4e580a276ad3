"""Step 3: every page of the site, as (URL, template, what the template needs).

This is the only list of pages: the sitemap, the writer and the tests all read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .contribute import PERSPECTIVE_CHOICES, contribute_form
from .model import Casebook
from .schema import schema_text
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
    yield Page(urls.stories(), "stories.html", "All stories")
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
    yield Page(urls.assess(), "assess.html", "Self-assessment")
    yield Page(urls.about(), "about.html", "About")
    form = {"form": contribute_form(book, urls), "perspectives": PERSPECTIVE_CHOICES}
    yield Page(urls.contribute(), "contribute.html", "Share your story", form)
    yield Page(urls.data(), "data.html", "Open data")
    yield Page(urls.not_found(), "404.html", "Page not found", in_sitemap=False)


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
