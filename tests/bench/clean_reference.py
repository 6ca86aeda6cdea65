"""The cleaning benchmark's reference side: the same work as Brasa in pandas.

    python3 tests/bench/clean_reference.py <telecom_N.parquet> [runs]

- profile: per column the NULL count, distinct count, and for numbers min, max, mean, std
  and the five quantiles, for strings the ten most frequent values (what Brasa's profile
  computes; pandas does it column by column, several passes);
- pipeline: filter tenure_months > 0, fill age/income/data_gb/monthly_spend with their
  mean (age truncated to int, as Spark), index region/plan/contract by descending
  frequency (ties alphabetical, NULL as numLabels), drop last_active.

Prints one JSON object: the median seconds of each over `runs` runs (after a warm-up).
"""

import json
import statistics
import sys
import time

import numpy as np
import pandas as pd

QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


def profile(df: pd.DataFrame) -> dict:
    out = {}
    for name in df.columns:
        column = df[name]
        entry = {"nulls": int(column.isna().sum()), "distinct": int(column.nunique())}
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            entry.update(min=column.min(), max=column.max(), mean=column.mean(), std=column.std(),
                         quantiles=column.quantile(QUANTILES, interpolation="higher").tolist())
        else:
            entry["top"] = column.value_counts().head(10).to_dict()
        out[name] = entry
    return out


def index_by_frequency(column: pd.Series) -> pd.Series:
    counts = column.value_counts()
    labels = sorted(counts.index, key=lambda label: (-counts[label], label))
    mapping = {label: float(i) for i, label in enumerate(labels)}
    return column.map(mapping).fillna(float(len(labels)))


def pipeline(df: pd.DataFrame) -> pd.DataFrame:
    out = df[df["tenure_months"] > 0]
    fills = {}
    for name in ["age", "income", "data_gb", "monthly_spend"]:
        mean = out[name].mean()
        fills[name] = np.trunc(mean) if name == "age" else mean
    out = out.fillna(fills)
    for name in ["region", "plan", "contract"]:
        out[f"{name}_index"] = index_by_frequency(out[name])
    return out.drop(columns=["last_active"])


def timed(fn, df, runs):
    fn(df)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(df)
        seconds.append(time.perf_counter() - start)
    return {"seconds": statistics.median(seconds), "runs": seconds}


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    df = pd.read_parquet(path)
    print(json.dumps({"rows": len(df), "profile": timed(profile, df, runs), "pipeline": timed(pipeline, df, runs)}))


if __name__ == "__main__":
    main()
