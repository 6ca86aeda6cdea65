//! Window frames computed by sliding (running sums, monotonic queues) against the frame's
//! definition computed directly, row by row, on a larger table than the Spark fixtures:
//! 2,000 rows of generated values (multiples of 0.25, so double sums are exact) with ties
//! and NULLs, at 1 and 5 partitions. Spark's semantics themselves are pinned by
//! `sql_spark_queries.rs`; this pins that sliding equals recomputing on wide frames.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use brasa::job::JobContext;
use brasa::sql::query;
use brasa::{Catalog, Table};

const ROWS: usize = 2000;

/// Rows of (id, g, k, x): id unique, g one of 4 partitions, k 0..40 with ties and ~10%
/// NULL, x a multiple of 0.25 with ~10% NULL.
fn data() -> Vec<(i64, i64, Option<i64>, Option<f64>)> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..ROWS as i64)
        .map(|id| {
            let g = (next() % 4) as i64;
            let k = (next() % 10 != 0).then(|| (next() % 40) as i64);
            let x = (next() % 10 != 0).then(|| (next() % 800) as f64 * 0.25 - 100.0);
            (id, g, k, x)
        })
        .collect()
}

fn catalog(partitions: usize) -> Catalog {
    let rows = data();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("g", DataType::Int64, false),
        Field::new("k", DataType::Int64, true),
        Field::new("x", DataType::Float64, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(rows.iter().map(|r| r.2).collect::<Int64Array>()),
            Arc::new(rows.iter().map(|r| r.3).collect::<Float64Array>()),
        ],
    )
    .unwrap();
    let table = Table::try_new(schema, vec![batch])
        .unwrap()
        .repartition(partitions)
        .unwrap();
    let mut catalog = Catalog::new();
    catalog.register("t", table, false).unwrap();
    catalog
}

/// The query's `r` column by id.
fn answers(catalog: &Catalog, sql: &str) -> Vec<Option<f64>> {
    let table = query(catalog, sql, &JobContext::default()).unwrap();
    let mut out = vec![None; ROWS];
    for batch in table.partitions().unwrap().iter() {
        let ids = batch.column(0).as_primitive::<Int64Type>();
        let r = arrow_cast::cast(batch.column(1), &DataType::Float64).unwrap();
        let r = r.as_primitive::<Float64Type>();
        for i in 0..batch.num_rows() {
            out[ids.value(i) as usize] = r.is_valid(i).then(|| r.value(i));
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Agg {
    Sum,
    Count,
    Min,
    Max,
    Avg,
}

fn aggregate(agg: Agg, values: &[f64]) -> Option<f64> {
    let n = values.len() as f64;
    match agg {
        Agg::Count => Some(n),
        _ if values.is_empty() => None,
        Agg::Sum => Some(values.iter().sum()),
        Agg::Avg => Some(values.iter().sum::<f64>() / n),
        Agg::Min => values.iter().copied().reduce(f64::min),
        Agg::Max => values.iter().copied().reduce(f64::max),
    }
}

/// The answer by definition: for each row, the values of the rows of its partition that
/// `in_frame(row, other)` says are in its frame.
fn direct(
    agg: Agg,
    in_frame: impl Fn(
        &(i64, i64, Option<i64>, Option<f64>),
        &(i64, i64, Option<i64>, Option<f64>),
    ) -> bool,
) -> Vec<Option<f64>> {
    let rows = data();
    rows.iter()
        .map(|row| {
            let values: Vec<f64> = rows
                .iter()
                .filter(|o| o.1 == row.1 && in_frame(row, o))
                .filter_map(|o| o.3)
                .collect();
            aggregate(agg, &values)
        })
        .collect()
}

const AGGS: [(Agg, &str); 5] = [
    (Agg::Sum, "sum"),
    (Agg::Count, "count"),
    (Agg::Min, "min"),
    (Agg::Max, "max"),
    (Agg::Avg, "avg"),
];

#[test]
fn rows_frames_slide_as_recomputed() {
    // (preceding, following) offsets from the current row, in rows; None is unbounded.
    let frames: [(Option<i64>, Option<i64>, &str); 5] = [
        (Some(2), Some(0), "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW"),
        (
            Some(50),
            Some(10),
            "ROWS BETWEEN 50 PRECEDING AND 10 FOLLOWING",
        ),
        (
            Some(0),
            Some(300),
            "ROWS BETWEEN CURRENT ROW AND 300 FOLLOWING",
        ),
        (
            Some(10),
            Some(-3),
            "ROWS BETWEEN 10 PRECEDING AND 3 PRECEDING",
        ),
        (
            None,
            Some(0),
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
        ),
    ];
    let rows = data();
    // Position of each row in its partition, ordered by id.
    let mut position = vec![0i64; ROWS];
    let mut seen = [0i64; 4];
    for r in &rows {
        position[r.0 as usize] = seen[r.1 as usize];
        seen[r.1 as usize] += 1;
    }
    for partitions in [1, 5] {
        let catalog = catalog(partitions);
        for (before, after, frame) in frames {
            for (agg, name) in AGGS {
                let sql = format!(
                    "SELECT id, {name}(x) OVER (PARTITION BY g ORDER BY id {frame}) AS r FROM t"
                );
                let want = direct(agg, |row, o| {
                    let (p, q) = (position[row.0 as usize], position[o.0 as usize]);
                    before.is_none_or(|b| q >= p - b) && after.is_none_or(|a| q <= p + a)
                });
                assert_eq!(
                    answers(&catalog, &sql),
                    want,
                    "{sql} ({partitions} partitions)"
                );
            }
        }
    }
}

#[test]
fn range_frames_slide_as_recomputed() {
    for partitions in [1, 5] {
        let catalog = catalog(partitions);
        for (order, frame, lo, hi) in [
            ("k", "RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING", -3, 2),
            ("k DESC", "RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING", -2, 3),
            ("k", "RANGE BETWEEN CURRENT ROW AND 10 FOLLOWING", 0, 10),
        ] {
            for (agg, name) in AGGS {
                let sql = format!(
                    "SELECT id, {name}(x) OVER (PARTITION BY g ORDER BY {order} {frame}) AS r FROM t"
                );
                // Rows with a NULL key are the frame of each other only.
                let want = direct(agg, |row, o| match (row.2, o.2) {
                    (None, None) => true,
                    (Some(v), Some(w)) => w >= v + lo && w <= v + hi,
                    _ => false,
                });
                assert_eq!(
                    answers(&catalog, &sql),
                    want,
                    "{sql} ({partitions} partitions)"
                );
            }
        }
    }
}

/// A window with PARTITION BY over enough rows is computed on groups of window partitions
/// in parallel: the answer is the one a single thread gives, ties in the ORDER BY keys
/// (row_number, lag, first_value among equal keys) and `-0.0` / `0.0` keys included.
#[test]
fn windows_split_over_threads_answer_as_one_thread() {
    let setup = "CREATE TABLE big AS SELECT id, id % 97 AS g, id % 7 AS k, \
                 CAST(id % 40 AS DOUBLE) * 0.25 AS x, \
                 CASE WHEN id % 3 = 0 THEN CAST('-0.0' AS DOUBLE) WHEN id % 3 = 1 THEN 0.0D END AS z \
                 FROM (SELECT explode(sequence(1, 60000)) AS id)";
    let sql = "SELECT id, row_number() OVER (PARTITION BY g ORDER BY k) AS rn, \
               rank() OVER (PARTITION BY g ORDER BY k) AS rk, \
               lag(id) OVER (PARTITION BY g ORDER BY k) AS lg, \
               sum(x) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s, \
               first_value(id) OVER (PARTITION BY g, z ORDER BY k) AS fv, \
               count(*) OVER (PARTITION BY z) AS c FROM big";
    let answer = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut catalog = Catalog::new();
            let ctx = JobContext::default();
            brasa::sql::run_sql(&mut catalog, setup, &ctx).unwrap();
            let table = query(&catalog, sql, &ctx).unwrap();
            table.window(0, table.num_rows()).unwrap()
        })
    };
    let one = answer(1);
    assert_eq!(one.num_rows(), 60_000);
    assert_eq!(answer(2), one);
    // Both zeros are one window partition: 20,000 rows each of -0.0 and 0.0, 20,000 NULL.
    let counts = one.column(6).as_primitive::<Int64Type>();
    assert_eq!(counts.value(0), 40_000);
    assert_eq!(counts.value(1), 20_000);
}

