"""`/cohort` for a trainer in team mode: per pseudonymised practitioner and month, counts and means only.

The figures come from `store.team.cohort_figures` (through `dashboard.auth.cohort`), which returns no session
id, client code, exact date or text; this page cannot show what it never receives.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.i18n import fmt_num, fmt_pct, t
from dashboard.ui import guard

st.title(t("team.cohort.title"))
st.caption(t("team.cohort.intro"))

figures = guard(auth.cohort)
if figures.empty:
    st.info(t("team.cohort.no_data"))
    st.stop()

figures["month"] = pd.to_datetime(figures["month"])
st.subheader(t("team.cohort.trend"))
chart = (
    alt.Chart(figures.dropna(subset=["mean_ratio"]))
    .mark_line(point=True)
    .encode(
        x=alt.X("month:T", title=t("team.col.month"), axis=alt.Axis(format="%m-%Y")),
        y=alt.Y(
            "mean_ratio:Q", title=t("field.ratio"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        color=alt.Color("practitioner:N", title=t("team.col.pseudonym")),
        tooltip=[
            alt.Tooltip("practitioner:N", title=t("team.col.pseudonym")),
            alt.Tooltip("month:T", title=t("team.col.month"), format="%m-%Y"),
            alt.Tooltip("sessions:Q", title=t("col.sessions")),
        ],
    )
)
st.altair_chart(chart.properties(height=300), width="stretch")

table = pd.DataFrame(
    {
        t("team.col.pseudonym"): figures["practitioner"],
        t("team.col.month"): figures["month"].dt.strftime("%m-%Y"),
        t("col.sessions"): figures["sessions"],
        t("col.mean_ratio"): [fmt_pct(v) for v in figures["mean_ratio"]],
        t("col.mean_talk_share"): [fmt_pct(v) for v in figures["mean_talk_share"]],
        t("team.col.question_share"): [fmt_pct(v) for v in figures["mean_question_share"]],
        t("col.compliments_per_session"): [fmt_num(v) for v in figures["compliments_per_session"]],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
