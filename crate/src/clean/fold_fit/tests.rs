//! The shared pass against each fit's own run (`run_pipeline_part` on its training rows,
//! then on its held-out rows): the same fitted steps to the last bit, the same cleaned
//! rows, and `None` exactly where the fit's own run fails.

use super::*;
use crate::clean::run_pipeline_part;
use crate::testing::{table_in_parts, uniforms};

/// Groups 0..4 are folds, 4 the test set.
const GROUPS: u16 = 5;
const TEST: u16 = 4;

fn group_of(row: usize) -> u16 {
    ((row * 7 + 3) % GROUPS as usize) as u16
}

/// The final refit, then one fit per fold.
fn fits() -> Vec<FitRows> {
    let mut fits = vec![FitRows {
        trains: (0..GROUPS).map(|g| g != TEST).collect(),
        held: TEST,
    }];
    fits.extend((0..TEST).map(|f| FitRows {
        trains: (0..GROUPS).map(|g| g != TEST && g != f).collect(),
        held: f,
    }));
    fits
}

fn groups_of(table: &Table) -> Vec<Vec<u16>> {
    table
        .stored_partitions()
        .iter()
        .zip(table.row_starts())
        .map(|(b, &first)| (first..first + b.num_rows()).map(group_of).collect())
        .collect()
}

/// 60 rows: `age` with NULLs and NaN, `n` with NULLs, `plan` with NULLs and a value seen
/// in two rows only (absent from some fits' training rows), `region` without NULLs,
/// `idx` category indices with a NULL.
fn rows() -> Vec<String> {
    let mut u = uniforms(11, 0.0, 1.0);
    let plans = ["basic", "pro", "basic", "plus", "pro", "basic"];
    let regions = ["north", "south", "east"];
    (0..60)
        .map(|i| {
            let age = match i % 13 {
                3 => String::new(),
                8 => "NaN".to_string(),
                _ => format!("{:.3}", 18.0 + 60.0 * u()),
            };
            let n = if i % 9 == 4 {
                String::new()
            } else {
                format!("{}", (u() * 6.0) as i32)
            };
            let plan = match i {
                17 | 41 => "vip",
                _ if i % 11 == 5 => "",
                _ => plans[(u() * plans.len() as f64) as usize],
            };
            let region = regions[(u() * 3.0) as usize];
            let idx = if i == 23 {
                String::new()
            } else {
                format!("{}", (u() * 4.0) as i32)
            };
            format!("{age},{n},{plan},{region},{idx}")
        })
        .collect()
}

fn table(parts: usize) -> Table {
    let rows = rows();
    let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
    table_in_parts(
        "age:double,n:int,plan:string,region:string,idx:double",
        &refs,
        parts,
    )
}

