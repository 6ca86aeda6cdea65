//! A 30M-row CSV (2.95 GB) in the page's 4 GB (issue 15): peak memory of loading it,
//! the four SQL benchmark queries and a training job, natively, with the engine told the
//! page's cap.
//!
//! The generated telecom table is streamed from CSV in 16 MB chunks as the page streams a
//! dropped file (the file is never held whole), registered as the page registers a load,
//! queried with the SQL benchmark's four queries (`tests/bench/queries.ts`), profiled
//! (`BENCH_PROFILE=0` to skip), a model is trained on it ([`spec`]), and the tracking's
//! dataset digest of it is computed (`BENCH_DIGEST=0` to skip), as after every training. The table's string columns are
//! stored compact past `frame::compact::COMPACT_BYTES`.
//!
//! ```sh
//! cargo run --release --bin brasa-datagen -- --rows 30000000 --format csv \
//!     --out "$CARGO_TARGET_DIR/bench-data"
//! cargo bench --bench big_csv_memory       # BENCH_ROWS=10000000 for the 10M-row file;
//!                                          # BENCH_TRAIN=0 to skip the training job,
//!                                          # BENCH_MODEL=indexed or tree: see `spec`,
//!                                          # BENCH_COMPACT=1 to store a smaller
//!                                          # table compact too
//! ```
//!
//! Peaks as in `tree_memory`: the bytes the allocator handed out at most at once (what
//! the page's counting allocator sees and wasm linear memory must hold) and the
//! process's peak resident memory, both reset before each step.
//!
//! Figures: BENCHMARKS.md, "A 30M-row CSV in the 4 GB".

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use brasa::clean::StepCache;
use brasa::frame::Catalog;
use brasa::io::csv::{CsvLoader, CsvOptions};
use brasa::io::write::csv_sha256;
use brasa::job::JobContext;
use brasa::ml::job::train_job;
use brasa::ml::tuning::TrainSpec;
use brasa::profile::profile;
use brasa::sql::{query, run_sql};

#[path = "shared/peak_memory.rs"]
mod peak_memory;

