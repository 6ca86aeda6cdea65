"""The reference side of the training benchmark (issue 5), natively in Python.

    python tests/bench/cv_reference.py <telecom_N.parquet> [runs]

The job: LinearRegression on the generated telecom table (label monthly_spend, five
numeric features, rows with a NULL skipped), regParam {0, 0.01, 0.1, 1} x elasticNetParam
{0, 0.5, 1}, 5-fold cross-validation on RMSE with Brasa's folds (seed 42) passed as
explicit indices, then the best point refitted on all rows.

- scikit-learn: GridSearchCV(n_jobs=2) over Spark's objective mapped onto Ridge / Lasso /
  ElasticNet (tests/fixtures/ml/make_ml_fixtures.py), at scikit-learn's default tolerance.
- the floor: the exact answer from one pass of NumPy (per fold: count, mean, centred
  X'X, X'y) and 60 small solves (Cholesky, or covariance coordinate descent for L1).

Prints one JSON object: the median seconds of each and the best point each found.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures" / "ml"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from brasa_random import folds  # noqa: E402
from grid_search import ENET, REG, grid_search  # noqa: E402
from make_ml_fixtures import SparkLinearRegression  # noqa: E402

FEATURES = ["age", "income", "tenure_months", "data_gb", "support_tickets"]
LABEL = "monthly_spend"
FOLDS, SEED = 5, 42


def load(path):
    df = pd.read_parquet(path, columns=FEATURES + [LABEL])
    rows = np.arange(len(df), dtype=np.uint64)
    fold = folds(SEED, FOLDS, rows)
    valid = df.notna().all(axis=1).to_numpy()
    X = df.loc[valid, FEATURES].to_numpy(dtype=np.float64)
    y = df.loc[valid, LABEL].to_numpy(dtype=np.float64)
    return X, y, fold[valid]


def sklearn_grid(X, y, fold):
    return grid_search(SparkLinearRegression(tol=1e-4), X, y, fold, FOLDS, "neg_root_mean_squared_error")


def moments(Z):
    mean = Z.mean(axis=0)
    C = Z - mean
    return len(Z), mean, C.T @ C


def solve(n, mean, C, lam, alpha):
    """Spark's objective (standardization on) from one fold complement's moments."""
    p = len(mean) - 1
    std = np.sqrt(np.diag(C) / n)
    sx, sy = std[:p], std[p]
    A = C[:p, :p] / n / np.outer(sx, sx)
    b = C[:p, p] / n / sx / sy
    l1, l2 = alpha * lam / sy, (1 - alpha) * lam / sy
    if l1 == 0:
        w = np.linalg.solve(A + l2 * np.eye(p), b)
    else:
        w = np.zeros(p)
        for _ in range(10_000):
            largest = 0.0
            for j in range(p):
                rho = b[j] - A[j] @ w + A[j, j] * w[j]
                new = np.sign(rho) * max(abs(rho) - l1, 0.0) / (A[j, j] + l2)
                largest = max(largest, abs(new - w[j]))
                w[j] = new
            if largest <= 1e-13 * max(np.abs(w).max(), 1e-300):
                break
    coef = w * sy / sx
    return coef, mean[p] - coef @ mean[:p]


def floor_grid(X, y, fold):
    Z = np.column_stack([X, y])
    parts = [moments(Z[fold == f]) for f in range(FOLDS)]

    def merged(indices):
        n = sum(parts[i][0] for i in indices)
        mean = sum(parts[i][0] * parts[i][1] for i in indices) / n
        C = sum(parts[i][2] + parts[i][0] * np.outer(parts[i][1] - mean, parts[i][1] - mean) for i in indices)
        return n, mean, C

    scores = []
    for lam in REG:
        for alpha in ENET:
            rmse = []
            for f in range(FOLDS):
                coef, intercept = solve(*merged([g for g in range(FOLDS) if g != f]), lam, alpha)
                n, mean, C = parts[f]
                r_mean = mean[-1] - intercept - coef @ mean[:-1]
                v = np.append(-coef, 1.0)
                rmse.append(np.sqrt((v @ C @ v) / n + r_mean**2))
            scores.append(((lam, alpha), np.mean(rmse)))
    (lam, alpha), _ = min(scores, key=lambda s: s[1])
    solve(*merged(range(FOLDS)), lam, alpha)
    return {"regParam": lam, "elasticNetParam": alpha}


def timed(job, runs, *args):
    seconds, answer = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answer = job(*args)
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds)), seconds, answer


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    X, y, fold = load(path)
    sk, sk_runs, sk_best = timed(sklearn_grid, max(1, min(runs, 3)), X, y, fold)
    fl, fl_runs, fl_best = timed(floor_grid, runs, X, y, fold)
    print(
        json.dumps(
            {
                "rows": int(len(y)),
                "sklearn": {"seconds": sk, "runs": sk_runs, "best": sk_best},
                "floor": {"seconds": fl, "runs": fl_runs, "best": fl_best},
            }
        )
    )


if __name__ == "__main__":
    main()
