//! The engine's API as the page sees it: the types that only exist to cross the wasm
//! boundary, and [`export_typescript`], which writes the TypeScript twin of every type
//! that crosses it.
//!
//! The contract is defined once, here in Rust: each type derives `ts_rs::TS`, and the
//! generated files in `www/src/contract/` are what the page imports. They are committed;
//! `cargo test --test contract` fails when they are stale (run `npm run contract` to
//! write them again). The wasm exports (`crate::wasm`) name these types in their
//! signatures, so the page is typed from the engine's answer to the panel that shows it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::{Config, ExportError, TypeVisitor, TS};

use crate::chart::{ChartData, ChartSpec};
use crate::clean::{PipelineSpec, StepReport};
use crate::error::{Error, ErrorCode};
use crate::frame::TableInfo;
use crate::io::compressed::Compression;
use crate::io::csv::CsvOptions;
use crate::io::excel::ExcelOptions;
use crate::io::json::JsonOptions;
use crate::io::write::CsvExportOptions;
use crate::ml::evaluation::MetricName;
use crate::ml::job::Scoring;
use crate::ml::kmeans::KMeansParams;
use crate::ml::linear::LinearRegressionParams;
use crate::ml::logistic::LogisticRegressionParams;
use crate::ml::scale::StandardScalerParams;
use crate::ml::sparkml::{SparkDataPart, SparkStageData};
use crate::ml::tree::{ForestParams, GbtParams, TreeParams};
use crate::ml::tuning::{TrainResult, TrainSpec};
use crate::profile::Profile;

/// What `runSql` returns.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SqlResult {
    /// A result to page through (`previewIpc(info.name, ...)`).
    Rows { info: TableInfo },
    /// A statement that changed the catalog.
    Done { message: String },
    /// `EXPLAIN`: the query's plans as text.
    Plan { text: String },
}

/// What `applyPipeline` returns.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PipelineResult {
    /// The cleaned table, kept as a result to page through (`previewIpc(info.name, ...)`).
    pub info: TableInfo,
    /// The pipeline with what every estimator learned (Spark's `PipelineModel`).
    pub fitted: PipelineSpec,
    pub reports: Vec<StepReport>,
}

/// An engine error as the page receives it: the JS `Error` the wasm layer throws carries
/// these fields (besides its message), and the worker passes every one of them on.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErrorFields {
    pub code: ErrorCode,
    /// The 1-based data row the error is about.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The column the error is about.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The 1-based step of a cleaning pipeline that failed.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u64>,
    /// The 1-based line and column in a SQL query.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<u64>,
}

impl ErrorFields {
    pub fn of(err: &Error) -> Self {
        let location = err.location();
        ErrorFields {
            code: err.code(),
            row: location.row,
            column: location.column.clone(),
            step: location.step,
            line: location.position.map(|(line, _)| line),
            col: location.position.map(|(_, col)| col),
        }
    }
}

/// What `addExcel` returns: the table read from one sheet of a workbook, and the
/// workbook's worksheets, so the page can offer the others.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookTable {
    pub info: TableInfo,
    /// The sheet the table was read from.
    pub sheet: String,
    /// Every worksheet of the workbook, in order (chart sheets left out).
    pub sheets: Vec<String>,
    /// Whether the sheet's first row was read as the header (as given, or detected).
    pub header: bool,
}

/// What the engine says about itself (the page adds how it was started).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EngineInfo {
    /// Threads rayon runs on: the pool size in the threads build, 1 in the fallback.
    pub threads: usize,
    /// Whether this is the threads build.
    pub has_threads: bool,
    /// Bytes the engine's allocator has handed out now (tables, results, jobs).
    pub memory_in_use_bytes: u64,
    /// Bytes of wasm linear memory reserved so far (it grows, never shrinks).
    pub memory_bytes: u64,
    /// Most memory the engine may use: bigger jobs are refused with OUT_OF_MEMORY.
    pub memory_limit_bytes: u64,
    /// Bytes a new job may still plan to use (`memory::available`: a share of what the
    /// tables and other jobs leave), what the engine's own checks compare against.
    pub memory_available_bytes: u64,
}

/// Where a file load is (the worker reports it while it feeds the engine's loader).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LoadProgress {
    pub phase: LoadPhase,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Records decoded so far.
    pub rows: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LoadPhase {
    Reading,
    Decoding,
    Finishing,
}

/// Names of tables and views and their columns, for SQL completion.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogInfo {
    pub tables: Vec<CatalogTable>,
    pub views: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CatalogTable {
    pub name: String,
    pub columns: Vec<String>,
}

/// An evaluator metric as the page offers it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricInfo {
    pub name: MetricName,
    /// Spark's evaluator class.
    pub evaluator: String,
    pub larger_is_better: bool,
}