use peak_memory::{gb, measured, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The four queries of the SQL benchmark (`tests/bench/queries.ts`).
const QUERIES: [&str; 4] = [
    "SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan",
    "SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100",
    "SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t",
    "SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a",
];

/// Bytes of the file handed to the loader at a time (the page reads 16 MB slices).
const CHUNK: usize = 16 << 20;

fn data_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("BRASA_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_string());
    PathBuf::from(target).join("bench-data")
}

/// The training job (TrainValidationSplit 0.75, rows with a NULL skipped):
/// LinearRegression of `monthly_spend` on five numeric columns (one pass of sufficient
/// statistics, its rows assembled on the pass, read straight from the compact table);
/// `BENCH_MODEL=indexed`: the same with the three string columns indexed by the job's
/// StringIndexer (refitted on the training rows); `BENCH_MODEL=tree`: a
/// DecisionTreeClassifier of `churned` (depth 5) on the five and `monthly_spend`.
fn spec(model: &str) -> TrainSpec {
    let mut features = vec![
        "age",
        "income",
        "tenure_months",
        "data_gb",
        "support_tickets",
    ];
    let (estimator, params, label) = match model {
        "tree" => {
            features.push("monthly_spend");
            (
                "decisionTreeClassifier",
                serde_json::json!({ "maxDepth": 5 }),
                "churned",
            )
        }
        _ => ("linearRegression", serde_json::json!({}), "monthly_spend"),
    };
    let pipeline = (model == "indexed").then(|| {
        features.extend(["region_ix", "plan_ix", "contract_ix"]);
        serde_json::json!({ "version": 1, "steps": [
            { "op": "stringIndexer", "inputCols": ["region", "plan", "contract"],
              "outputCols": ["region_ix", "plan_ix", "contract_ix"], "handleInvalid": "keep" }
        ]})
    });
    serde_json::from_value(serde_json::json!({
        "estimator": estimator,
        "params": params,
        "features": features,
        "label": label,
        "handleInvalid": "skip",
        "grid": [],
        "tuning": { "kind": "trainValidationSplit", "trainRatio": 0.75 },
        "seed": 42,
        "pipeline": pipeline
    }))
    .expect("a valid spec")
}

fn main() {
    let rows: usize = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30_000_000);
    let path = data_dir().join(format!("telecom_{rows}.csv"));
    let Ok(mut file) = std::fs::File::open(&path) else {
        eprintln!(
            "{} is missing: cargo run --release --bin brasa-datagen -- --rows {rows} \
             --format csv --out {}",
            path.display(),
            data_dir().display()
        );
        std::process::exit(1);
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    // The engine budgets against what this program has allocated, as it does in the page.
    brasa::memory::count_in_use_with(peak_memory::live);
    let ctx = JobContext::default();
    println!("{} ({:.2} GB)", path.display(), size as f64 / 1e9);
    let table = measured("load CSV", || {
        let mut chunk = vec![0u8; CHUNK];
        let mut filled = 0;
        while filled < chunk.len() {
            let n = file.read(&mut chunk[filled..]).expect("the file");
            if n == 0 {
                break;
            }
            filled += n;
        }
        let mut loader =
            CsvLoader::new(&chunk[..filled.min(1 << 20)], false, &CsvOptions::default())
                .expect("a CSV head");
        // The page tells the loader the file's size, from which it decides early whether
        // to store the table compact.
        loader.expect_bytes(size);
        loader.push(&chunk[..filled]).expect("a chunk");
        loop {
            let n = file.read(&mut chunk).expect("the file");
            if n == 0 {
                break;
            }
            loader.push(&chunk[..n]).expect("a chunk");
        }
        drop(chunk);
        let (table, _) = loader.finish().expect("the table");
        // Registered as the page registers a load (codes kept or columns compacted);
        // BENCH_COMPACT=1 stores a table below the threshold compact too.
        if std::env::var("BENCH_COMPACT").as_deref() == Ok("1") {
            table.compacted().expect("a compact table")
        } else {
            table.with_key_codes()
        }
    });
    println!(
        "table: {} rows, {} partitions, compact: {}, {:.2} GB in memory, {} live",
        table.num_rows(),
        table.num_partitions(),
        table.is_compact(),
        table.memory_size() as f64 / 1e9,
        gb(peak_memory::live())
    );
    let mut catalog = Catalog::new();
    catalog
        .register("telecom", table, false)
        .expect("a table name");
    run_sql(&mut catalog, "CREATE VIEW t AS SELECT * FROM telecom", &ctx).expect("a view");
    for (i, sql) in QUERIES.iter().enumerate() {
        let out = measured(&format!("Q{}", i + 1), || {
            query(&catalog, sql, &ctx).expect("an answer")
        });
        println!("  {} rows", out.num_rows());
    }
    if std::env::var("BENCH_PROFILE").as_deref() != Ok("0") {
        let table: Arc<brasa::Table> = catalog.get("telecom").expect("the table");
        let report = measured("profile", || profile(&table, &ctx).expect("a profile"));
        println!("  {} columns", report.columns.len());
    }
    if std::env::var("BENCH_TRAIN").as_deref() != Ok("0") {
        let model = std::env::var("BENCH_MODEL").unwrap_or_default();
        let table: Arc<brasa::Table> = catalog.get("telecom").expect("the table");
        let spec = spec(&model);
        let name = format!("{} TVS", spec.estimator.spark_name());
        let result = measured(&name, || {
            train_job(&catalog, &table, &spec, &mut StepCache::default(), &ctx)
        });
        match result {
            Ok(result) => println!(
                "  {} training rows, validation {:?} {:.6}",
                result.rows.train, result.metric, result.grid[0].avg_metric
            ),
            // Refused up front is a result too: say what it needed.
            Err(e) => println!("  refused: {:?}: {}", e.code(), e.message()),
        }
    }
    if std::env::var("BENCH_DIGEST").as_deref() != Ok("0") {
        let table: Arc<brasa::Table> = catalog.get("telecom").expect("the table");
        let digest = measured("dataset digest", || csv_sha256(&table).expect("a digest"));
        println!("  {}", &digest[..16]);
    }
}
