"""Corrections of who is who in a stored session (`spiegel roles --set / --merge`).

A correction re-tags every utterance with the corrected roles (the tagger reads roles), rewrites the session
in one transaction and records `role_source = corrected`; metrics are a view over the stored rows, so they
follow at once.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import store
from core.errors import UserError
from core.records import Role
from pipeline import stages
from pipeline.process import load_tagger
from pipeline.speakers import merge_utterances

log = logging.getLogger(__name__)

#: Warnings about the automatic role decision that a human correction settles.
SETTLED_BY_CORRECTION = frozenset({"low_role_confidence", "role_evidence_contradicts"})


def correct_session(
    db: str | Path | None,
    session_id: str,
    assignments: dict[str, Role] | None = None,
    merge: tuple[str, str] | None = None,
) -> dict[str, tuple[str, str]]:
    """Apply a merge and/or role assignments to a stored session, re-tag it and store it in one transaction.

    Returns the new speaker → (role, role_source) map.
    """
    assignments = dict(assignments or {})
    with store.connect(db) as con:
        session = store.load_session(con, session_id)
        store.corrections.refuse_if_corrected(con, session_id)  # the dashboard's log must stay true
        current = store.queries.speaker_roles(con, session_id)
        utterances = list(session.utterances)
        for u in utterances:
            current.setdefault(u.speaker, (str(u.role), "auto"))
        known = list(current)

        def check(speaker: str) -> None:
            if speaker not in current:
                raise UserError(
                    "error.roles.no_speaker", session=session_id, speaker=speaker, speakers=", ".join(known)
                )

        if merge:
            keep, gone = merge
            check(keep)
            check(gone)
            if keep == gone:
                raise UserError("error.roles.merge_same")
            utterances = merge_utterances(utterances, keep=keep, merge=gone)
            current.pop(gone)
        for speaker in assignments:
            check(speaker)
        if any(role == Role.PRACTITIONER for role in assignments.values()):
            # One practitioner unless the user names several: a former practitioner becomes a client.
            for speaker, (role, _) in list(current.items()):
                if role == Role.PRACTITIONER.value and speaker not in assignments:
                    assignments[speaker] = Role.CLIENT
        for speaker, role in assignments.items():
            current[speaker] = (role.value, "corrected")
        if merge and merge[0] not in assignments:
            current[merge[0]] = (current[merge[0]][0], "corrected")

        roles = {speaker: Role(role) for speaker, (role, _) in current.items()}
        corrected = stages.tag(
            dataclasses.replace(session, utterances=tuple(utterances)),
            load_tagger(session.language, ()),
            fixed_roles=roles,
        )
        tagged = corrected.tagged
        warnings = [w for w in session.warnings if w not in SETTLED_BY_CORRECTION]
        speakers_left = len({t.utterance.speaker for t in tagged})
        if speakers_left > 1 and "one_speaker" in warnings:
            warnings.remove("one_speaker")
        if speakers_left == 1 and "one_speaker" not in warnings:
            warnings.append("one_speaker")
        store.corrections.forget_original(con, session_id)  # a later correction starts from this version
        store.replace_content(
            con,
            session_id,
            tagged,
            speaker_roles=current,
            session_updates={"role_confidence": 1.0, "num_speakers": speakers_left, "warnings": warnings},
        )
    log.info("session %s corrected: %d speakers, %d utterances", session_id, len(current), len(tagged))
    return current
