"""Loads Brasa's exported MLflow models the three ways a user would, in one Python process
(Spark's JVM starts once for all of them), and prints what each gives as one JSON line
after `BRASA_MODELS `.

Usage: check_mlflow_models.py MANIFEST.json

The manifest lists models: {"name", "path" (the MLflow model directory), "csv" (rows to
score; the signature's columns are read from it with their pandas types)}. For each:
`mlflow.models.get_model_info`, `mlflow.pyfunc.load_model(...).predict`, and
`pyspark.ml.PipelineModel.load(<path>/sparkml).transform(df)`'s prediction,
predictedLabel and probability columns, and with "keys" (column names) each scored row's values of them
joined by `|`, to compare the rows kept. A model with "uri" and "root" is also loaded by that URI
(`models:/name@alias`) from the mlruns/ tree in root, by pyfunc and by PipelineModel.load of
the version's downloaded artifacts. A model with "serve" is served by
`mlflow models serve --env-manager local` on a loopback port, by its URI when it has one
(started first, so that its start overlaps the other checks) and asked for its predictions at /invocations. A model
with "resave" (a directory) has its loaded PipelineModel saved there again by Spark
(`write().save`), as a user's PySpark would, for Brasa's import to read back.
"""
import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

import mlflow  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import pandas as pd  # noqa: E402
from pyspark.ml import PipelineModel  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registry(model):
    """The mlruns/ export's tracking URI, for a model with "uri" and "root" (its artifact
    locations are relative to the folder holding mlruns/, so its users run from there)."""
    return "file://" + os.path.join(model["root"], "mlruns")


def start_server(model):
    port = free_port()
    log = open(os.path.join(os.path.dirname(model["path"]), "serve.log"), "w")
    # The server runs `uvicorn` from PATH: the venv's, as when the venv is activated.
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    cwd = None
    if model.get("uri"):
        # As a user serves a registered model: `-m models:/name@alias` from the export.
        source, cwd = model["uri"], model["root"]
        env["MLFLOW_TRACKING_URI"] = registry(model)
    else:
        source = model["path"]
    command = [sys.executable, "-m", "mlflow", "models", "serve", "-m", source, "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)]
    # Its own process group: the server's workers stop with it (stop_server).
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env, cwd=cwd), port


def stop_server(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def ask_server(server, port, df, timeout=300):
    """The served model's predictions for df, once /ping answers."""
    deadline = time.time() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"mlflow models serve exited with {server.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=5).read()
            break
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(1)
    body = json.dumps({"dataframe_split": json.loads(df.to_json(orient="split", index=False))}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body, headers={"Content-Type": "application/json"})
    answer = json.loads(urllib.request.urlopen(request, timeout=timeout).read())
    return [number(v) for v in answer["predictions"]]


def main():
    manifest = json.load(open(sys.argv[1]))
    served = [m for m in manifest["models"] if m.get("serve")]
    servers = {m["name"]: start_server(m) for m in served}
    try:
        check(manifest, servers)
    finally:
        for server, _ in servers.values():
            stop_server(server)


def check(manifest, servers):
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
        if model.get("resave"):
            pipeline.write().overwrite().save(model["resave"])
        result = {
            "flavors": sorted(info.flavors),
            "sparkClass": info.flavors["spark"]["model_class"],
            "signatureInputs": [c["name"] for c in json.loads(info.signature.to_dict()["inputs"])],
            "stages": [type(s).__name__ for s in pipeline.stages],
            "pyfunc": predicted,
            "spark": [number(r["prediction"]) for r in rows],
            "predictedLabel": [r["predictedLabel"] for r in rows] if "predictedLabel" in columns else None,
            "probability": [[float(p) for p in r["probability"]] for r in rows] if "probability" in columns else None,
            "keys": ["|".join(str(r[k]) for k in model["keys"]) for r in rows] if model.get("keys") else None,
        }
        if model.get("uri"):
            os.chdir(model["root"])
            mlflow.set_tracking_uri(registry(model))
            mlflow.set_registry_uri(registry(model))
            result["byUri"] = [number(v) for v in mlflow.pyfunc.load_model(model["uri"]).predict(df)]
            # Spark's own load of the registered version, as the README shows it.
            local = mlflow.artifacts.download_artifacts(model["uri"])
            by_spark = PipelineModel.load(os.path.join(local, "sparkml")).transform(spark.createDataFrame(df))
            result["sparkByUri"] = [number(r["prediction"]) for r in by_spark.collect()]
        if model["name"] in servers:
            server, port = servers[model["name"]]
            try:
                started = time.time()
                result["served"] = ask_server(server, port, df)
                result["serveWaitSeconds"] = round(time.time() - started, 1)
            finally:
                stop_server(server)
        out["models"][model["name"]] = result
    print("BRASA_MODELS " + json.dumps(out), flush=True)


main()
