//! The columns a plan node produces, with the table alias each came from, and name lookup
//! with Spark's rules (case-insensitive; qualified names pick a table; ambiguity is an
//! error).

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::error::{Error, Result};
use crate::frame::interval_type::{fields_of, is_interval, IntervalFields};

#[derive(Debug, Clone, PartialEq)]
pub struct PlanField {
    /// The table or alias the column belongs to, if any (`t` in `t.x`).
    pub qualifier: Option<String>,
    pub name: String,
    pub data_type: DataType,
    pub nullable: bool,
    /// Reachable only by its qualified name and left out of `*` (the sides' key columns
    /// after `JOIN ... USING`).
    pub hidden: bool,
    /// An interval column's fields (Arrow's interval types have no room for them); `None`
    /// for other columns, and for intervals of their type's default fields.
    pub interval: Option<IntervalFields>,
}

impl PlanField {
    pub fn new(qualifier: Option<&str>, name: impl Into<String>, data_type: DataType) -> Self {
        PlanField {
            qualifier: qualifier.map(str::to_string),
            name: name.into(),
            data_type,
            nullable: true,
            hidden: false,
            interval: None,
        }
    }

    /// The field with an interval's fields, when its type is an interval.
    pub fn with_interval(mut self, fields: Option<IntervalFields>) -> Self {
        if is_interval(&self.data_type) {
            self.interval = fields;
        }
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanSchema {
    fields: Vec<PlanField>,
}

impl PlanSchema {
    pub fn new(fields: Vec<PlanField>) -> Self {
        PlanSchema { fields }
    }

    pub fn from_arrow(schema: &Schema, qualifier: Option<&str>) -> Self {
        PlanSchema::new(
            schema
                .fields()
                .iter()
                .map(|f| PlanField {
                    qualifier: qualifier.map(str::to_string),
                    name: f.name().clone(),
                    data_type: f.data_type().clone(),
                    nullable: f.is_nullable(),
                    hidden: false,
                    interval: is_interval(f.data_type()).then(|| fields_of(f)),
                })
                .collect(),
        )
    }

    pub fn fields(&self) -> &[PlanField] {
        &self.fields
    }

    pub fn field(&self, index: usize) -> &PlanField {
        &self.fields[index]
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// This schema's columns followed by `other`'s (a join's output).
    pub fn join(&self, other: &PlanSchema) -> PlanSchema {
        PlanSchema::new(self.fields.iter().chain(&other.fields).cloned().collect())
    }

    /// The same columns under a new qualifier (a subquery's or CTE's alias).
    pub fn requalify(&self, qualifier: &str) -> PlanSchema {
        PlanSchema::new(
            self.fields
                .iter()
                .map(|f| PlanField {
                    qualifier: Some(qualifier.to_string()),
                    ..f.clone()
                })
                .collect(),
        )
    }

    /// The position of column `name` (optionally of table `qualifier`).
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<usize> {
        let matches: Vec<usize> = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.name.eq_ignore_ascii_case(name)
                    && (qualifier.is_some() || !f.hidden)
                    && qualifier.is_none_or(|q| {
                        f.qualifier
                            .as_deref()
                            .is_some_and(|fq| fq.eq_ignore_ascii_case(q))
                    })
            })
            .map(|(i, _)| i)
            .collect();
        let shown = match qualifier {
            Some(q) => format!("{q}.{name}"),
            None => name.to_string(),
        };
        match matches.as_slice() {
            [index] => Ok(*index),
            [] => Err(Error::analysis(format!(
                "column `{shown}` does not exist; available columns: {}",
                self.describe_columns()
            ))),
            _ => Err(Error::analysis(format!(
                "column `{shown}` is ambiguous: it is in {}; qualify it with a table name",
                matches
                    .iter()
                    .map(|&i| self.fields[i]
                        .qualifier
                        .clone()
                        .unwrap_or_else(|| "the query".into()))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))),
        }
    }

    /// Whether `qualifier` names a table of this scope.
    pub fn has_qualifier(&self, qualifier: &str) -> bool {
        self.fields.iter().any(|f| {
            f.qualifier
                .as_deref()
                .is_some_and(|q| q.eq_ignore_ascii_case(qualifier))
        })
    }

    fn describe_columns(&self) -> String {
        const SHOWN: usize = 20;
        let mut names: Vec<String> = self
            .fields
            .iter()
            .take(SHOWN)
            .map(|f| match &f.qualifier {
                Some(q) => format!("{q}.{}", f.name),
                None => f.name.clone(),
            })
            .collect();
        if self.fields.len() > SHOWN {
            names.push(format!("… ({} more)", self.fields.len() - SHOWN));
        }
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    /// The Arrow schema of rows with these columns. Duplicate names are allowed (as in
    /// Spark's `SELECT a.x, b.x`).
    pub fn to_arrow(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.fields
                .iter()
                .map(|f| {
                    let field = Field::new(&f.name, f.data_type.clone(), f.nullable);
                    match f.interval {
                        Some(fields) if is_interval(&f.data_type) => {
                            field.with_metadata(fields.metadata())
                        }
                        _ => field,
                    }
                })
                .collect::<Vec<_>>(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_case_insensitively_and_reports_ambiguity() {
        let schema = PlanSchema::new(vec![
            PlanField::new(Some("t"), "Region", DataType::Utf8),
            PlanField::new(Some("u"), "region", DataType::Utf8),
            PlanField::new(Some("u"), "x", DataType::Int32),
        ]);
        assert_eq!(schema.resolve(Some("T"), "REGION").unwrap(), 0);
        assert_eq!(schema.resolve(None, "x").unwrap(), 2);
        let err = schema.resolve(None, "region").unwrap_err();
        assert!(err.message().contains("ambiguous"), "{}", err.message());
        let err = schema.resolve(None, "nope").unwrap_err();
        assert!(
            err.message().contains("t.Region, u.region, u.x"),
            "{}",
            err.message()
        );
    }
}
