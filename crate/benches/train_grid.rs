//! The training benchmark of issue 5 natively: LinearRegression over a 12-point grid with
//! 5-fold CrossValidator (`tests/bench/cv_spec.json`) on the generated 1M-row telecom
//! table, on one thread and on all threads.
//!
//! `cargo bench --bench train_grid` — the in-browser figures, next to scikit-learn and the
//! NumPy floor, come from `npm run bench` and are in BENCHMARKS.md.
//!
//! The same grid with a cleaning pipeline (Imputer on `age`, StringIndexer +
//! OneHotEncoder on `plan` and `region`) twice: refitted on each fold's training rows
//! (Spark's CrossValidator over a `Pipeline`) and, for the cost of that, already fitted
//! (applied once, the model tuned on its output).

use std::hint::black_box;

use std::sync::Arc;

use brasa::clean::{run_pipeline, PipelineSpec, StepCache};
use brasa::datagen::telecom_table;
use brasa::frame::Catalog;
use brasa::job::JobContext;
use brasa::ml::job::train_job;
use brasa::ml::tuning::{train, TrainSpec};

use criterion::{criterion_group, criterion_main, Criterion};

const ROWS: usize = 1_000_000;
const PARTITION_ROWS: usize = 40_000;

fn bench(c: &mut Criterion) {
    let table = telecom_table(42, ROWS, PARTITION_ROWS).unwrap();
    let spec: TrainSpec =
        serde_json::from_str(include_str!("../../tests/bench/cv_spec.json")).unwrap();
    let mut group = c.benchmark_group("train_1m_rows");
    group.sample_size(10);
    for threads in [1, 0] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let name = format!("grid_12x5_{}_threads", pool.current_num_threads());
        group.bench_function(name, |b| {
            b.iter(|| {
                pool.install(|| black_box(train(&table, &spec, &JobContext::default()).unwrap()))
            })
        });
    }
    group.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let table = Arc::new(telecom_table(42, ROWS, PARTITION_ROWS).unwrap());
    let mut spec: TrainSpec =
        serde_json::from_str(include_str!("../../tests/bench/cv_spec.json")).unwrap();
    let pipeline: PipelineSpec = serde_json::from_str(
        r#"{"version":1,"steps":[
            {"op":"imputer","inputCols":["age"],"outputCols":["age"]},
            {"op":"stringIndexer","inputCols":["plan","region"],"outputCols":["plan_i","region_i"],"handleInvalid":"skip"},
            {"op":"oneHotEncoder","inputCols":["plan_i","region_i"],"outputCols":["plan_v","region_v"]}
        ]}"#,
    )
    .unwrap();
    let catalog = Catalog::new();
    let ctx = JobContext::default();
    let fitted = run_pipeline(
        &catalog,
        &table,
        &pipeline,
        &mut StepCache::default(),
        false,
        &ctx,
    )
    .unwrap()
    .fitted;
    let cleaned = run_pipeline(
        &catalog,
        &table,
        &fitted,
        &mut StepCache::default(),
        false,
        &ctx,
    )
    .unwrap()
    .output;
    spec.features.extend(
        cleaned
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .filter(|n| n.starts_with("plan_v_") || n.starts_with("region_v_")),
    );
    let mut group = c.benchmark_group("train_1m_rows_with_pipeline");
    group.sample_size(10);
    for (name, steps) in [("refitted_per_fold", pipeline), ("fitted_once", fitted)] {
        let spec = TrainSpec {
            pipeline: Some(steps),
            ..spec.clone()
        };
        for threads in [1, 0] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let id = format!("{name}_{}_threads", pool.current_num_threads());
            group.bench_function(id, |b| {
                b.iter(|| {
                    pool.install(|| {
                        black_box(
                            train_job(&catalog, &table, &spec, &mut StepCache::default(), &ctx)
                                .unwrap(),
                        )
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_pipeline);
criterion_main!(benches);
