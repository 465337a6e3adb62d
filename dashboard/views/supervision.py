"""`/supervision?id=SESSION_ID` — prepare a positive supervision of one session.

The page starts with what went well (concrete moments, in solution-focused words, each with its time, the
words said, a play button where the recording was kept, and a note for the supervisor), then the moments to
look at again, then the figures, then the downloads. Moments come from `tagger.moments` (the report shows
the same ones); notes are stored through `store.supervision` and go into the report. Every read and write
goes through `store.access` with the team member (None in single-user mode): in team mode a practitioner
reads their own sessions' page and notes, a supervisor those shared with them and writes the notes.
"""

from __future__ import annotations

import streamlit as st

import store
from core import formatting
from core.errors import UserError
from core.records import Session
from dashboard import auth, data
from dashboard.i18n import current_lang, fmt_date, fmt_num, fmt_pct, t
from dashboard.share import share_section
from dashboard.ui import all_sessions, esc, fmt_clock, guard, md, page_link, query_param, ratio_text
from store import access
from store.team import Viewer
from tagger.moments import Moment, find_moments

lang = current_lang()
session_id = query_param("id")


@st.cache_resource(show_spinner=False, max_entries=16)
def _record(
    db: str, version: tuple[int, ...], session_id: str, who: tuple[str, str, str | None] | None
) -> Session | None:
    """The stored session as its record, cached until that session is written again (data.session_key) and
    per team member (in team mode the key also holds the file's version, so a share taken back counts).

    A resource cache: the frozen record is shared, never changed, and need not be pickled."""
    with data.reader(db) as con:
        return access.session_record(con, Viewer(*who) if who else None, session_id)


def record(session_id: str) -> Session | None:
    member = auth.viewer()
    db, key = data.session_key(session_id)
    if member is not None:
        key = (*key, *(data.db_version(data.db_path()) or ()))
    return _record(db, key, session_id, auth.who(member))


def notes(session_id: str) -> dict[str, store.supervision.Note]:
    """Read fresh on every run: saving a note does not change the session's revision."""
    with data.reader(str(data.db_path())) as con:
        return access.notes_for(con, auth.viewer(), session_id)


def kept_audio(session_id: str) -> tuple[bytes, str] | None:
    """The session's kept recording as (bytes, MIME type), or None: then no moment shows a play button
    (the recording was not kept, or this team member may not listen to it)."""
    return access.recording(data.db_path(), auth.viewer(), session_id)


def play_button(audio: tuple[bytes, str] | None, start_s: float | None) -> None:
    """A player that starts at the moment (whole seconds, as the browser's player seeks); none without
    audio or without a time (an imported transcript)."""
    if audio is None or start_s is None:
        return
    st.caption(t("supervision.play", time=fmt_clock(start_s)))
    st.audio(audio[0], format=audio[1], start_time=int(start_s))


def where(moment: Moment) -> str:
    return (
        fmt_clock(moment.start_s)
        if moment.start_s is not None
        else t("report.utterance", n=moment.first_idx + 1)
    )


def note_form(session: Session, moment: Moment, stored: store.supervision.Note | None) -> None:
    """The note field; for a team member who reads but does not write notes, the stored note as text."""
    member = auth.viewer()
    if not access.may(member, "note"):
        if stored:
            st.markdown(f"**{esc(t('supervision.note'))}:** {esc(stored.note)}", unsafe_allow_html=True)
        return
    with st.form(key=f"note_{session_id}_{moment.key}", border=False):
        text = st.text_area(
            t("supervision.note"),
            value=stored.note if stored else "",
            key=f"note_text_{session_id}_{moment.key}",
            help=t("supervision.note_help"),
            height=80,
        )
        if st.form_submit_button(t("supervision.save"), icon=":material/save:"):
            try:
                with store.connect(data.db_path()) as con:
                    changed = access.save_note(
                        con,
                        member,
                        session_id,
                        moment.key,
                        moment.kind,
                        moment.first_idx,
                        moment.start_s,
                        text,
                    )
            except UserError as error:
                st.error(error.message(lang))
                return
            key = (
                "supervision.unchanged"
                if not changed
                else ("supervision.saved" if text.strip() else "supervision.removed")
            )
            st.success(t(key), icon=":material/check:")


