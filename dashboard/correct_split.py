"""Cutting one utterance in two on the session page (e.g. the practitioner's question and the client's answer
came out as one utterance): the user picks the word the second part starts with and a speaker for each part.

Why words and not a free character position: a cut between words is what a person means, and it is where the
stored word timestamps give both parts their times; the page says beforehand whether the times come from them
or are divided in proportion to the characters (`core.splitting.timing`). The store keeps the cut as one more
correction (a speaker change from that point on), so it is undone like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from core.corrections import Correction
from core.records import Role, Utterance, Word
from core.splitting import timing
from dashboard import auth, data
from dashboard.i18n import t
from store import access


def word_starts(text: str) -> list[int]:
    """The character where each word of `text` begins (a cut may come before any word but the first)."""
    return [m.start() for m in re.finditer(r"\S+", text)]


def form(
    session_id: str,
    row: dict[str, Any],
    speakers: list[str],
    author: str,
    key: str,
    save: Callable[[str, Correction], None],
    new_speaker: Callable[[list[str]], str],
) -> None:
    """The cut's controls for the chosen utterance; `save` stores the correction (dashboard/correct.py)."""
    idx, text = int(row["idx"]), str(row["text"])
    starts = word_starts(text)
    if len(starts) < 2:
        return
    st.caption(t("correct.split"))
    tokens = text.split()
    at = st.selectbox(
        t("correct.split_before"),
        starts[1:],
        format_func=lambda start: (
            f"{len(text[:start].split()) + 1} · {' '.join(tokens[len(text[:start].split()) :][:4])}"
        ),
        key=f"corr_cut_at_{key}_{idx}",
    )
    new = t("correct.new_speaker")
    here = speakers.index(row["speaker"])
    first = st.selectbox(t("correct.split_first"), speakers, index=here, key=f"corr_cut_one_{key}_{idx}")
    others = [*speakers, new]
    second = st.selectbox(
        t("correct.split_second"),
        others,
        index=(here + 1) % len(speakers) if len(speakers) > 1 else len(speakers),
        key=f"corr_cut_two_{key}_{idx}",
    )
    st.caption(t(f"correct.split_timing.{_timing(session_id, row, at)}"))
    if st.button(t("correct.split_save"), key=f"corr_cut_btn_{key}", icon=":material/content_cut:"):
        target = new_speaker(speakers) if second == new else second
        value = {"speaker": target, "at": int(at), "first": first}
        save(session_id, Correction("speaker", value, idx, author))


def _timing(session_id: str, row: dict[str, Any], at: int) -> str:
    """How the store will find the parts' times: the stored words, as the store checks them."""
    with data.reader(str(data.db_path())) as con:
        words = access.utterance_words(con, auth.viewer(), session_id, int(row["idx"]))
    start, end = row.get("start_s"), row.get("end_s")
    utterance = Utterance(
        int(row["idx"]),
        str(row["speaker"]),
        Role.CLIENT,
        str(row["text"]),
        None if start is None or start != start else float(start),  # NaN from pandas: no time
        None if end is None or end != end else float(end),
        tuple(Word(0.0, 0.0, w) for w in words),
    )
    return timing(utterance, at)
