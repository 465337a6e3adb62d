"""Speaker counting and clustering on synthetic embeddings (no audio, no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from core.records import SpeakerTurn
from pipeline.diarize.clustering import cluster_embeddings
from pipeline.diarize.options import _Window
from pipeline.diarize.turns import _frame_labels, _relabel_by_first_appearance, _smooth_runs


def voices(
    sizes: list[int], spread: float = 0.35, seed: int = 0, dim: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Points around `len(sizes)` random unit centres (like GE2E windows: ~0.9 to their own centre)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(sizes), dim))
    points, labels = [], []
    for k, n in enumerate(sizes):
        x = centres[k] / np.linalg.norm(centres[k]) + spread * rng.normal(size=(n, dim)) / np.sqrt(dim)
        points.append(x)
        labels += [k] * n
    p = np.concatenate(points)
    return p / np.linalg.norm(p, axis=1, keepdims=True), np.array(labels)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return all(len(set(b[a == k])) == 1 for k in set(a)) and len(set(a)) == len(set(b))


@pytest.mark.parametrize("sizes", [[60], [40, 50], [30, 45, 25], [20, 30, 25, 35], [80, 6]])
def test_count_found_automatically(sizes: list[int]) -> None:
    x, truth = voices(sizes)
    labels = cluster_embeddings(x)
    assert len(set(labels)) == len(sizes)
    assert same_partition(truth, labels)


def test_forced_count() -> None:
    x, _ = voices([40, 50])
    assert len(set(cluster_embeddings(x, num_speakers=3))) == 3
    assert set(cluster_embeddings(x, num_speakers=1)) == {0}


def test_max_speakers_caps_the_count() -> None:
    x, _ = voices([20, 20, 20, 20])
    assert len(set(cluster_embeddings(x, max_speakers=2))) <= 2


def test_many_windows_use_a_subset_and_assign_the_rest() -> None:
    x, truth = voices([500, 400])
    labels = cluster_embeddings(x)
    assert same_partition(truth, labels)


def test_tiny_inputs() -> None:
    assert cluster_embeddings(np.zeros((0, 8))).size == 0
    assert list(cluster_embeddings(np.eye(2))) == [0, 0]


def test_frame_labels_split_a_region_between_window_centres() -> None:
    windows = [_Window(0.0, 1.5), _Window(0.75, 2.25), _Window(1.5, 3.0), _Window(2.25, 3.75)]
    turns = _frame_labels([(0.0, 3.75)], windows, np.array([0, 0, 1, 1]), 2)
    assert [t[2] for t in turns] == [0, 1]
    assert 1.4 < turns[0][1] < 2.4


def test_smoothing_removes_short_runs() -> None:
    frame = np.array([0] * 50 + [1] * 5 + [0] * 50)
    assert set(_smooth_runs(frame, 30)) == {0}


def test_labels_in_order_of_first_appearance() -> None:
    turns, names = _relabel_by_first_appearance([(2.0, 3.0, 0), (0.0, 1.0, 1), (1.0, 2.0, 1)])
    assert turns == (SpeakerTurn(0.0, 2.0, "S1"), SpeakerTurn(2.0, 3.0, "S2"))
    assert names == {1: "S1", 0: "S2"}


def test_diarize_options_are_used_and_recorded() -> None:
    from pipeline.diarize import DiarizeOptions, diarize
    from pipeline.diarize.embedding import _windows

    regions = [(0.0, 6.0), (7.0, 7.3)]
    default = _windows(regions)
    finer = _windows(regions, DiarizeOptions(window_s=1.0, hop_s=0.5))
    assert len(finer) > len(default) and all(w.end - w.start <= 1.0 + 1e-9 for w in finer)
    assert all(w.start < 7.0 for w in default)  # 0.3 s is below min_embed_s: no window of its own
    silent = diarize(np.zeros(16000, dtype=np.float32), options=DiarizeOptions(bridge_s=0.25))
    assert silent.options == DiarizeOptions(bridge_s=0.25).as_record()
