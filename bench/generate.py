"""A deterministic synthetic corpus in the real content format, for benchmarks.

    python bench/generate.py --stories 1000 --out /tmp/corpus

writes /tmp/corpus/{site.yaml,rubric/rubric.yaml,stories/*.md}: the project's own site
settings and rubric, and N fictional stories (bodies of 300-1,200 words with headings, lists
and links; 1-3 assessments over every sub-element and stage; about N/8 partnerships; a
vocabulary of 40 tags). The same N and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

SYLLABLES = (
    "ash bar bel bra cal dun fen gal har kel lin mar nor pen ral sal tor wen wil yar"
).split()
PLACES = ("ford ley mere ton wick holt bridge field moor stead").split()
TAGS = [
    "outreach",
    "student-ambassadors",
    "first-in-family",
    "care-leavers",
    "commuter-students",
    "mature-students",
    "disabled-students",
    "estranged-students",
    "bursaries",
    "mentoring",
    "access-and-participation-plan",
    "data-sharing",
    "evaluation",
    "co-creation",
    "governance",
    "student-voice",
    "officer-handover",
    "funding",
    "volunteering",
    "peer-support",
    "transition",
    "retention",
    "belonging",
    "cost-of-living",
    "foundation-year",
    "schools",
    "colleges",
    "community",
    "research",
    "training",
    "recognition",
    "payment",
    "timetabling",
    "communications",
    "events",
    "reporting",
    "targets",
    "committees",
    "working-groups",
    "trust",
]
WORDS = (
    "the union and the university agreed to meet every month about widening participation "
    "students officers staff outreach team plan budget evidence survey data we found that "
    "our first-in-family commuter mature care-experienced learners needed more time space "
    "money support trust partnership working group agenda minutes targets progress access "
    "participation success retention belonging community schools colleges ambassadors "
    "mentors volunteers training recognition payment report evaluation impact honest slow "
    "steady change shared decision owned designed delivered reviewed learned listened heard "
    "because although when while after before so that which who this year last next term"
).split()
HEADINGS = [
    "Where we started",
    "What we tried",
    "Why we placed ourselves here",
    "What we will do to move on",
    "What we learned",
    "What others might take from this",
]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if rng.random() < 0.15:
        words[rng.randrange(len(words))] = f"**{rng.choice(WORDS)}**"
    if rng.random() < 0.08:
        i = rng.randrange(len(words))
        words[i] = f"[{words[i]}](https://example.org/{rng.choice(WORDS)}/{rng.randint(1, 999)})"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    count = 0
    headings = rng.sample(HEADINGS, k=rng.randint(2, 4))
    while count < words:
        if headings and (not parts or rng.random() < 0.2):
            parts.append(f"## {headings.pop(0)}")
        kind = rng.random()
        if kind < 0.15:
            items = [_sentence(rng) for _ in range(rng.randint(2, 5))]
            marker = "1." if rng.random() < 0.3 else "-"
            parts.append("\n".join(f"{marker} {item}" for item in items))
            count += sum(len(i.split()) for i in items)
        elif kind < 0.2:
            quote = _sentence(rng)
            parts.append(f"> {quote}")
            count += len(quote.split())
        else:
            paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 6)))
            parts.append(paragraph)
            count += len(paragraph.split())
    return "\n\n".join(parts) + "\n"


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = (rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + rng.choice(PLACES)).title()
        if name not in taken:
            taken.add(name)
            return name


def _rubric_ids(content: Path) -> tuple[list[str], int]:
    rubric = yaml.safe_load((content / "rubric" / "rubric.yaml").read_text(encoding="utf-8"))
    subs = [s["id"] for c in rubric["commitments"] for s in c["sub_elements"]]
    return subs, len(rubric["stages"])


def generate(stories: int, out: Path, seed: int = 1, source: Path = ROOT / "content") -> None:
    """Write the corpus to `out` (which must not exist, or be a corpus made by this script)."""
    if out.exists():
        if not (out / ".bench-corpus").is_file():
            raise SystemExit(f"{out} exists and is not a bench corpus; choose another folder")
        shutil.rmtree(out)
    (out / "rubric").mkdir(parents=True)
    (out / "stories").mkdir()
    (out / ".bench-corpus").write_text(f"{stories} stories, seed {seed}\n")
    shutil.copyfile(source / "site.yaml", out / "site.yaml")
    shutil.copyfile(source / "rubric" / "rubric.yaml", out / "rubric" / "rubric.yaml")
    subs, stages = _rubric_ids(source)
    rng = random.Random(seed)
    taken: set[str] = set()
    partnerships = [_name(rng, taken) for _ in range(max(1, stories // 8))]
    start = dt.date(2019, 1, 1)
    for number in range(stories):
        place = rng.choice(partnerships)
        date = start + dt.timedelta(days=rng.randrange(365 * 7))
        chosen = rng.sample(subs, k=rng.randint(1, 3))
        front = {
            "title": f"{place}: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))}",
            "date": date,
            "partnership": {
                "institution": f"University of {place}",
                "students_union": f"{place} Students' Union",
            },
            "perspective": rng.choice(["joint", "students-union", "institution"]),
            "assessments": [{"sub_element": s, "stage": rng.randint(1, stages)} for s in chosen],
            "summary": _sentence(rng),
            "tags": sorted(rng.sample(TAGS, k=rng.randint(0, 4))),
            "example": True,
        }
        named = place.lower()
        if rng.random() < 0.05:
            # as check asks of real ones: no partner's name in its title or file name
            front["anonymous"] = True
            front["title"] = str(front["title"]).replace(place, "A partnership", 1)
            named = "anonymous"
        text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
        name = f"{date:%Y-%m}-{named}-{number:06d}.md"
        story = f"---\n{text}---\n{body(rng, rng.randint(300, 1200))}"
        (out / "stories" / name).write_text(story, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, required=True, help="how many stories")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.stories, args.out, args.seed)
    print(f"wrote {args.stories} stories to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
