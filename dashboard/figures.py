"""What the charts and figures share: a colour-blind-safe palette, who a speaker is, what a figure leaves out,
and axis numbers written the language's way."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.i18n import current_lang, t

#: Okabe & Ito's palette (distinguishable with every common colour-vision deficiency), for categories in charts.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")


def speaker_names(utterances: pd.DataFrame, meta: dict[str, Any]) -> dict[str, str]:
    """Speaker label → what to show: the practitioner's name for the one practitioner speaker and the client
    code for the one client speaker, when the session has them; labels stay as they are otherwise (two
    client speakers are not both the client code)."""
    out: dict[str, str] = {}
    if utterances.empty:
        return out
    for role, value in (("practitioner", meta.get("practitioner")), ("client", meta.get("client_code"))):
        speakers = sorted(set(utterances.loc[utterances["role"] == role, "speaker"].astype(str)))
        if isinstance(value, str) and value.strip() and len(speakers) == 1:
            out[speakers[0]] = value.strip()
    return out


def left_out_text(utterances: pd.DataFrame, role: str | None = None, whole: bool = True) -> str:
    """What the solution-talk figures leave out: "neutraal telt niet mee: 44 van 52 uitingen" (`whole`), or
    only "44 van 52" to put in a sentence per role."""
    part = utterances if role is None else utterances[utterances["role"] == role]
    neutral = int((part["orientation"] == "neutral").sum())
    return t("figures.left_out" if whole else "figures.n_of", n=neutral, total=len(part))


def axis_number_expr() -> str:
    """A Vega label expression writing the axis numbers the way the language does (6,5 in Dutch): Vega's own
    number format is always English."""
    return "replace(datum.label, '.', ',')" if current_lang() == "nl" else "datum.label"


def ratio_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Per session: date, practitioner, client, ratio (time or count) and its basis, for trend charts."""
    out = frame[["session_id", "date", "practitioner", "client_code", "ratio", "ratio_is_count"]].copy()
    out["ratio"] = pd.to_numeric(out["ratio"], errors="coerce")  # None (no figure) becomes NaN
    out["date"] = pd.to_datetime(pd.Series(out["date"], dtype="object"))
    out["basis"] = [t("count_marker") if c else "" for c in out["ratio_is_count"]]
    out["ratio_text"] = [ratio_text(r, c) for r, c in zip(out["ratio"], out["ratio_is_count"], strict=True)]
    out["practitioner"] = out["practitioner"].fillna(t("unknown"))
    return out[out["ratio"].notna()]


def ratio_text(value: float | None, is_count: bool) -> str:
    if value is None or value != value:
        return t("none")
    text = f"{round(value * 100):d}%"
    return f"{text} {t('count_marker')}" if is_count else text


#: The warning code `spiegel demo` gives its sample recordings (espeak-ng voices; cli/demo.py), and its mark.
SYNTHETIC, SYNTHETIC_MARK = "synthetic_voices", "🤖"


def warnings_cell(warnings: list[str]) -> str:
    """The "Let op" cell: the number of warnings, and "synthetische stemmen" for a demo recording."""
    other = [w for w in warnings if w != SYNTHETIC]
    parts = [f"{SYNTHETIC_MARK} {t('app.synthetic_short')}"] if SYNTHETIC in warnings else []
    return " · ".join([*parts, *([f"⚠ {len(other)}"] if other else [])])
