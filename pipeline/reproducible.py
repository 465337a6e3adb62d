"""The same recording gives the same words: Whisper's temperature fallback sampled with a seeded generator.

When a window fails Whisper's quality checks, faster-whisper decodes it again at a higher temperature, by
random sampling in CTranslate2. Unseeded, the same file could come out with other words in every run (and
tests/trust/test_coverage.py was flaky). `ctranslate2.set_random_seed` alone is not enough: the generator is
per worker thread, seeded from the global seed when that thread first samples, and a later
`set_random_seed` does not reach it (checked with CTranslate2 4.8.5: two seeded runs in one process
differed). The worker thread lives as long as the CTranslate2 model. So the model is wrapped: it notes when
a decoding sampled, and before the next transcription it is built anew after `set_random_seed(ASR_SEED)`:
a fresh worker thread whose generator starts from the seed. A run that never sampled keeps its model (no
reload), and every transcription starts from the same generator state whatever ran before it in the process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: The seed of every transcription's sampling (any fixed number; stored with the session's ASR options).
ASR_SEED = 20260914


def seed_sampling(seed: int = ASR_SEED) -> None:
    """Seed CTranslate2's generator for worker threads that have not sampled yet (call before building)."""
    import ctranslate2

    ctranslate2.set_random_seed(seed)


class SeededWhisper:
    """Stands in for the `ctranslate2.models.Whisper` inside a `WhisperModel`: every attribute is the
    model's own, `generate` notes sampling, and `renew_if_sampled` rebuilds the model with `build`."""

    def __init__(self, inner: Any, build: Callable[[], Any], seed: int) -> None:
        self._inner = inner
        self._build = build
        self.seed = seed
        self.sampled = False
        self.renewals = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        # faster-whisper passes sampling_topk=0 with a temperature above 0; top-1 (the default) is greedy
        # or beam search and draws nothing from the generator.
        if kwargs.get("sampling_topk", 1) != 1:
            self.sampled = True
        return self._inner.generate(*args, **kwargs)

    def renew_if_sampled(self, seed: int) -> None:
        """Rebuild when the model has sampled since it was built, or was built under another seed."""
        if not self.sampled and seed == self.seed:
            return
        self._inner = None  # the old model's memory goes before the new one is built
        seed_sampling(seed)
        self.seed = seed
        self._inner = self._build()
        self.sampled = False
        self.renewals += 1
        log.debug("speech model renewed after sampling (renewal %d)", self.renewals)


def make_reproducible(model: Any, build: Callable[[], Any], seed: int = ASR_SEED) -> Any:
    """Wrap a `WhisperModel` built just after `seed_sampling(seed)`; `build` returns a new CTranslate2 model."""
    model.model = SeededWhisper(model.model, build, seed)
    return model


def before_transcription(model: Any, seed: int = ASR_SEED) -> None:
    """Start this transcription's sampling from `seed` (a model not from `load_whisper` is left alone)."""
    inner = getattr(model, "model", None)
    if isinstance(inner, SeededWhisper):
        inner.renew_if_sampled(seed)
