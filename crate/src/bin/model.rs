//! `brasa-model`: the engine's model calls natively, for the tracking tests
//! (`tests/tracking/engine.ts`), which have no wasm build to call:
//!
//! ```text
//! brasa-model train DATA.csv SPEC.json      → {"result": TrainResult, "columns": [ColumnInfo],
//!                                               "steps": [[ColumnInfo]]}
//! brasa-model predict DATA.csv SCORING.json → the scored table as CSV
//! brasa-model stage-data < SparkStageData.json → the stage's data/ Parquet file
//! brasa-model read-stage-data CLASS PART FILE... → the SparkStageData those Parquet files hold
//! ```
//!
//! `steps` are the columns each cleaning step's output has, as the page's recorder logs
//! them (it runs the job's pipeline again after the training, from the engine's cache).
//!
//! Output goes to stdout; an engine error is printed as `{"code", "message"}` on stderr
//! with exit status 1.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = native::run(std::env::args().skip(1).collect()) {
        eprintln!("{message}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::io::{Read, Write};
    use std::sync::Arc;

    use brasa::clean::{run_pipeline, StepCache};
    use brasa::frame::{Catalog, TableInfo};
    use brasa::io::csv::{read_csv, CsvOptions};
    use brasa::io::write::{write_csv, CsvExportOptions};
    use brasa::job::JobContext;
    use brasa::ml::job::{score_job, train_job, Scoring};
    use brasa::ml::sparkml::{read_stage_data, stage_data_parquet, SparkDataPart, SparkStageData};
    use brasa::ml::tuning::TrainSpec;

    fn engine_error(e: brasa::Error) -> String {
        serde_json::json!({"code": e.code().as_str(), "message": e.to_string()}).to_string()
    }

    fn read(path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
    }

    fn json<T: serde::de::DeserializeOwned>(path: &str) -> Result<T, String> {
        serde_json::from_slice(&read(path)?).map_err(|e| format!("{path}: {e}"))
    }

    fn table(path: &str) -> Result<Arc<brasa::frame::Table>, String> {
        let (table, _) = read_csv(&read(path)?, &CsvOptions::default()).map_err(engine_error)?;
        Ok(Arc::new(table))
    }

    fn out(bytes: &[u8]) -> Result<(), String> {
        std::io::stdout()
            .write_all(bytes)
            .map_err(|e| format!("writing the output: {e}"))
    }

    pub fn run(args: Vec<String>) -> Result<(), String> {
        let ctx = JobContext::default();
        let catalog = Catalog::new();
        let mut steps = StepCache::default();
        match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["train", data, spec] => {
                let source = table(data)?;
                let spec: TrainSpec = json(spec)?;
                let result =
                    train_job(&catalog, &source, &spec, &mut steps, &ctx).map_err(engine_error)?;
                let columns = TableInfo::describe("data", &source, Vec::new()).columns;
                let steps = match &spec.pipeline {
                    Some(pipeline) => run_pipeline(&catalog, &source, pipeline, &mut steps, true, &ctx)
                        .map_err(engine_error)?
                        .reports
                        .into_iter()
                        .map(|r| r.columns)
                        .collect(),
                    None => Vec::new(),
                };
                let answer = serde_json::json!({"result": result, "columns": columns, "steps": steps});
                out(answer.to_string().as_bytes())
            }
            ["predict", data, scoring] => {
                let source = table(data)?;
                let scoring: Scoring = json(scoring)?;
                let scored = score_job(&catalog, &source, &scoring, &mut steps, &ctx)
                    .map_err(engine_error)?;
                out(&write_csv(&scored, &CsvExportOptions::default()).map_err(engine_error)?)
            }
            ["stage-data"] => {
                let mut input = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut input)
                    .map_err(|e| format!("reading stdin: {e}"))?;
                let data: SparkStageData =
                    serde_json::from_slice(&input).map_err(|e| format!("stage data: {e}"))?;
                out(&stage_data_parquet(&data).map_err(engine_error)?)
            }
            ["read-stage-data", class, part, ref parts @ ..] => {
                let part: SparkDataPart = serde_json::from_value(serde_json::json!(part))
                    .map_err(|e| format!("data part: {e}"))?;
                let files = parts.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
                let data = read_stage_data(class, part, &files).map_err(engine_error)?;
                out(serde_json::to_string(&data)
                    .map_err(|e| format!("stage data: {e}"))?
                    .as_bytes())
            }
            _ => Err(
                "usage: brasa-model train DATA SPEC | predict DATA SCORING | stage-data < DATA | read-stage-data CLASS PART FILE..."
                    .into(),
            ),
        }
    }
}
