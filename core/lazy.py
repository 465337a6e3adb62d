"""Load a library without the optional libraries it would pick up on its own.

spaCy imports thinc, and thinc imports torch whenever torch is installed (`thinc/compat.py`: `try: import
torch`), to offer PyTorch-wrapped models. Our tagger is a blank spaCy pipeline with a rule component: it never
uses them, yet torch's import alone took 5 of the 9 seconds `spiegel import` spent starting up (bench/
RESULTS.md, "Importing transcripts"). `import_without("spacy", blocked=("torch",))` makes that optional
import fail while spaCy loads, so thinc takes its no-torch path; torch stays importable afterwards for the
modules that need it (the diarizer), and where torch is loaded already nothing changes.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType


@contextlib.contextmanager
def _blocked(names: Sequence[str]) -> Iterator[None]:
    """`import name` raises ImportError inside the block (a None entry in sys.modules), for names not loaded."""
    added = [name for name in names if name not in sys.modules]
    for name in added:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in added:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def import_without(module: str, blocked: Sequence[str]) -> ModuleType:
    """Import `module` (once per process, as any import) while the `blocked` modules cannot be imported."""
    if module in sys.modules:
        return sys.modules[module]
    with _blocked(blocked):
        return importlib.import_module(module)