impl MetricInfo {
    fn of(metric: MetricName) -> Self {
        MetricInfo {
            name: metric,
            evaluator: metric.evaluator().spark_name().to_string(),
            larger_is_better: metric.larger_is_better(),
        }
    }
}

/// Writes the TypeScript type of everything that crosses the boundary into `dir`, one
/// file per type (`TableInfo.ts`, ...) with the imports between them, and an `index.ts`
/// that re-exports them all. Returns the file names written.
///
/// Two Rust types with the same TypeScript name would overwrite each other's file, so
/// that is refused (give one a `#[ts(rename = "...")]`).
pub fn export_typescript(dir: &Path) -> Result<Vec<String>, ExportError> {
    let config = Config::new().with_large_int("number").with_out_dir(dir);
    let mut files = FilesOfTypes {
        config: &config,
        seen: BTreeMap::new(),
        clash: None,
    };
    export_roots(&config, &mut files)?;
    if let Some(clash) = files.clash {
        return Err(ExportError::CannotBeExported(Box::leak(
            clash.into_boxed_str(),
        )));
    }
    std::fs::write(dir.join("constants.ts"), constants())?;
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ts") && name != "index.ts" && name != "constants.ts")
        .collect();
    names.sort();
    let mut index = format!("{GENERATED}export * from './constants';\n");
    for name in &names {
        index.push_str(&format!(
            "export type * from './{}';\n",
            name.trim_end_matches(".ts")
        ));
    }
    std::fs::write(dir.join("index.ts"), index)?;
    names.extend(["constants.ts".to_string(), "index.ts".to_string()]);
    Ok(names)
}

const GENERATED: &str =
    "// The engine↔page contract, generated from the engine's Rust types (crate/src/api.rs).\n\
                         // Do not edit: run `npm run contract`.\n";

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// The engine's defaults and format versions as TypeScript constants, so the page offers
/// exactly the engine's (Spark's) defaults without a copy to keep in step.
fn constants() -> String {
    let mut imports = String::new();
    let mut body = String::new();
    // `ts_type` names the contract type of the value (`Array<T>`: a list of them).
    let mut constant = |name: &str, doc: &str, ts_type: Option<&str>, value: serde_json::Value| {
        let imported = ts_type.map(|t| {
            t.strip_prefix("Array<")
                .and_then(|t| t.strip_suffix('>'))
                .unwrap_or(t)
        });
        if let Some(imported) = imported {
            let line = format!("import type {{ {imported} }} from './{imported}';\n");
            if !imports.contains(&line) {
                imports.push_str(&line);
            }
        }
        let annotation = ts_type.map(|t| format!(": {t}")).unwrap_or_default();
        body.push_str(&format!(
            "\n/** {doc} */\nexport const {name}{annotation} = {value};\n"
        ));
    };
    constant(
        "PIPELINE_VERSION",
        "The cleaning-pipeline format version this engine writes and reads.",
        None,
        serde_json::json!(crate::clean::spec::PIPELINE_VERSION),
    );
    constant(
        "JSON_OPTIONS_DEFAULTS",
        "Spark's spark.read.json defaults (multiLine told from the file).",
        Some("JsonOptions"),
        json(&crate::io::json::JsonOptions::default()),
    );
    constant(
        "LINEAR_REGRESSION_DEFAULTS",
        "Spark's LinearRegression defaults.",
        Some("LinearRegressionParams"),
        json(&LinearRegressionParams::default()),
    );
    constant(
        "LOGISTIC_REGRESSION_DEFAULTS",
        "Spark's LogisticRegression defaults.",
        Some("LogisticRegressionParams"),
        json(&LogisticRegressionParams::default()),
    );
    constant(
        "KMEANS_DEFAULTS",
        "Spark's KMeans defaults, but for the seed: Brasa's default seed, 42 (Spark's is a \
         64-bit number a JavaScript number cannot hold exactly).",
        Some("KMeansParams"),
        json(&KMeansParams {
            seed: 42,
            ..KMeansParams::default()
        }),
    );
    constant(
        "DECISION_TREE_CLASSIFIER_DEFAULTS",
        "Spark's DecisionTreeClassifier defaults.",
        Some("TreeParams"),
        json(&TreeParams::classifier()),
    );
    constant(
        "DECISION_TREE_REGRESSOR_DEFAULTS",
        "Spark's DecisionTreeRegressor defaults.",
        Some("TreeParams"),
        json(&TreeParams::regressor()),
    );
    constant(
        "RANDOM_FOREST_CLASSIFIER_DEFAULTS",
        "Spark's RandomForestClassifier defaults, but for the seed: Brasa's, 42.",
        Some("ForestParams"),
        json(&ForestParams {
            tree: TreeParams::classifier(),
            ..ForestParams::default()
        }),
    );
    constant(
        "RANDOM_FOREST_REGRESSOR_DEFAULTS",
        "Spark's RandomForestRegressor defaults, but for the seed: Brasa's, 42.",
        Some("ForestParams"),
        json(&ForestParams {
            tree: TreeParams::regressor(),
            ..ForestParams::default()
        }),
    );
    constant(
        "GBT_CLASSIFIER_DEFAULTS",
        "Spark's GBTClassifier defaults, but for the seed: Brasa's, 42.",
        Some("GbtParams"),
        json(&GbtParams::default()),
    );
    constant(
        "GBT_REGRESSOR_DEFAULTS",
        "Spark's GBTRegressor defaults, but for the seed: Brasa's, 42.",
        Some("GbtParams"),
        json(&GbtParams::regressor()),
    );
    constant(
        "STANDARD_SCALER_DEFAULTS",
        "Spark's StandardScaler defaults.",
        Some("StandardScalerParams"),
        json(&StandardScalerParams::default()),
    );
    let metrics: Vec<MetricInfo> = MetricName::ALL.iter().map(|&m| MetricInfo::of(m)).collect();
    constant(
        "METRICS",
        "Every evaluator metric: Spark's name, its evaluator, and whether larger is better.",
        Some("Array<MetricInfo>"),
        json(&metrics),
    );
    format!("{GENERATED}{imports}{body}")
}

