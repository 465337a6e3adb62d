"""Interface text: `t(key, **kw)` looks the key up in `locales/<lang>.json` (Dutch first, English available).

The language lives in `st.session_state["lang"]` (set by the sidebar selector in `app.py`, seeded from the
`lang` query parameter). A key missing in English falls back to Dutch, a key missing everywhere is shown
as is, so a missing string never breaks a page. Label display names come from `tagger/data/labels.json`
when that file exists, else from the locale files.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from core.warnings import parse_warning

LANGS: tuple[str, ...] = ("nl", "en")
DEFAULT_LANG = "nl"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LABELS_JSON = Path(__file__).resolve().parent.parent / "tagger" / "data" / "labels.json"


@functools.cache
def _strings(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", DEFAULT_LANG)
    except Exception:  # outside a Streamlit run (plain tests, reports)
        lang = DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **kw: Any) -> str:
    """The text for `key` in the current language, formatted with `kw`."""
    lang = lang or current_lang()
    text = _strings(lang).get(key)
    if text is None:
        text = _strings(DEFAULT_LANG).get(key, key)
    if kw:
        try:
            return text.format(**kw)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str, lang: str | None = None) -> bool:
    return key in _strings(lang or current_lang()) or key in _strings(DEFAULT_LANG)


def _labels_json_mtime() -> float:
    try:
        return LABELS_JSON.stat().st_mtime
    except OSError:
        return 0.0


@functools.cache
def _labels_json(mtime: float) -> dict[str, dict[str, str]]:
    if not mtime:
        return {}
    try:
        data = json.loads(LABELS_JSON.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def label_name(label: str, lang: str | None = None) -> str:
    """Display name of a label: tagger/data/labels.json first, then the locale file, then the machine name."""
    lang = lang or current_lang()
    entry = _labels_json(_labels_json_mtime()).get(label, {})
    name = entry.get(lang) or (entry.get(DEFAULT_LANG) if lang == DEFAULT_LANG else None)
    if isinstance(name, str) and name:
        return name
    key = f"label.{label}"
    return t(key, lang) if has(key, lang) else label.replace("_", " ")


def subtype_name(subtype: str | None, lang: str | None = None) -> str:
    if not isinstance(subtype, str) or not subtype:
        return ""
    key = f"subtype.{subtype}"
    return t(key, lang) if has(key, lang) else subtype.replace("_", " ")


def warning_text(code: str, lang: str | None = None) -> str:
    """A `sessions.warnings` code in words (with its time range or count); unknown codes are shown as they are."""
    name, fields = parse_warning(code)
    key = f"warning.{name}"
    return t(key, lang, **fields) if has(key, lang) else t("warning.unknown", lang, code=code)


def fmt_pct(value: float | None, lang: str | None = None) -> str:
    if value is None or value != value:  # None or NaN
        return t("none", lang)
    return f"{round(value * 100):d}%"


def fmt_num(value: float | None, lang: str | None = None, digits: int = 1) -> str:
    """6.5 -> '6,5' in Dutch; whole numbers without decimals."""
    if value is None or value != value:
        return t("none", lang)
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"
    return text.replace(".", ",") if (lang or current_lang()) == "nl" else text


def fmt_duration(seconds: float | None, lang: str | None = None) -> str:
    """mm:ss, or h:mm:ss for an hour or more."""
    if seconds is None or seconds != seconds:
        return t("none", lang)
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fmt_date(value: Any, lang: str | None = None) -> str:
    if value is None or value != value:
        return t("none", lang)
    try:
        return value.strftime("%d-%m-%Y") if (lang or current_lang()) == "nl" else value.strftime("%Y-%m-%d")
    except AttributeError:
        return str(value)