def show_moment(session: Session, moment: Moment, stored, audio) -> None:
    by_idx = {u.idx: u for u in session.utterances}
    with st.container(border=True, key=f"moment_{moment.key.replace(':', '_')}"):
        st.markdown(f"**{esc(where(moment))}** · **{md(t(f'moment.{moment.kind}'))}**")
        value = "" if moment.value is None else fmt_num(moment.value)
        st.caption(t(f"moment.{moment.kind}.why", value=value))
        quotes = []
        for idx in moment.quote_idx:
            u = by_idx.get(idx)
            if u is not None:
                when = f"{esc(fmt_clock(u.start_s))} " if u.start_s is not None else ""
                quotes.append(f"<div class='gs-quote'>{when}<b>{esc(u.speaker)}</b>: {esc(u.text)}</div>")
        st.markdown("".join(quotes), unsafe_allow_html=True)
        play_button(audio, moment.start_s)
        note_form(session, moment, stored)


if session_id is None:
    frame = all_sessions()
    st.title(t("nav.supervision"))
    names = {
        r[
            "session_id"
        ]: f"{fmt_date(r['date'])} · {r['practitioner'] or t('unknown')} · {r['client_code'] or ''}"
        for r in frame.to_dict("records")
    }
    picked = st.selectbox(
        t("supervision.pick"), list(frame["session_id"]), index=None, format_func=lambda s: names.get(s, s)
    )
    if picked:
        st.query_params["id"] = picked
        st.rerun()
    st.stop()

session = guard(lambda: record(session_id))
if session is None:
    st.title(t("nav.supervision"))
    st.info(t("session.not_found", id=md(session_id)), icon=":material/search:")
    page_link("overview", t("session.back"), icon=":material/arrow_back:")
    st.stop()

st.title(t("supervision.title", date=formatting.long_date(session.recorded_at, lang, none=t("unknown"))))
st.caption(" · ".join(md(x) for x in (session.practitioner, session.client_code) if x))
st.markdown(t("supervision.intro"))
page_link("session", t("supervision.to_session"), icon=":material/forum:", id=session_id)
st.markdown(
    "<style>.gs-quote{border-left:3px solid #0072B2;padding:.1em .6em;margin:.25em 0;}</style>",
    unsafe_allow_html=True,
)

moments = find_moments(session.tagged, session.language)
stored = guard(lambda: notes(session_id))
audio = guard(lambda: kept_audio(session_id))
for went_well, heading, empty in (
    (True, "went_well", "no_went_well"),
    (False, "look_again", "no_look_again"),
):
    st.header(t(f"report.{heading}"))
    group = [m for m in moments if m.went_well == went_well]
    if not group:
        st.caption(t(f"report.{empty}"))
    for moment in group:
        show_moment(session, moment, stored.get(moment.key), audio)

st.header(t("supervision.figures"))
view = guard(lambda: data.session(session_id))
row = {f"{k}__{role}": v for role, m in (view.metrics if view else {}).items() for k, v in m.items()}
row["has_times"] = session.has_times
cols = st.columns(4)
for column, role in zip(cols[:3], ("client", "practitioner", "all"), strict=True):
    value, is_count = data.ratio_for(row, role)
    column.metric(
        t(f"session.metric.ratio_{role}"), ratio_text(value, is_count), help=t("session.help.ratio")
    )
cols[3].metric(t("session.metric.question_share"), fmt_pct(row.get("question_share__practitioner")))
cols = st.columns(4)
cols[0].metric(t("session.metric.exception_followup"), fmt_pct(row.get("exception_followup_rate__all")))
cols[1].metric(
    t("session.metric.problem_question_share"), fmt_pct(row.get("problem_question_share__practitioner"))
)
first = row.get("first_solution_turn_s__all")
cols[2].metric(
    t("session.metric.first_solution_turn"),
    fmt_clock(first) if first is not None and first == first else t("none"),
)
scales = data._scale_values(row.get("scale_answers__client"))
cols[3].metric(t("session.scales"), " → ".join(fmt_num(a["value"]) for a in scales) or t("none"))
neutral, total = row.get("neutral_count__all"), row.get("utterance_count__all")
if total:
    st.caption(t("report.neutral_left_out", neutral=int(neutral or 0), total=int(total)))

share_section(session_id)
