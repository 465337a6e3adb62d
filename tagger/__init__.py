"""Rule-based tagger of solution-focused conversation techniques (Dutch and English), built on spaCy.

Importing this package is cheap: spaCy is imported only when `load_tagger` builds a pipeline.
"""

from tagger.api import Tagger, load_tagger

__all__ = ["Tagger", "load_tagger"]
