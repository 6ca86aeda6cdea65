//! LogisticRegression's cross-validation natively: `churned` from 11 features of the
//! generated 1M-row telecom table (six numeric columns and the one-hot plan and
//! contract, rows with a NULL skipped), regParam {0, 0.01, 0.1, 1} × elasticNetParam
//! {0, 0.5, 1}, 5 folds (Brasa's fold assignment, seed 42): 60 fold fits and the 12
//! refits in one `fit_many` call, on one thread and on two.
//!
//! `cargo bench --bench logistic_grid` (`BENCH_ROWS=100000` for a smaller table).

use std::hint::black_box;

use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use brasa::datagen::telecom_table;
use brasa::job::JobContext;
use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout, Subset};
use brasa::ml::logistic::{fit_many, FitTask, LogisticRegressionParams};
use brasa::random::{unit, Stream};
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;

const PARTITION_ROWS: usize = 40_000;
const SEED: u64 = 42;
const FOLDS: u16 = 5;
const NUMERIC: [&str; 6] = [
    "age",
    "income",
    "tenure_months",
    "data_gb",
    "support_tickets",
    "monthly_spend",
];
const PLANS: [&str; 3] = ["standard", "premium", "unlimited"];
const CONTRACTS: [&str; 2] = ["one-year", "two-year"];

/// One partition's training rows: 11 features then the label, with Brasa's folds.
fn prepare(batch: &RecordBatch, first: u64) -> Prepared {
    let numeric: Vec<_> = NUMERIC
        .iter()
        .map(|name| {
            let column = batch.column_by_name(name).unwrap();
            arrow_cast::cast(column, &DataType::Float64).unwrap()
        })
        .collect();
    let plan = batch
        .column_by_name("plan")
        .unwrap()
        .as_string::<i32>()
        .clone();
    let contract = batch
        .column_by_name("contract")
        .unwrap()
        .as_string::<i32>()
        .clone();
    let churned = batch
        .column_by_name("churned")
        .unwrap()
        .as_boolean()
        .clone();
    let width = NUMERIC.len() + PLANS.len() + CONTRACTS.len() + 1;
    let mut values = Vec::new();
    let mut row_numbers = Vec::new();
    for i in 0..batch.num_rows() {
        if numeric.iter().any(|c| c.is_null(i)) || churned.is_null(i) {
            continue;
        }
        for c in &numeric {
            values.push(c.as_primitive::<Float64Type>().value(i));
        }
        for p in PLANS {
            values.push((plan.value(i) == p) as u8 as f64);
        }
        for c in CONTRACTS {
            values.push((contract.value(i) == c) as u8 as f64);
        }
        values.push(churned.value(i) as u8 as f64);
        row_numbers.push(first + i as u64);
    }
    let groups = row_numbers
        .iter()
        .map(|&r| ((unit(SEED, Stream::Folds, r) * FOLDS as f64) as u16).min(FOLDS - 1))
        .collect();
    Prepared {
        rows: AssembledRows {
            values: Array2::from_shape_vec((row_numbers.len(), width), values).unwrap(),
            row_numbers,
        },
        groups,
        layout: RowLayout {
            features: width - 1,
            label: true,
            weight: false,
            validation: false,
        },
    }
}

/// The 12 grid points × (5 folds + the refit).
fn tasks() -> Vec<FitTask> {
    let mut tasks = Vec::new();
    for reg_param in [0.0, 0.01, 0.1, 1.0] {
        for elastic_net_param in [0.0, 0.5, 1.0] {
            let params = LogisticRegressionParams {
                reg_param,
                elastic_net_param,
                ..Default::default()
            };
            for held_out in (0..FOLDS).map(Some).chain([None]) {
                tasks.push(FitTask {
                    params: params.clone(),
                    subset: Subset {
                        folds: FOLDS,
                        held_out,
                    },
                });
            }
        }
    }
    tasks
}

fn bench(c: &mut Criterion) {
    let rows = std::env::var("BENCH_ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let table = telecom_table(SEED, rows, PARTITION_ROWS).unwrap();
    let mut first = 0;
    let parts: Vec<Prepared> = table
        .partitions()
        .unwrap()
        .iter()
        .map(|batch| {
            let part = prepare(batch, first);
            first += batch.num_rows() as u64;
            part
        })
        .collect();
    let tasks = tasks();
    let mut group = c.benchmark_group(format!("logistic_{rows}_rows"));
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_function(format!("grid_12x5_{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(fit_many(&parts, 2, &tasks, &JobContext::default()).unwrap())
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
