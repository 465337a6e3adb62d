"""Listening on the session page: the kept recording, played from a clicked utterance or timeline mark, with
the transcript following it (the utterance being heard highlighted).

Why a small script and not a Streamlit widget per utterance: a rerun per click would rebuild the page and
restart the player; here the page's own `st.audio` element is driven in the browser. The script runs in a
`components.html` frame, which Streamlit gives `allow-same-origin`, so it can reach the page around it: it
finds the audio element, listens for clicks on transcript lines (`.gs-u` with id `u<idx>`, dashboard/ui.py)
and for the player's time. Its data is only numbers (utterance index, start, end), never transcript text,
so nothing from a recording is placed in the script. A timeline mark is a chart selection (one rerun), whose
start time the script then seeks to.
"""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

import store
from dashboard import auth, data
from dashboard.i18n import t
from store import access
from store.team import Viewer

#: The chart's selection parameter: a clicked timeline bar gives its utterance index.
MARK = "mark"

_SCRIPT = """<script>
(function () {
  const W = window.parent, P = W.document;
  W.__gsTimes = __TIMES__;
  const seek = __SEEK__;
  if (!P.getElementById("gs-listen-css")) {
    const css = P.createElement("style");
    css.id = "gs-listen-css";
    css.textContent = `.gs-u[id^="u"]{cursor:pointer} .gs-u.gs-now{outline:3px solid #1565c0;
      background:rgba(21,101,192,.10)}
      .stElementContainer:has(audio[data-testid="stAudio"]){position:sticky;top:3.2rem;z-index:20}`;
    P.head.appendChild(css);
  }
  function player() { return P.querySelector('audio[data-testid="stAudio"]') || P.querySelector("audio"); }
  function current(time) {
    let found = null;
    for (const [idx, start, end] of W.__gsTimes) {
      if (start <= time + 0.05 && time < end) found = idx;
      if (start > time) break;
    }
    return found;
  }
  function mark(time) {
    const idx = current(time);
    P.querySelectorAll(".gs-u.gs-now").forEach((el) => { if (el.id !== "u" + idx) el.classList.remove("gs-now"); });
    const el = idx === null ? null : P.getElementById("u" + idx);
    if (el && !el.classList.contains("gs-now")) {
      el.classList.add("gs-now");
      const box = el.getBoundingClientRect();
      if (box.top < 0 || box.bottom > W.innerHeight) el.scrollIntoView({block: "nearest"});
    }
  }
  function playFrom(start) {
    const audio = player();
    if (!audio) return;
    audio.currentTime = start;
    mark(start);
    const played = audio.play();
    if (played && played.catch) played.catch(() => {});
  }
  function onClick(event) {
    const line = event.target.closest('.gs-u[id^="u"]');
    if (!line || event.target.closest("details, summary, a, button, input, textarea")) return;
    const idx = Number(line.id.slice(1));
    const row = W.__gsTimes.find((r) => r[0] === idx);
    if (row) playFrom(row[1]);
  }
  function wire() {
    const audio = player();
    if (!audio) { setTimeout(wire, 150); return; }
    // handlers of an earlier frame are replaced, so exactly one of each is live
    if (W.__gsClick) P.removeEventListener("click", W.__gsClick);
    W.__gsClick = onClick;
    P.addEventListener("click", onClick);
    if (audio.__gsTime) { audio.removeEventListener("timeupdate", audio.__gsTime); audio.removeEventListener("seeked", audio.__gsTime); }
    audio.__gsTime = () => mark(audio.currentTime);
    audio.addEventListener("timeupdate", audio.__gsTime);
    audio.addEventListener("seeked", audio.__gsTime);
    audio.dataset.gsReady = "1";
    if (seek !== null) playFrom(seek);
  }
  wire();
})();
</script>"""


@st.cache_data(show_spinner=False, max_entries=4)
def _recording(
    db: str,
    session_id: str,
    version: tuple[int, ...] | None,
    who: tuple[str, str, str | None] | None,
    shares: tuple[int, ...] | None,
) -> tuple[bytes, str] | None:
    """The kept recording's bytes, read again when the audio file changed, for another team member, or (in
    team mode) when the database changed (a share taken back ends the listening)."""
    member = Viewer(*who) if who else None
    return access.recording(db, member, session_id)


def recording(session_id: str) -> tuple[bytes, str] | None:
    """The session's kept recording, if this member may listen to it (store/access.py)."""
    db = str(data.db_path())
    member = auth.viewer()
    shares = data.db_version(data.db_path()) if member else None
    return _recording(db, session_id, data.db_version(store.audio.audio_path(db)), auth.who(member), shares)


def clickable(chart: alt.Chart) -> alt.Chart:
    """The timeline with a selection: a clicked bar is a request to play from its utterance."""
    return chart.add_params(alt.selection_point(name=MARK, fields=["idx"], on="click", clear="dblclick"))


def timeline_key(session_id: str) -> str:
    return f"timeline_{session_id}"


def _picked(session_id: str) -> int | None:
    """The utterance of the timeline bar last clicked (the chart's selection, kept in the session state)."""
    state: Any = st.session_state.get(timeline_key(session_id))
    try:
        points = state["selection"][MARK]
    except (KeyError, TypeError):
        return None
    if not points:
        return None
    idx = points[0].get("idx") if isinstance(points[0], dict) else None
    return int(idx) if idx is not None else None


def player(session_id: str, utterances: pd.DataFrame, has_times: bool) -> None:
    """The recording's player and the script that ties it to the transcript and the timeline; a line saying
    why there is nothing to hear when the recording was not kept (or the transcript has no times)."""
    kept = recording(session_id) if has_times else None
    if kept is None:
        st.caption(":material/volume_off: " + t("listen.none" if has_times else "listen.no_times"))
        return
    audio, mime = kept
    timed = utterances.dropna(subset=["start_s"])
    times = [
        [int(i), round(float(s), 3), round(float(e if e == e and e is not None else s + 0.5), 3)]
        for i, s, e in zip(timed["idx"], timed["start_s"], timed["end_s"], strict=True)
    ]
    picked = _picked(session_id)
    last_key = f"listen_seen_{session_id}"
    seek = None
    if picked is not None and picked != st.session_state.get(last_key):
        seek = next((start for idx, start, _ in times if idx == picked), None)
    st.session_state[last_key] = picked
    st.audio(audio, format=mime)
    st.caption(t("listen.hint"))
    script = _SCRIPT.replace("__TIMES__", json.dumps(times)).replace("__SEEK__", json.dumps(seek))
    components.html(script, height=0)
