"""The reference side of the tree benchmark (`cargo bench --bench trees`).

    python tests/bench/trees_reference.py <telecom_1000000.csv> [runs]

Reads the generated table the bench builds in memory (`brasa-datagen`, seed 42: the same
rows), keeps the rows without a NULL in the features or the label, and assembles the
bench's 11 features: the six numeric columns, then `plan` one-hot over standard /
premium / unlimited and `contract` over one-year / two-year; label `churned`. Then times,
on 1 and 2 threads, with the settings of the bench:

- LightGBM: 20 boosting rounds, max_depth 5 (at most 32 leaves), max_bin 32, learning
  rate 0.1, no bagging or feature sampling (Spark's GBT defaults), Dataset construction
  (binning) included, as Brasa's time includes its binning;
- scikit-learn `RandomForestClassifier(n_estimators=20, max_depth=5, n_jobs=threads)`
  (bootstrap, sqrt features per split, as Spark's forest defaults).

Prints one JSON object with the median seconds of each, and the training areaUnderROC
of each model as a sanity check.
"""

import json
import sys
import time

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

NUMERIC = ["age", "income", "tenure_months", "data_gb", "support_tickets", "monthly_spend"]
PLANS = ["standard", "premium", "unlimited"]
CONTRACTS = ["one-year", "two-year"]


def data(path):
    df = pd.read_csv(path, usecols=NUMERIC + ["plan", "contract", "churned"])
    df = df.dropna(subset=NUMERIC + ["churned"])
    columns = [df[c].astype(float).to_numpy() for c in NUMERIC]
    columns += [(df["plan"] == p).astype(float).to_numpy() for p in PLANS]
    columns += [(df["contract"] == c).astype(float).to_numpy() for c in CONTRACTS]
    X = np.column_stack(columns)
    y = df["churned"].astype(str).str.lower().eq("true").astype(float).to_numpy()
    return X, y


def lightgbm_fit(X, y, threads):
    params = {
        "objective": "binary",
        "max_depth": 5,
        "num_leaves": 32,
        "max_bin": 32,
        "learning_rate": 0.1,
        "min_data_in_leaf": 1,
        "min_sum_hessian_in_leaf": 0.0,
        "lambda_l2": 0.0,
        "num_threads": threads,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }
    dataset = lgb.Dataset(X, label=y, params={"max_bin": 32, "verbose": -1})
    return lgb.train(params, dataset, num_boost_round=20)


def forest_fit(X, y, threads):
    return RandomForestClassifier(n_estimators=20, max_depth=5, n_jobs=threads, random_state=42).fit(X, y)


def median_seconds(fit, runs):
    times, model = [], None
    for _ in range(runs):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    X, y = data(path)
    print(f"data: {X.shape[0]} rows x {X.shape[1]} features, {int(y.sum())} churned", file=sys.stderr)
    result = {"rows": int(X.shape[0])}
    for threads in (1, 2):
        seconds, booster = median_seconds(lambda: lightgbm_fit(X, y, threads), runs)
        result[f"lightgbm_{threads}_threads_s"] = seconds
        result["lightgbm_train_auc"] = float(roc_auc_score(y, booster.predict(X)))
        seconds, forest = median_seconds(lambda: forest_fit(X, y, threads), runs)
        result[f"sklearn_forest_{threads}_threads_s"] = seconds
        result["sklearn_forest_train_auc"] = float(roc_auc_score(y, forest.predict_proba(X)[:, 1]))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
