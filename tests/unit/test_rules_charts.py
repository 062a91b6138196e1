"""The bar charts' geometry (pyydaapua/rules/charts.py)."""

from __future__ import annotations

import pytest

from pyydaapua.rules import charts


def test_bar_chart_geometry() -> None:
    chart = charts.bar_chart([("a", [10, 5]), ("b", [0, 22]), ("c", [None])])
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20, 25]
    first, second, third = chart.bars
    assert (first.series, second.series, third.series) == (0, 1, 1)
    # The stacked parts meet, and the tallest stack is 22/25 of the plot.
    assert first.y == pytest.approx(second.y + second.height, abs=0.2)
    plot = chart.baseline - charts.MARGIN_TOP
    assert third.height == pytest.approx(plot * 22 / 25, abs=0.2)
    assert [label.text for label in chart.labels] == ["a", "b", "c"]


def test_bar_chart_with_a_fixed_top_and_many_bars() -> None:
    chart = charts.bar_chart([(str(i), [50]) for i in range(36)], top=100)
    assert [t.value for t in chart.ticks] == [0, 20, 40, 60, 80, 100]
    assert len(chart.labels) == 12  # every third bar labelled
    assert charts.nice_step(0) == 1
    assert charts.nice_step(730) == 200


@pytest.mark.parametrize(
    ("maximum", "step"), [(0.5, 0.1), (5, 1), (6, 2), (12, 5), (40, 10), (-3, 1)]
)
def test_nice_step(maximum: float, step: float) -> None:
    assert charts.nice_step(maximum) == pytest.approx(step)


def test_bar_chart_exact_geometry() -> None:
    """Three groups stacked on a fixed scale of 30: every number the template draws."""
    Bar, Tick, Label = charts.Bar, charts.Tick, charts.Label
    chart = charts.bar_chart([("a", [7, None, 3]), ("b", [None, 10]), ("c", [2, 2, 2])], top=30)
    assert (chart.width, chart.height, chart.left, chart.right, chart.baseline) == (
        720,
        260,
        48,
        712,
        220,
    )
    assert chart.bars == [
        Bar(x=81.2, y=171.5, width=154.9, height=48.5, series=0, value=7),
        Bar(x=81.2, y=150.7, width=154.9, height=20.8, series=2, value=3),
        Bar(x=302.5, y=150.7, width=154.9, height=69.3, series=1, value=10),
        Bar(x=523.9, y=206.1, width=154.9, height=13.9, series=0, value=2),
        Bar(x=523.9, y=192.3, width=154.9, height=13.9, series=1, value=2),
        Bar(x=523.9, y=178.4, width=154.9, height=13.9, series=2, value=2),
    ]
    assert chart.ticks == [Tick(220.0, 0), Tick(150.7, 10), Tick(81.3, 20), Tick(12.0, 30)]
    assert chart.labels == [Label(158.7, "a"), Label(380.0, "b"), Label(601.3, "c")]


def test_bar_chart_of_one_bar_in_a_small_frame() -> None:
    chart = charts.bar_chart([("x", [1])], width=100, height=100)
    assert (chart.width, chart.height, chart.right, chart.baseline) == (100, 100, 92, 60)
    assert chart.bars == [charts.Bar(x=54.6, y=12.0, width=30.8, height=48.0, series=0, value=1)]
    assert chart.labels == [charts.Label(70.0, "x")]


def test_bar_chart_scale_ignores_missing_values() -> None:
    chart = charts.bar_chart([("a", [None, 10])])
    assert [t.value for t in chart.ticks] == [0, 2, 4, 6, 8, 10]


def test_bar_chart_without_groups() -> None:
    chart = charts.bar_chart([])
    assert chart.bars == [] and chart.labels == []
    assert chart.ticks == [charts.Tick(220.0, 0), charts.Tick(12.0, 1)]


def test_the_axes_have_room_for_their_names() -> None:
    chart = charts.bar_chart([("a", [1])])
    # A strip above the drawing for the vertical axis's name, the chart itself unchanged.
    assert chart.view_box == f"0 {-charts.AXIS_TITLE} 720 {260 + charts.AXIS_TITLE}"
    assert -charts.AXIS_TITLE < chart.y_title < min(tick.y for tick in chart.ticks)
    # The horizontal axis's name under the bar labels, inside the drawing.
    assert chart.baseline + 18 < chart.x_title <= chart.height
