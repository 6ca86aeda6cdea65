//! Peak memory of the tree ensembles' tuning jobs at 10M rows × 20 features (issue 14's
//! memory goal: the page has 4 GB of wasm memory, the table included).
//!
//! The generated telecom table is read from Parquet, 20 numeric features are made from it
//! by SQL (`CREATE TABLE features AS SELECT ...`), the source table is dropped, and then
//! each job runs alone: RandomForestClassifier (20 trees, depth 5) and GBTClassifier (20
//! iterations, depth 5) as one grid point under TrainValidationSplit (trainRatio 0.75,
//! `handleInvalid` skip), the page's tree jobs (`tests/bench/trees_spec.json`) on wider
//! rows.
//!
//! ```sh
//! cargo run --release --bin brasa-datagen -- --rows 10000000 --format parquet \
//!     --out "$CARGO_TARGET_DIR/bench-data"
//! cargo bench --bench tree_memory        # BENCH_ROWS=1000000 for the 1M-row file,
//!                                        # BENCH_ONLY=forest or gbt for one job
//! ```
//!
//! The engine is told what this program has allocated (`memory::count_in_use_with`), so
//! its jobs plan against the same 4 GB as in the page (natively nothing is counted).
//! Two peaks per step, both reset before it: the bytes the allocator handed out at most
//! at once (what the page's counting allocator sees, and what wasm linear memory must
//! hold), and the process's peak resident memory (`VmHWM`, reset through
//! `/proc/self/clear_refs`; Linux only). The data is never committed: `BRASA_BENCH_DATA`
//! names its folder (default `$CARGO_TARGET_DIR/bench-data`, else `target/bench-data`).
//!
//! Figures: BENCHMARKS.md, "Memory at 10M rows × 20 features".

use std::path::PathBuf;

use brasa::frame::Catalog;
use brasa::io::parquet::read_parquet;
use brasa::job::JobContext;
use brasa::ml::tuning::{train, TrainSpec};
use brasa::sql::run_sql;

#[path = "shared/peak_memory.rs"]
mod peak_memory;

use peak_memory::{gb, measured, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 20 numeric features (the six numeric columns, ratios and products of them, and the
/// plan and contract as 0/1 columns) and the label.
const FEATURES: [(&str, &str); 20] = [
    ("age", "CAST(age AS DOUBLE)"),
    ("income", "income"),
    ("tenure", "CAST(tenure_months AS DOUBLE)"),
    ("data_gb", "data_gb"),
    ("tickets", "CAST(support_tickets AS DOUBLE)"),
    ("spend", "monthly_spend"),
    ("spend_per_gb", "monthly_spend / (data_gb + 1)"),
    ("income_per_age", "income / age"),
    ("spend_share", "monthly_spend * 12 / (income + 1)"),
    (
        "tickets_per_year",
        "support_tickets * 12.0 / (tenure_months + 1)",
    ),
    ("lifetime_spend", "monthly_spend * tenure_months"),
    ("gb_per_year", "data_gb * 12.0 / (tenure_months + 1)"),
    ("age_squared", "CAST(age * age AS DOUBLE)"),
    ("log_income", "ln(income + 1)"),
    ("sqrt_data", "sqrt(data_gb)"),
    (
        "plan_standard",
        "CASE WHEN plan = 'standard' THEN 1.0 ELSE 0.0 END",
    ),
    (
        "plan_premium",
        "CASE WHEN plan = 'premium' THEN 1.0 ELSE 0.0 END",
    ),
    (
        "plan_unlimited",
        "CASE WHEN plan = 'unlimited' THEN 1.0 ELSE 0.0 END",
    ),
    (
        "one_year",
        "CASE WHEN contract = 'one-year' THEN 1.0 ELSE 0.0 END",
    ),
    (
        "two_year",
        "CASE WHEN contract = 'two-year' THEN 1.0 ELSE 0.0 END",
    ),
];

fn job(estimator: &str, grid: &str) -> TrainSpec {
    let features: Vec<String> = FEATURES.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    serde_json::from_str(&format!(
        r#"{{
            "estimator": "{estimator}",
            "params": {{}},
            "features": [{}],
            "label": "churned",
            "handleInvalid": "skip",
            "grid": {grid},
            "tuning": {{ "kind": "trainValidationSplit", "trainRatio": 0.75 }},
            "metric": "areaUnderROC",
            "seed": 42
        }}"#,
        features.join(", ")
    ))
    .expect("a valid spec")
}

fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("BRASA_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    PathBuf::from(target).join("bench-data")
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10_000_000);
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let path = data_dir().join(format!("telecom_{rows}.parquet"));
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "{} is missing: cargo run --release --bin brasa-datagen -- --rows {rows} \
             --format parquet --out {}",
            path.display(),
            data_dir().display()
        );
        std::process::exit(1);
    };
    // The engine budgets against what this program has allocated, as it does in the page.
    brasa::memory::count_in_use_with(peak_memory::live);
    let ctx = JobContext::default();
    let mut catalog = Catalog::new();
    let (source, _) = measured("read Parquet", || {
        read_parquet(bytes).expect("a valid file")
    });
    catalog
        .register("telecom", source, false)
        .expect("a table name");
    let columns: Vec<String> = FEATURES
        .iter()
        .map(|(name, sql)| format!("{sql} AS {name}"))
        .collect();
    let sql = format!(
        "CREATE TABLE features AS SELECT {}, CAST(churned AS DOUBLE) AS churned FROM telecom",
        columns.join(", ")
    );
    measured("features by SQL", || {
        run_sql(&mut catalog, &sql, &ctx).expect("the features")
    });
    catalog.drop_table("telecom").expect("the source table");
    let table = catalog.get("features").expect("the feature table");
    println!(
        "feature table: {} rows × {} columns, {} live",
        table.num_rows(),
        table.schema().fields().len(),
        gb(peak_memory::live())
    );
    let jobs = [
        (
            "forest",
            "RandomForestClassifier",
            job(
                "randomForestClassifier",
                r#"[{ "param": "numTrees", "values": [20] }, { "param": "maxDepth", "values": [5] }]"#,
            ),
        ),
        (
            "gbt",
            "GBTClassifier",
            job(
                "gbtClassifier",
                r#"[{ "param": "maxIter", "values": [20] }, { "param": "maxDepth", "values": [5] }]"#,
            ),
        ),
    ];
    for (key, name, spec) in jobs {
        if !only.is_empty() && only != key {
            continue;
        }
        let result = measured(&format!("{name} TVS"), || {
            train(&table, &spec, &ctx).expect("a trained model")
        });
        println!(
            "  {} training rows, validation areaUnderROC {:.6}",
            result.rows.train, result.grid[0].avg_metric
        );
    }
}
