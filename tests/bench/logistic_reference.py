"""The reference side of the LogisticRegression benchmark, natively in Python.

    python tests/bench/logistic_reference.py <telecom_N.parquet> [runs]

The job (as `crate/benches/logistic_grid.rs`): `churned` from 11 features of the
generated telecom table (age, income, tenure_months, data_gb, support_tickets,
monthly_spend, and one-hot plan and contract; rows with a NULL skipped), regParam
{0, 0.01, 0.1, 1} x elasticNetParam {0, 0.5, 1}, 5-fold cross-validation with Brasa's folds
(seed 42) passed as explicit indices, then the best point refitted on all rows.

scikit-learn: GridSearchCV(n_jobs=2) over Spark's objective mapped onto
LogisticRegression (tests/fixtures/ml/make_logistic_fixtures.py: features divided by
their sample std, C = 1/(λ·n), l1_ratio = α; lbfgs without L1, saga with it), at
scikit-learn's default tolerance and iteration limit, scored by log-loss.

Prints one JSON object: the median seconds and the best point found.
"""

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from brasa_random import folds  # noqa: E402
from grid_search import grid_search  # noqa: E402

NUMERIC = ["age", "income", "tenure_months", "data_gb", "support_tickets", "monthly_spend"]
PLANS = ["standard", "premium", "unlimited"]
CONTRACTS = ["one-year", "two-year"]
FOLDS, SEED = 5, 42


def load(path):
    df = pd.read_parquet(path, columns=NUMERIC + ["plan", "contract", "churned"])
    rows = np.arange(len(df), dtype=np.uint64)
    fold = folds(SEED, FOLDS, rows)
    valid = df[NUMERIC + ["churned"]].notna().all(axis=1).to_numpy()
    X, y = churn_matrix(df[valid])
    return X, y, fold[valid]


def churn_matrix(df):
    """The features Brasa's churn job assembles (the numbers, then plan and contract
    one-hot with Spark's dropLast), and the label, of rows that have them all."""
    X = np.column_stack(
        [df[NUMERIC].to_numpy(dtype=np.float64)]
        + [(df["plan"] == p).to_numpy(dtype=np.float64) for p in PLANS]
        + [(df["contract"] == c).to_numpy(dtype=np.float64) for c in CONTRACTS]
    )
    return X, df["churned"].to_numpy(dtype=np.float64)


class SparkLogisticRegression(ClassifierMixin, BaseEstimator):
    """Spark's LogisticRegression objective (standardization on) through scikit-learn."""

    def __init__(self, reg_param=0.0, elastic_net_param=0.0):
        self.reg_param = reg_param
        self.elastic_net_param = elastic_net_param

    def fit(self, X, y):
        sigma = X.std(axis=0, ddof=1)
        self.scale_ = np.where(sigma > 0, sigma, 1.0)
        lam, alpha = self.reg_param, self.elastic_net_param
        l1 = lam > 0 and alpha > 0
        self.model_ = LogisticRegression(
            C=np.inf if lam == 0 else 1 / (lam * len(y)),
            l1_ratio=alpha if lam > 0 else 0.0,
            solver="saga" if l1 else "lbfgs",
        ).fit(X / self.scale_, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X / self.scale_)

    def predict(self, X):
        return self.model_.predict(X / self.scale_)


def sklearn_grid(X, y, fold):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return grid_search(SparkLogisticRegression(), X, y, fold, FOLDS, "neg_log_loss")


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    X, y, fold = load(path)
    seconds, best = [], None
    for _ in range(runs):
        start = time.perf_counter()
        best = sklearn_grid(X, y, fold)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"rows": int(len(y)), "seconds": float(np.median(seconds)), "runs": seconds, "best": best}))


if __name__ == "__main__":
    main()
