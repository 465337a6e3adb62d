"""Shared pieces of the dashboard pages: escaping, links, the database guard, the tagged transcript in HTML.

Safety rule: every piece of text that comes from a recording or a transcript (utterances, speaker names,
practitioner names, client codes, rule notes) goes through `esc()` before it is placed in HTML that is shown
with `unsafe_allow_html=True`, and through `md()` before plain Markdown.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from core.formatting import clock as fmt_clock
from dashboard import data
from dashboard.figures import SYNTHETIC, SYNTHETIC_MARK, ratio_text, warnings_cell
from dashboard.i18n import current_lang, fmt_duration, fmt_num, fmt_pct, has, label_name, subtype_name, t
from tagger.cue_names import orientation_why

T = TypeVar("T")

PAGES = {
    "overview": "views/overview.py",
    "upload": "views/upload.py",
    "session": "views/session.py",
    "supervision": "views/supervision.py",
    "practitioner": "views/practitioner.py",
    "client": "views/client.py",
    "cohort": "views/cohort.py",
}
URL_PATHS = {
    "overview": "",
    "upload": "upload",
    "session": "session",
    "supervision": "supervision",
    "practitioner": "practitioner",
    "client": "client",
    "cohort": "cohort",
}

#: Colour-blind-safe (Okabe & Ito's bluish green, vermillion; dashboard/figures.py), with an arrow and word too.
ORIENTATION_COLOURS = {"solution": "#009E73", "problem": "#D55E00", "neutral": "#BBBBBB"}
ORIENTATION_ICONS = {"solution": "↗", "problem": "↘", "neutral": "→"}
ROLE_COLOURS = {"practitioner": "#0072B2", "client": "#9B4F96", "other": "#616161"}
CLIENT_LABELS = {"scale_answer", "exception_report"}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~])")


def esc(text: Any) -> str:
    """Text for HTML: escaped (quotes too); `$` kept from LaTeX, newlines from Markdown block parsing."""
    value = "" if text is None else str(text)
    return html.escape(value, quote=True).replace("$", "&#36;").replace("\r", " ").replace("\n", " ")


def md(text: Any) -> str:
    """Text for plain Markdown: every Markdown character escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text)).replace("\n", " ")


def lang_params() -> dict[str, str]:
    lang = current_lang()
    return {} if lang == "nl" else {"lang": lang}


def href(page: str, **params: str) -> str:
    """A stable, shareable address like `/session?id=...` (with `lang` when not Dutch)."""
    query = {**{k: v for k, v in params.items() if v is not None}, **lang_params()}
    path = "/" + URL_PATHS[page]
    return path + ("?" + urlencode(query) if query else "")


def page_link(page: str, label: str, icon: str | None = None, **params: str) -> None:
    st.page_link(PAGES[page], label=label, icon=icon, query_params={**params, **lang_params()} or None)


def guard(load: Callable[[], T]) -> T:
    """Run a database read; on a missing, busy or unreadable database explain it kindly and stop the page."""
    try:
        return load()
    except data.DbUnavailable as error:
        if error.kind == "missing":
            empty_state(missing=str(error))
        elif error.kind == "busy":
            st.warning(t("db.busy"), icon=":material/hourglass_top:")
            st.button(t("db.retry"))
        else:
            st.error(t("db.error", error=str(error)))
        st.stop()
        raise  # st.stop() raises; this keeps type checkers content


def empty_state(missing: str | None = None) -> None:
    st.subheader(t("empty.title"))
    st.markdown(t("empty.body"))
    if missing:
        st.caption(t("empty.missing_db", path=md(missing)))


def all_sessions() -> pd.DataFrame:
    """All sessions, or the empty-database explanation (and stop)."""
    frame = guard(data.sessions)
    if frame.empty:
        empty_state()
        st.stop()
    return frame


def query_param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def techniques_text(row: dict[str, Any], labels: Iterable[str], role: str = "all") -> str:
    parts = []
    for label in labels:
        count = row.get(f"label_count_{label}__{role}")
        if count is not None and count == count and int(count) > 0:
            parts.append(f"{int(count)}× {label_name(label)}")
    return " · ".join(parts)


