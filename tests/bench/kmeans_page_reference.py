"""The reference side of the page suite's KMeans job (tests/bench/kmeans_page_spec.json).

    python tests/bench/kmeans_page_reference.py <telecom_N.parquet> [runs]

The page trains KMeans (k = 8, initMode random, seed 42, maxIter 20, tol 0) as one grid
point under TrainValidationSplit (trainRatio 0.75, seed 42) on the churn table's 11
features: it fits on the training rows, scores the validation rows, refits on every row
and scores them. This does the same fits on the same rows from the same first centres,
with scikit-learn's `KMeans(n_init=1, algorithm="lloyd", max_iter=20, tol=0)` on 2
threads, and predicts the held-out rows and then every row. Brasa's rows and centres are
reproduced from its random streams (`brasa_random`): a row trains when its uniform of the
folds' stream is below 0.75, and Spark's `random` initialisation draws the rows with the
smallest bits of the KMeans stream (`ml::kmeans::init::UniformSample`). Brasa also computes
Spark's silhouette of the validation rows and of every row (ClusteringEvaluator, one pass
each), which this side does not: scikit-learn's silhouette is quadratic in the rows.

Prints one JSON object: the median seconds, the iterations of the final fit, its cluster
sizes (smallest first, to compare with the page's) and its inertia.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brasa_random import FOLDS_STREAM, mix, unit  # noqa: E402
from logistic_reference import NUMERIC, churn_matrix  # noqa: E402

SEED, TRAIN_RATIO, THREADS, K, MAX_ITER = 42, 0.75, 2, 8, 20
KMEANS_INIT_STREAM = 8


def bits(seed, stream, rows):
    """`random::bits(seed, stream, row)` for every row number in `rows`."""
    with np.errstate(over="ignore"):
        key = mix(np.uint64(seed) ^ (np.uint64(stream) * np.uint64(0xD1B54A32D192ED03)))
        return mix(key ^ np.asarray(rows, dtype=np.uint64))


def first_centres(X, rows):
    """Spark's `random` initialisation as Brasa draws it: the k rows with the smallest
    (bits, row number), in that order."""
    keys = bits(SEED, KMEANS_INIT_STREAM, rows)
    order = np.lexsort((rows, keys))[:K]
    return X[order].copy()


def load(path):
    df = pd.read_parquet(path, columns=NUMERIC + ["plan", "contract", "churned"])
    rows = np.arange(len(df), dtype=np.uint64)
    train = unit(SEED, FOLDS_STREAM, rows) < TRAIN_RATIO
    # The page's job skips rows with a NULL feature; churned is not read.
    valid = df[NUMERIC].notna().all(axis=1).to_numpy()
    X, _ = churn_matrix(df[valid])
    return X, rows[valid], train[valid]


def fit(X, rows):
    return KMeans(K, init=first_centres(X, rows), n_init=1, max_iter=MAX_ITER, tol=0.0, algorithm="lloyd").fit(X)


def validate_and_refit(X, rows, train):
    model = fit(X[train], rows[train])
    model.predict(X[~train])
    final = fit(X, rows)
    final.predict(X)
    return final


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    X, rows, train = load(path)
    print(f"data: {X.shape[0]} rows, {int(train.sum())} training rows", file=sys.stderr)
    times, final = [], None
    with threadpool_limits(THREADS):
        for _ in range(runs):
            start = time.perf_counter()
            final = validate_and_refit(X, rows, train)
            times.append(time.perf_counter() - start)
    sizes = sorted(int(n) for n in np.bincount(final.labels_, minlength=K))
    print(json.dumps({
        "sklearn_version": sklearn.__version__,
        "seconds": float(np.median(times)),
        "iterations": int(final.n_iter_),
        "cluster_sizes": sizes,
        "inertia": float(final.inertia_),
    }))


if __name__ == "__main__":
    main()
