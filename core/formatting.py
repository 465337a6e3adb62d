"""How numbers, times and dates are written for people, the same in the dashboard, the report and the CLI.

- a time or length: `clock(45)` → "00:45", `clock(3725)` → "1:02:05" (whole seconds, rounded down);
- a share: `percent(0.726)` → "73%";
- a number: `number(6.5, "nl")` → "6,5" (Dutch decimal comma), whole numbers without decimals;
- a date: `date(d, "nl")` → "14-09-2026" (Dutch day-month-year), "2026-09-14" in English;
- a date in a document: `long_date(d, "nl")` → "14 september 2026" (month names from the text catalogue);
- the length of a recording in a document: `duration(221)` → "3:41" (no leading zero: a length, not a moment).

A missing value (None, NaN) is written as `none` (a dash unless the caller gives its own word).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

NONE = "—"


def _missing(value: Any) -> bool:
    return value is None or value != value  # None or NaN


def clock(seconds: float | None, none: str = "") -> str:
    """mm:ss, or h:mm:ss from an hour on: a moment in a recording or a length."""
    if _missing(seconds):
        return none
    total = max(0, int(seconds))  # type: ignore[arg-type]
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def percent(value: float | None, none: str = NONE) -> str:
    if _missing(value):
        return none
    return f"{round(value * 100):d}%"  # type: ignore[operator]


def number(value: float | None, lang: str, digits: int = 1, none: str = NONE) -> str:
    """6.5 → '6,5' in Dutch, '6.5' in English; whole numbers without decimals."""
    if _missing(value):
        return none
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"  # type: ignore[arg-type]
    return text.replace(".", ",") if lang == "nl" else text


def count(value: int, lang: str) -> str:
    """1080000 → '1.080.000' in Dutch, '1,080,000' in English (a large count, as people read it)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "nl" else text


def date(value: Any, lang: str, none: str = NONE) -> str:
    """A date (or datetime, or ISO text) as 14-09-2026 in Dutch and 2026-09-14 in English."""
    if _missing(value) or value == "":
        return none
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    try:
        return value.strftime("%d-%m-%Y") if lang == "nl" else value.strftime("%Y-%m-%d")
    except AttributeError:
        return str(value)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def long_date(value: Any, lang: str, none: str = NONE) -> str:
    """14 september 2026 in Dutch, 14 September 2026 in English: how a report or letter writes a date."""
    from core.texts import text

    if _missing(value) or value == "":
        return none
    day = _as_date(value)
    if day is None:
        return str(value)
    return f"{day.day} {text(f'month.{day.month}', lang)} {day.year}"


def duration(seconds: float | None, none: str = NONE) -> str:
    """m:ss, or h:mm:ss from an hour on: 221 s → '3:41' (whole seconds, rounded down)."""
    if _missing(seconds):
        return none
    shown = clock(seconds)
    return shown[1:] if shown.startswith("0") and shown.count(":") == 1 else shown
