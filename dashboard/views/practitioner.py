"""`/practitioner?name=NAME` — one practitioner's sessions and trends (solution talk, techniques)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.figures import OKABE_ITO, ratio_points
from dashboard.i18n import fmt_date, fmt_pct, label_name, t
from dashboard.people import sessions_for
from dashboard.ui import all_sessions, sessions_table

frame = all_sessions()
name, mine = sessions_for(frame, "practitioner", "name", "practitioner")


def mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


c = st.columns(4)
c[0].metric(t("col.sessions"), len(mine))
c[1].metric(t("col.mean_ratio"), fmt_pct(mean(mine["ratio"])))
c[2].metric(t("col.mean_talk_share"), fmt_pct(mean(mine["talk_share__practitioner"])))
c[3].metric(t("session.metric.question_share"), fmt_pct(mean(mine["question_share__practitioner"])))

points = ratio_points(mine)
if not points.empty:
    st.subheader(t("practitioner.trend"))
    base = alt.Chart(points).encode(
        x=alt.X("date:T", title=t("field.date"), axis=alt.Axis(format="%d-%m-%Y")),
        y=alt.Y("ratio:Q", title=t("field.ratio"), scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip("date:T", title=t("field.date"), format="%d-%m-%Y"),
            alt.Tooltip("client_code:N", title=t("col.client")),
            alt.Tooltip("ratio_text:N", title=t("field.ratio")),
        ],
    )
    chart = base.mark_line(color=OKABE_ITO[2]) + base.mark_point(
        filled=True, size=90, color=OKABE_ITO[2]
    ).encode(shape=alt.Shape("basis:N", title=None, legend=None))
    st.altair_chart(chart.properties(height=260), width="stretch")
    st.caption(t("figures.sessions_left_out", n=len(mine) - len(points), total=len(mine)))

labels = [
    lab
    for lab in data.label_columns(mine, "practitioner")
    if mine[f"label_count_{lab}__practitioner"].sum() > 0
]
if labels:
    st.subheader(t("practitioner.techniques"))
    long = pd.DataFrame(
        [
            {
                "date": row["date"],
                "session": str(row["session_id"]),
                "client": row["client_code"] or t("unknown"),
                "label": label_name(lab),
                "count": int(row[f"label_count_{lab}__practitioner"] or 0),
            }
            for row in mine.to_dict("records")
            for lab in labels
        ]
    )
    # a session is named by its date and client ("14-09-2026 · K-017"), not by its id; sorted by date
    long["sort"] = pd.to_datetime(pd.Series(long["date"], dtype="object"))
    long["when"] = [f"{fmt_date(d)} · {c}" for d, c in zip(long["date"], long["client"], strict=True)]
    order = list(dict.fromkeys(long.sort_values("sort")["when"]))
    shown_sessions = long.loc[long["count"] > 0, "session"].nunique()
    chart = (
        alt.Chart(long[long["count"] > 0])
        .mark_bar()
        .encode(
            x=alt.X(
                "when:N",
                title=t("field.session"),
                sort=order,
                axis=alt.Axis(labelAngle=-30, labelLimit=160, labelOverlap=False),
            ),
            y=alt.Y("count:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("label:N", title=t("col.techniques"), scale=alt.Scale(range=list(OKABE_ITO))),
            tooltip=[
                alt.Tooltip("when:N", title=t("field.session")),
                alt.Tooltip("label:N", title=t("col.techniques")),
                alt.Tooltip("count:Q", title=t("field.count")),
            ],
        )
    )
    st.altair_chart(chart.properties(height=300), width="stretch")
    st.caption(t("figures.techniques_left_out", n=len(mine) - shown_sessions))

st.subheader(t("practitioner.sessions"))
sessions_table(
    mine,
    key="practitioner_table",
    columns=[
        "date",
        "link",
        "client",
        "ratio",
        "talk_share_practitioner",
        "scales",
        "techniques",
        "warnings",
    ],
)
