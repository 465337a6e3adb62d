"""`--fast` (batched decoding) uses the speech stage's VAD regions as its clips: no second Silero pass.

Before: the batched decoder always ran faster-whisper's own VAD, a second pass over the whole recording after
the speech stage's. The count is taken on the real `get_speech_timestamps` (wrapped, still doing its work),
once without regions, to show that the count sees faster-whisper's own pass.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import REPO, count_calls

pytestmark = pytest.mark.slow

CLIP = REPO / "samples" / "audio" / "en_first_session.wav"


def test_batched_decoding_on_shared_regions_runs_no_vad_of_its_own(monkeypatch) -> None:
    import faster_whisper.transcribe as fw
    import faster_whisper.vad as vad

    from models import resolve_model
    from pipeline.audio import decode
    from pipeline.diarize.embedding import speech_regions
    from pipeline.diarize.frontend import _normalise
    from pipeline.transcribe import AsrOptions, load_whisper, transcribe

    # faster-whisper's function, wherever it is called from (its own pipeline, or pipeline/transcribe.py's
    # pass when no regions are given)
    calls = count_calls(monkeypatch, (vad, "get_speech_timestamps"), (fw, "get_speech_timestamps"))
    resolved = resolve_model(None)
    model = load_whisper(resolved.path_or_name, resolved.offline)
    audio = decode(CLIP).samples[: 16000 * 40]
    options = dataclasses.replace(AsrOptions(language="en"), batched=True)

    own, _ = transcribe(model, audio, options)
    assert len(calls) == 1  # a VAD pass of the decoder's own when it gets no regions, seen by the count

    regions = speech_regions(_normalise(audio))  # the speech stage's pass (pipeline/stages.py)
    calls.clear()
    shared, _ = transcribe(model, audio, options, regions=regions)
    assert calls == []
    words = " ".join(s.text for s in shared).split()
    assert len(words) > 0.6 * len(" ".join(s.text for s in own).split())
    assert all(regions[0][0] - 0.5 <= s.start and s.end <= regions[-1][1] + 0.5 for s in shared)


def test_spiegel_process_fast_runs_the_vad_once(monkeypatch, tmp_path) -> None:
    """The whole `spiegel process --fast` path: one Silero pass for Whisper, the diarizer and the coverage
    check together (before: the speech stage was skipped, and each of the three ran its own)."""
    import faster_whisper.transcribe as fw
    import faster_whisper.vad as vad

    import store
    from pipeline.process import ProcessOptions, process_recording
    from pipeline.transcribe import AsrOptions

    # ours (diarize.embedding, coverage) and faster-whisper's own
    calls = count_calls(monkeypatch, (vad, "get_speech_timestamps"), (fw, "get_speech_timestamps"))
    db = tmp_path / "s.duckdb"
    options = ProcessOptions(db=db, language="en", progress=False)
    options.asr = dataclasses.replace(AsrOptions(language="en"), batched=True)
    outcome = process_recording(CLIP, options)
    assert outcome.error is None and outcome.created
    assert len(calls) == 1
    with store.connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM utterances").fetchone()[0] > 3
