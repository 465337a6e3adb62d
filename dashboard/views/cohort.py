"""`/cohort` — trainers' view over all practitioners: solution-talk distribution, trend, before/after."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.figures import OKABE_ITO, ratio_points
from dashboard.i18n import current_lang, fmt_date, fmt_num, fmt_pct, t
from dashboard.ui import all_sessions

st.title(t("cohort.title"))
st.caption(t("cohort.intro"))

frame = all_sessions()
points = ratio_points(frame)
if points.empty:
    st.info(t("cohort.no_data"))
    st.stop()
#: one colour per practitioner from the colour-blind-safe palette, the same in every chart of the page
practitioner_colours = alt.Scale(range=list(OKABE_ITO))
left_out = t("figures.sessions_left_out", n=len(frame) - len(points), total=len(frame))

#: Above this many sessions the charts draw summaries (quantiles, monthly means) instead of every session:
#: the browser then receives a few hundred marks, not ten thousand.
MAX_POINTS = 400

st.subheader(t("cohort.distribution"))
ratio_axis = alt.Y(
    "ratio:Q", title=t("field.ratio"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
)
tooltip = [
    alt.Tooltip("practitioner:N", title=t("col.practitioner")),
    alt.Tooltip("date:T", title=t("field.date"), format="%d-%m-%Y"),
    alt.Tooltip("ratio_text:N", title=t("field.ratio")),
]
if len(points) <= MAX_POINTS:
    box = (
        alt.Chart(points)
        .mark_boxplot(extent="min-max", opacity=0.35, size=40)
        .encode(
            x=alt.X("practitioner:N", title=None, axis=alt.Axis(labelAngle=0)),
            y=ratio_axis,
            color=alt.Color("practitioner:N", legend=None, scale=practitioner_colours),
        )
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=70, opacity=0.9)
        .encode(
            x="practitioner:N",
            y="ratio:Q",
            color=alt.Color("practitioner:N", legend=None, scale=practitioner_colours),
            tooltip=tooltip,
        )
    )
    st.altair_chart((box + dots).properties(height=300), width="stretch")
else:
    quantiles = (
        points.groupby("practitioner")["ratio"]
        .quantile([0.0, 0.25, 0.5, 0.75, 1.0])
        .unstack()
        .set_axis(["low", "q1", "median", "q3", "high"], axis=1)
        .reset_index()
    )
    x = alt.X("practitioner:N", title=None, axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(quantiles).encode(
        x=x, color=alt.Color("practitioner:N", legend=None, scale=practitioner_colours)
    )
    whiskers = base.mark_rule().encode(
        y=alt.Y("low:Q", title=t("field.ratio"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y2="high:Q",
    )
    boxes = base.mark_bar(size=14, opacity=0.5).encode(y="q1:Q", y2="q3:Q")
    medians = base.mark_tick(size=14, thickness=2, color="black").encode(y="median:Q")
    st.altair_chart((whiskers + boxes + medians).properties(height=300), width="stretch")
st.caption(left_out)

st.subheader(t("cohort.over_time"))
trend_points = points
if len(points) > MAX_POINTS:  # one point per practitioner and month
    trend_points = (
        points.assign(date=points["date"].dt.to_period("M").dt.to_timestamp())
        .groupby(["practitioner", "date"], as_index=False)["ratio"]
        .mean()
    )
    trend_points["ratio_text"] = [fmt_pct(r) for r in trend_points["ratio"]]
trend = (
    alt.Chart(trend_points)
    .mark_line(point=len(points) <= MAX_POINTS)
    .encode(
        x=alt.X("date:T", title=t("field.date"), axis=alt.Axis(format="%d-%m-%Y")),
        y=ratio_axis,
        color=alt.Color("practitioner:N", title=t("col.practitioner"), scale=practitioner_colours),
        tooltip=tooltip,
    )
)
st.altair_chart(trend.properties(height=300), width="stretch")
st.caption(left_out)

st.subheader(t("cohort.table"))
rows = []
for name, group in frame.assign(practitioner=frame["practitioner"].fillna(t("unknown"))).groupby(
    "practitioner"
):
    ratios = group["ratio"].dropna()
    shares = group["talk_share__practitioner"].dropna()
    compliments = group.get("label_count_compliment__practitioner", pd.Series(dtype=float)).fillna(0)
    rows.append(
        {
            t("col.practitioner"): name,
            t("col.sessions"): len(group),
            t("col.mean_ratio"): fmt_pct(ratios.mean() if len(ratios) else None),
            t("col.mean_talk_share"): fmt_pct(shares.mean() if len(shares) else None),
            t("col.compliments_per_session"): fmt_num(compliments.mean() if len(compliments) else None),
            t("col.last_session"): fmt_date(max(d for d in group["date"] if d is not None)),
        }
    )
# fixed widths that fit beside the sidebar at 1280 px; a header cut short shows in full as its tooltip
widths = dict(zip([*rows[0]] if rows else [], (130, 100, 130, 150, 140, 110), strict=False))
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={name: st.column_config.Column(name, width=w, help=name) for name, w in widths.items()},
)

training = st.date_input(
    t("cohort.training_date"),
    value=None,
    format="DD-MM-YYYY" if current_lang() == "nl" else "YYYY-MM-DD",
    key="cohort_training",
)
if training is not None:
    cut = pd.Timestamp(training)
    before, after = t("cohort.before"), t("cohort.after")
    split = points.assign(period=[before if d < cut else after for d in points["date"]])
    table = (
        split.pivot_table(index="practitioner", columns="period", values="ratio", aggfunc="mean")
        .reindex(columns=[before, after])  # "Voor" before "Na", and both even when one period is empty
        .map(fmt_pct)
        .reset_index()
        .rename(columns={"practitioner": t("col.practitioner")})
    )
    table.columns.name = None
    st.markdown("**" + t("cohort.before_after", date=fmt_date(training)) + "**")
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(left_out)
