"""`/upload` — add recordings or transcripts from the dashboard, stored as `spiegel process` / `import` store them.

The files go to the background queue of `dashboard/jobs.py` (the real command, one file at a time); this page
only adds to it and shows it. The list refreshes itself once a second while something runs (a fragment), so
the rest of the page, the sidebar and the other pages stay usable, and a file keeps running when the user
opens another page.

In team mode only a practitioner adds sessions (store/access.py decides: the page is not in a supervisor's or
trainer's navigation, and a typed address gets one sentence), every file is stored under their own
practitioner name whatever was typed, the list shows only their own files, and each stored file is audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from dashboard import auth, data, jobs
from dashboard.i18n import current_lang, t
from dashboard.ui import page_link
from dashboard.widgets import uploader_css
from store import access

#: Largest file the page accepts, in MB (an hour of uncompressed 44.1 kHz stereo is about 640 MB).
MAX_UPLOAD_MB = 2048


@st.cache_resource(show_spinner=False)
def queue(db: str) -> jobs.Queue:
    """One queue per database for the life of the server: shared by every page view, kept across reruns."""
    return jobs.Queue(Path(db))


lang = current_lang()
member = auth.viewer()
st.title(t("upload.title"))
if not access.may(member, "upload"):
    st.info(t("upload.not_allowed"), icon=":material/block:")
    st.stop()
st.caption(t("upload.intro"))
uploads = queue(str(data.db_path()))

st.markdown(uploader_css(MAX_UPLOAD_MB), unsafe_allow_html=True)
generation = st.session_state.setdefault("upload_generation", 0)
with st.form("upload_form", clear_on_submit=False, border=True):
    files = st.file_uploader(
        t("upload.files"),
        accept_multiple_files=True,
        key=f"upload_files_{generation}",
        max_upload_size=MAX_UPLOAD_MB,
        help=t("upload.files_help"),
    )
    c = st.columns([2, 2, 2, 1.5])
    practitioner = c[0].text_input(
        t("upload.practitioner"),
        value=member.practitioner if member else "",
        disabled=member is not None,  # a team member's uploads are theirs (store/access.py)
        help=t("upload.team_practitioner", name=member.practitioner)
        if member
        else t("upload.practitioner_help"),
    )
    client_code = c[1].text_input(t("upload.client"), help=t("upload.client_help"))
    recorded = c[2].date_input(
        t("upload.date"), value=None, format="DD-MM-YYYY" if current_lang() == "nl" else "YYYY-MM-DD"
    )
    language = c[3].selectbox(
        t("upload.language"),
        ["nl", "en", "auto"],
        format_func=lambda code, lang=lang: t(f"upload.language.{code}", lang),  # bound now, not at render
    )
    submitted = st.form_submit_button(t("upload.submit"), type="primary", icon=":material/upload:")

if submitted:
    if not files:
        st.warning(t("upload.none_chosen"), icon=":material/info:")
    else:
        for file in files:
            uploads.add(
                file.name,
                file.getvalue(),
                practitioner=access.upload_practitioner(member, practitioner.strip() or None),
                viewer=member,
                client_code=client_code.strip() or None,
                recorded_at=recorded.isoformat() if isinstance(recorded, dt.date) else None,
                language=language,
                ui_lang=current_lang(),
            )
        st.session_state["upload_generation"] = generation + 1  # an empty chooser for the next files
        st.rerun()


def job_line(job: jobs.Job) -> None:
    """One file: its name and state, a bar while it runs, the command's sentence when it failed."""
    kind = t(f"upload.kind.{job.kind}")
    if job.state == "waiting":
        st.progress(0.0, text=t("upload.state.waiting", name=job.name, kind=kind))
    elif job.state == "running":
        if job.kind == "audio":
            st.progress(job.fraction, text=t("upload.state.running", name=job.name, kind=kind))
        else:
            st.progress(0.5, text=t("upload.state.importing", name=job.name, kind=kind))
    elif job.state == "stored":
        st.progress(1.0, text=t("upload.state.stored", name=job.name, kind=kind))
        if job.session_id:  # a link inside the app: no page reload
            page_link("session", t("upload.open", name=job.name), icon=":material/forum:", id=job.session_id)
    else:
        st.error(job.message or t("upload.state.failed", name=job.name), icon=":material/error:")


def job_list() -> None:
    listed = uploads.jobs(member)
    st.subheader(t("upload.jobs"))
    if not listed:
        st.caption(t("upload.no_jobs"))
        return
    done = sum(job.done for job in listed)
    st.caption(t("upload.jobs_done", done=done, total=len(listed)))
    for job in listed:
        job_line(job)
    if done and st.button(t("upload.clear"), icon=":material/clear_all:"):
        uploads.clear_done(member)
        st.rerun(scope="fragment")


# polls once a second only while a file is waiting or running; adding files reruns the whole page
st.fragment(job_list, run_every=1.0 if uploads.busy(member) else None)()
