"""`/client?code=CODE` — one client's sessions and scale answers over time."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.figures import OKABE_ITO
from dashboard.i18n import fmt_date, fmt_num, subtype_name, t
from dashboard.people import sessions_for
from dashboard.ui import all_sessions, md, sessions_table

frame = all_sessions()
code, theirs = sessions_for(frame, "client_code", "code", "client")

practitioners = sorted(set(theirs["practitioner"].dropna()))
if practitioners:
    st.caption(t("col.practitioner") + ": " + ", ".join(md(p) for p in practitioners))

answers = pd.DataFrame(
    [
        {
            "date": pd.Timestamp(row["date"]) if row["date"] is not None else pd.NaT,
            "date_text": fmt_date(row["date"]),
            "session": row["session_id"],
            "order": n,
            "value": answer["value"],
            "shown": fmt_num(answer["value"]),
            "scale": subtype_name(answer.get("subtype")) or t("subtype.other"),
        }
        for row in theirs.to_dict("records")
        for n, answer in enumerate(row["scale_values"])
    ],
    columns=["date", "date_text", "session", "order", "value", "shown", "scale"],
)
st.subheader(t("client.scales"))
if answers.empty:
    st.caption(t("client.no_scales"))
else:
    last = answers.sort_values(["date", "order"]).iloc[-1]
    c = st.columns(3)
    c[0].metric(t("col.sessions"), len(theirs))
    c[1].metric(t("col.last_scale"), last["shown"])
    c[2].metric(t("col.last_session"), fmt_date(theirs["date"].iloc[0]))
    per_session = answers.sort_values(["date", "order"]).groupby(["session", "scale"], as_index=False).last()
    base = alt.Chart(per_session).encode(
        x=alt.X("date:T", title=t("field.date"), axis=alt.Axis(format="%d-%m-%Y")),
        y=alt.Y("value:Q", title=t("field.value"), scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("scale:N", title=t("field.scale"), scale=alt.Scale(range=list(OKABE_ITO))),
        tooltip=[
            alt.Tooltip("date_text:N", title=t("field.date")),
            alt.Tooltip("scale:N", title=t("field.scale")),
            alt.Tooltip("shown:N", title=t("field.value")),
        ],
    )
    chart = base.mark_line(point=alt.OverlayMarkDef(size=90)) + base.mark_text(dy=-14).encode(text="shown:N")
    st.altair_chart(chart.properties(height=300), width="stretch")

st.subheader(t("client.sessions"))
sessions_table(
    theirs,
    key="client_table",
    columns=["date", "link", "practitioner", "duration", "ratio", "scales", "techniques", "warnings"],
)
