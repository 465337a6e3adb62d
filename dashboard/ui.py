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
from dashboard.i18n import current_lang, fmt_duration, fmt_num, fmt_pct, has, label_name, subtype_name, t

T = TypeVar("T")

PAGES = {
    "overview": "views/overview.py",
    "session": "views/session.py",
    "supervision": "views/supervision.py",
    "practitioner": "views/practitioner.py",
    "client": "views/client.py",
    "cohort": "views/cohort.py",
}
URL_PATHS = {
    "overview": "",
    "session": "session",
    "supervision": "supervision",
    "practitioner": "practitioner",
    "client": "client",
    "cohort": "cohort",
}

ORIENTATION_COLOURS = {"solution": "#2e7d32", "problem": "#e4572e", "neutral": "#9e9e9e"}
ORIENTATION_ICONS = {"solution": "↗", "problem": "↘", "neutral": "→"}
ROLE_COLOURS = {"practitioner": "#1565c0", "client": "#8e24aa", "other": "#616161"}
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


def ratio_text(value: float | None, is_count: bool) -> str:
    if value is None or value != value:
        return t("none")
    text = f"{round(value * 100):d}%"
    return f"{text} {t('count_marker')}" if is_count else text


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
.gs-obadge.gs-o-solution{color:#2e7d32;background:rgba(46,125,50,.10)}
.gs-obadge.gs-o-problem{color:#c0392b;background:rgba(228,87,46,.12)}
.gs-obadge.gs-o-neutral{color:#757575;background:rgba(158,158,158,.12)}
.gs-tr{display:flex;flex-direction:column;gap:.35rem}
.gs-u{display:flex;border-radius:.35rem;background:rgba(128,128,128,.06);border-left:.45rem solid #9e9e9e}
.gs-u.gs-o-solution{border-left-color:#2e7d32}
.gs-u.gs-o-problem{border-left-color:#e4572e}
.gs-u.gs-o-neutral{border-left-color:#bdbdbd}
.gs-meta{flex:0 0 10.5rem;padding:.35rem .5rem;font-size:.8rem;line-height:1.35}
.gs-body{flex:1 1 auto;padding:.35rem .6rem .35rem .2rem;min-width:0}
.gs-time{font-variant-numeric:tabular-nums;opacity:.75;margin-right:.3rem}
.gs-spk{font-weight:600}
.gs-role{font-size:.72rem;opacity:.8}
.gs-r-practitioner{color:#1565c0}
.gs-r-client{color:#8e24aa}
.gs-r-other{color:#616161}
.gs-text{font-size:.98rem;line-height:1.5;overflow-wrap:anywhere}
.gs-mark{background:rgba(255,202,40,.40);border-bottom:2px solid rgba(230,160,0,.9);padding:0 .1rem;
  border-radius:.15rem;color:inherit}
.gs-chips{margin-top:.25rem}
.gs-chip{display:inline-block;font-size:.76rem;padding:.05rem .5rem;border-radius:.7rem;
  margin:.1rem .3rem .1rem 0;  color:#fff;white-space:nowrap}
.gs-chip-practitioner{background:#00796b}
.gs-chip-client{background:#6d4c41}
.gs-chip-problem{background:#c0392b}
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


def transcript_html(utterances: pd.DataFrame, tags: pd.DataFrame, lang: str) -> str:
    """One line per utterance: time, speaker in role colour, orientation band + word, text with tag spans
    highlighted, tag chips, and an expandable explanation of every tag by its rule."""
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
            f'<span class="gs-spk gs-r-{role}">{esc(u["speaker"])}</span><br>'
            f'<span class="gs-role gs-r-{role}">{esc(t(f"role.{role}"))}</span><br>'
            f"{orientation_badge(orientation)}</div>"
        )
        body = f'<div class="gs-text">{highlighted(text, spans)}</div>'
        if utags:
            chips = "".join(
                label_chip(g["label"], g.get("subtype"), g.get("value"), title=str(g["rule"])) for g in utags
            )
            items = "".join(tag_explanation(g, text, lang) for g in utags)
            body += (
                f'<details class="gs-why"><summary><span class="gs-chips">{chips}</span></summary>'
                f"<ul>{items}</ul></details>"
            )
        rows.append(
            f'<div class="gs-u gs-o-{esc(orientation)}" id="u{int(u["idx"])}">{meta}'
            f'<div class="gs-body">{body}</div></div>'
        )
    return '<div class="gs-tr">' + "".join(rows) + "</div>"


#: Rows per page of a session table and utterances per page of a transcript: what a page builds and sends.
PAGE_ROWS = 50
PAGE_UTTERANCES = 100


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
                "warnings": "⚠ " + str(len(row["warnings"])) if row["warnings"] else "",
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
        column_config={
            "date": st.column_config.DateColumn(
                names["date"], format="DD-MM-YYYY" if current_lang() == "nl" else "YYYY-MM-DD"
            ),
            "link": st.column_config.LinkColumn(names["link"], display_text=t("col.open")),
            "techniques": st.column_config.TextColumn(names["techniques"], width="medium"),
            "corrected": st.column_config.TextColumn(names["corrected"], help=t("col.corrected.help")),
            **{
                k: st.column_config.TextColumn(v)
                for k, v in names.items()
                if k not in ("date", "link", "techniques", "corrected")
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


def pick_or_stop(options: list[str], label: str, param: str) -> None:
    """A chooser for pages opened without their query parameter; the choice becomes the address."""
    picked = st.selectbox(label, options, index=None)
    if picked:
        st.query_params[param] = picked
        st.rerun()
    st.stop()


def sessions_for(frame: pd.DataFrame, column: str, param: str, page: str) -> tuple[str, pd.DataFrame]:
    """The practitioner/client pages: read `?param=`, offer a chooser without it, stop kindly on an unknown one.

    Returns the value and that person's sessions; the page title uses the `<page>.title` text.
    """
    value = query_param(param)
    if value is None:
        st.title(t(f"nav.{page}"))
        pick_or_stop(sorted(set(frame[column].dropna())), t(f"{page}.pick"), param)
    subset = frame[frame[column] == value].reset_index(drop=True)
    st.title(t(f"{page}.title", **{param: md(value)}))
    if subset.empty:
        st.info(t(f"{page}.not_found", **{param: md(value)}), icon=":material/search:")
        page_link("overview", t("session.back"), icon=":material/arrow_back:")
        st.stop()
    return value, subset


def ratio_points(frame: pd.DataFrame) -> pd.DataFrame:
    """Per session: date, practitioner, client, ratio (time or count) and its basis, for trend charts."""
    out = frame[["session_id", "date", "practitioner", "client_code", "ratio", "ratio_is_count"]].copy()
    out["ratio"] = pd.to_numeric(out["ratio"], errors="coerce")  # None (no figure) becomes NaN
    out["date"] = pd.to_datetime(pd.Series(out["date"], dtype="object"))
    out["basis"] = [t("count_marker") if c else "" for c in out["ratio_is_count"]]
    out["ratio_text"] = [ratio_text(r, c) for r, c in zip(out["ratio"], out["ratio_is_count"], strict=True)]
    out["practitioner"] = out["practitioner"].fillna(t("unknown"))
    return out[out["ratio"].notna()]
