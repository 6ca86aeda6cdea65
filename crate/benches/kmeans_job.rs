//! The page suite's KMeans job (`tests/bench/kmeans_page_spec.json`) natively, through the
//! same `train_job` the Train tab calls: the churn table made by the suite's SQL from the
//! generated telecom table, k = 8 from Spark's `random` start, one grid point under
//! TrainValidationSplit (fit on 75 %, silhouette of the rest, refit on all, silhouette
//! of all). The whole job, not only the Lloyd iterations (`cargo bench --bench kmeans`),
//! so that a profile shows what the page pays for around the fits.
//!
//! `cargo bench --bench kmeans_job` (`BENCH_ROWS=100000` for a smaller table;
//! `BENCH_THREADS=1` for one pool only, e.g. under `perf record`).

#[path = "shared/thread_counts.rs"]
mod thread_counts;

use std::path::Path;
use std::time::Instant;

use brasa::clean::pipeline::StepCache;
use brasa::datagen::telecom_table;
use brasa::job::JobContext;
use brasa::ml::job::train_job;
use brasa::ml::kmeans::KMeansParams;
use brasa::ml::tuning::TrainSpec;
use brasa::sql::run_sql;
use brasa::Catalog;
use serde_json::{json, Value};

const PARTITION_ROWS: usize = 40_000;
const RUNS: usize = 5;

/// The suite's churn table (tests/bench/suite.bench.ts `churnTable`): six numeric
/// columns, plan and contract one-hot without their first category, and the label.
const CHURN_TABLE: &str = "CREATE OR REPLACE TABLE churn AS SELECT age, income, \
    tenure_months, data_gb, support_tickets, monthly_spend, \
    coalesce(CAST(plan = 'standard' AS DOUBLE), 0) AS plan_standard, \
    coalesce(CAST(plan = 'premium' AS DOUBLE), 0) AS plan_premium, \
    coalesce(CAST(plan = 'unlimited' AS DOUBLE), 0) AS plan_unlimited, \
    coalesce(CAST(contract = 'one-year' AS DOUBLE), 0) AS contract_one_year, \
    coalesce(CAST(contract = 'two-year' AS DOUBLE), 0) AS contract_two_year, \
    churned FROM t";

/// The job of kmeans_page_spec.json as the page sends it: the spec's params over
/// KMeans' defaults, no scaler, no test set, no pipeline.
fn spec() -> TrainSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bench/kmeans_page_spec.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let job = &file["job"];
    let mut params = serde_json::to_value(KMeansParams::default()).unwrap();
    for (name, value) in job["params"].as_object().unwrap() {
        params[name] = value.clone();
    }
    let mut spec = job.clone();
    let fields = spec.as_object_mut().unwrap();
    fields.insert("estimator".into(), json!("kMeans"));
    fields.insert("params".into(), params);
    fields.insert("scaler".into(), Value::Null);
    fields.insert("testFraction".into(), json!(0));
    serde_json::from_value(spec).unwrap()
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no other arguments.
    let rows: usize = std::env::var("BENCH_ROWS").map_or(1_000_000, |r| r.parse().unwrap());
    let mut catalog = Catalog::new();
    let table = telecom_table(42, rows, PARTITION_ROWS)
        .unwrap()
        .with_key_codes();
    catalog.register("t", table, false).unwrap();
    run_sql(&mut catalog, CHURN_TABLE, &JobContext::default()).unwrap();
    let churn = catalog.get("churn").unwrap();
    let spec = spec();
    let threads = thread_counts::thread_counts();
    for threads in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut times = Vec::new();
        let mut sizes = Vec::new();
        for _ in 0..=RUNS {
            let started = Instant::now();
            let result = pool.install(|| {
                train_job(
                    &catalog,
                    &churn,
                    &spec,
                    &mut StepCache::default(),
                    &JobContext::default(),
                )
                .unwrap()
            });
            times.push(started.elapsed().as_secs_f64() * 1e3);
            sizes = cluster_sizes(&result);
        }
        times.remove(0); // the warm-up
        times.sort_by(f64::total_cmp);
        println!(
            "kmeans job, {rows} rows, {threads} thread(s): median {:.0} ms (min {:.0}, max {:.0}); cluster sizes {sizes:?}",
            times[RUNS / 2],
            times[0],
            times[RUNS - 1]
        );
    }
}

/// The final model's cluster sizes, smallest first (what the suite compares with
/// scikit-learn's).
fn cluster_sizes(result: &impl serde::Serialize) -> Vec<u64> {
    let value = serde_json::to_value(result).unwrap();
    let mut sizes: Vec<u64> = find(&value, "clusterSizes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    sizes.sort_unstable();
    sizes
}

fn find<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|v| find(v, key))),
        Value::Array(items) => items.iter().find_map(|v| find(v, key)),
        _ => None,
    }
}
