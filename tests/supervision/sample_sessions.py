"""The bundled sample sessions as tagged `Session` records built from their gold labels, with times.

Gold labels, not the tagger's output: the moment finder is tested on what a session says, so a change of the
tagger's rules cannot move these tests. The transcripts have no times; each utterance gets the length
espeak-ng gives it at the samples' speaking rate (`SECONDS_PER_WORD`) and a half-second pause, so the
time-based thresholds (a long stretch of problem talk) are exercised the way they are on a recording.
"""

from __future__ import annotations

import hashlib
import json

from core.records import Orientation, Role, Tag, TaggedUtterance, TagResult, Utterance
from samples import SAMPLES_DIR
from tests.records import make_session

SECONDS_PER_WORD = 0.4
PAUSE_S = 0.5


def sample_tagged(name: str, with_times: bool = True) -> list[TaggedUtterance]:
    """A sample session's utterances with their gold tags (spans cover the whole utterance)."""
    data = json.loads((SAMPLES_DIR / "sessions" / f"{name}.json").read_text(encoding="utf-8"))
    clock = 0.0
    tagged = []
    for row in data["utterances"]:
        text = row["text"]
        start = end = None
        if with_times:
            start, end = clock, clock + SECONDS_PER_WORD * len(text.split())
            clock = end + PAUSE_S
        gold = row["gold"]
        tags = tuple(
            Tag(g["label"], g.get("subtype"), g.get("value"), 0, len(text), f"gold.{g['label']}")
            for g in gold["tags"]
        )
        result = TagResult(
            Orientation(gold["orientation"]), tags, text.rstrip().endswith("?"), gold["scale_value"]
        )
        tagged.append(
            TaggedUtterance(
                Utterance(row["idx"], row["speaker"], Role(row["role"]), text, start, end), result
            )
        )
    return tagged


def sample_session(name: str, with_times: bool = True):
    """The sample as a storable session (practitioner, client code and date from its metadata)."""
    data = json.loads((SAMPLES_DIR / "sessions" / f"{name}.json").read_text(encoding="utf-8"))
    tagged = sample_tagged(name, with_times)
    meta = data["meta"]
    end = tagged[-1].utterance.end_s if with_times else None
    return make_session(
        tagged,
        source_name=f"{name}.json",
        source_sha256=hashlib.sha256(f"supervision-{name}".encode()).hexdigest(),
        language=meta["language"],
        duration_s=(end + PAUSE_S) if end is not None else None,
        asr_model="none",
        role_source="transcript",
        recorded_at=meta.get("recorded_at"),
        practitioner=meta.get("practitioner"),
        client_code=meta.get("client_code"),
        source_kind="transcript",
    )
