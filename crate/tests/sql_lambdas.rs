//! Higher-order functions over many rows of arrays of different lengths give what a
//! row-by-row computation gives: `aggregate` folds a batch a step at a time (longest
//! arrays first), `array_sort` ranks all pairs at once, `filter` and `transform` evaluate
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
    for batch in table.partitions() {
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
