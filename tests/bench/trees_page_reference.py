"""The reference side of the page suite's tree jobs (tests/bench/trees_spec.json).

    python tests/bench/trees_page_reference.py <telecom_N.parquet> [runs]

The page trains each tree ensemble as one grid point under TrainValidationSplit
(trainRatio 0.75, seed 42): it fits on the training rows, scores the validation rows
(areaUnderROC), refits on every row and scores them for the result's charts. This does
the same work on the same rows, with Brasa's split (`brasa_random.unit`, the folds'
stream: a row trains when its uniform is below 0.75), on 2 threads:

- LightGBM with the settings of `trees_reference.py` (20 rounds, max_depth 5, max_bin 32);
- scikit-learn `RandomForestClassifier(n_estimators=20, max_depth=5, n_jobs=2)`.

Prints one JSON object: per job the median seconds and the validation areaUnderROC.
"""

import json
import sys
import time
from pathlib import Path

import lightgbm
import numpy as np
import pandas as pd
import sklearn
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brasa_random import FOLDS_STREAM, unit  # noqa: E402
from logistic_reference import NUMERIC, churn_matrix  # noqa: E402
from trees_reference import forest_fit, lightgbm_fit  # noqa: E402

SEED, TRAIN_RATIO, THREADS = 42, 0.75, 2


def load(path):
    df = pd.read_parquet(path, columns=NUMERIC + ["plan", "contract", "churned"])
    train = unit(SEED, FOLDS_STREAM, np.arange(len(df), dtype=np.uint64)) < TRAIN_RATIO
    valid = df[NUMERIC + ["churned"]].notna().all(axis=1).to_numpy()
    X, y = churn_matrix(df[valid])
    return X, y, train[valid]


def validate_and_refit(fit, score, X, y, train):
    """TrainValidationSplit of one point: fit, validate, refit on all rows, score them."""
    model = fit(X[train], y[train])
    auc = roc_auc_score(y[~train], score(model, X[~train]))
    roc_auc_score(y, score(fit(X, y), X))
    return auc


def median_run(job, runs):
    times, auc = [], None
    for _ in range(runs):
        start = time.perf_counter()
        auc = job()
        times.append(time.perf_counter() - start)
    return {"seconds": float(np.median(times)), "validation_auc": float(auc)}


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    X, y, train = load(path)
    print(f"data: {X.shape[0]} rows, {int(train.sum())} training rows", file=sys.stderr)
    result = {
        "lightgbm_version": lightgbm.__version__,
        "sklearn_version": sklearn.__version__,
        "gbt": median_run(lambda: validate_and_refit(
            lambda X, y: lightgbm_fit(X, y, THREADS), lambda m, X: m.predict(X), X, y, train), runs),
        "forest": median_run(lambda: validate_and_refit(
            lambda X, y: forest_fit(X, y, THREADS), lambda m, X: m.predict_proba(X)[:, 1], X, y, train), runs),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
