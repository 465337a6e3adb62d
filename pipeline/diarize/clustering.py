"""Clustering voice embeddings into speakers: NME-SC spectral clustering, k-means, merging and rescue.

Spectral clustering whose speaker count is the largest eigengap of a pruned affinity matrix (NME-SC, Park et
al. 2019); clusters that are one voice are merged, a voice heard in only a few windows is rescued.
"""

from __future__ import annotations

import numpy as np

from pipeline.diarize.options import DEFAULT_OPTIONS, DiarizeOptions


def _laplacian_eigh(binary: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The `count` smallest eigenpairs of the graph Laplacian, and its largest eigenvalue."""
    from scipy.linalg import eigh

    affinity = 0.5 * (binary + binary.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(affinity.sum(axis=1)) - affinity
    n = len(laplacian)
    values, vectors = eigh(laplacian, subset_by_index=[0, min(count, n) - 1], driver="evx")
    top = eigh(laplacian, eigvals_only=True, subset_by_index=[n - 1, n - 1], driver="evx")
    return values, vectors, float(top[0])


def _prune(similarity: np.ndarray, p: int) -> np.ndarray:
    """Keep the p strongest neighbours of every row (binary), the NME-SC affinity."""
    n = similarity.shape[0]
    order = np.argsort(-similarity, axis=1)[:, :p]
    binary = np.zeros_like(similarity)
    binary[np.arange(n)[:, None], order] = 1.0
    return binary


def nme_spectral(similarity: np.ndarray, max_speakers: int, num_speakers: int | None = None) -> np.ndarray:
    """Cluster labels 0..k-1 of an (n, n) cosine-similarity matrix; k from the normalised max eigengap.

    For each pruning level p the Laplacian's eigengap g_p (normalised by the largest eigenvalue) measures how
    clearly the graph falls into groups; the p with the smallest p/g_p wins (NME-SC), and k is where its gap
    is largest among the first `max_speakers` eigenvalues.
    """
    n = similarity.shape[0]
    if n <= 2:
        return np.zeros(n, dtype=int)
    sim = similarity.copy()
    np.fill_diagonal(sim, 1.0)
    max_k = max(1, min(max(max_speakers, num_speakers or 0), n - 1))
    p_max = max(2, int(n * 0.25))
    candidates = sorted(set(np.linspace(2, p_max, num=min(16, p_max - 1)).astype(int).tolist())) or [2]
    best: tuple[float, int, np.ndarray] | None = None
    for p in candidates:
        values, vectors, top = _laplacian_eigh(_prune(sim, p), max_k + 1)
        gaps = np.diff(values[: max_k + 1])
        gap_norm = gaps / max(top, 1e-9)
        if num_speakers is not None:
            k = min(num_speakers, n)
            score_gap = gap_norm[k - 1] if k - 1 < len(gap_norm) else gap_norm.max(initial=1e-9)
        else:
            k = int(np.argmax(gap_norm)) + 1
            score_gap = gap_norm[k - 1]
        ratio = p / max(score_gap, 1e-9)
        if best is None or ratio < best[0]:
            best = (ratio, k, vectors)
    assert best is not None
    _, k, vectors = best
    if k == 1:
        return np.zeros(n, dtype=int)
    return _kmeans(vectors[:, :k], k)


def _kmeans(points: np.ndarray, k: int, iterations: int = 100, restarts: int = 8) -> np.ndarray:
    """Plain deterministic k-means (k-means++ seeding from a fixed seed) on row-normalised spectral points."""
    points = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    rng = np.random.default_rng(0)
    best_labels, best_inertia = np.zeros(len(points), dtype=int), np.inf
    for _ in range(restarts):
        centres = [points[rng.integers(len(points))]]
        for _ in range(1, k):
            d2 = np.min([((points - c) ** 2).sum(axis=1) for c in centres], axis=0)
            total = d2.sum()
            centres.append(
                points[rng.choice(len(points), p=d2 / total)]
                if total > 0
                else points[rng.integers(len(points))]
            )
        centres_arr = np.array(centres)
        labels = np.zeros(len(points), dtype=int)
        for _ in range(iterations):
            dist = ((points[:, None, :] - centres_arr[None, :, :]) ** 2).sum(axis=2)
            new = dist.argmin(axis=1)
            if np.array_equal(new, labels) and _ > 0:
                break
            labels = new
            for j in range(k):
                if np.any(labels == j):
                    centres_arr[j] = points[labels == j].mean(axis=0)
        inertia = float(((points - centres_arr[labels]) ** 2).sum())
        if inertia < best_inertia:
            best_inertia, best_labels = inertia, labels.copy()
    return best_labels


def _centroids(embeddings: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    out = {}
    for label in np.unique(labels):
        c = embeddings[labels == label].mean(axis=0)
        out[int(label)] = c / max(float(np.linalg.norm(c)), 1e-9)
    return out


def _merge_same_voice(
    embeddings: np.ndarray, labels: np.ndarray, keep: int | None, options: DiarizeOptions = DEFAULT_OPTIONS
) -> np.ndarray:
    """Merge clusters that are one voice (centroids too similar) or too small to be a speaker.

    With `keep` (a forced speaker count) nothing is merged below that count.
    """
    labels = labels.copy()
    while True:
        present = np.unique(labels)
        if len(present) <= max(1, keep or 1):
            return labels
        cents = _centroids(embeddings, labels)
        sizes = {int(c): int((labels == c).sum()) for c in present}
        smallest = min(sizes, key=lambda c: sizes[c])
        if sizes[smallest] < options.min_cluster_windows and keep is None:
            others = [c for c in present if c != smallest]
            target = max(others, key=lambda c: float(cents[c] @ cents[smallest]))
            labels[labels == smallest] = target
            continue
        best_pair, best_sim = None, -1.0
        for i, a in enumerate(present):
            for b in present[i + 1 :]:
                sim = float(cents[int(a)] @ cents[int(b)])
                if sim > best_sim:
                    best_pair, best_sim = (int(a), int(b)), sim
        if keep is not None or best_pair is None or best_sim < options.same_voice_similarity:
            return labels
        a, b = best_pair
        labels[labels == b] = a


def _rescue_minor_speaker(
    embeddings: np.ndarray, labels: np.ndarray, max_speakers: int, options: DiarizeOptions = DEFAULT_OPTIONS
) -> np.ndarray:
    """Give a voice heard in only a few windows its own cluster.

    The pruned affinity of NME-SC keeps each window's p nearest neighbours; a voice with fewer windows than
    p (a practitioner who asks two short questions in a monologue) is joined to the big cluster. Its windows
    then stand out: far less similar to their cluster's centroid than that cluster's own windows are (below
    its 5th percentile minus `outlier_drop`). When at least `min_cluster_windows` such outliers are alike
    (each within `outlier_cohesion` of their own centroid) and that centroid is not the voice of an existing
    cluster, they become a new speaker.
    """
    k = int(labels.max()) + 1 if len(labels) else 0
    if k == 0 or k >= max_speakers:
        return labels
    cents = _centroids(embeddings, labels)
    own = np.array([float(embeddings[i] @ cents[int(labels[i])]) for i in range(len(labels))])
    outlier = np.zeros(len(labels), dtype=bool)
    for c in cents:
        members = labels == c
        if members.sum() < 10:
            continue
        floor = float(np.percentile(own[members], 5)) - options.outlier_drop
        outlier |= members & (own < floor)
    matrix = np.stack([cents[c] for c in sorted(cents)])
    outlier &= (embeddings @ matrix.T).max(axis=1) < options.same_voice_similarity - 0.15
    idx = np.flatnonzero(outlier)
    for _ in range(5):
        if len(idx) < options.min_cluster_windows:
            return labels
        centre = embeddings[idx].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        keep = idx[embeddings[idx] @ centre >= options.outlier_cohesion]
        if len(keep) == len(idx):
            break
        idx = keep
    if (
        len(idx) < options.min_cluster_windows
        or float((matrix @ centre).max()) >= options.same_voice_similarity
    ):
        return labels
    labels = labels.copy()
    labels[idx] = k
    return labels


def cluster_embeddings(
    embeddings: np.ndarray,
    num_speakers: int | None = None,
    max_speakers: int = 4,
    options: DiarizeOptions = DEFAULT_OPTIONS,
) -> np.ndarray:
    """Speaker label per embedding (0..k-1, arbitrary order); count automatic unless `num_speakers`."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if num_speakers == 1 or n < 3:
        return np.zeros(n, dtype=int)
    if n > options.max_cluster_windows:
        subset = np.linspace(0, n - 1, options.max_cluster_windows).round().astype(int)
    else:
        subset = np.arange(n)
    sub = embeddings[subset]
    labels_sub = nme_spectral(sub @ sub.T, max_speakers=max_speakers, num_speakers=num_speakers)
    labels_sub = _merge_same_voice(sub, labels_sub, keep=num_speakers, options=options)
    if num_speakers is None:
        labels_sub = _rescue_minor_speaker(sub, labels_sub, max_speakers, options)
    if len(subset) == n:
        labels = labels_sub
    else:
        cents = _centroids(sub, labels_sub)
        keys = sorted(cents)
        matrix = np.stack([cents[k] for k in keys])
        labels = np.array(keys)[np.argmax(embeddings @ matrix.T, axis=1)]
    # Compact labels to 0..k-1.
    _, compact = np.unique(labels, return_inverse=True)
    return compact.astype(int)
