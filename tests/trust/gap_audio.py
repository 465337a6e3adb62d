"""A recording in which Whisper (with the hallucination-silence skip) drops a stretch, real speech included.

A practitioner's opening line, then 36 s of espeak-ng speech played backwards (speech to the VAD, words of
low probability to Whisper), then two ordinary lines. faster-whisper's `hallucination_silence_threshold`
takes the backwards speech for a hallucination and skips: on one host the first pass had no word before
41 s, so the real opening line (0–5.3 s) was lost with it; on an AMD EPYC host (int8 kernels differ) it
leaves 8.6 s of the backwards speech without words. The tests hold for either.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.speakers.synth import SAMPLE_RATE, VOICES, speak, write_wav

OPENING = "Goedemiddag, fijn dat je er bent. Hoe gaat het sinds de vorige keer met je?"
#: The real line inside the dropped stretch (seconds).
OPENING_S = (0.0, 5.3)
BACKWARDS = [
    "Ik weet het eigenlijk niet zo goed, misschien was het woensdag, toen ging het wel.",
    "Mijn moeder zei dat ik naar huis moest komen maar ik wilde niet.",
    "Op school was het ook allemaal moeilijk en de leraar begreep het niet.",
    "Toen ben ik maar naar buiten gegaan en heb ik een rondje gelopen.",
]


def write_gap_recording(path: Path) -> Path:
    pause = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    backwards = np.concatenate([speak(t, VOICES[i % 4])[::-1] for i, t in enumerate(BACKWARDS * 2)])
    audio = np.concatenate(
        [
            speak(OPENING, VOICES[0]),
            pause,
            backwards,
            pause,
            speak("Wanneer ging het de afgelopen week een beetje beter? Wat deed je toen anders?", VOICES[1]),
            pause,
            speak("Ik ben gewoon rustig gebleven toen mijn broer begon te schreeuwen.", VOICES[1]),
        ]
    ).astype(np.float32)
    write_wav(path, audio)
    return path
