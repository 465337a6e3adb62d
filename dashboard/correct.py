"""Correcting a session on its page: an utterance's text, speaker, labels (with a scale value) and orientation,
a cut inside an utterance (dashboard/correct_split.py), a speaker's role, merging speakers, and the change
history with undo (dashboard/correct_log.py) — each change stored with who and when beside the machine's
original (store/corrections.py), the utterance re-tagged by the real tagger and the figures recomputed in the
same write, so the page shows the new figures at once and after a restart.

The page stays a reader: only a button press opens a short write connection (waiting at most a few seconds
for another program), and the changed session's new revision makes the cached reads fresh. Every read and
write goes through `store.access` with the team member (None in single-user mode), so in team mode only a
practitioner corrects, only their own sessions, under their login, audited; a supervisor sees the log only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import store
from core.corrections import Correction, Retag
from core.errors import UserError
from core.formatting import clock
from core.records import Orientation, Role
from core.taxonomy import LABELS
from dashboard import auth, correct_log, correct_split, data
from dashboard.i18n import current_lang, fmt_date, label_name, t
from dashboard.ui import md
from store import access
from tagger import load_tagger

#: Seconds a correction waits for another program that holds the database (the page must not hang).
WRITE_WAIT_S = 5.0


def retag_for(language: str) -> Retag:
    """The real tagger of the session's language (built once per process by `tagger.load_tagger`)."""
    return load_tagger(language if language in ("nl", "en") else "nl").tag_conversation


def _write(action: Any) -> bool:
    """Run one correction or undo in a short write connection; a problem is one sentence on the page."""
    try:
        with store.connect(data.db_path(), wait_s=WRITE_WAIT_S) as con:
            action(con)
    except store.DatabaseBusy:
        st.warning(t("db.busy"), icon=":material/hourglass_top:")
        return False
    except UserError as error:
        st.error(error.message(current_lang()), icon=":material/error:")
        return False
    return True


def _save(session_id: str, correction: Correction) -> None:
    member = auth.viewer()
    if _write(lambda con: access.add_correction(con, member, session_id, correction, retag_for)):
        st.session_state["corr_done"] = t("correct.saved")
        st.session_state[f"corr_open_{session_id}"] = True  # the panel stays open after the rerun
        st.rerun()


def _history(session_id: str) -> list[dict[str, Any]]:
    member = auth.viewer()
    with data.reader(str(data.db_path())) as con:
        return access.correction_history(con, member, session_id)


def describe(item: dict[str, Any]) -> str:
    """One line of the change log in the page's language (values are shown as given, never as HTML)."""
    value, kind = item["value"], item["kind"]
    where = "" if item["utterance_idx"] is None else t("correct.log.at", idx=int(item["utterance_idx"]) + 1)
    if kind == "text":
        what = t("correct.log.text", text=str(value.get("text", ""))[:80])
    elif kind == "speaker" and value.get("at") is not None:  # a cut inside the utterance
        what = t("correct.log.split", rest=str(value.get("rest", ""))[:40], speaker=value.get("speaker"))
        what += t(f"correct.log.timing.{value.get('timing', 'none')}")
    elif kind == "speaker":
        what = t("correct.log.speaker", speaker=value.get("speaker"))
    elif kind == "role":
        what = t("correct.log.role", speaker=value.get("speaker"), role=t(f"role.{value.get('role')}"))
    elif kind == "merge":
        what = t("correct.log.merge", gone=value.get("gone"), keep=value.get("keep"))
    elif kind == "label_add":
        extra = "" if value.get("value") is None else f" = {value['value']:g}"
        what = t("correct.log.label_add", label=label_name(str(value.get("label"))) + extra)
    elif kind == "label_remove":
        what = t("correct.log.label_remove", label=label_name(str(value.get("label"))))
    else:
        what = t("correct.log.orientation", orientation=t(f"orientation.{value.get('orientation')}"))
    return f"{where}{what}"


def status(session_id: str) -> list[dict[str, Any]]:
    """The corrected-by-hand note under the page title; returns the change log."""
    log = _history(session_id)
    counted = [h for h in log if h["undone_at"] is None]
    if counted:
        last = counted[-1]
        st.info(
            t(
                "correct.status",
                n=len(counted),
                who=md(last["author"]),
                date=fmt_date(last["created_at"].date()),
            ),
            icon=":material/edit_note:",
        )
    return log


