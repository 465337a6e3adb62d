"""Hand-made sessions with distinctive words, so a test can grep a database file's bytes for them."""

from __future__ import annotations

import hashlib

from core import records as rec


def session(
    marker: str, n: int = 40, practitioner: str = "Ottoline", client: str = "K-0001"
) -> rec.Transcript:
    """`n` utterances, each holding `marker` (in the text and in the word rows); names and code in the meta."""
    utterances = []
    for i in range(n):
        role = rec.Role.PRACTITIONER if i % 2 == 0 else rec.Role.CLIENT
        text = f"Zin {i}: ik vertelde over {marker} nummer {i} en wat daarna gebeurde."
        words = tuple(
            rec.Word(i * 5.0 + k * 0.3, i * 5.0 + k * 0.3 + 0.25, w, 0.9) for k, w in enumerate(text.split())
        )
        utterances.append(
            rec.TaggedUtterance(
                rec.Utterance(
                    i, "SPEAKER_00" if i % 2 == 0 else "SPEAKER_01", role, text, i * 5.0, i * 5.0 + 4, words
                ),
                rec.TagResult(rec.Orientation.NEUTRAL, (), is_question=False),
            )
        )
    return rec.Session.of(
        utterances,
        source_sha256=hashlib.sha256(marker.encode()).hexdigest(),
        source_name=f"{marker}-opname.wav",
        language="nl",
        audio=rec.AudioFacts(n * 5.0),
        asr=rec.AsrInfo("test", "nl"),
        practitioner=practitioner,
        client_code=client,
        recorded_at="2026-11-03",
    )


def file_bytes(db) -> bytes:
    """The database file and its write-ahead log, as an attacker with the disk would read them."""
    wal = db.with_name(db.name + ".wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def three_sessions(con) -> dict[str, str]:
    """The team tests' database: two sessions of Ottoline (tulpenveld K-0001, zeilboot K-0002), one of
    Pieter (vuurtoren K-0003); marker → session id."""
    from store import save_session

    ids = {}
    for marker, who, client in (
        ("tulpenveld", "Ottoline", "K-0001"),
        ("zeilboot", "Ottoline", "K-0002"),
        ("vuurtoren", "Pieter", "K-0003"),
    ):
        ids[marker], _ = save_session(con, session(marker, n=6, practitioner=who, client=client))
    return ids
