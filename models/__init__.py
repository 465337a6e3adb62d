"""Model resolution and storage: which Whisper model a run uses and where its files live."""

from models.resolve import BUNDLED_MODEL_NAME, ResolvedModel, resolve_model

__all__ = ["BUNDLED_MODEL_NAME", "ResolvedModel", "resolve_model"]
