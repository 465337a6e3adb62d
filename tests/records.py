"""Build `Session` records by hand for tests (flat metadata: duration, model name, role confidence); compare rows."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from typing import Any

from core.records import AsrInfo, AudioFacts, Role, RoleDecision, Session, TaggedUtterance, Utterance


def retag_for(language: str):
    """The real tagger's `tag_conversation` for a language: what corrections re-tag with."""
    from tagger import load_tagger

    return load_tagger(language).tag_conversation


def tag_texts(texts: Sequence[tuple[str, Role, str]], language: str = "nl") -> list[TaggedUtterance]:
    """(speaker, role, text) lines tagged as one conversation by the real tagger, five seconds apart."""
    results = retag_for(language)([(text, str(role)) for _s, role, text in texts])
    return [
        TaggedUtterance(Utterance(i, s, role, text, i * 5.0, i * 5.0 + 4.0), result)
        for i, ((s, role, text), result) in enumerate(zip(texts, results, strict=True))
    ]


def make_session(
    tagged: Sequence[TaggedUtterance],
    *,
    source_name: str = "opname.wav",
    source_sha256: str | None = None,
    language: str = "nl",
    duration_s: float | None = None,
    asr_model: str | None = None,
    role_confidence: float | None = None,
    role_source: str = "auto",
    warnings: Sequence[str] = (),
    **fields: Any,
) -> Session:
    """A tagged session as the stages would leave it, with roles taken from the utterances."""
    roles = {t.utterance.speaker: t.utterance.role for t in tagged}
    return Session.of(
        tagged,
        source_name=source_name,
        source_sha256=source_sha256 or hashlib.sha256(source_name.encode()).hexdigest(),
        language=language,
        audio=AudioFacts(duration_s) if duration_s is not None else None,
        asr=AsrInfo(asr_model, language, {}) if asr_model else None,
        roles=RoleDecision(roles, dict.fromkeys(roles, role_source), role_confidence),
        warnings=tuple(warnings),
        **fields,
    )


def rows_close(first: Sequence[Sequence[Any]], second: Sequence[Sequence[Any]]) -> bool:
    """Equal rows, floats compared to 1e-9 (DuckDB may sum in another order in another database)."""
    if len(first) != len(second):
        return False
    for row_a, row_b in zip(first, second, strict=True):
        if len(row_a) != len(row_b):
            return False
        for a, b in zip(row_a, row_b, strict=True):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
                    return False
            elif a != b:
                return False
    return True
