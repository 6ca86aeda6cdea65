"""Loads Brasa's exported MLflow models the three ways a user would, in one Python process
(Spark's JVM starts once for all of them), and prints what each gives as one JSON line
after `BRASA_MODELS `.

Usage: check_mlflow_models.py MANIFEST.json

The manifest lists models: {"name", "path" (the MLflow model directory), "csv" (rows to
score), "columns" (the signature's columns, read from the CSV with their pandas types),
"uri" (optional: a models:/ URI to load through the tracking URI "mlruns")}. For each:
`mlflow.models.get_model_info`, `mlflow.pyfunc.load_model(...).predict`, and
`pyspark.ml.PipelineModel.load(<path>/sparkml).transform(df)`'s prediction and
predictedLabel columns.
"""
import json
import math
import os
import sys

import mlflow
import mlflow.pyfunc
import pandas as pd
from pyspark.ml import PipelineModel
from pyspark.sql import SparkSession

PANDAS_TYPES = {"long": "int64", "integer": "int32", "double": "float64", "float": "float32", "boolean": "bool", "string": "object"}


def number(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def frame(model, info):
    """The CSV's signature columns, typed as the signature says."""
    inputs = json.loads(info.signature.to_dict()["inputs"]) if info.signature else []
    types = {c["name"]: PANDAS_TYPES.get(c["type"], "object") for c in inputs}
    df = pd.read_csv(model["csv"], dtype={c: ("float64" if t.startswith("int") else t) for c, t in types.items() if t != "object"}, keep_default_na=True)
    df = df[[c["name"] for c in inputs]]
    for c, t in types.items():
        if t.startswith("int"):
            df[c] = df[c].astype(t)
        elif t == "object":
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def main():
    manifest = json.load(open(sys.argv[1]))
    spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
    out = {"mlflow": mlflow.__version__, "models": {}}
    for model in manifest["models"]:
        info = mlflow.models.get_model_info(model["path"])
        df = frame(model, info)
        pyfunc = mlflow.pyfunc.load_model(model["path"])
        predicted = [number(v) for v in pyfunc.predict(df)]
        pipeline = PipelineModel.load(os.path.join(model["path"], "sparkml"))
        scored = pipeline.transform(spark.createDataFrame(df))
        columns = scored.columns
        rows = scored.collect()
        result = {
            "flavors": sorted(info.flavors),
            "sparkClass": info.flavors["spark"]["model_class"],
            "signatureInputs": [c["name"] for c in json.loads(info.signature.to_dict()["inputs"])],
            "stages": [type(s).__name__ for s in pipeline.stages],
            "pyfunc": predicted,
            "spark": [number(r["prediction"]) for r in rows],
            "predictedLabel": [r["predictedLabel"] for r in rows] if "predictedLabel" in columns else None,
        }
        if model.get("uri"):
            mlflow.set_tracking_uri(model["trackingUri"])
            result["byUri"] = [number(v) for v in mlflow.pyfunc.load_model(model["uri"]).predict(df)]
        out["models"][model["name"]] = result
    print("BRASA_MODELS " + json.dumps(out), flush=True)


main()
