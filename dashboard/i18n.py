"""Interface text and formats in the language the dashboard shows: `core.texts` and `core.formatting`.

The language lives in `st.session_state["lang"]` (set by the sidebar selector in `app.py`, seeded from the
`lang` query parameter); these helpers only add it, so the dashboard, the report and the CLI use one
catalogue (`core/texts/<lang>.json`) and one way of writing numbers, times and dates.
"""

from __future__ import annotations

from typing import Any

from core import formatting, texts
from core.texts import DEFAULT_LANG, LANGS

__all__ = ["DEFAULT_LANG", "LANGS"]


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", DEFAULT_LANG)
    except Exception:  # outside a Streamlit run (plain tests)
        lang = DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **kw: Any) -> str:
    """The text for `key` in the current language, formatted with `kw`."""
    return texts.text(key, lang or current_lang(), **kw)


def has(key: str, lang: str | None = None) -> bool:
    return texts.has(key, lang or current_lang())


def label_name(label: str, lang: str | None = None) -> str:
    return texts.label_name(label, lang or current_lang())


def subtype_name(subtype: str | None, lang: str | None = None) -> str:
    return texts.subtype_name(subtype, lang or current_lang())


def warning_text(code: str, lang: str | None = None) -> str:
    return texts.warning_text(code, lang or current_lang())


def fmt_pct(value: float | None, lang: str | None = None) -> str:
    return formatting.percent(value, none=t("none", lang))


def fmt_num(value: float | None, lang: str | None = None, digits: int = 1) -> str:
    """6.5 -> '6,5' in Dutch; whole numbers without decimals."""
    return formatting.number(value, lang or current_lang(), digits, none=t("none", lang))


def fmt_duration(seconds: float | None, lang: str | None = None) -> str:
    """mm:ss, or h:mm:ss for an hour or more."""
    return formatting.clock(seconds, none=t("none", lang))


def fmt_date(value: Any, lang: str | None = None) -> str:
    return formatting.date(value, lang or current_lang(), none=t("none", lang))
