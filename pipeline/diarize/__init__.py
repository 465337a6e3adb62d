"""Who spoke when: offline speaker diarization with weights that install from PyPI, a module per job.

Method (measured in FINDINGS.md, "Speaker diarization"):

1. Speech regions come from the Silero VAD that ships inside faster-whisper, so silence never gets a speaker
   (`embedding.speech_regions`).
2. Each region is cut into 1.5 s windows with a 0.75 s hop; each window gets a 256-d voice embedding from
   resemblyzer's GE2E encoder, whose weights ship inside this project (`models/voice.py`): nothing is fetched
   from a model hub, ever, and resemblyzer itself is not needed; the mel front end is reimplemented in numpy
   (`frontend.mel_spectrogram`), so neither librosa nor webrtcvad is imported (`embedding`).
3. Windows are clustered with spectral clustering whose speaker count is the largest eigengap of a pruned
   affinity matrix (NME-SC, Park et al. 2019). Fixed distance thresholds and silhouette scores merged a third
   voice or split a real one; the eigengap found the right count on every file tried (`clustering`).
4. Clusters whose centroids are nearly the same voice are merged (that is how one speaker is recognised:
   the eigengap alone always proposes at least two groups of phonetically different windows).
5. Every 10 ms frame of speech gets the label voted by the windows covering it (centre-weighted), so a
   turn change inside a region lands between two window centres (`turns`).

`voices.diarize` runs these on a mono recording, `channels.diarize_channels` gives one speaker per microphone.
Every threshold is a field of `DiarizeOptions` (`options`), stored with the session. Heavy libraries (torch,
scipy) are imported only inside functions, so `spiegel --help` stays fast; the encoder is loaded once.
"""

from pipeline.diarize.channels import diarize_channels
from pipeline.diarize.clustering import cluster_embeddings, nme_spectral
from pipeline.diarize.embedding import embed_windows, load_encoder, speech_regions
from pipeline.diarize.frontend import mel_spectrogram
from pipeline.diarize.options import (
    DEFAULT_OPTIONS,
    SAMPLE_RATE,
    WARN_NO_SPEECH,
    WARN_ONE_SPEAKER,
    WARN_OVERLAP,
    WARN_SAME_CHANNELS,
    Diarization,
    DiarizeOptions,
)
from pipeline.diarize.voices import diarize

__all__ = [
    "DEFAULT_OPTIONS",
    "SAMPLE_RATE",
    "WARN_NO_SPEECH",
    "WARN_ONE_SPEAKER",
    "WARN_OVERLAP",
    "WARN_SAME_CHANNELS",
    "Diarization",
    "DiarizeOptions",
    "cluster_embeddings",
    "diarize",
    "diarize_channels",
    "embed_windows",
    "load_encoder",
    "mel_spectrogram",
    "nme_spectral",
    "speech_regions",
]