fn spec(steps: &str) -> PipelineSpec {
    PipelineSpec::from_json(&format!(r#"{{"version":1,"steps":[{steps}]}}"#)).unwrap()
}

/// Rows of `table` whose group `keep` takes, partition by partition.
fn rows_of(table: &Table, keep: &dyn Fn(u16) -> bool) -> Table {
    let groups = groups_of(table);
    let parts = table
        .partitions()
        .unwrap()
        .iter()
        .zip(&groups)
        .map(|(b, g)| {
            let mask: BooleanArray = g.iter().map(|&g| Some(keep(g))).collect();
            arrow_select::filter::filter_record_batch(b, &mask).unwrap()
        })
        .collect();
    Table::try_new(table.schema_arc(), parts).unwrap()
}

/// Each fit's own run: its fitted part and its two cleaned sides, or its error.
fn own_run(
    catalog: &Catalog,
    table: &Table,
    part: &PipelineSpec,
    rows: &FitRows,
) -> Result<(PipelineSpec, Table, Table)> {
    let ctx = JobContext::default();
    let training = Arc::new(rows_of(table, &|g| rows.trains(g)));
    let held = Arc::new(rows_of(table, &|g| g == rows.held));
    let fitted = run_pipeline_part(catalog, &training, part, 0, &ctx)?;
    let applied = run_pipeline_part(catalog, &held, &fitted.fitted, 0, &ctx)?;
    Ok((
        fitted.fitted,
        Table::clone(&fitted.output),
        Table::clone(&applied.output),
    ))
}

fn same_table(a: &Table, b: &Table, what: &str) {
    assert_eq!(a.schema(), b.schema(), "{what}: schema");
    assert_eq!(a.row_starts(), b.row_starts(), "{what}: partitions");
    for (x, y) in a
        .partitions()
        .unwrap()
        .iter()
        .zip(b.partitions().unwrap().iter())
    {
        assert_eq!(x, y, "{what}: rows");
    }
}

/// Checks every fit of `part` on `table` in 1, 3 and 7 partitions; returns how many fits
/// the shared pass cleaned (the others are the fits whose own run fails).
fn check(part: &str, parts_list: &[usize]) -> Vec<usize> {
    check_on(&table, part, parts_list)
}

fn check_on(table: &dyn Fn(usize) -> Table, part: &str, parts_list: &[usize]) -> Vec<usize> {
    let catalog = Catalog::new();
    let ctx = JobContext::default();
    let part = spec(part);
    parts_list
        .iter()
        .map(|&parts| {
            let table = table(parts);
            let shared = FoldFit::new(&catalog, &table, groups_of(&table), fits(), &part, 0, &ctx)
                .unwrap()
                .expect("the part is covered by the shared pass");
            let mut cleaned = 0;
            for (k, rows) in fits().iter().enumerate() {
                let what = format!("{parts} partitions, fit {k}");
                match own_run(&catalog, &table, &part, rows) {
                    Ok((fitted, training, held)) => {
                        assert_eq!(shared.fitted(k), Some(&fitted), "{what}: fitted steps");
                        let (t, h) = shared
                            .sides(&catalog, k, &ctx)
                            .unwrap()
                            .unwrap_or_else(|| panic!("{what}: no sides"));
                        same_table(&t, &training, &format!("{what}, training"));
                        same_table(&h, &held, &format!("{what}, held out"));
                        cleaned += 1;
                    }
                    Err(_) => assert!(
                        shared.sides(&catalog, k, &ctx).unwrap().is_none(),
                        "{what}: its own run fails, so the shared one must defer to it"
                    ),
                }
            }
            cleaned
        })
        .collect()
}

const PARTS: [usize; 3] = [1, 3, 7];

#[test]
fn mean_imputer_then_indexers_and_encoders_keep() {
    let cleaned = check(
        r#"{"op":"imputer","inputCols":["age","n"],"outputCols":["age","n_filled"]},
           {"op":"stringIndexer","inputCols":["plan","region"],"outputCols":["plan_i","region_i"],"handleInvalid":"keep"},
           {"op":"oneHotEncoder","inputCols":["plan_i","region_i"],"outputCols":["plan_v","region_v"]}"#,
        &PARTS,
    );
    assert_eq!(cleaned, [5, 5, 5]);
}

#[test]
fn skipping_indexer_changes_the_rows_later_steps_learn_from() {
    // The median and mode Imputers learn without the rows whose plan is NULL; the
    // encoder reads the indexer's labels for plan_i and learns idx's largest index.
    let cleaned = check(
        r#"{"op":"stringIndexer","inputCols":["plan"],"outputCols":["plan_i"],"stringOrderType":"alphabetAsc","handleInvalid":"skip"},
           {"op":"cache"},
           {"op":"imputer","inputCols":["age"],"outputCols":["age"],"strategy":"median"},
           {"op":"imputer","inputCols":["n"],"outputCols":["n_mode"],"strategy":"mode"},
           {"op":"oneHotEncoder","inputCols":["plan_i","idx"],"outputCols":["plan_v","idx_v"],"dropLast":false,"handleInvalid":"keep"},
           {"op":"withColumn","column":"older","expr":"age + 1"}"#,
        &PARTS,
    );
    assert_eq!(cleaned, [5, 5, 5]);
}

#[test]
fn frequency_orders_and_unseen_values() {
    // `region` has no NULL, so `error` fits; `vip` is in two rows, so the fits whose
    // held-out fold holds one of them but whose training rows lack it meet an unseen
    // value there and fail as their own run does.
    for order in ["frequencyAsc", "alphabetDesc", "frequencyDesc"] {
        let cleaned = check(
            &format!(
                r#"{{"op":"stringIndexer","inputCols":["region"],"outputCols":["region_i"],"stringOrderType":"{order}","handleInvalid":"error"}},
                   {{"op":"stringIndexer","inputCols":["plan"],"outputCols":["plan_i"],"stringOrderType":"{order}","handleInvalid":"skip"}}"#
            ),
            &PARTS,
        );
        assert_eq!(cleaned, [5, 5, 5], "{order}");
    }
    let cleaned = check(
        r#"{"op":"stringIndexer","inputCols":["region","plan"],"outputCols":["region_i","plan_i"],"handleInvalid":"error"}"#,
        &[3],
    );
    assert_eq!(cleaned, [0], "plan has NULLs in every fit's training rows");
}

#[test]
fn encoder_errors_are_the_fits_own() {
    // idx has a NULL, in a test row: with handleInvalid = error the final refit fails
    // applying its encoder to the test rows; the folds never see that row.
    let cleaned = check(
        r#"{"op":"imputer","inputCols":["age"],"outputCols":["age"]},
           {"op":"oneHotEncoder","inputCols":["idx"],"outputCols":["idx_v"]}"#,
        &PARTS,
    );
    assert_eq!(cleaned, [4, 4, 4]);
}

#[test]
fn fits_without_values_defer_to_their_own_run() {
    // `a` has values in fold 2's rows only: fold 2's own fit has none and fails.
    let rows: Vec<String> = (0..40)
        .map(|i| {
            if group_of(i) == 2 {
                format!("{}.5,x", i)
            } else {
                ",y".to_string()
            }
        })
        .collect();
    let table = |parts: usize| {
        let refs: Vec<&str> = rows.iter().map(String::as_str).collect();
        table_in_parts("a:double,s:string", &refs, parts)
    };
    for strategy in ["mean", "median", "mode"] {
        let cleaned = check_on(
            &table,
            &format!(
                r#"{{"op":"imputer","inputCols":["a"],"outputCols":["a"],"strategy":"{strategy}"}}"#
            ),
            &PARTS,
        );
        assert_eq!(cleaned, [4, 4, 4], "{strategy}");
    }
}

#[test]
fn steps_between_estimators_are_not_shared() {
    let catalog = Catalog::new();
    let table = table(3);
    let ctx = JobContext::default();
    for steps in [
        r#"{"op":"imputer","inputCols":["age"],"outputCols":["age"]},{"op":"filter","condition":"age > 30"},{"op":"stringIndexer","inputCols":["plan"],"outputCols":["p"]}"#,
        r#"{"op":"imputer","inputCols":["age"],"outputCols":["age"]},{"op":"stringIndexer","inputCols":["age"],"outputCols":["a"]}"#,
    ] {
        let shared = FoldFit::new(
            &catalog,
            &table,
            groups_of(&table),
            fits(),
            &spec(steps),
            0,
            &ctx,
        )
        .unwrap();
        assert!(shared.is_none(), "{steps}");
    }
}
