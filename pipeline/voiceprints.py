"""Voice enrolment: a practitioner's voiceprint, stored in the database, recognises them in later sessions.

`spiegel enroll NAME AUDIO` stores the centroid embedding (256 floats from the same encoder the diarizer
uses) of the main voice in AUDIO under NAME in the `voiceprints` table. When `spiegel process --practitioner
NAME` finds a diarized speaker whose centroid is close to that voiceprint, that speaker is the practitioner,
whatever the conversation evidence says.

A voiceprint is biometric data: it stays in the local (optionally encrypted) database, is never exported to
anything but the user's own export, and `spiegel enroll --delete NAME` removes it.

Thresholds (cosine similarity of L2-normalised embeddings, measured on real voices in
shared/eval-public/real-nl): a clip of the same person against their diarized centroid scores 0.80-0.90,
other people 0.50-0.67 (two espeak-ng voices of the same synthesiser up to 0.85, but their own voice 0.99).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import store
from core.errors import UserError

log = logging.getLogger(__name__)

#: A speaker matches a voiceprint at this cosine similarity or more...
MATCH_SIMILARITY = 0.75
#: ...and only when the next-best speaker is at least this much less similar (two close voices: no match).
MATCH_MARGIN = 0.05
#: Less speech than this (seconds) gives an unreliable voiceprint: enrolment refuses it.
MIN_ENROL_SPEECH_S = 5.0


@dataclass(frozen=True)
class Enrolment:
    name: str
    speech_s: float
    speakers_heard: int


def _normalised(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    return vector / max(float(np.linalg.norm(vector)), 1e-9)


def voice_embedding(audio: np.ndarray, sample_rate: int = 16_000) -> tuple[np.ndarray, float, int]:
    """(embedding of the main voice, its seconds of speech, number of voices heard) in a recording."""
    from pipeline.diarize import diarize
    from pipeline.speakers import speaker_times

    result = diarize(audio, sample_rate=sample_rate)
    if not result.turns:
        raise UserError("error.enroll.no_speech")
    times = speaker_times(result.turns)
    main = max(times, key=lambda s: times[s])
    return _normalised(result.embeddings[main]), times[main], result.num_speakers


def best_match(voiceprint: np.ndarray, embeddings: Mapping[str, np.ndarray]) -> tuple[str | None, float]:
    """The speaker whose embedding matches the voiceprint (or None) and its similarity. Pure."""
    if not embeddings:
        return None, 0.0
    reference = _normalised(voiceprint)
    scores = sorted(((float(_normalised(e) @ reference), s) for s, e in embeddings.items()), reverse=True)
    best_score, best = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else -1.0
    if best_score >= MATCH_SIMILARITY and best_score - runner_up >= MATCH_MARGIN:
        return best, best_score
    return None, best_score


def match_speaker(con, name: str, embeddings: Mapping[str, np.ndarray]) -> str | None:
    """The diarized speaker who is the enrolled `name`, or None (not enrolled, or no voice close enough)."""
    voiceprint = store.load_voiceprint(con, name)
    if voiceprint is None:
        return None
    speaker, score = best_match(voiceprint, embeddings)
    log.info("voiceprint match: %s at similarity %.2f", "found" if speaker else "none", score)
    return speaker


def enroll(db: str | Path | None, name: str, audio_path: Path) -> Enrolment:
    """Compute the main voice of `audio_path` and store it as the voiceprint of `name`."""
    from pipeline.audio import decode

    if not name.strip():
        raise UserError("error.enroll.no_name")
    audio = decode(audio_path).samples
    embedding, speech_s, heard = voice_embedding(audio)
    if speech_s < MIN_ENROL_SPEECH_S:
        raise UserError(
            "error.enroll.too_short",
            name=audio_path.name,
            seconds=f"{speech_s:.0f}",
            least=f"{MIN_ENROL_SPEECH_S:.0f}",
        )
    with store.connect(db) as con:
        store.save_voiceprint(con, name.strip(), embedding)
    log.info("enrolled a voiceprint from %.1f s of speech (%d voices heard)", speech_s, heard)
    return Enrolment(name.strip(), speech_s, heard)
