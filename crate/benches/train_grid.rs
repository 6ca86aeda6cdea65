//! The training benchmark of issue 5 natively: LinearRegression over a 12-point grid with
//! 5-fold CrossValidator (`tests/bench/cv_spec.json`) on the generated 1M-row telecom
//! table, on one thread and on all threads.
//!
//! `cargo bench --bench train_grid` — the in-browser figures, next to scikit-learn and the
//! NumPy floor, come from `npm run bench` and are in BENCHMARKS.md.

use std::hint::black_box;

use brasa::datagen::telecom_table;
use brasa::job::JobContext;
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

criterion_group!(benches, bench);
criterion_main!(benches);
