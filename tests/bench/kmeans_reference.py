"""scikit-learn's side of the KMeans benchmark (`cargo bench --bench kmeans`).

    python tests/bench/kmeans_reference.py [runs]

Generates the benchmark's rows exactly as `crate/benches/kmeans.rs` does (1M rows x 11
features, 8 blobs; splitmix64 uniforms and Irwin-Hall normals, reproduced bit for bit),
then times `KMeans(n_clusters=8, init=<the first 8 rows>, n_init=1, max_iter=20, tol=0,
algorithm="lloyd")` on 1 and 2 threads (threadpoolctl). Prints the data checksum (to
compare with the bench's) and one JSON object with the median seconds of each.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brasa_random import mix  # noqa: E402

ROWS, FEATURES, K, SEED = 1_000_000, 11, 8, 2024


def uniform(n):
    with np.errstate(over="ignore"):
        h = mix(mix(np.uint64(SEED)) ^ np.asarray(n, dtype=np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def normal(n):
    n = np.asarray(n, dtype=np.uint64) * np.uint64(4)
    total = uniform(n) + uniform(n + np.uint64(1)) + uniform(n + np.uint64(2)) + uniform(n + np.uint64(3))
    return (total - 2.0) * np.sqrt(3.0)


def data():
    centres = 5.0 * normal(np.arange(K * FEATURES, dtype=np.uint64) + np.uint64(1 << 40))
    rows = np.arange(ROWS, dtype=np.uint64)
    blob = (uniform(rows * np.uint64(16) + np.uint64(15)) * K).astype(np.int64)
    X = np.empty((ROWS, FEATURES))
    for f in range(FEATURES):
        X[:, f] = centres[blob * FEATURES + f] + 3.0 * normal(rows * np.uint64(16) + np.uint64(f))
    return X


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    X = data()
    print(f"data: {ROWS} rows, sum of values {X.sum():.6f}, first value {X[0, 0]!r}", file=sys.stderr)
    init = X[:K].copy()
    result = {}
    for threads in (1, 2):
        times = []
        with threadpool_limits(threads):
            for _ in range(runs):
                start = time.perf_counter()
                model = KMeans(K, init=init, n_init=1, max_iter=20, tol=0.0, algorithm="lloyd").fit(X)
                times.append(time.perf_counter() - start)
        result[f"sklearn_{threads}_threads_s"] = float(np.median(times))
        result[f"sklearn_{threads}_threads_iterations"] = int(model.n_iter_)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