def panel(session_id: str, utterances: pd.DataFrame, tags: pd.DataFrame, log: list[dict[str, Any]]) -> None:
    """The correction panel (folded): one utterance at a time, the speakers, undo and the change log; none
    for a team member whose role does not correct (the store would refuse their writes anyway)."""
    member = auth.viewer()
    if not access.may(member, "correct"):
        return
    if note := st.session_state.pop("corr_done", None):
        st.toast(note, icon=":material/check:")
    revision = data.session_key(session_id)[1]
    key = f"{session_id}_{'_'.join(map(str, revision))}"  # fresh widgets after every change or undo
    opened = bool(st.session_state.get(f"corr_open_{session_id}"))
    with st.expander(t("correct.title"), icon=":material/edit:", expanded=opened):
        author = st.text_input(
            t("correct.author"),
            value=member.username if member else _default_author(),
            key="corr_author",
            disabled=member is not None,  # in team mode the login is the author (store/access.py)
        ).strip()
        rows = {int(r["idx"]): r for r in utterances.to_dict("records")}
        idx = st.selectbox(
            t("correct.utterance"),
            list(rows),
            format_func=lambda i: (
                f"{i + 1} · {clock(rows[i]['start_s'])} · {rows[i]['speaker']} · {str(rows[i]['text'])[:70]}"
            ),
            key=f"corr_idx_{session_id}",
        )
        row = rows[idx]
        speakers = sorted(set(utterances["speaker"]))
        left, right = st.columns(2)
        with left:
            text = st.text_area(t("correct.text"), value=str(row["text"]), key=f"corr_text_{key}_{idx}")
            if st.button(t("correct.save_text"), key=f"corr_text_btn_{key}"):
                _save(session_id, Correction("text", {"text": text}, idx, author))
            new = t("correct.new_speaker")
            choice = st.selectbox(
                t("correct.speaker"),
                [*speakers, new],
                index=speakers.index(row["speaker"]),
                key=f"corr_spk_{key}_{idx}",
            )
            if st.button(t("correct.save_speaker"), key=f"corr_spk_btn_{key}"):
                target = _new_speaker(speakers) if choice == new else choice
                _save(session_id, Correction("speaker", {"speaker": target}, idx, author))
            correct_split.form(session_id, row, speakers, author, key, _save, _new_speaker)
            orientations = [o.value for o in Orientation]
            orientation = st.selectbox(
                t("field.orientation"),
                orientations,
                index=orientations.index(str(row["orientation"])),
                format_func=_named("orientation"),
                key=f"corr_or_{key}_{idx}",
            )
            if st.button(t("correct.save_orientation"), key=f"corr_or_btn_{key}"):
                _save(session_id, Correction("orientation", {"orientation": orientation}, idx, author))
        with right:
            _labels(session_id, idx, tags, author, key)
        st.divider()
        _speakers(session_id, utterances, speakers, author, key)
        st.divider()
        correct_log.render(session_id, log, author, key, _write, describe, retag_for)


def _labels(session_id: str, idx: int, tags: pd.DataFrame, author: str, key: str) -> None:
    present = list(dict.fromkeys(tags.loc[tags["utterance_idx"] == idx, "label"]))
    st.caption(t("correct.labels_now") + " " + (", ".join(label_name(x) for x in present) or t("none")))
    label = st.selectbox(
        t("correct.label"),
        list(LABELS),
        format_func=_named("label"),
        key=f"corr_lab_{key}_{idx}",
    )
    with_value = st.checkbox(
        t("correct.with_value"), value=label == "scale_answer", key=f"corr_wv_{key}_{idx}"
    )
    value = st.number_input(
        t("field.value"), 0.0, 10.0, 5.0, step=0.5, key=f"corr_val_{key}_{idx}", disabled=not with_value
    )
    if st.button(t("correct.add_label"), key=f"corr_add_{key}"):
        payload = {"label": label, "value": float(value) if with_value else None}
        _save(session_id, Correction("label_add", payload, idx, author))
    if present:
        gone = st.selectbox(
            t("correct.remove_label"),
            present,
            format_func=_named("label"),
            key=f"corr_rm_{key}_{idx}",
        )
        if st.button(t("correct.remove"), key=f"corr_rm_btn_{key}"):
            _save(session_id, Correction("label_remove", {"label": gone}, idx, author))


def _speakers(session_id: str, utterances: pd.DataFrame, speakers: list[str], author: str, key: str) -> None:
    roles = dict(zip(utterances["speaker"], utterances["role"], strict=False))
    one, two = st.columns(2)
    with one:
        speaker = st.selectbox(t("correct.whose_role"), speakers, key=f"corr_rs_{key}")
        options = [r.value for r in Role]
        role = st.selectbox(
            t("field.role"),
            options,
            index=options.index(str(roles.get(speaker, "client"))),
            format_func=_named("role"),
            key=f"corr_role_{key}_{speaker}",
        )
        if st.button(t("correct.save_role"), key=f"corr_role_btn_{key}"):
            _save(session_id, Correction("role", {"speaker": speaker, "role": role}, None, author))
    with two:
        if len(speakers) > 1:
            gone = st.selectbox(t("correct.merge_gone"), speakers, key=f"corr_mg_{key}")
            keep = st.selectbox(
                t("correct.merge_keep"), [s for s in speakers if s != gone], key=f"corr_mk_{key}"
            )
            if st.button(t("correct.merge"), key=f"corr_merge_btn_{key}"):
                _save(session_id, Correction("merge", {"keep": keep, "gone": gone}, None, author))


def _named(kind: str) -> Callable[[str], str]:
    """A widget's `format_func` with the page's language bound now (Streamlit may call it outside a rerun)."""
    lang = current_lang()
    if kind == "label":
        return lambda value: label_name(value, lang)
    return lambda value: t(f"{kind}.{value}", lang)


def _new_speaker(speakers: list[str]) -> str:
    """The next free speaker label, in the style the session already uses (S3 after S1, S2)."""
    n = len(speakers) + 1
    while f"S{n}" in speakers:
        n += 1
    return f"S{n}"


def _default_author() -> str:
    """The computer account's name from the environment (store.team.os_account: no password-database lookup,
    which would ask nscd over a socket); empty where only a uid is known."""
    from store.team import os_account

    name = os_account()
    return "" if name.startswith("uid ") else name