def label_chip(label: str, subtype: str | None = None, value: float | None = None, title: str = "") -> str:
    text = label_name(label)
    if isinstance(subtype, str) and subtype:
        text += f" · {subtype_name(subtype)}"
    if value is not None and value == value:
        text += f" = {fmt_num(value)}"
    kind = (
        "client" if label in CLIENT_LABELS else ("problem" if label == "problem_question" else "practitioner")
    )
    return f'<span class="gs-chip gs-chip-{kind}" title="{esc(title)}">{esc(text)}</span>'


def orientation_badge(orientation: str) -> str:
    name = t(f"orientation.{orientation}")
    icon = ORIENTATION_ICONS.get(orientation, "•")
    return (
        f'<span class="gs-obadge gs-o-{esc(orientation)}" title="{esc(name)}">'
        f'<span aria-hidden="true">{icon}</span> {esc(name)}</span>'
    )


def legend_html() -> str:
    return '<div class="gs-legend">' + " ".join(orientation_badge(o) for o in ORIENTATION_COLOURS) + "</div>"


CSS = """
<style>
.gs-legend{margin:.2rem 0 .8rem 0}
.gs-obadge{display:inline-block;font-size:.78rem;padding:.05rem .45rem;border-radius:.6rem;
  margin-right:.35rem;  border:1px solid currentColor;white-space:nowrap}
.gs-obadge.gs-o-solution{color:#00785a;background:rgba(0,158,115,.12)}
.gs-obadge.gs-o-problem{color:#b34700;background:rgba(213,94,0,.12)}
.gs-obadge.gs-o-neutral{color:#757575;background:rgba(158,158,158,.12)}
.gs-tr{display:flex;flex-direction:column;gap:.35rem}
.gs-u{display:flex;border-radius:.35rem;background:rgba(128,128,128,.06);border-left:.45rem solid #9e9e9e}
.gs-u.gs-o-solution{border-left-color:#009E73}
.gs-u.gs-o-problem{border-left-color:#D55E00}
.gs-u.gs-o-neutral{border-left-color:#bdbdbd}
.gs-meta{flex:0 0 10.5rem;padding:.35rem .5rem;font-size:.8rem;line-height:1.35}
.gs-body{flex:1 1 auto;padding:.35rem .6rem .35rem .2rem;min-width:0}
.gs-time{font-variant-numeric:tabular-nums;opacity:.75;margin-right:.3rem}
.gs-spk{font-weight:600}
.gs-role{font-size:.72rem;opacity:.8}
.gs-r-practitioner{color:#0072B2}
.gs-r-client{color:#9B4F96}
.gs-r-other{color:#616161}
.gs-text{font-size:.98rem;line-height:1.5;overflow-wrap:anywhere}
.gs-mark{background:rgba(255,202,40,.40);border-bottom:2px solid rgba(230,160,0,.9);padding:0 .1rem;
  border-radius:.15rem;color:inherit}
.gs-chips{margin-top:.25rem}
.gs-chip{display:inline-block;font-size:.76rem;padding:.05rem .5rem;border-radius:.7rem;
  margin:.1rem .3rem .1rem 0;  color:#fff;white-space:nowrap}
.gs-chip-practitioner{background:#00796b}
.gs-chip-client{background:#6d4c41}
.gs-chip-problem{background:#b34700}
.gs-why{margin-top:.15rem}
.gs-why summary{cursor:pointer;list-style-position:outside;font-size:.8rem;opacity:.85}
.gs-why ul{margin:.2rem 0 .2rem 1rem;padding:0;font-size:.82rem}
.gs-why code{font-size:.76rem}
</style>
"""


