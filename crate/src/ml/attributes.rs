//! Spark's ML attributes of the assembled features, as far as the tree learners read
//! them (`MetadataUtils.getCategoricalFeatures`): which features are categorical, and
//! with how many categories.
//!
//! Spark learns this from column metadata; Brasa from the fitted cleaning pipeline that
//! made the table:
//! - a StringIndexer output is nominal, with as many categories as the indexer has
//!   labels (one more, `__unknown`, when it keeps invalid values);
//! - a OneHotEncoder slot is binary: 2 categories;
//! - a step that rewrites a column (withColumn, cast, an Imputer output) leaves it
//!   without attributes, as Spark's `withColumn` does; a select keeps them, under the
//!   alias when there is one; any other column is continuous.

use std::collections::HashMap;

use crate::clean::onehot::slot_columns;
use crate::clean::spec::{OneHotEncoderFitted, StringIndexerFitted};
use crate::clean::Step;
use crate::ml::tree::CategoricalFeatures;
use crate::params::HandleInvalid;

/// The categorical ones among `features` (by position), given the fitted `steps` that
/// made the table they are read from.
pub fn categorical_features(features: &[String], steps: &[Step]) -> CategoricalFeatures {
    let arities = nominal_columns(steps);
    features
        .iter()
        .enumerate()
        .filter_map(|(i, name)| arities.get(&name.to_lowercase()).map(|&n| (i, n)))
        .collect()
}

/// Every categorical column the steps leave, by lower-cased name (Spark's column names
/// are case-insensitive), with its number of categories.
fn nominal_columns(steps: &[Step]) -> HashMap<String, usize> {
    let mut columns: HashMap<String, usize> = HashMap::new();
    for step in steps {
        match step {
            Step::StringIndexer {
                output_cols,
                handle_invalid,
                fitted: Some(StringIndexerFitted { labels }),
                ..
            } => {
                let unknown = usize::from(*handle_invalid == HandleInvalid::Keep);
                for (out, labels) in output_cols.iter().zip(labels) {
                    columns.insert(out.to_lowercase(), labels.len() + unknown);
                }
            }
            Step::OneHotEncoder {
                output_cols,
                drop_last,
                handle_invalid,
                fitted: Some(fitted),
                ..
            } => {
                for slot in one_hot_slots(output_cols, fitted, *drop_last, *handle_invalid) {
                    columns.insert(slot.to_lowercase(), 2);
                }
            }
            Step::Imputer { output_cols, .. } => {
                for out in output_cols {
                    columns.remove(&out.to_lowercase());
                }
            }
            Step::WithColumn { column, .. } | Step::Cast { column, .. } => {
                columns.remove(&column.to_lowercase());
            }
            Step::Select { columns: selected } => {
                columns = selected
                    .iter()
                    .filter_map(|c| {
                        let arity = *columns.get(&c.name.to_lowercase())?;
                        let name = c.alias.as_ref().unwrap_or(&c.name);
                        Some((name.to_lowercase(), arity))
                    })
                    .collect();
            }
            _ => {}
        }
    }
    columns
}

fn one_hot_slots(
    output_cols: &[String],
    fitted: &OneHotEncoderFitted,
    drop_last: bool,
    handle_invalid: HandleInvalid,
) -> Vec<String> {
    slot_columns(output_cols, fitted, drop_last, handle_invalid)
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::spec::{SelectColumn, StringOrderType};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn indexer(outputs: &[&str], labels: Vec<Vec<&str>>, keep: bool) -> Step {
        Step::StringIndexer {
            input_cols: names(outputs),
            output_cols: names(outputs),
            string_order_type: StringOrderType::default(),
            handle_invalid: if keep {
                HandleInvalid::Keep
            } else {
                HandleInvalid::Error
            },
            fitted: Some(StringIndexerFitted {
                labels: labels.into_iter().map(|l| names(&l)).collect(),
            }),
        }
    }

    #[test]
    fn indexed_columns_are_nominal_with_their_labels() {
        let steps = vec![
            indexer(&["plan_idx"], vec![vec!["basic", "pro", "max"]], false),
            indexer(&["region_idx"], vec![vec!["n", "s"]], true),
        ];
        let features = names(&["age", "Plan_Idx", "region_idx"]);
        let found = categorical_features(&features, &steps);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![(1, 3), (2, 3)]);
    }

    #[test]
    fn one_hot_slots_are_binary() {
        let steps = vec![
            indexer(&["plan_idx"], vec![vec!["basic", "pro", "max"]], false),
            Step::OneHotEncoder {
                input_cols: names(&["plan_idx"]),
                output_cols: names(&["plan_vec"]),
                drop_last: true,
                handle_invalid: HandleInvalid::Error,
                fitted: Some(OneHotEncoderFitted {
                    category_sizes: vec![3],
                    category_names: vec![names(&["basic", "pro", "max"])],
                }),
            },
        ];
        let features = names(&["plan_vec_basic", "plan_vec_pro", "plan_vec_max", "age"]);
        let found = categorical_features(&features, &steps);
        // drop_last: `max` has no slot, so a column of that name is not one.
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn a_rewritten_column_loses_its_attribute_and_an_alias_keeps_it() {
        let steps = vec![
            indexer(&["a", "b", "c"], vec![vec!["x", "y"]; 3], false),
            Step::WithColumn {
                column: "a".into(),
                expr: "a * 2".into(),
            },
            Step::Cast {
                column: "b".into(),
                data_type: "double".into(),
            },
            Step::Select {
                columns: vec![
                    SelectColumn {
                        name: "a".into(),
                        alias: None,
                    },
                    SelectColumn {
                        name: "c".into(),
                        alias: Some("renamed".into()),
                    },
                ],
            },
        ];
        let found = categorical_features(&names(&["a", "b", "c", "renamed"]), &steps);
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![(3, 2)]);
    }
}
