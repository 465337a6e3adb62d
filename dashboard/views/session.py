"""`/session?id=SESSION_ID` — review one session: metadata and warnings, key figures, timeline, scale answers,
and the tagged transcript (every tag explained by its rule, its span highlighted)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core import formatting
from dashboard import correct, data, listen
from dashboard.figures import OKABE_ITO, axis_number_expr, left_out_text, speaker_names
from dashboard.i18n import (
    current_lang,
    fmt_date,
    fmt_duration,
    fmt_num,
    fmt_pct,
    label_name,
    subtype_name,
    t,
    warning_text,
)
from dashboard.share import share_section
from dashboard.ui import (
    CSS,
    ORIENTATION_COLOURS,
    PAGE_UTTERANCES,
    PICK_LIMIT,
    all_sessions,
    esc,
    fmt_clock,
    guard,
    href,
    legend_html,
    md,
    page_link,
    pager,
    query_param,
    ratio_text,
    transcript_html,
)

lang = current_lang()
session_id = query_param("id")

if session_id is None:
    frame = all_sessions()
    st.title(t("nav.session"))
    unknown = t("unknown")
    names = {
        r[
            "session_id"
        ]: f"{fmt_date(r['date'], lang)} · {r['practitioner'] or unknown} · {r['client_code'] or ''}"
        for r in frame.to_dict("records")
    }
    options = list(frame["session_id"])
    if len(options) > PICK_LIMIT:
        # a list of thousands is slow to send and useless to scroll: search, then the newest matches
        needle = st.text_input(t("session.pick_search"), key="session_pick_search").strip().lower()
        if needle:
            options = [s for s in options if needle in names[s].lower()]
        if len(options) > PICK_LIMIT:
            st.caption(t("session.pick_newest", n=PICK_LIMIT, total=formatting.count(len(options), lang)))
            options = options[:PICK_LIMIT]
    picked = st.selectbox(
        t("session.pick"),
        options,
        index=None,
        format_func=lambda s: names.get(s, s),
        key="session_pick",
        placeholder=t("app.placeholder"),
    )
    if picked:
        st.query_params["id"] = picked
        st.rerun()
    st.stop()

view = guard(lambda: data.session(session_id))
if view is None:
    st.title(t("nav.session"))
    st.info(t("session.not_found", id=md(session_id)), icon=":material/search:")
    page_link("overview", t("session.back"), icon=":material/arrow_back:")
    st.stop()

meta = view.meta
has_times = bool(meta.get("has_times"))
metrics = view.metrics
utterances, tags = view.utterances, view.tags

# ------------------------------------------------------------------------------------------------ header
date = meta.get("recorded_at") or (meta["created_at"].date() if meta.get("created_at") is not None else None)
try:
    date_text = fmt_date(pd.Timestamp(date).date()) if date else t("unknown")
except (ValueError, TypeError):
    date_text = str(date)
st.title(t("session.title", date=date_text))
st.caption(
    t("session.id", id=md(session_id)) + " · " + t("session.share", url=md(href("session", id=session_id)))
)
page_link("supervision", t("supervision.link"), icon=":material/thumb_up:", id=session_id)

cols = st.columns([2, 2, 1, 2, 1, 1])
with cols[0]:
    st.caption(t("session.meta.practitioner"))
    if meta.get("practitioner"):
        page_link(
            "practitioner",
            str(meta["practitioner"]),
            icon=":material/person:",
            name=str(meta["practitioner"]),
        )
    else:
        st.markdown(t("unknown"))
with cols[1]:
    st.caption(t("session.meta.client"))
    if meta.get("client_code"):
        page_link(
            "client", str(meta["client_code"]), icon=":material/monitoring:", code=str(meta["client_code"])
        )
    else:
        st.markdown(t("unknown"))
with cols[2]:
    st.caption(t("session.meta.duration"))
    st.markdown(fmt_duration(meta.get("duration_s")))
with cols[3]:
    st.caption(t("session.meta.source"))
    kind = str(meta.get("source_kind") or "audio")
    kind_key = f"session.meta.kind.{kind}"
    st.markdown(f"{md(meta.get('source_name'))} ({md(t(kind_key) if t(kind_key) != kind_key else kind)})")
with cols[4]:
    st.caption(t("session.meta.speakers"))
    st.markdown(str(meta.get("num_speakers") or utterances["speaker"].nunique()))
with cols[5]:
    st.caption(t("session.meta.role_confidence"))
    rc = meta.get("role_confidence")
    st.markdown(fmt_pct(rc) if rc is not None and rc == rc else t("none"))

warnings = list(meta.get("warnings") or [])
if warnings:
    st.warning(
        "**" + t("warnings.title") + "**\n\n" + "\n".join(f"- {md(warning_text(w))}" for w in warnings),
        icon=":material/warning:",
    )
if not has_times:
    st.info(t("session.no_times"), icon=":material/info:")
log = correct.status(session_id)  # corrected by hand? (dashboard/correct.py)

if utterances.empty:
    st.info(t("session.no_speech"))
    page_link("overview", t("session.back"), icon=":material/arrow_back:")
    st.stop()

# ------------------------------------------------------------------------------------------------ key figures
st.subheader(t("session.metrics"))
row = {f"{k}__{role}": v for role, m in metrics.items() for k, v in m.items()}
row["has_times"] = has_times


def ratio_metric(role: str) -> str:
    value, is_count = data.ratio_for(row, role)
    return ratio_text(value, is_count)


ratio_help = t("session.help.ratio") + ("" if has_times else " " + t("session.help.ratio_count"))
c = st.columns(4)
c[0].metric(t("session.metric.ratio_client"), ratio_metric("client"), help=ratio_help)
c[1].metric(t("session.metric.ratio_practitioner"), ratio_metric("practitioner"), help=ratio_help)
c[2].metric(t("session.metric.ratio_all"), ratio_metric("all"), help=ratio_help)
c[3].metric(
    t("session.metric.talk_share_practitioner"),
    fmt_pct(row.get("talk_share__practitioner")),
    help=t("session.help.talk_share"),
)
st.caption(
    t(
        "figures.left_out_roles",
        practitioner=left_out_text(utterances, "practitioner", whole=False),
        client=left_out_text(utterances, "client", whole=False),
        all=left_out_text(utterances, whole=False),
    )
)
c = st.columns(4)
c[0].metric(
    t("session.metric.question_share"),
    fmt_pct(row.get("question_share__practitioner")),
    help=t("session.help.question_share"),
)
c[1].metric(
    t("session.metric.exception_followup"),
    fmt_pct(row.get("exception_followup_rate__all")),
    help=t("session.help.exception_followup"),
)
first = row.get("first_solution_turn_s__all")
c[2].metric(
    t("session.metric.first_solution_turn"),
    fmt_clock(first) if first is not None and first == first else t("none"),
    help=t("session.help.first_solution_turn"),
)
c[3].metric(
    t("session.metric.problem_question_share"),
    fmt_pct(row.get("problem_question_share__practitioner")),
    help=t("session.help.problem_question_share"),
)

present = [lab for lab in data.LABEL_ORDER if lab in set(tags["label"])] + sorted(
    set(tags["label"]) - set(data.LABEL_ORDER)
)
st.markdown("**" + t("session.techniques") + "**")
if present:
    counts = tags.drop_duplicates(["utterance_idx", "label"])["label"].value_counts()
    st.markdown(" · ".join(f"{md(label_name(lab))}: **{int(counts.get(lab, 0))}**" for lab in present))
else:
    st.caption(t("session.no_techniques"))

# ------------------------------------------------------------------------------------------------ charts
orientation_names = {o: t(f"orientation.{o}") for o in ORIENTATION_COLOURS}
labels_by_idx = (
    tags.groupby("utterance_idx")["label"]
    .apply(lambda s: ", ".join(dict.fromkeys(label_name(x) for x in s)))
    .to_dict()
    if not tags.empty
    else {}
)
chart_data = utterances.copy()
if has_times and chart_data["start_s"].notna().any():
    chart_data["x"] = chart_data["start_s"].astype(float) / 60
    chart_data["x2"] = chart_data["end_s"].fillna(chart_data["start_s"]).astype(float) / 60
    x_title = t("session.timeline.minutes")
else:
    chart_data["x"] = chart_data["idx"].astype(float)
    chart_data["x2"] = chart_data["idx"].astype(float) + 0.9
    x_title = t("session.timeline.index")
speakers = speaker_names(utterances, meta)  # S1 → the practitioner's name, S2 → the client code, where known
chart_data["who"] = [
    f"{speakers.get(str(s), s)} ({t(f'role.{r}')})"
    for s, r in zip(chart_data["speaker"], chart_data["role"], strict=True)
]
#: the whole session on both charts, in whole minutes (or utterance numbers): "0 1 2 …", never "1.4 1.4 1.5"
span = [0, max(1.0, float(chart_data["x2"].max()))]
chart_data["orientation_name"] = chart_data["orientation"].map(orientation_names)
chart_data["time"] = chart_data["start_s"].map(fmt_clock)
chart_data["labels"] = chart_data["idx"].map(labels_by_idx).fillna("")
chart_data["snippet"] = chart_data["text"].str.slice(0, 140)
colour = alt.Color(
    "orientation_name:N",
    title=t("field.orientation"),
    scale=alt.Scale(domain=list(orientation_names.values()), range=list(ORIENTATION_COLOURS.values())),
    legend=alt.Legend(orient="top"),
)

st.subheader(t("listen.title"))
listen.player(session_id, utterances, has_times)  # the kept recording, tied to transcript and timeline

left, right = st.columns([3, 1])
with left:
    st.subheader(t("session.timeline"))
    timeline = (
        alt.Chart(chart_data[["x", "x2", "who", "orientation_name", "time", "labels", "snippet", "idx"]])
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X(
                "x:Q",
                title=x_title,
                scale=alt.Scale(domain=span, nice=True),
                axis=alt.Axis(format="d", tickMinStep=1, labelExpr=axis_number_expr()),
            ),
            x2="x2:Q",
            y=alt.Y("who:N", title=None, scale=alt.Scale(paddingInner=0.35), axis=alt.Axis(labelLimit=220)),
            color=colour,
            tooltip=[
                alt.Tooltip("time:N", title=t("field.start")),
                alt.Tooltip("who:N", title=t("field.speaker")),
                alt.Tooltip("orientation_name:N", title=t("field.orientation")),
                alt.Tooltip("labels:N", title=t("session.techniques")),
                alt.Tooltip("snippet:N", title=t("field.text")),
            ],
        )
        .properties(height=alt.Step(34))
    )
    timeline = listen.clickable(timeline)  # a clicked bar plays from its utterance
    st.altair_chart(timeline, width="stretch", on_select="rerun", key=listen.timeline_key(session_id))
with right:
    st.subheader(t("session.scales"))
    scale_rows = tags[tags["label"] == "scale_answer"].merge(
        chart_data[["idx", "x"]], left_on="utterance_idx", right_on="idx"
    )
    scale_rows = scale_rows[scale_rows["value"].notna()]
    if scale_rows.empty:
        st.caption(t("session.no_scales"))
    else:
        scale_rows = scale_rows.assign(
            scale=[subtype_name(s) or t("subtype.other") for s in scale_rows["subtype"]],
            shown=[fmt_num(v) for v in scale_rows["value"]],
        )
        # the legend stacks its entries, so a long English name is not cut off
        base = alt.Chart(scale_rows[["x", "value", "scale", "shown"]]).encode(
            x=alt.X(
                "x:Q",
                title=x_title,
                scale=alt.Scale(domain=span, nice=True),
                axis=alt.Axis(format="d", tickMinStep=1, labelExpr=axis_number_expr()),
            ),
            y=alt.Y("value:Q", title=t("field.value"), scale=alt.Scale(domain=[0, 10])),
            color=alt.Color(
                "scale:N",
                title=t("field.scale"),
                scale=alt.Scale(range=list(OKABE_ITO)),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0),
            ),
            tooltip=[
                alt.Tooltip("scale:N", title=t("field.scale")),
                alt.Tooltip("shown:N", title=t("field.value")),
            ],
        )
        chart = base.mark_line(point=alt.OverlayMarkDef(size=80)) + base.mark_text(dy=-12).encode(
            text="shown:N"
        )
        st.altair_chart(chart.properties(height=220), width="stretch")

# ------------------------------------------------------------------------------------------------ transcript
correct.panel(session_id, utterances, tags, log)
st.subheader(t("session.transcript"))
filters = ["all", "tagged", *[f"label:{lab}" for lab in present]]


def filter_name(key: str, lang: str = lang) -> str:  # language bound now: format_func may run outside a rerun
    if key.startswith("label:"):
        return t("session.filter.label", lang, label=label_name(key[6:], lang))
    return t(f"session.filter.{key}", lang)


fcol, lcol = st.columns([1, 2])
# a widget kept under one key keeps the option texts it was first given: other languages get their own key
filter_key = f"filter_{session_id}" + ("" if lang == "nl" else f"_{lang}")
choice = fcol.selectbox(t("session.filter"), filters, format_func=filter_name, key=filter_key)
shown = utterances
if choice == "tagged":
    shown = utterances[utterances["idx"].isin(set(tags["utterance_idx"]))]
elif choice.startswith("label:"):
    shown = utterances[utterances["idx"].isin(set(tags.loc[tags["label"] == choice[6:], "utterance_idx"]))]
with lcol:
    st.markdown(
        CSS + f'<div class="gs-legend">{esc(t("session.legend"))}<br>{legend_html()}</div>',
        unsafe_allow_html=True,
    )
st.caption(t("session.shown", shown=len(shown), total=len(utterances)))
if shown.empty:
    st.info(t("session.nothing_shown"))
else:
    # a page of utterances at a time: a long session's transcript is built and sent in parts
    first, last = pager(len(shown), PAGE_UTTERANCES, f"transcript_{session_id}_{choice}")
    st.markdown(transcript_html(shown.iloc[first:last], tags, lang, speakers), unsafe_allow_html=True)

share_section(session_id)  # the report (PDF, HTML, Markdown) and the session's data (CSV, JSON)
