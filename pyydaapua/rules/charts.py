"""Bar charts drawn on the server as SVG: the geometry, in plain Python.

The templates turn a ``BarChart`` into an ``<svg>`` with a text alternative; the same numbers
are always in a data table beside the chart, so nothing depends on seeing it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 260
MARGIN_LEFT = 48
MARGIN_RIGHT = 8
MARGIN_TOP = 12
MARGIN_BOTTOM = 40
MAX_LABELS = 12
AXIS_TITLE = 20  # room above the plot for the name of the vertical axis (its unit)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    value: float


@dataclass(frozen=True)
class Tick:
    y: float
    value: float


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: float
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]

    @property
    def view_box(self) -> str:
        """The drawing's frame: the chart, and a strip above it for the vertical axis's name."""
        return f"0 {-AXIS_TITLE} {self.width} {self.height + AXIS_TITLE}"

    @property
    def y_title(self) -> float:
        """Where the name of the vertical axis sits, above its highest tick."""
        return MARGIN_TOP - AXIS_TITLE + 4

    @property
    def x_title(self) -> float:
        """Where the name of the horizontal axis sits, under the labels of the bars."""
        return self.baseline + 36


def nice_step(maximum: float, most_ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most ``most_ticks`` steps."""
    if maximum <= 0:
        return 1.0
    rough = maximum / most_ticks
    power = 10.0 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= rough:
            return multiple * power
    raise AssertionError("unreachable")  # pragma: no cover


def bar_chart(
    groups: Sequence[tuple[str, Sequence[float | None]]],
    *,
    top: float | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> BarChart:
    """Stacked bars, one per group (label, values per series); ``top`` fixes the scale.

    A missing value (None) draws nothing. The scale runs from zero to a round number at or
    above the largest stack.
    """
    largest = max((sum(v or 0 for v in values) for _, values in groups), default=0)
    step = nice_step(top if top is not None else largest)
    scale_top = top if top is not None else max(step, math.ceil(largest / step) * step)
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    baseline = MARGIN_TOP + plot_height
    slot = plot_width / max(1, len(groups))
    bar_width = slot * 0.7
    every = math.ceil(len(groups) / MAX_LABELS)  # long periods: label every few bars

    bars: list[Bar] = []
    labels: list[Label] = []
    for index, (label, values) in enumerate(groups):
        x = MARGIN_LEFT + slot * index + (slot - bar_width) / 2
        if index % every == 0:
            labels.append(Label(round(x + bar_width / 2, 1), label))
        stacked = 0.0
        for series, value in enumerate(values):
            if not value:
                continue
            bar_height = value / scale_top * plot_height
            y = baseline - (stacked + value) / scale_top * plot_height
            bars.append(
                Bar(
                    round(x, 1),
                    round(y, 1),
                    round(bar_width, 1),
                    round(bar_height, 1),
                    series,
                    value,
                )
            )
            stacked += value
    ticks = [
        Tick(round(baseline - value / scale_top * plot_height, 1), value)
        for value in _tick_values(scale_top, step)
    ]
    return BarChart(width, height, MARGIN_LEFT, width - MARGIN_RIGHT, baseline, bars, ticks, labels)


def _tick_values(top: float, step: float) -> list[float]:
    count = round(top / step)
    return [step * index for index in range(count + 1)]
