//! Higher-order functions over many rows of arrays of different lengths give what a
//! row-by-row computation gives: `aggregate` folds a batch a step at a time (longest
//! arrays first), `array_sort` merge-sorts every array at once, `filter` and `transform` evaluate
//! their lambdas once over every element (Spark's answers for single rows are in
//! `sql_spark_functions.rs`).
#![cfg(not(target_arch = "wasm32"))]

use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::Catalog;

/// Folds, sorts and lambdas over many rows of different lengths give what a row-by-row
/// computation gives (the batch is folded a step at a time, longest arrays first).
#[test]
fn lambdas_over_many_rows_match_row_by_row_answers() {
    let mut catalog = Catalog::new();
    let ctx = JobContext::default();
    let sql = "SELECT id, aggregate(sequence(1, id % 7 + 1), CAST(id AS BIGINT), (acc, x) -> acc * 3 + x - id) AS folded, \
               array_sort(sequence(1, id % 5 + 1), (l, r) -> CAST((l % 3) - (r % 3) AS INT)) AS sorted, \
               transform(filter(sequence(0, id % 6), (x, i) -> i % 2 = 0), x -> x * id) AS picked \
               FROM (SELECT CAST(n AS BIGINT) AS id FROM (SELECT explode(sequence(0, 299)) AS n)) ORDER BY id";
    let table = match run_sql(&mut catalog, sql, &ctx) {
        Ok(SqlOutput::Rows(table)) => table,
        Ok(_) => panic!("expected rows"),
        Err(e) => panic!("{}", e.message()),
    };
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    let mut id = 0i64;
    for batch in table.partitions().unwrap().iter() {
        let folded = batch.column(1).as_primitive::<Int64Type>();
        let sorted = batch.column(2).as_list::<i32>();
        let picked = batch.column(3).as_list::<i32>();
        for row in 0..batch.num_rows() {
            let mut acc = id;
            for x in 1..=id % 7 + 1 {
                acc = acc * 3 + x - id;
            }
            assert_eq!(folded.value(row), acc, "aggregate for {id}");
            let mut want: Vec<i64> = (1..=id % 5 + 1).collect();
            want.sort_by_key(|v| v % 3);
            let got: Vec<i64> = sorted
                .value(row)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec();
            assert_eq!(got, want, "array_sort for {id}");
            let want: Vec<i64> = (0..=id % 6).step_by(2).map(|x| x * id).collect();
            let got: Vec<i64> = picked
                .value(row)
                .as_primitive::<Int64Type>()
                .values()
                .to_vec();
            assert_eq!(got, want, "filter and transform for {id}");
            id += 1;
        }
    }
    assert_eq!(id, 300);
}

/// A long array sorts by a comparator in `O(n log n)` comparator calls (a merge sort over
/// the whole batch at once), stably, as `sort_array` and a stable sort by key give.
#[test]
fn array_sort_of_a_long_array_is_fast_and_stable() {
    let mut catalog = Catalog::new();
    let ctx = JobContext::default();
    let sql = "SELECT array_sort(a, (l, r) -> CASE WHEN l < r THEN -1 WHEN l > r THEN 1 ELSE 0 END) AS sorted, sort_array(a) AS want, \
               array_sort(a, (l, r) -> CAST(l % 100 - r % 100 AS INT)) AS by_key, a \
               FROM (SELECT transform(sequence(0, 19999 + id), i -> (i * 7919 + id) % 10007) AS a \
                     FROM (SELECT explode(sequence(0, 2)) AS id))";
    let started = std::time::Instant::now();
    let table = match run_sql(&mut catalog, sql, &ctx) {
        Ok(SqlOutput::Rows(table)) => table,
        Ok(_) => panic!("expected rows"),
        Err(e) => panic!("{}", e.message()),
    };
    assert!(
        started.elapsed().as_secs() < 60,
        "took {:?}",
        started.elapsed()
    );
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    let mut rows = 0;
    for batch in table.partitions().unwrap().iter() {
        let sorted = batch.column(0).as_list::<i32>();
        let sort_array = batch.column(1).as_list::<i32>();
        let by_key = batch.column(2).as_list::<i32>();
        let input = batch.column(3).as_list::<i32>();
        for row in 0..batch.num_rows() {
            assert_eq!(
                sorted.value(row).as_primitive::<Int32Type>().values(),
                sort_array.value(row).as_primitive::<Int32Type>().values(),
                "array_sort = sort_array"
            );
            let mut want: Vec<i32> = input
                .value(row)
                .as_primitive::<Int32Type>()
                .values()
                .to_vec();
            assert!(want.len() >= 20_000);
            want.sort_by_key(|v| v % 100);
            let got = by_key.value(row);
            assert_eq!(got.as_primitive::<Int32Type>().values().to_vec(), want);
            rows += 1;
        }
    }
    assert_eq!(rows, 3);
}

/// An inconsistent comparator still gives a permutation of the array (Java may give any
/// order, or fail with "Comparison method violates its general contract").
#[test]
fn array_sort_with_an_inconsistent_comparator_gives_a_permutation() {
    let mut catalog = Catalog::new();
    let ctx = JobContext::default();
    let sql = "SELECT array_sort(a, (l, r) -> CAST((l * 31 + r * 17) % 3 - 1 AS INT)) AS s, a \
               FROM (SELECT transform(sequence(0, 999 + id), i -> (i * 7919) % 1009) AS a \
                     FROM (SELECT explode(sequence(0, 3)) AS id))";
    let table = match run_sql(&mut catalog, sql, &ctx) {
        Ok(SqlOutput::Rows(table)) => table,
        Ok(_) => panic!("expected rows"),
        Err(e) => panic!("{}", e.message()),
    };
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int32Type;
    for batch in table.partitions().unwrap().iter() {
        let (s, a) = (
            batch.column(0).as_list::<i32>(),
            batch.column(1).as_list::<i32>(),
        );
        for row in 0..batch.num_rows() {
            let mut got = s.value(row).as_primitive::<Int32Type>().values().to_vec();
            let mut want = a.value(row).as_primitive::<Int32Type>().values().to_vec();
            got.sort();
            want.sort();
            assert_eq!(got, want);
        }
    }
}
