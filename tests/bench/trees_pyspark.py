"""PySpark's side of the tree benchmark: the same fits in Spark local[2].

    python tests/bench/trees_pyspark.py <telecom_1000000.csv> [runs]

The rows and features are `trees_reference.py`'s (and `cargo bench --bench trees`'s):
`churned` from the six numeric columns and one-hot plan and contract, rows with a NULL
skipped, handed to Spark through Arrow, assembled and cached before the clock starts.
Times `GBTClassifier(maxIter=20, maxDepth=5, maxBins=32).fit` and
`RandomForestClassifier(numTrees=20, maxDepth=5, seed=42).fit` (Spark's defaults
otherwise). Needs the venv of `scripts/setup.sh --tests` (PySpark 4.3, Java 17). Prints
one JSON object: PySpark's version and the median seconds of each.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_spark import local_spark  # noqa: E402
from trees_reference import CONTRACTS, NUMERIC, PLANS, data  # noqa: E402


def main():
    from pyspark import __version__ as version
    from pyspark.ml.classification import GBTClassifier, RandomForestClassifier
    from pyspark.ml.feature import VectorAssembler

    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    X, y = data(path)
    columns = NUMERIC + [f"plan_{p}" for p in PLANS] + [f"contract_{c.replace('-', '_')}" for c in CONTRACTS]
    frame = pd.DataFrame(X, columns=columns)
    frame["label"] = y
    spark = local_spark("brasa-bench-trees")
    try:
        rows = VectorAssembler(inputCols=columns, outputCol="features").transform(spark.createDataFrame(frame))
        rows = rows.select("features", "label").cache()
        rows.count()
        result = {"version": version, "rows": int(len(frame))}
        estimators = {
            "gbt": GBTClassifier(maxIter=20, maxDepth=5, maxBins=32),
            "forest": RandomForestClassifier(numTrees=20, maxDepth=5, seed=42),
        }
        for name, estimator in estimators.items():
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                estimator.fit(rows)
                times.append(time.perf_counter() - start)
            result[f"{name}_seconds"] = float(np.median(times))
            print(f"  PySpark {name}: {times}", file=sys.stderr)
        print(json.dumps(result, indent=1))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
