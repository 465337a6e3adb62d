"""The practitioner and client pages' common start: read `?name=` / `?code=`, offer a chooser without it, and
stop kindly on a value that is not in the database."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import md, page_link, query_param


def pick_or_stop(options: list[str], label: str, param: str) -> None:
    """A chooser for pages opened without their query parameter; the choice becomes the address."""
    picked = st.selectbox(label, options, index=None, placeholder=t("app.placeholder"))
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
