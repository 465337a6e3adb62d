"""`/` — all sessions, newest first, with their headline figures; a row opens `/session?id=...`."""

from __future__ import annotations

import streamlit as st

from dashboard.i18n import fmt_pct, t
from dashboard.ui import OVERVIEW_COLUMNS, all_sessions, sessions_table

st.title(t("overview.title"))
st.caption(t("overview.intro"))

frame = all_sessions()

practitioners = sorted(set(frame["practitioner"].dropna()))
if len(practitioners) > 1:
    everyone = t("overview.all")  # bound now: format_func may run outside a rerun
    choice = st.selectbox(
        t("overview.filter_practitioner"),
        [None, *practitioners],
        format_func=lambda p: everyone if p is None else p,
        key="overview_practitioner",
    )
    if choice:
        frame = frame[frame["practitioner"] == choice].reset_index(drop=True)

ratios = [r for r in frame["ratio"] if r is not None and r == r]
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("overview.n_sessions"), len(frame))
c2.metric(t("overview.n_practitioners"), frame["practitioner"].nunique())
c3.metric(t("overview.n_clients"), frame["client_code"].nunique())
c4.metric(t("overview.mean_ratio"), fmt_pct(sum(ratios) / len(ratios)) if ratios else t("none"))

sessions_table(frame, key="overview_table", columns=OVERVIEW_COLUMNS)