def highlighted(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The utterance text, escaped piece by piece, with every tag span wrapped in a <mark>."""
    n = len(text)
    cuts = {0, n}
    clean = []
    for start, end, title in spans:
        start, end = max(0, min(int(start), n)), max(0, min(int(end), n))
        if end > start:
            clean.append((start, end, title))
            cuts.update((start, end))
    bounds = sorted(cuts)
    out = []
    for lo, hi in itertools.pairwise(bounds):
        piece = esc(text[lo:hi])
        titles = list(dict.fromkeys(title for s, e, title in clean if s <= lo and hi <= e))
        out.append(
            f'<mark class="gs-mark" title="{esc(", ".join(titles))}">{piece}</mark>' if titles else piece
        )
    return "".join(out)


def tag_explanation(tag: dict[str, Any], text: str, lang: str) -> str:
    label = tag["label"]
    start, end = int(tag["start_char"]), int(tag["end_char"])
    found = text[max(0, start) : max(0, end)]
    desc_key = f"labeldesc.{label}"
    desc = t(desc_key) if has(desc_key) else ""
    info = data.rule_info(str(tag["rule"]), lang)
    parts = [f"<strong>{esc(label_name(label))}</strong>"]
    if isinstance(tag.get("subtype"), str) and tag["subtype"]:
        parts.append(f" ({esc(subtype_name(tag['subtype']))})")
    value = tag.get("value")
    if value is not None and value == value:
        parts.append(f", {esc(t('session.value'))} {esc(fmt_num(value))}")
    if desc:
        parts.append(f": {esc(desc)}")
    parts.append(f" — {esc(t('session.rule'))} <code>{esc(tag['rule'])}</code>")
    if found:
        parts.append(f", {esc(t('session.found'))}: “{esc(found)}”")
    if info.get("note"):
        parts.append(f". {esc(info['note'])}")
    return "<li>" + "".join(parts) + "</li>"


def transcript_html(
    utterances: pd.DataFrame, tags: pd.DataFrame, lang: str, names: dict[str, str] | None = None
) -> str:
    """One line per utterance: time, speaker (`names`: S1 → a known name) in role colour, orientation band +
    word, text with tag spans highlighted, tag chips, and an expandable "why": the orientation's strongest cues
    in words (`tagger.cue_names`) and every tag explained by its rule."""
    names = names or {}
    by_idx: dict[int, list[dict[str, Any]]] = {}
    for tag in tags.to_dict("records"):
        by_idx.setdefault(int(tag["utterance_idx"]), []).append(tag)
    rows = []
    for u in utterances.to_dict("records"):
        text = str(u["text"])
        utags = by_idx.get(int(u["idx"]), [])
        orientation = str(u["orientation"])
        role = str(u["role"]) if u["role"] in ROLE_COLOURS else "other"
        spans = [(g["start_char"], g["end_char"], label_name(g["label"])) for g in utags]
        meta = (
            f'<div class="gs-meta"><span class="gs-time">{esc(fmt_clock(u.get("start_s")))}</span>'
            f'<span class="gs-spk gs-r-{role}">{esc(names.get(str(u["speaker"]), u["speaker"]))}</span><br>'
            f'<span class="gs-role gs-r-{role}">{esc(t(f"role.{role}"))}</span><br>'
            f"{orientation_badge(orientation)}</div>"
        )
        body = f'<div class="gs-text">{highlighted(text, spans)}</div>'
        why = orientation_why(orientation, u.get("orientation_cues"), lang)  # "" for rows without cues
        if utags or why:
            chips = "".join(
                label_chip(g["label"], g.get("subtype"), g.get("value"), title=str(g["rule"])) for g in utags
            )
            items = f'<li class="gs-ocues">{esc(why)}</li>' * bool(why)
            items += "".join(tag_explanation(g, text, lang) for g in utags)
            summary = f'<span class="gs-chips">{chips}</span>' if utags else esc(t("why.more", lang))
            body += f'<details class="gs-why"><summary>{summary}</summary><ul>{items}</ul></details>'
        rows.append(
            f'<div class="gs-u gs-o-{esc(orientation)}" id="u{int(u["idx"])}">{meta}'
            f'<div class="gs-body">{body}</div></div>'
        )
    return '<div class="gs-tr">' + "".join(rows) + "</div>"


#: Rows per page of a session table and utterances per page of a transcript: what a page builds and sends.
PAGE_ROWS = 50
PAGE_UTTERANCES = 100
#: The session chooser lists at most this many sessions: the newest, or the newest that match its search (a
#: list of thousands is slow to send to the browser and useless to scroll).
PICK_LIMIT = 300


def pager(total: int, per_page: int, key: str) -> tuple[int, int]:
    """A page chooser when `total` does not fit on one page; returns the (start, stop) rows to show."""
    if total <= per_page:
        return 0, total
    pages = (total + per_page - 1) // per_page
    page = int(st.number_input(t("table.page"), 1, pages, 1, step=1, key=f"{key}_page"))
    start = (page - 1) * per_page
    stop = min(start + per_page, total)
    st.caption(t("table.page_of", first=start + 1, last=stop, total=total))
    return start, stop


#: Pixel widths of the session tables' columns: a page's columns fit in 800 px (the main area beside the
#: sidebar in a 1280 px window) without scrolling sideways; longer text wraps, since rows taller than 4rem let
#: Streamlit's table wrap (and the header's tooltip gives a cut-off header in full).
COLUMN_WIDTHS = {
    "date": 86,
    "link": 60,
    "practitioner": 100,
    "client": 62,
    "duration": 52,
    "ratio": 112,
    "talk_share_practitioner": 100,
    "scales": 92,
    "techniques": 156,
    "warnings": 84,
    "corrected": 28,
}
WRAPPING_ROW_HEIGHT = 66
OVERVIEW_COLUMNS = (
    "date", "corrected", "link", "practitioner", "client", "ratio", "scales", "techniques", "warnings"
)  # fmt: skip


def sessions_table(frame: pd.DataFrame, key: str, columns: Iterable[str] | None = None) -> None:
    """The sessions as a table with headline figures; clicking a row (or 'open') opens `/session?id=...`.

    Long lists are shown a page at a time: only the rows on the page are formatted and sent to the browser.
    """
    labels = data.label_columns(frame)
    start, stop = pager(len(frame), PAGE_ROWS, key)
    page = frame.iloc[start:stop]
    rows = []
    for row in page.to_dict("records"):
        scales = row["scale_values"]
        rows.append(
            {
                "date": row["date"],
                "practitioner": row["practitioner"] or t("unknown"),
                "client": row["client_code"] or t("unknown"),
                "duration": fmt_duration(row["duration_s"]),
                "ratio": ratio_text(row["ratio"], row["ratio_is_count"]),
                "talk_share_practitioner": fmt_pct(row.get("talk_share__practitioner")),
                "scales": t("scales.summary", n=len(scales), last=fmt_num(scales[-1]["value"]))
                if scales
                else "",
                "techniques": techniques_text(row, labels),
                "warnings": warnings_cell(row["warnings"]),
                "corrected": "✎" * bool(pd.notna(row.get("corrected_at"))),  # by hand: dashboard/correct.py
                "link": href("session", id=row["session_id"]),
            }
        )
    names = {
        "date": t("col.date"),
        "corrected": t("col.corrected"),
        "link": t("col.link"),
        "practitioner": t("col.practitioner"),
        "client": t("col.client"),
        "duration": t("col.duration"),
        "ratio": t("col.ratio"),
        "talk_share_practitioner": t("col.talk_share_practitioner"),
        "scales": t("col.scales"),
        "techniques": t("col.techniques"),
        "warnings": t("col.warnings"),
    }
    table = pd.DataFrame(rows, columns=list(names))
    if columns is not None:
        table = table[list(columns)]
    selection = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key=key,
        row_height=WRAPPING_ROW_HEIGHT,
        column_config={
            "date": st.column_config.DateColumn(
                names["date"],
                format="DD-MM-YYYY" if current_lang() == "nl" else "YYYY-MM-DD",
                width=COLUMN_WIDTHS["date"],
            ),
            "link": st.column_config.LinkColumn(
                names["link"], display_text=t("col.open"), width=COLUMN_WIDTHS["link"]
            ),
            "corrected": st.column_config.TextColumn(
                names["corrected"], help=t("col.corrected.help"), width=COLUMN_WIDTHS["corrected"]
            ),
            **{
                k: st.column_config.TextColumn(v, width=COLUMN_WIDTHS[k], help=v)
                for k, v in names.items()
                if k not in ("date", "link", "corrected")
            },
        },
    )
    picked = selection.selection.rows if selection is not None else []
    if picked:
        st.switch_page(
            PAGES["session"], query_params={"id": page.iloc[picked[0]]["session_id"], **lang_params()}
        )
    if frame["ratio_is_count"].any():
        st.caption(t("overview.count_note"))
    if any(SYNTHETIC in w for w in page["warnings"]):
        st.caption(t("app.synthetic_note", mark=SYNTHETIC_MARK + " " + t("app.synthetic_short")))
