"""PySpark's side of the LogisticRegression benchmark: the same job in Spark local[2].

    python tests/bench/logistic_pyspark.py <telecom_N.parquet> [runs]

The job is `logistic_reference.py`'s (and the page's): `churned` from the 11 features
(six numeric columns, one-hot plan and contract), rows with a NULL skipped, regParam
{0, 0.01, 0.1, 1} x elasticNetParam {0, 0.5, 1}, 5-fold CrossValidator on logLoss with
Brasa's folds (seed 42) given as Spark's `foldCol`, `parallelism=2`, then the best point
refitted on all rows (CrossValidator does that itself). The rows are prepared by the same
`load` as scikit-learn's, handed to Spark through Arrow, assembled and cached before the
clock starts: only `CrossValidator.fit` is timed, as only training is timed in the page.

Needs the venv of `scripts/setup.sh --tests` (PySpark 4.3, Java 17). Prints one JSON
object: PySpark's version, the median seconds and the best point.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from local_spark import local_spark  # noqa: E402
from grid_search import ENET, REG  # noqa: E402
from logistic_reference import CONTRACTS, FOLDS, NUMERIC, PLANS, load  # noqa: E402


def main():
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
    from pyspark import __version__ as version

    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    X, y, fold = load(path)
    columns = NUMERIC + [f"plan_{p}" for p in PLANS] + [f"contract_{c}" for c in CONTRACTS]
    frame = pd.DataFrame(X, columns=columns)
    frame["label"] = y
    frame["fold"] = fold.astype(np.int32)

    spark = local_spark("brasa-bench-logistic")
    try:
        rows = VectorAssembler(inputCols=columns, outputCol="features").transform(spark.createDataFrame(frame))
        rows = rows.select("features", "label", "fold").cache()
        rows.count()
        estimator = LogisticRegression(featuresCol="features", labelCol="label")
        grid = ParamGridBuilder().addGrid(estimator.regParam, REG).addGrid(estimator.elasticNetParam, ENET).build()
        evaluator = MulticlassClassificationEvaluator(metricName="logLoss", labelCol="label")
        validator = CrossValidator(
            estimator=estimator,
            estimatorParamMaps=grid,
            evaluator=evaluator,
            numFolds=FOLDS,
            foldCol="fold",
            parallelism=2,
        )
        seconds, best = [], None
        for _ in range(runs):
            start = time.perf_counter()
            model = validator.fit(rows)
            seconds.append(time.perf_counter() - start)
            point = grid[int(np.argmin(model.avgMetrics))]
            best = {"regParam": point[estimator.regParam], "elasticNetParam": point[estimator.elasticNetParam]}
    finally:
        spark.stop()
    print(json.dumps({"version": version, "rows": int(len(y)), "seconds": float(np.median(seconds)), "runs": seconds, "best": best}))


if __name__ == "__main__":
    main()
