//! KMeans' benchmark: 1M rows × 11 features, k = 8, 20 Lloyd iterations from the same
//! initial centres (the first 8 rows), on one thread and on two.
//!
//! `cargo bench --bench kmeans`; scikit-learn's time on the same rows comes from
//! `python tests/bench/kmeans_reference.py`, which generates them the same way.
//!
//! The rows: 8 Gaussian blobs (centres ~ N(0, 5²) per feature, noise ~ N(0, 3²)), close
//! enough that Lloyd does not converge within 20 iterations, so both sides do the same
//! work. Normal draws are Irwin–Hall (four uniforms) and every uniform is splitmix64 of a
//! counter: plain arithmetic that NumPy reproduces bit for bit.

use std::hint::black_box;

use brasa::job::JobContext;
use brasa::ml::assemble::AssembledRows;
use brasa::ml::dataset::{Prepared, RowLayout, Subset};
use brasa::ml::kmeans::{fit_from_centers, KMeansParams};
use brasa::random::mix;
use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;

const ROWS: usize = 1_000_000;
const FEATURES: usize = 11;
const K: usize = 8;
const PARTITION_ROWS: usize = 40_000;
const SEED: u64 = 2024;

/// The `n`-th uniform in [0, 1).
fn uniform(n: u64) -> f64 {
    (mix(mix(SEED) ^ n) >> 11) as f64 / (1u64 << 53) as f64
}

/// A standard normal draw (Irwin–Hall: four uniforms, rescaled) from uniforms `4n..4n+4`.
fn normal(n: u64) -> f64 {
    let sum = uniform(4 * n) + uniform(4 * n + 1) + uniform(4 * n + 2) + uniform(4 * n + 3);
    (sum - 2.0) * 3f64.sqrt()
}

/// Feature `f` of row `row`.
fn value(centres: &[f64], row: u64, f: usize) -> f64 {
    let blob = (uniform(row * 16 + 15) * K as f64) as usize;
    centres[blob * FEATURES + f] + 3.0 * normal(row * 16 + f as u64)
}

fn data() -> Vec<Prepared> {
    // Centres draw from counters past every row's.
    let centres: Vec<f64> = (0..(K * FEATURES) as u64)
        .map(|i| 5.0 * normal((1 << 40) + i))
        .collect();
    let layout = RowLayout {
        features: FEATURES,
        label: false,
        weight: false,
        validation: false,
    };
    (0..ROWS)
        .step_by(PARTITION_ROWS)
        .map(|first| {
            let rows = PARTITION_ROWS.min(ROWS - first);
            let row_numbers: Vec<u64> = (first as u64..(first + rows) as u64).collect();
            let values: Vec<f64> = row_numbers
                .iter()
                .flat_map(|&row| (0..FEATURES).map(move |f| (row, f)))
                .map(|(row, f)| value(&centres, row, f))
                .collect();
            Prepared {
                rows: AssembledRows {
                    values: Array2::from_shape_vec((rows, FEATURES), values).unwrap(),
                    row_numbers,
                },
                groups: vec![0; rows],
                layout,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let parts = data();
    let first = parts[0].rows.values.as_slice().unwrap();
    let initial: Vec<Vec<f64>> = first[..K * FEATURES]
        .chunks(FEATURES)
        .map(<[f64]>::to_vec)
        .collect();
    let checksum: f64 = parts.iter().flat_map(|p| p.rows.values.iter()).sum();
    eprintln!(
        "data: {ROWS} rows, sum of values {checksum:.6}, first value {}",
        first[0]
    );
    let params = KMeansParams {
        k: K,
        max_iter: 20,
        tol: 0.0,
        ..KMeansParams::default()
    };
    let all = Subset {
        folds: 1,
        held_out: None,
    };
    let mut group = c.benchmark_group("kmeans_1m_rows_11_features_k8");
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let model = pool
            .install(|| fit_from_centers(&parts, &initial, &params, all, &JobContext::default()))
            .unwrap();
        eprintln!(
            "{threads} threads: {} iterations, cost {}",
            model.num_iter, model.training_cost
        );
        group.bench_function(format!("20_iterations_{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(
                        fit_from_centers(&parts, &initial, &params, all, &JobContext::default())
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
