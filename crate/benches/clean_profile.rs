//! The cleaning benchmark of issue 4 natively: the profile of the generated 1M-row
//! telecom table, and a 4-step pipeline (filter, Imputer on 4 columns, StringIndexer on 3,
//! drop 1; `tests/bench/clean_pipeline.json`), on one thread and on all threads.
//!
//! `cargo bench --bench clean_profile` — the in-browser figures come from `npm run bench`
//! and are in BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Arc;

use brasa::clean::{run_pipeline, PipelineSpec, StepCache};
use brasa::datagen::telecom_table;
use brasa::frame::Catalog;
use brasa::job::JobContext;
use brasa::profile::profile;

use criterion::{criterion_group, criterion_main, Criterion};

const ROWS: usize = 1_000_000;
const PARTITION_ROWS: usize = 40_000;

fn bench(c: &mut Criterion) {
    let table = Arc::new(telecom_table(42, ROWS, PARTITION_ROWS).unwrap());
    let spec =
        PipelineSpec::from_json(include_str!("../../tests/bench/clean_pipeline.json")).unwrap();
    let catalog = Catalog::new();
    let mut group = c.benchmark_group("clean_1m_rows");
    group.sample_size(10);
    for threads in [1, 0] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let n = pool.current_num_threads();
        group.bench_function(format!("profile_{n}_threads"), |b| {
            b.iter(|| pool.install(|| black_box(profile(&table, &JobContext::default()).unwrap())))
        });
        group.bench_function(format!("pipeline_4_steps_{n}_threads"), |b| {
            b.iter(|| {
                // A fresh cache each time: every step is computed.
                let mut cache = StepCache::default();
                pool.install(|| {
                    black_box(
                        run_pipeline(
                            &catalog,
                            &table,
                            &spec,
                            &mut cache,
                            false,
                            &JobContext::default(),
                        )
                        .unwrap(),
                    )
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
