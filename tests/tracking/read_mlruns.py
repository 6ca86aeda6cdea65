"""Reads an mlruns/ tree with the real MLflow (file store) and prints what MLflow sees as
JSON: experiments, their runs (params, tags, every metric's history, dataset inputs,
artifact paths) and the registered models with their versions and aliases.

Usage: read_mlruns.py DIR   (DIR holds mlruns/; artifact locations are relative to it)
"""
import json
import os
import sys

os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

import mlflow  # noqa: E402
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402

root = os.path.abspath(sys.argv[1])
os.chdir(root)
uri = "file://" + os.path.join(root, "mlruns")
client = MlflowClient(tracking_uri=uri, registry_uri=uri)
mlflow.set_tracking_uri(uri)
mlflow.set_registry_uri(uri)


def artifacts(run_id, path=None):
    out = []
    for item in client.list_artifacts(run_id, path):
        out.extend(artifacts(run_id, item.path) if item.is_dir else [item.path])
    return out


def dataset_input(d):
    return {
        "name": d.dataset.name,
        "digest": d.dataset.digest,
        "context": {t.key: t.value for t in d.tags}.get("mlflow.data.context"),
        "source": json.loads(d.dataset.source),
        "sourceType": d.dataset.source_type,
        "rows": json.loads(d.dataset.profile)["num_rows"],
        "schema": [c["name"] for c in json.loads(d.dataset.schema)["mlflow_colspec"]],
    }


experiments = []
for exp in client.search_experiments(view_type=ViewType.ALL):
    runs = []
    for run in client.search_runs([exp.experiment_id], run_view_type=ViewType.ALL, max_results=50000):
        runs.append({
            "runId": run.info.run_id,
            "runName": run.info.run_name,
            "status": run.info.status,
            "startTime": run.info.start_time,
            "endTime": run.info.end_time,
            "lifecycleStage": run.info.lifecycle_stage,
            "params": run.data.params,
            "tags": {k: v for k, v in run.data.tags.items()},
            "metrics": {
                key: [{"value": m.value, "timestamp": m.timestamp, "step": m.step}
                      for m in client.get_metric_history(run.info.run_id, key)]
                for key in run.data.metrics
            },
            # The dataset inputs as mlflow.get_run gives them (MLflow lists them in no order).
            "inputs": sorted([dataset_input(d) for d in mlflow.get_run(run.info.run_id).inputs.dataset_inputs],
                             key=lambda i: (i["context"] or "", i["name"])),
            "artifacts": sorted(artifacts(run.info.run_id)),
        })
    experiments.append({"experimentId": exp.experiment_id, "name": exp.name,
                        "lifecycleStage": exp.lifecycle_stage, "runs": runs})

models = []
for model in sorted(client.search_registered_models(), key=lambda m: m.name):
    versions = client.search_model_versions(f"name='{model.name}'")
    models.append({
        "name": model.name,
        "description": model.description or "",
        "aliases": {alias: int(client.get_model_version_by_alias(model.name, alias).version) for alias in model.aliases},
        "versions": sorted([{"version": int(v.version), "runId": v.run_id, "source": v.source,
                             "description": v.description or "", "tags": dict(v.tags)} for v in versions],
                           key=lambda v: v["version"]),
    })

# mlflow.search_runs over every experiment: one row per run, with its params as columns.
mlflow.set_tracking_uri(uri)
frame = mlflow.search_runs(search_all_experiments=True, run_view_type=ViewType.ALL, max_results=50000)
search = {
    "runs": len(frame),
    "estimators": sorted({v for v in frame.get("params.estimator", []) if isinstance(v, str)}),
}

json.dump({"mlflow": mlflow.__version__, "experiments": experiments, "models": models, "searchRuns": search},
          sys.stdout, indent=1, sort_keys=True)
