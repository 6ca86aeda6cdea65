//! The four SQL queries of issue 3 natively on the generated 1M-row telecom table, in
//! partitions the size the CSV reader makes, on one thread and on all threads.
//!
//! `cargo bench --bench sql_queries` — the in-browser figures (against DuckDB-WASM) come
//! from `npm run bench` and are in BENCHMARKS.md.

use std::hint::black_box;

use brasa::datagen::telecom_table;
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::Catalog;
use criterion::{criterion_group, criterion_main, Criterion};

const ROWS: usize = 1_000_000;
const PARTITION_ROWS: usize = 40_000;

pub const QUERIES: [&str; 4] = [
    "SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan",
    "SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100",
    "SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t",
    "SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a",
];

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    catalog
        .register(
            "t",
            telecom_table(42, ROWS, PARTITION_ROWS)
                .unwrap()
                .with_key_codes(),
            false,
        )
        .unwrap();
    catalog
}

fn bench(c: &mut Criterion) {
    let mut catalog = catalog();
    let pools = [
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap(),
        rayon::ThreadPoolBuilder::new().build().unwrap(),
    ];
    let mut group = c.benchmark_group("sql_1m_rows");
    group.sample_size(10);
    for (i, sql) in QUERIES.iter().enumerate() {
        for pool in &pools {
            let name = format!("q{}_{}_threads", i + 1, pool.current_num_threads());
            group.bench_function(name, |b| {
                b.iter(|| {
                    pool.install(|| {
                        match run_sql(&mut catalog, sql, &JobContext::default()).unwrap() {
                            SqlOutput::Rows(t) => black_box(t.num_rows()),
                            SqlOutput::Done(_) | SqlOutput::Plan(_) => 0,
                        }
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
