"""The same recording gives the same words in every run, also where Whisper's temperature fallback samples.

Before (pipeline/reproducible.py): two transcriptions of the same 20 s, decoded by sampling, differed in one
process, with or without `ctranslate2.set_random_seed` before each (the generator lives in CTranslate2's
worker thread). Here sampling is forced (temperature 1.0 only), so every window draws from the generator.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

CLIP = REPO / "samples" / "audio" / "nl_eerste_gesprek.wav"
OTHER = REPO / "samples" / "audio" / "en_first_session.wav"


@pytest.fixture(scope="module")
def model():
    from models import resolve_model
    from pipeline.transcribe import load_whisper

    resolved = resolve_model(None)
    return load_whisper(resolved.path_or_name, resolved.offline)


def _words(model, path: Path, **changes) -> str:
    from pipeline.audio import decode
    from pipeline.transcribe import AsrOptions, transcribe

    audio = decode(path).samples[: 16000 * 12]
    options = dataclasses.replace(AsrOptions(), **changes)
    segments, _ = transcribe(model, audio, options)
    return " ".join(s.text for s in segments)


def test_sampled_transcription_is_the_same_in_two_runs_whatever_ran_between(model) -> None:
    # sequential decoding: its temperature fallback is where Whisper samples (batched decoding at top-1 is
    # greedy; its suspicious chunks are decoded again sequentially, so through this same path)
    sampling = {"temperature": (1.0,), "beam_size": 1, "batched": False}
    first = _words(model, CLIP, **sampling)
    assert model.model.sampled  # the decoding really drew from the generator
    _words(model, OTHER, language="en", **sampling)  # more draws in between
    again = _words(model, CLIP, **sampling)
    assert first and again == first
    assert model.model.renewals >= 2


def test_another_seed_samples_other_words_and_a_greedy_run_keeps_its_model(model) -> None:
    # sequential decoding: its temperature fallback is where Whisper samples (batched decoding at top-1 is
    # greedy; its suspicious chunks are decoded again sequentially, so through this same path)
    sampling = {"temperature": (1.0,), "beam_size": 1, "batched": False}
    assert _words(model, CLIP, sampling_seed=7, **sampling) != _words(model, CLIP, **sampling)
    greedy = _words(model, CLIP, temperature=(0.0,), batched=False)
    renewals = model.model.renewals
    assert not model.model.sampled
    assert _words(model, CLIP, temperature=(0.0,), batched=False) == greedy
    assert model.model.renewals == renewals  # nothing sampled: no rebuild, no reload cost
