"""Gespreksspiegel dashboard entrypoint: page setup, language, and routing only.

Started by `spiegel dashboard` (dashboard/launch.py) through `streamlit run dashboard/server.py`, the `st.App`
that serves this script, with the database in `SPIEGEL_DB`. Pages live in `views/` and have stable addresses:
`/`, `/session?id=`, `/practitioner?name=`, `/client?code=`, `/cohort`, and `/supervision?id=` (positive
supervision of one session).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from core.offline import keep_offline  # noqa: E402

keep_offline()  # before Streamlit and anything it loads (core/offline.py)

import streamlit as st  # noqa: E402

from dashboard import auth, data  # noqa: E402
from dashboard.i18n import DEFAULT_LANG, LANGS, t  # noqa: E402
from dashboard.ui import md  # noqa: E402
from dashboard.widgets import browser_locale  # noqa: E402


def run() -> None:
    st.set_page_config(page_title="Gespreksspiegel", page_icon="🪞", layout="wide")

    wanted = st.query_params.get("lang")
    if "lang" not in st.session_state:
        st.session_state["lang"] = wanted if wanted in LANGS else DEFAULT_LANG
    with st.sidebar:
        st.selectbox(t("app.language"), LANGS, format_func=lambda code: t(f"lang.{code}", code), key="lang")
    lang = st.session_state["lang"]
    if lang != DEFAULT_LANG:
        st.query_params["lang"] = lang
    elif "lang" in st.query_params:
        del st.query_params["lang"]

    pages = {
        t("nav.group.sessions"): [
            st.Page(
                "views/overview.py",
                title=t("nav.overview"),
                icon=":material/table_rows:",
                url_path="",
                default=True,
            ),
            st.Page("views/session.py", title=t("nav.session"), icon=":material/forum:", url_path="session"),
            st.Page(
                "views/upload.py", title=t("nav.upload"), icon=":material/upload_file:", url_path="upload"
            ),
        ],
        t("nav.group.supervision"): [
            st.Page(
                "views/supervision.py",
                title=t("nav.supervision"),
                icon=":material/thumb_up:",
                url_path="supervision",
            ),
            st.Page(
                "views/practitioner.py",
                title=t("nav.practitioner"),
                icon=":material/person:",
                url_path="practitioner",
            ),
            st.Page(
                "views/client.py", title=t("nav.client"), icon=":material/monitoring:", url_path="client"
            ),
        ],
        t("nav.group.training"): [
            st.Page("views/cohort.py", title=t("nav.cohort"), icon=":material/groups:", url_path="cohort"),
        ],
    }
    viewer = auth.gate(pages)  # team mode (--team): the login, or None when single-user
    page = st.navigation(auth.pages_for(viewer, pages))
    with st.sidebar:
        # after st.navigation, so the rerun it may ask for goes to this page: asked for before the page was known
        # (when it was the first element) the rerun could open the overview instead (a page opened at
        # /client landed on / about once in twelve loads); before the page's own elements, so they draw with it
        browser_locale(lang)
        st.caption(t("app.database", path=md(data.db_path())))
        st.caption(":material/lock: " + t("app.local_only"))
    page.run()


run()
