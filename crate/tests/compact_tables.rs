//! A table stored compact (low-cardinality string columns as codes and each partition's
//! values, `frame::compact`) gives exactly the answers of the same table stored plain:
//! SQL, the profile, cleaning steps and a training job, at several partitionings, on the
//! generated telecom table (its `region` has NULLs; `plan` and `contract` do not).
#![cfg(not(target_arch = "wasm32"))]

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_select::concat::concat_batches;
use brasa::clean::{run_pipeline, PipelineSpec, StepCache};
use brasa::job::JobContext;
use brasa::ml::job::train_job;
use brasa::ml::tuning::TrainSpec;
use brasa::sql::{query, run_sql};
use brasa::{Catalog, Table};

const ROWS: usize = 6_000;

/// The queries of the SQL benchmark and more that read the string columns every way:
/// grouping, DISTINCT, joins, comparisons, functions, sorting, windows, CTAS.
const QUERIES: [&str; 16] = [
    "SELECT region, plan, count(*), avg(monthly_spend), sum(data_gb) FROM t WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan",
    "SELECT customer_id, monthly_spend FROM t WHERE churned AND support_tickets > 2 ORDER BY monthly_spend DESC LIMIT 100",
    "SELECT count(DISTINCT region), min(signup_date), max(signup_date), stddev(income) FROM t",
    "SELECT count(*) FROM t JOIN (SELECT region, avg(monthly_spend) a FROM t GROUP BY region) r USING (region) WHERE t.monthly_spend > r.a",
    "SELECT DISTINCT region, contract FROM t ORDER BY region, contract",
    "SELECT region, count(*) FROM t GROUP BY region ORDER BY region NULLS FIRST",
    "SELECT upper(plan), length(contract), concat(region, '-', plan) AS k FROM t ORDER BY customer_id LIMIT 50",
    "SELECT count(*) FROM t WHERE region = 'north' AND plan <> 'basic'",
    "SELECT count(*) FROM t WHERE region IS NULL OR contract LIKE '%year%'",
    "SELECT plan, contract, count(*) AS n FROM t GROUP BY ROLLUP (plan, contract) ORDER BY plan, contract",
    "SELECT customer_id, region, rank() OVER (PARTITION BY region ORDER BY monthly_spend DESC) AS r FROM t ORDER BY customer_id LIMIT 200",
    "SELECT region, plan FROM t ORDER BY region DESC NULLS LAST, plan, customer_id LIMIT 300",
    "SELECT a.plan, count(*) FROM t a JOIN t b ON a.customer_id = b.customer_id AND a.region = b.region GROUP BY a.plan ORDER BY a.plan",
    "SELECT coalesce(region, 'none') AS r, max(plan), min(contract) FROM t GROUP BY 1 ORDER BY 1",
    "SELECT * FROM t WHERE customer_id % 97 = 3 ORDER BY customer_id",
    "SELECT count(DISTINCT region), count(DISTINCT plan), approx_count_distinct(contract) FROM t",
];

/// The generated table in `partitions` partitions, plain and compact.
fn tables(partitions: usize) -> (Table, Table) {
    let plain = brasa::datagen::telecom_table(7, ROWS, ROWS)
        .unwrap()
        .repartition(partitions)
        .unwrap();
    let compact = plain.clone().compacted().unwrap();
    assert!(compact.is_compact() && !plain.is_compact());
    assert!(
        compact.memory_size() + 30 * ROWS < plain.memory_size(),
        "compact {} vs plain {} bytes",
        compact.memory_size(),
        plain.memory_size()
    );
    (plain, compact)
}

fn all_rows(table: &Table) -> RecordBatch {
    concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap()
}

fn catalog_of(table: &Table) -> Catalog {
    let mut catalog = Catalog::new();
    catalog.register("t", table.clone(), false).unwrap();
    catalog
}

