"""The ASGI app that `streamlit run` starts (dashboard/launch.py): the pages of dashboard/app.py, served by
Streamlit's own server, with one middleware in front (dashboard/base_url.py).

`streamlit run` finds the `st.App` below and serves it with the same flags and config files as a plain
script; the middleware is why this file exists: a page opened at its own address (`/session?id=…`) then asks
only the server's root, so no request fails (Streamlit bug #7074).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

from core.offline import keep_offline  # noqa: E402

keep_offline()  # as in app.py: before anything Streamlit loads

import streamlit as st  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from dashboard.base_url import BackendBaseUrl  # noqa: E402

app = st.App(Path(__file__).resolve().with_name("app.py"), middleware=[Middleware(BackendBaseUrl)])
