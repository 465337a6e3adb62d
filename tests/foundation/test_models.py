"""Model resolution: bundled model joined and verified once, folders used as given, names only when asked."""

from __future__ import annotations

import pytest

from core.errors import UserError
from models import resolve


def test_bundled_model_is_joined_verified_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("SPIEGEL_MODEL_DIR", str(tmp_path))
    first = resolve.resolve_model()
    assert first.offline and first.label == "base-bundled"
    model_dir = tmp_path / "whisper-base-multilingual"
    assert (model_dir / "model.bin").stat().st_size == 145_217_532
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in model_dir.iterdir()}
    marker = (model_dir / ".verified").stat().st_mtime
    assert resolve.resolve_model().path_or_name == first.path_or_name
    assert (model_dir / ".verified").stat().st_mtime == marker  # not joined again


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("SPIEGEL_MODEL_DIR", str(tmp_path))
    model_dir = tmp_path / "whisper-base-multilingual"
    model_dir.mkdir()
    (model_dir / "model.bin").write_bytes(b"half a model")
    (model_dir / ".verified").write_text("not the hash")
    resolve.resolve_model()
    assert (model_dir / "model.bin").stat().st_size == 145_217_532


def test_checksum_mismatch_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(resolve._MANIFEST, "model_bin_sha256", "0" * 64)
    with pytest.raises(UserError, match="controlegetal"):
        resolve.ensure_bundled_model(tmp_path)
    assert not (tmp_path / "whisper-base-multilingual").exists()
    assert not list(tmp_path.glob(".joining-*"))


def test_local_folder_and_names(tmp_path):
    folder = tmp_path / "mijn-model"
    folder.mkdir()
    with pytest.raises(UserError, match=r"geen model\.bin"):
        resolve.resolve_model(str(folder))
    (folder / "model.bin").write_bytes(b"x")
    assert resolve.resolve_model(str(folder)).offline
    named = resolve.resolve_model("small")
    assert named.path_or_name == "small" and not named.offline
    with pytest.raises(UserError):
        resolve.resolve_model(str(tmp_path / "bestaat" / "niet"))
