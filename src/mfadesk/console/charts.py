"""Server-rendered SVG charts for the dashboard (no script, no chart library): geometry only;
the templates escape every text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True, slots=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[Label]
    summary: str  # what a screen reader hears


def hourly_bars(hours: list[datetime], successes: list[int], failures: list[int]) -> Chart:
    """Successes and failures side by side for each hour."""
    width, height, base, slot = 720, 220, 190, 30
    top = max([*successes, *failures, 1])
    bars: list[Bar] = []
    labels: list[Label] = []
    for n, hour in enumerate(hours):
        x = 10 + n * slot
        for k, (count, css, what) in enumerate(
            ((successes[n], "ok", "successes"), (failures[n], "bad", "failures"))
        ):
            h = 160 * count / top
            title = f"{hour:%H}:00 UTC: {count} {what}"
            bars.append(Bar(x + k * 12, base - h, 11, h, css, title))
        if n % 3 == 0:
            labels.append(Label(x, base + 18, f"{hour:%H}h"))
    summary = (
        f"Authentications in the last 24 hours: {sum(successes)} successes, "
        f"{sum(failures)} failures; busiest hour {top} steps."
    )
    return Chart(width, height, bars, labels, summary)


def horizontal_bars(counts: dict[str, int]) -> Chart:
    width, row = 520, 30
    top = max([*counts.values(), 1])
    bars, labels = [], []
    for n, (name, count) in enumerate(sorted(counts.items())):
        y = 10 + n * row
        w = 300 * count / top
        bars.append(Bar(200, y, max(w, 1), 20, "ok", f"{name}: {count}"))
        labels.append(Label(0, y + 15, f"{name}: {count}"))
    summary = "Tokens: " + (
        ", ".join(f"{count} {name}" for name, count in sorted(counts.items())) or "none"
    )
    return Chart(width, 20 + row * max(len(counts), 1), bars, labels, summary)
