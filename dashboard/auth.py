"""Team mode in the dashboard: the login, the member's pages, and their reads through the store's filters.

`spiegel dashboard --team` starts the app with `SPIEGEL_TEAM_USERS` naming the user file; without it the
dashboard is single-user as before and nothing here runs. In team mode `app.py` calls `gate()` before any
page: until someone logs in, only the login form is served. Who is logged in lives in Streamlit's
server-side session state (one per browser tab; a reload asks again), and is checked against the user file
on every rerun, so `spiegel users remove` or a changed role takes effect at the next click.

What a member sees is decided in the store, not by hiding widgets: `data.sessions()` and `data.session()`
come here, and these call `store.team`'s queries with the member's `Viewer`, whose WHERE clause returns only
their own sessions (practitioner), the sessions shared with them (supervisor), or none (trainer, whose one
page reads `store.team.cohort_figures`). Logins, failed logins, lock-outs and logouts are audited; a login
whose audit row cannot be written is refused (the audit log must not miss a way in).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from core.errors import UserError
from dashboard import data
from dashboard.i18n import current_lang, t
from dashboard.launch import TEAM_USERS_ENV
from dashboard.ui import md
from store import team
from store.team import Viewer
from store.users import TeamRole, authenticate, load

STATE_KEY = "team_user"
#: Failed logins of one name within LOCK_MINUTES after which that name is refused until the window passes.
MAX_FAILURES = 5
LOCK_MINUTES = 15
#: How long a login waits for `spiegel process` to free the database before saying it is busy.
AUDIT_WAIT_S = 10.0


def team_mode() -> bool:
    return bool(os.environ.get(TEAM_USERS_ENV))


def users_file() -> Path:
    return Path(os.environ[TEAM_USERS_ENV])


def current_viewer() -> Viewer | None:
    """The logged-in member as the store sees them, re-read from the user file (None: nobody, or removed)."""
    name = st.session_state.get(STATE_KEY)
    if not name:
        return None
    user = load(users_file()).users.get(name)
    if user is None:
        st.session_state.pop(STATE_KEY, None)
        return None
    return Viewer(user.name, user.role.value, user.practitioner)


def gate(pages: dict[str, list]) -> Viewer | None:
    """None in single-user mode; in team mode the logged-in member, or the login form and a stopped page.

    Before the login the pages are registered but hidden and not run, so the address someone opened
    (`/session?id=...`) is still the page they get once logged in.
    """
    if not team_mode():
        return None
    try:
        viewer = current_viewer()
    except UserError as error:  # the user file became unreadable or open to others: nobody gets in
        st.error(error.message(current_lang()))
        st.stop()
        raise
    if viewer is not None:
        with st.sidebar:
            st.markdown(t("team.logged_in", name=md(viewer.username), role=t(f"team.role.{viewer.role}")))
            st.caption(t(f"team.scope.{viewer.role}"))
            if st.button(t("team.logout"), key="team_logout", icon=":material/logout:"):
                st.session_state.pop(STATE_KEY, None)  # out first: a busy database never keeps anyone in
                with contextlib.suppress(UserError):
                    _audit("logout", viewer.username)
                st.rerun()
        return viewer
    st.navigation(pages, position="hidden")
    _login_form()
    st.stop()
    raise AssertionError("st.stop() returns only outside a Streamlit run")


def _audit(event: str, actor: str | None, detail: str | None = None) -> None:
    team.record_event(data.db_path(), event, actor, team.VIA_DASHBOARD, detail=detail, wait_s=AUDIT_WAIT_S)


def _login_form() -> None:
    st.title(t("team.login.title"))
    st.caption(t("team.login.intro"))
    with st.form("team_login", clear_on_submit=True):
        name = st.text_input(t("team.login.name"), key="team_login_name")
        password = st.text_input(t("team.login.password"), type="password", key="team_login_password")
        submitted = st.form_submit_button(t("team.login.submit"))
    if not submitted:
        return
    try:
        outcome = _log_in(name, password)
    except UserError:  # the database stayed busy: the attempt is neither recorded nor let in
        st.warning(t("db.busy"), icon=":material/hourglass_top:")
        return
    if outcome == "ok":
        st.rerun()
    elif outcome == "locked":
        st.error(t("team.login.locked", minutes=LOCK_MINUTES))
    else:
        st.error(t("team.login.failed"))


def _log_in(name: str, password: str) -> str:
    """'ok', 'failed' or 'locked'; every attempt is audited (an unknown name as such, not as typed: people
    sometimes type their password into the name field)."""
    users = load(users_file())
    folded = name.strip().lower()
    known = folded in users.users
    with data.reader(str(data.db_path())) as con:  # for every name alike: no timing difference to probe
        failures = team.recent_failures(con, folded, LOCK_MINUTES)
    if known and failures >= MAX_FAILURES:
        _audit("login_locked", folded)
        return "locked"
    user = authenticate(users, folded, password)
    if user is None:
        _audit("login_failed", folded if known else None, None if known else "unknown user name")
        return "failed"
    _audit("login", user.name)  # before letting in: no audit row, no login
    st.session_state[STATE_KEY] = user.name
    return "ok"


#: Pages (by url path) a role does not get in its navigation; their reads and writes are refused in the store
#: as well (store/access.py), so a typed address serves nothing either.
HIDDEN_PAGES = {
    TeamRole.SUPERVISOR: frozenset({"upload"}),
    TeamRole.PRACTITIONER: frozenset(),
}


def pages_for(viewer: Viewer | None, pages: dict[str, list]) -> dict[str, list]:
    """The navigation a member gets: a trainer only the pseudonymised cohort page; practitioners and
    supervisors the session pages without the all-practitioner cohort page, supervisors without the upload
    page (they add no sessions)."""
    if viewer is None:
        return pages
    if viewer.role == TeamRole.TRAINER:
        cohort = st.Page(
            "views/team_cohort.py",
            title=t("nav.cohort"),
            icon=":material/groups:",
            url_path="cohort",
            default=True,
        )
        return {t("nav.group.training"): [cohort]}
    hidden = HIDDEN_PAGES.get(TeamRole(viewer.role), frozenset())
    return {
        group: [page for page in entries if page.url_path not in hidden]
        for group, entries in pages.items()
        if group != t("nav.group.training")
    }


def viewer() -> Viewer | None:
    """Who the store checks a read or write against: None in single-user mode, else the logged-in member
    (a page only runs after `gate()` let them in)."""
    return _viewer() if team_mode() else None


def who(member: Viewer | None) -> tuple[str, str, str | None] | None:
    """A member as a cache key part (None in single-user mode): one member's cached read is never another's."""
    return None if member is None else (member.username, member.role, member.practitioner)


def _viewer() -> Viewer:
    viewer = current_viewer()
    if viewer is None:  # gate() stops a page first; this keeps a read from ever running for nobody
        st.stop()
        raise AssertionError("not logged in")
    return viewer


def _key(viewer: Viewer) -> tuple[str, tuple[int, ...], tuple[str, str, str | None]]:
    """(database, file version, member): a share, a new session or a changed login is a new key."""
    path = data.db_path()
    version = data.db_version(path)
    if version is None:
        raise data.DbUnavailable("missing", str(path))
    return str(path), version, (viewer.username, viewer.role, viewer.practitioner)


@st.cache_resource(show_spinner=False, max_entries=16)
def _sessions(db: str, version: tuple[int, ...], who: tuple[str, str, str | None]) -> pd.DataFrame:
    viewer = Viewer(*who)
    with data.reader(db) as con:
        sessions = team.visible_sessions(con, viewer).df()
        metrics = team.visible_metrics(con, viewer).df()
    return data._with_metrics(sessions, metrics)


def sessions() -> pd.DataFrame:
    """The sessions this member may see, newest first, with their figures (as `data.sessions`)."""
    return _sessions(*_key(_viewer()))


@st.cache_data(show_spinner=False, max_entries=32)
def _session(
    db: str, version: tuple[int, ...], who: tuple[str, str, str | None], session_id: str
) -> data.SessionView | None:
    viewer = Viewer(*who)
    with data.reader(db) as con:
        found = team.visible_session(con, viewer, session_id)
        if found is None:
            return None
        metrics = team.visible_metrics(con, viewer, session_id).df()
    row, utterances, tags = found
    return data.session_view(row, metrics, utterances, tags)


def session(session_id: str) -> data.SessionView | None:
    """One session's page values, or None when it is unknown or not this member's to see."""
    return _session(*_key(_viewer()), session_id)


@st.cache_data(show_spinner=False, max_entries=4)
def _cohort(db: str, version: tuple[int, ...], secret: str) -> pd.DataFrame:
    with data.reader(db) as con:
        return team.cohort_figures(con, secret).df()


def cohort() -> pd.DataFrame:
    """The trainer's pseudonymised, per-month figures (the only read a trainer has)."""
    viewer = _viewer()
    if viewer.role != TeamRole.TRAINER:
        st.stop()
    db, version, _who = _key(viewer)
    return _cohort(db, version, load(users_file()).secret)
