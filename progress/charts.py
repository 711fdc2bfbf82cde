"""Geometry for the server-rendered SVG charts; the templates draw it and add text alternatives."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.safestring import mark_safe

# English names, as strftime gives them in the C locale, looked up rather than formatted 371 times
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")

CELL = 13  # heatmap square plus gap, in SVG units
LEFT = 28
TOP = 16


@dataclass
class Cell:
    day: date
    count: int
    x: int
    y: int
    level: int

    @property
    def label(self) -> str:
        noun = "review" if self.count == 1 else "reviews"
        day = self.day
        return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1][:3]} {day.year}: {self.count} {noun}"


def _level(count: int, top: int) -> int:
    if count == 0:
        return 0
    return min(4, 1 + (4 * (count - 1)) // max(top, 1))


def heatmap_chart(per_day: dict[date, int], today: date, days: int) -> dict:
    first = today - timedelta(days=days - 1)
    first -= timedelta(days=first.weekday())  # columns start on Mondays
    top = max(per_day.values(), default=0)
    cells, months = [], []
    by_month: OrderedDict[str, list[int]] = OrderedDict()
    day, last_month = first, None
    while day <= today:
        week, weekday = divmod((day - first).days, 7)
        count = per_day.get(day, 0)
        cells.append(Cell(day, count, LEFT + week * CELL, TOP + weekday * CELL, _level(count, top)))
        if day.month != last_month and weekday == 0:
            months.append({"x": LEFT + week * CELL, "label": MONTHS[day.month - 1][:3]})
            last_month = day.month
        totals = by_month.setdefault(f"{MONTHS[day.month - 1]} {day.year}", [0, 0])
        totals[0] += count
        totals[1] += count > 0
        day += timedelta(days=1)
    weeks = (today - first).days // 7 + 1
    busiest = max(per_day.items(), key=lambda item: (item[1], item[0]), default=None)
    return {
        "cells": cells,
        # 371 squares: built here, because a template loop over them costs more than the queries.
        # Every value is an int or a date formatted by us (digits, English day and month names), so
        # nothing needs escaping.
        "cells_svg": mark_safe("".join(
            f'<rect x="{c.x}" y="{c.y}" width="11" height="11" rx="2" class="heat-{c.level}" '
            f'data-day="{c.day.isoformat()}" data-count="{c.count}"><title>{c.label}</title></rect>'
            for c in cells
        )),
        "months": months,
        "weekdays": [{"y": TOP + i * CELL + 9, "label": label} for i, label in ((0, "Mon"), (2, "Wed"), (4, "Fri"))],
        "width": LEFT + weeks * CELL,
        "height": TOP + 7 * CELL,
        "total": sum(per_day.values()),
        "active_days": sum(1 for n in per_day.values() if n),
        "busiest": busiest,
        "by_month": [{"month": m, "reviews": t[0], "days": t[1]} for m, t in by_month.items()],
        "first": first,
    }


def forecast_chart(days: list[tuple[date, int]]) -> dict:
    width_per_bar, height, bottom = 18, 120, 22
    top = max((n for _, n in days), default=0)
    bars = []
    for i, (day, count) in enumerate(days):
        bar_height = round((height - 10) * count / top) if top else 0
        bars.append({
            "day": day,
            "count": count,
            "x": 30 + i * width_per_bar,
            "y": height - bar_height,
            "height": bar_height,
            "label": f"{'Today' if i == 0 else f'{day:%a %-d %b}'}: {count} due",
            "tick": f"{day:%-d %b}" if i % 7 == 0 else "",
        })
    return {
        "bars": bars,
        "width": 30 + len(days) * width_per_bar,
        "height": height + bottom,
        "axis_y": height,
        "top": top,
        "total": sum(n for _, n in days),
        "today": days[0][1] if days else 0,
        "week": sum(n for _, n in days[:7]),
    }


def readiness_chart(first: date, current: list[float], recommended: list[float], target: float) -> dict:
    """Two lines of readiness by day (0 to 1) from `first` to the date, and the target line."""
    width, height, left, top, bottom = 600, 200, 36, 10, 24
    plot_w, plot_h = width - left - 30, height - top - bottom  # room on the right for the last date
    days = max(len(current) - 1, 1)

    def x(i: int) -> float:
        return round(left + plot_w * i / days, 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - max(0.0, min(1.0, value))), 1)

    def points(values: list[float]) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))

    step = max(1, days // 6)
    ticks = [{"x": x(i), "label": f"{first + timedelta(days=i):%-d %b}"} for i in range(0, days + 1, step)]
    rows = [
        {"day": first + timedelta(days=i), "current": c, "recommended": r}
        for i, (c, r) in enumerate(zip(current, recommended))
        if i % step == 0 or i == len(current) - 1
    ]
    return {
        "width": width, "height": height, "left": left, "right": left + plot_w, "axis_y": top + plot_h,
        "current": points(current), "recommended": points(recommended),
        "target_y": y(target), "grid": [{"y": y(v), "label": f"{round(v * 100)}%"} for v in (0, 0.5, 1)],
        "ticks": ticks, "rows": rows,
    }
