"""The geometry of a partnership's journey chart: each sub-element's stage at each story date.

Computed here, drawn by templates/_journey_chart.html as inline SVG, so the page needs no
script. x is proportional to time between the first and the last story; y is the stage, 1 at
the bottom. Each sub-element keeps one marker shape and line pattern on every page (its
place in the rubric), so series differ by shape as well as colour. Points that would sit on
top of each other (same story, same stage) are spread sideways around the story's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import Casebook, Partnership, Stage, Story, SubElement

WIDTH = 480
HEIGHT = 280
LEFT = 122  # room for "5 Best practice"
RIGHT = 16
TOP = 16
BOTTOM = 44  # room for the years
INSET = 20  # keeps the first and last markers off the plot's edges
DODGE = 14  # sideways gap between markers that share a date and a stage

# Marker outlines around (0, 0), at most 14 units across. Past the circle they are polygons,
# which the key beside the chart repeats as CSS clip-paths (site.css, checked by a test).
SHAPES = (
    "M6 0A6 6 0 1 1-6 0A6 6 0 1 1 6 0Z",  # circle
    "M-5-5L5-5L5 5L-5 5Z",  # square
    "M0-6.5L6 5L-6 5Z",  # triangle up
    "M0-7L7 0L0 7L-7 0Z",  # diamond
    "M0 6.5L6-5L-6-5Z",  # triangle down
    "M-2-6L2-6L2-2L6-2L6 2L2 2L2 6L-2 6L-2 2L-6 2L-6-2L-2-2Z",  # plus
    "M-6-3.5L-3.5-6L0-2.5L3.5-6L6-3.5L2.5 0L6 3.5L3.5 6L0 2.5L-3.5 6L-6 3.5L-2.5 0Z",  # cross
    "M0-7L1.8-2.3L6.7-2.2L2.9 0.9L4.1 5.7L0 3L-4.1 5.7L-2.9 0.9L-6.7-2.2L-1.8-2.3Z",  # star
    "M-3.5-6L3.5-6L7 0L3.5 6L-3.5 6L-7 0Z",  # hexagon
)


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    story: Story
    stage: Stage


@dataclass(frozen=True)
class ChartSeries:
    sub_element: SubElement
    style: int  # 1.. : which shape, colour and line pattern
    shape: str  # SVG path data of the marker, around (0, 0)
    points: tuple[ChartPoint, ...]

    @property
    def line(self) -> str:
        """The polyline's points attribute; empty when there is only one point."""
        if len(self.points) < 2:
            return ""
        return " ".join(f"{p.x:g},{p.y:g}" for p in self.points)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    starts_year: bool  # a grid line where the year starts; the first label has none


@dataclass(frozen=True)
class JourneyChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's bottom edge
    stages: tuple[tuple[float, Stage], ...]  # y of each stage's grid line
    years: tuple[Tick, ...]  # x of each year's start inside the plot, labelled
    series: tuple[ChartSeries, ...]


def stage_y(stage: int, stage_count: int) -> float:
    """Stage 1 on the bottom grid line, the last stage on the top one."""
    span = HEIGHT - BOTTOM - TOP
    return round(TOP + span * (stage_count - stage) / max(1, stage_count - 1), 2)


def date_x(day: dt.date, first: dt.date, last: dt.date) -> float:
    """The first story at the left (inset), the last at the right; one date sits in the middle."""
    low, high = LEFT + INSET, WIDTH - RIGHT - INSET
    if first == last:
        return round((low + high) / 2, 2)
    share = (day - first).days / (last - first).days
    return round(low + (high - low) * share, 2)


def journey_chart(book: Casebook, partnership: Partnership) -> JourneyChart:
    stories = book.journey_dates(partnership)
    count = len(book.rubric.stages)
    first, last = stories[0].date, stories[-1].date
    order = {sub.id: i for i, sub in enumerate(book.rubric.sub_elements)}
    rows = book.journey_rows(partnership)
    # who shares each (date, stage): their sideways offsets, in rubric order
    sharing: dict[tuple[dt.date, int], list[str]] = {}
    for sub, stages in rows:
        for story, stage in zip(stories, stages, strict=True):
            if stage is not None:
                sharing.setdefault((story.date, stage.number), []).append(sub.id)
    series = []
    for sub, stages in rows:
        points = []
        for story, stage in zip(stories, stages, strict=True):
            if stage is None:
                continue
            group = sharing[(story.date, stage.number)]
            offset = (group.index(sub.id) - (len(group) - 1) / 2) * DODGE
            x = round(date_x(story.date, first, last) + offset, 2)
            points.append(ChartPoint(x, stage_y(stage.number, count), story, stage))
        style = order[sub.id] % len(SHAPES)
        series.append(ChartSeries(sub, style + 1, SHAPES[style], tuple(points)))
    return JourneyChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        stages=tuple((stage_y(s.number, count), s) for s in book.rubric.stages),
        years=_years(first, last),
        series=tuple(series),
    )


def _years(first: dt.date, last: dt.date) -> tuple[Tick, ...]:
    """The first story's year at the left, then each new year where it starts."""
    ticks = [Tick(date_x(first, first, last), str(first.year), False)]
    for year in range(first.year + 1, last.year + 1):
        x = date_x(dt.date(year, 1, 1), first, last)
        if x - ticks[-1].position < 44:  # labels would overlap
            if ticks[-1].starts_year:
                continue
            ticks.pop()  # the new year's line says more than the first story's year
        ticks.append(Tick(x, str(year), True))
    return tuple(ticks)