#[test]
fn sql_answers_are_the_same() {
    let ctx = JobContext::default();
    for partitions in [1, 3, 16] {
        let (plain, compact) = tables(partitions);
        let (mut plain, mut compact) = (catalog_of(&plain), catalog_of(&compact));
        assert!(compact.get("t").unwrap().is_compact());
        for sql in QUERIES {
            let want = all_rows(&query(&plain, sql, &ctx).unwrap());
            let got = all_rows(&query(&compact, sql, &ctx).unwrap());
            assert_eq!(got, want, "{sql} ({partitions} partitions)");
            assert!(want.num_rows() > 0, "{sql}");
        }
        // A table made from a compact one by SQL answers the same too.
        let ctas = "CREATE TABLE u AS SELECT region, plan, monthly_spend FROM t WHERE age > 30";
        run_sql(&mut plain, ctas, &ctx).unwrap();
        run_sql(&mut compact, ctas, &ctx).unwrap();
        let sql =
            "SELECT plan, region, sum(monthly_spend) FROM u GROUP BY plan, region ORDER BY 1, 2";
        assert_eq!(
            all_rows(&query(&compact, sql, &ctx).unwrap()),
            all_rows(&query(&plain, sql, &ctx).unwrap())
        );
        // Windows of rows (the page's table view) across partitions.
        let (p, c) = (plain.get("t").unwrap(), compact.get("t").unwrap());
        for (offset, len) in [(0, 10), (ROWS / 3 - 5, 1000), (ROWS - 3, 10)] {
            assert_eq!(
                c.window(offset, len).unwrap(),
                p.window(offset, len).unwrap()
            );
        }
    }
}

#[test]
fn profiles_are_the_same() {
    let ctx = JobContext::default();
    for partitions in [1, 5] {
        let (plain, compact) = tables(partitions);
        let want = serde_json::to_string(&brasa::profile::profile(&plain, &ctx).unwrap()).unwrap();
        let got = serde_json::to_string(&brasa::profile::profile(&compact, &ctx).unwrap()).unwrap();
        assert_eq!(got, want, "{partitions} partitions");
        assert!(want.contains("\"north\""), "{want}");
    }
}

fn pipeline(steps: serde_json::Value) -> PipelineSpec {
    serde_json::from_value(serde_json::json!({ "version": 1, "steps": steps })).unwrap()
}

#[test]
fn cleaning_gives_the_same_tables() {
    let ctx = JobContext::default();
    let spec = pipeline(serde_json::json!([
        { "op": "fillna", "values": { "region": "unknown" } },
        { "op": "filter", "condition": "plan <> 'basic' OR age > 40" },
        { "op": "withColumn", "column": "key", "expr": "concat(region, '/', contract)" },
        { "op": "stringIndexer", "inputCols": ["region", "plan", "contract", "key"],
          "outputCols": ["region_ix", "plan_ix", "contract_ix", "key_ix"] },
        { "op": "dropDuplicates", "subset": ["region", "plan", "churned"] }
    ]));
    for partitions in [1, 4, 9] {
        let (plain, compact) = tables(partitions);
        let run = |table: &Table| {
            let catalog = catalog_of(table);
            let source = Arc::new(table.clone());
            run_pipeline(
                &catalog,
                &source,
                &spec,
                &mut StepCache::default(),
                false,
                &ctx,
            )
            .unwrap()
        };
        let (want, got) = (run(&plain), run(&compact));
        assert_eq!(
            all_rows(&got.output),
            all_rows(&want.output),
            "{partitions} partitions"
        );
        assert_eq!(
            serde_json::to_string(&got.fitted).unwrap(),
            serde_json::to_string(&want.fitted).unwrap()
        );
        assert!(
            got.output.is_compact(),
            "a cleaned compact table stays compact"
        );
    }
}

#[test]
fn training_gives_the_same_model_and_metrics() {
    let ctx = JobContext::default();
    let spec: TrainSpec = serde_json::from_value(serde_json::json!({
        "estimator": "decisionTreeClassifier",
        "params": { "maxDepth": 4 },
        "features": ["age", "income", "tenure_months", "monthly_spend", "region_ix", "plan_ix", "contract_ix"],
        "label": "churned_n",
        "handleInvalid": "skip",
        "grid": [],
        "tuning": { "kind": "trainValidationSplit", "trainRatio": 0.75 },
        "seed": 42,
        "pipeline": { "version": 1, "steps": [
            { "op": "withColumn", "column": "churned_n", "expr": "CAST(churned AS DOUBLE)" },
            { "op": "stringIndexer", "inputCols": ["region", "plan", "contract"],
              "outputCols": ["region_ix", "plan_ix", "contract_ix"], "handleInvalid": "keep" }
        ]}
    }))
    .unwrap();
    for partitions in [1, 6] {
        let (plain, compact) = tables(partitions);
        let train = |table: &Table| {
            train_job(
                &catalog_of(table),
                &Arc::new(table.clone()),
                &spec,
                &mut StepCache::default(),
                &ctx,
            )
            .unwrap()
        };
        let (want, got) = (train(&plain), train(&compact));
        assert_eq!(
            serde_json::to_value(&got.model).unwrap(),
            serde_json::to_value(&want.model).unwrap()
        );
        assert_eq!(got.validation_metrics, want.validation_metrics);
        assert_eq!(got.train_metrics, want.train_metrics);
        assert_eq!(got.rows, want.rows);
    }
}