#[test]
fn refolded_frames_agree_with_sliding_ones() {
    // Aggregates folded anew per frame (`exec::window::refold`), each equal by definition
    // to a sliding one over the same frame: over whole partitions, running frames with
    // peers, moving frames and frames that are empty for some rows.
    let frames = [
        "",
        "ORDER BY k",
        "ORDER BY id ROWS BETWEEN 50 PRECEDING AND 10 FOLLOWING",
        "ORDER BY id ROWS BETWEEN 3 FOLLOWING AND 7 FOLLOWING",
        "ORDER BY k RANGE BETWEEN 3 PRECEDING AND 2 FOLLOWING",
    ];
    // `{w}` stands for the window.
    let pairs = [
        ("percentile(x, 1.0) {w}", "max(x) {w}"),
        ("percentile(x, 0.0) {w}", "min(x) {w}"),
        ("count_if(x IS NOT NULL) {w}", "count(x) {w}"),
        ("size(collect_list(x) {w})", "count(x) {w}"),
        ("max_by(x, x) {w}", "max(x) {w}"),
    ];
    for partitions in [1, 5] {
        let catalog = catalog(partitions);
        for frame in frames {
            let window = format!("OVER (PARTITION BY g {frame})");
            for (refolded, sliding) in pairs {
                let query_of =
                    |call: &str| format!("SELECT id, {} AS r FROM t", call.replace("{w}", &window));
                let sql = query_of(refolded);
                let want = answers(&catalog, &query_of(sliding));
                assert_eq!(
                    answers(&catalog, &sql),
                    want,
                    "{sql} ({partitions} partitions)"
                );
            }
        }
    }
}

#[test]
fn frames_too_wide_to_refold_are_refused_before_any_work() {
    let catalog = catalog(1);
    // 2,000 rows, one partition: a running list reads 2,001,000 rows, within the limit...
    let sql = "SELECT id, size(collect_list(x) OVER (ORDER BY id)) AS r FROM t";
    assert_eq!(answers(&catalog, sql).len(), ROWS);
    // ... but 100 copies of the table (200,000 rows) would read 2e10.
    let wide = "SELECT collect_list(a.x) OVER (ORDER BY a.id, b.id) \
                FROM t a CROSS JOIN (SELECT id FROM t LIMIT 100) b";
    let err = query(&catalog, wide, &JobContext::default()).unwrap_err();
    assert!(
        err.message().contains("narrow the frame"),
        "{}",
        err.message()
    );
}