/// Every root type of the contract; the types they use are exported with them.
fn export_roots(config: &Config, files: &mut FilesOfTypes) -> Result<(), ExportError> {
    fn root<T: TS + 'static>(config: &Config, files: &mut FilesOfTypes) -> Result<(), ExportError> {
        files.visit::<T>();
        T::export_all(config)
    }
    root::<TableInfo>(config, files)?;
    root::<SqlResult>(config, files)?;
    root::<PipelineSpec>(config, files)?;
    root::<PipelineResult>(config, files)?;
    root::<Profile>(config, files)?;
    root::<ChartSpec>(config, files)?;
    root::<ChartData>(config, files)?;
    root::<TrainSpec>(config, files)?;
    root::<TrainResult>(config, files)?;
    root::<Scoring>(config, files)?;
    root::<CsvOptions>(config, files)?;
    root::<Compression>(config, files)?;
    root::<JsonOptions>(config, files)?;
    root::<ExcelOptions>(config, files)?;
    root::<CsvExportOptions>(config, files)?;
    root::<WorkbookTable>(config, files)?;
    root::<ErrorFields>(config, files)?;
    root::<EngineInfo>(config, files)?;
    root::<LoadProgress>(config, files)?;
    root::<CatalogInfo>(config, files)?;
    root::<SparkStageData>(config, files)?;
    root::<SparkDataPart>(config, files)?;
    root::<MetricInfo>(config, files)
}

/// Walks a type and its dependencies, noting which Rust type each generated file holds.
struct FilesOfTypes<'a> {
    config: &'a Config,
    /// Each file's declaration, to tell two types sharing a name from one type seen twice
    /// (ts-rs exports `serde_json::Value` through an alias with the same declaration).
    seen: BTreeMap<PathBuf, String>,
    clash: Option<String>,
}

impl TypeVisitor for FilesOfTypes<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        let Some(path) = T::output_path() else {
            return;
        };
        let declaration = T::decl(self.config);
        match self.seen.get(&path) {
            Some(seen) if *seen == declaration => {}
            Some(_) => {
                self.clash = Some(format!(
                "two Rust types are both `{}` in TypeScript ({}); rename one with #[ts(rename)]",
                T::ident(self.config),
                std::any::type_name::<T>()
            ))
            }
            None => {
                self.seen.insert(path, declaration);
                T::visit_dependencies(self);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod first {
        #[allow(dead_code)] // only its TypeScript form is looked at
        #[derive(ts_rs::TS)]
        pub struct Twin {
            pub a: f64,
        }
    }
    mod second {
        #[allow(dead_code)]
        #[derive(ts_rs::TS)]
        pub struct Twin {
            pub b: String,
        }
    }
    #[allow(dead_code)]
    #[derive(ts_rs::TS)]
    struct Both {
        first: first::Twin,
        second: second::Twin,
    }

    #[test]
    fn two_types_with_one_typescript_name_are_refused() {
        let config = Config::new();
        let mut files = FilesOfTypes {
            config: &config,
            seen: BTreeMap::new(),
            clash: None,
        };
        files.visit::<Both>();
        let clash = files.clash.expect("the clash is found");
        assert!(clash.contains("`Twin`"), "{clash}");
    }
}
