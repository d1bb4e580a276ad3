"""How to cite a story: a plain-text reference, a BibTeX entry and the JSON-LD Article.

Every value a contributor wrote is data. BibTeX gives meaning to \\ { } $ & % # _ ^ ~, so
those are written as LaTeX commands; braces in particular must never reach the entry as
braces, because BibTeX counts them to find where a field ends. The JSON-LD goes through
opendata.safe_json, so no title can close its <script> element.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .model import Site, Story
from .opendata import safe_json
from .urls import Urls

ANONYMOUS_AUTHOR = "An anonymous partnership"

_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "^": r"\textasciicircum{}",
        "~": r"\textasciitilde{}",
        "\n": " ",
        "\t": " ",
    }
)
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def bibtex_text(text: str) -> str:
    """A contributor's string as BibTeX field text that means exactly those characters."""
    return text.translate(_BIBTEX_ESCAPES)


def authors(story: Story) -> tuple[str, ...]:
    """Who a citation names: the two partners, or nobody's name for an anonymous story."""
    if story.anonymous:
        return (ANONYMOUS_AUTHOR,)
    return (story.partnership.institution, story.partnership.students_union)


def plain_citation(story: Story, site: Site, urls: Urls) -> str:
    """A reference in the common author (year) title shape, with the address."""
    who = " and ".join(authors(story))
    example = " [fictional example]" if story.example else ""
    return (
        f"{who} ({story.news_date.year}). {story.title}{example}. {site.title}, "
        f"self-assessment of {story.date.day} {story.date:%B %Y}, version {story.rubric_version} "
        f"of the tool. {site.licence.name}. {urls.absolute(urls.story(story))}"
    )


def bibtex_entry(story: Story, site: Site, urls: Urls) -> str:
    """A @misc entry; each author is braced whole so BibTeX does not split it into names."""
    fields = [
        ("author", " and ".join("{" + bibtex_text(a) + "}" for a in authors(story))),
        ("title", "{" + bibtex_text(story.title) + "}"),
        ("year", str(story.news_date.year)),
        ("month", _MONTHS[story.news_date.month - 1]),
        ("howpublished", bibtex_text(site.title)),
        ("url", urls.absolute(urls.story(story))),
        (
            "note",
            bibtex_text(
                f"Self-assessment of {story.date.isoformat()}, version "
                f"{story.rubric_version} of the tool"
                + ("; a fictional example" if story.example else "")
                + f". Licence: {site.licence.name}"
            ),
        ),
    ]
    lines = [f"@misc{{casebook-{story.slug},"]
    for name, value in fields:
        # month is a BibTeX macro (jan, feb...) and stays bare; every other value is braced
        lines.append(f"  {name} = {value}," if name == "month" else f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines)


def article_data(story: Story, site: Site, urls: Urls, description: str) -> dict[str, Any]:
    """schema.org Article for one story; the partners are its authors unless it is anonymous."""
    home = urls.absolute(urls.home())
    url = urls.absolute(urls.story(story))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": story.title,
        "description": description,
        "datePublished": story.news_date.isoformat(),
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": site.language,
        "license": site.licence.url,
        "keywords": list(story.tags),
        "publisher": {"@type": "Organization", "name": site.title, "url": home},
        "isPartOf": {"@type": "WebSite", "name": site.title, "url": home},
    }
    if not story.anonymous:
        data["author"] = [
            {"@type": "Organization", "name": story.partnership.institution},
            {"@type": "Organization", "name": story.partnership.students_union},
        ]
    return data


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json"> element: nothing in it can end the element."""
    return Markup(safe_json(data, indent=None))
