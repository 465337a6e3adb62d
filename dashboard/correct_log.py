"""The change history on the session page: every correction, newest first (when, who, what), undoing them one
by one back to the machine's version, and taking back a single older change.

Why an older change only alone when nothing later touched the same utterance or speaker: the later change was
made on top of it (a label on corrected text, a change on a cut's second part), so taking the older one back
underneath would leave the later one pointing at something that is no longer there. The page says so in one
sentence and names the later change; the store refuses it anyway (`store.corrections.undo`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import UserError
from dashboard import auth
from dashboard.i18n import current_lang, fmt_date, t
from store import access


def _when(item: dict[str, Any]) -> str:
    return f"{fmt_date(item['created_at'].date())} {item['created_at']:%H:%M}"


def render(
    session_id: str,
    log: list[dict[str, Any]],
    author: str,
    key: str,
    write: Callable[[Any], bool],
    describe: Callable[[dict[str, Any]], str],
    retag_for: Any,
) -> None:
    """Undo the latest, revert a chosen older one, and the log table (dashboard/correct.py's panel)."""
    counted = [h for h in log if h["undone_at"] is None]
    member = auth.viewer()

    def undo(correction_id: int | None) -> None:
        if write(
            lambda con: access.undo_correction(
                con, member, session_id, author or "?", retag_for, correction_id
            )
        ):
            st.session_state["corr_done"] = t("correct.undone")
            st.session_state[f"corr_open_{session_id}"] = True
            st.rerun()

    if st.button(t("correct.undo"), key=f"corr_undo_{key}", disabled=not counted, icon=":material/undo:"):
        undo(None)
    if len(counted) > 1:
        by_id = {h["correction_id"]: h for h in counted}
        chosen = st.selectbox(
            t("correct.revert_pick"),
            [h["correction_id"] for h in reversed(counted)],
            format_func=lambda cid: f"{_when(by_id[cid])} · {by_id[cid]['author']} · {describe(by_id[cid])}",
            key=f"corr_rev_{key}",
        )
        blocker = by_id.get(by_id[chosen]["blocked_by"]) if by_id[chosen]["blocked_by"] else None
        if blocker is not None:
            why = UserError("error.correction.later_change", when=_when(blocker), who=blocker["author"])
            st.caption(why.message(current_lang()))
        if st.button(
            t("correct.revert"),
            key=f"corr_rev_btn_{key}",
            disabled=blocker is not None,
            icon=":material/history:",
        ):
            undo(int(chosen))
    if log:
        st.caption(t("correct.log"))
        table = pd.DataFrame(
            [
                {
                    t("correct.log.when"): _when(h),
                    t("correct.log.who"): h["author"],
                    t("correct.log.what"): describe(h),
                    t("correct.log.undone"): "" if h["undone_at"] is None else f"✓ {h['undone_by']}",
                }
                for h in reversed(log)
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")
