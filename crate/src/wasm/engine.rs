use std::collections::HashMap;
use std::sync::{Arc, Weak};

use wasm_bindgen::prelude::*;

use crate::api::{CatalogInfo, CatalogTable, PipelineResult, SqlResult, WorkbookTable};
use crate::chart::{chart_data, ChartSpec};
use crate::clean::{run_pipeline, PipelineSpec, StepCache};
use crate::error::{Error, ErrorCode};
use crate::frame::{display_batch, Catalog, Table, TableInfo};
use crate::io::excel::{read_excel, ExcelOptions};
use crate::io::ipc::batch_to_ipc;
use crate::io::write::{write_csv, write_parquet, CsvExportOptions};
use crate::job::JobContext;
use crate::ml::job::{score_job, train_job, Scoring};
use crate::ml::tuning::TrainSpec;
use crate::profile::profile;
use crate::sql::{run_sql, SqlOutput};
use crate::wasm::convert::{from_js, json_of, options_from_js, to_value};
use crate::wasm::errors::to_js;
use crate::wasm::loaders::{
    JsCompressedCsvLoader, JsCsvLoader, JsHiveDataset, JsJsonLoader, JsParquetLoader,
};
use crate::wasm::panic::install_hook;

/// Query results kept for paging and download, newest last.
const KEPT_RESULTS: usize = 8;

/// A session: the catalog of loaded tables, recent query and pipeline results, the
/// cleaning steps' kept outputs, and the signals of the job that runs now.
#[wasm_bindgen]
pub struct Engine {
    catalog: Catalog,
    results: Vec<(String, Arc<Table>)>,
    next_result: u64,
    steps: StepCache,
    job: JobContext,
    /// The digest last computed for each table name, with the table it was computed for:
    /// tables never change once registered, so training again on the same table (the
    /// usual next step) does not format and hash it again. Weak, so a dropped table's
    /// memory is not held.
    digests: HashMap<String, (Weak<Table>, String)>,
}

#[wasm_bindgen]
impl Engine {
    /// `panic_channel`: the `BroadcastChannel` a panic is reported on (see `panic.rs`).
    #[wasm_bindgen(constructor)]
    pub fn new(panic_channel: &str) -> Engine {
        install_hook(panic_channel);
        Engine {
            catalog: Catalog::new(),
            results: Vec::new(),
            next_result: 1,
            steps: StepCache::default(),
            job: JobContext::default(),
            digests: HashMap::new(),
        }
    }

    /// Finishes a CSV load and registers the table under `name` (or `name_2`, ... if
    /// taken). Returns the table's `TableInfo`, with the load's warnings.
    #[wasm_bindgen(js_name = addCsv, unchecked_return_type = "TableInfo")]
    pub fn add_csv(&mut self, name: &str, loader: JsCsvLoader) -> Result<JsValue, JsValue> {
        let (table, warnings) = loader.into_inner().finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// Finishes a compressed CSV load (an error if the compressed data is incomplete) and
    /// registers the table; see [`Engine::add_csv`].
    #[wasm_bindgen(js_name = addCompressedCsv, unchecked_return_type = "TableInfo")]
    pub fn add_compressed_csv(
        &mut self,
        name: &str,
        loader: JsCompressedCsvLoader,
    ) -> Result<JsValue, JsValue> {
        let stream = loader.into_inner().finish().map_err(to_js)?;
        let (table, warnings) = stream.finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// Reads a JSON file's records (the schema inferred from all of them, as Spark does)
    /// and registers the table; see [`Engine::add_csv`].
    #[wasm_bindgen(js_name = addJson, unchecked_return_type = "TableInfo")]
    pub fn add_json(&mut self, name: &str, loader: JsJsonLoader) -> Result<JsValue, JsValue> {
        let loader = loader.into_inner().map_err(to_js)?;
        let (table, warnings) = loader.finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// Reads a whole Arrow IPC file or stream (Feather) and registers the table; see
    /// [`Engine::add_csv`].
    #[wasm_bindgen(js_name = addArrow, unchecked_return_type = "TableInfo")]
    pub fn add_arrow(&mut self, name: &str, bytes: Vec<u8>) -> Result<JsValue, JsValue> {
        let (table, warnings) = crate::io::arrow_file::read_arrow(&bytes).map_err(to_js)?;
        drop(bytes);
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// Reads one sheet of an Excel workbook or OpenDocument spreadsheet (`options.sheet`;
    /// the first worksheet by default) and registers the table; see [`Engine::add_csv`].
    /// `replace`: the table takes the place of the table already called `name` (another
    /// sheet of the same workbook) instead of getting a new name.
    #[wasm_bindgen(js_name = addExcel, unchecked_return_type = "WorkbookTable")]
    pub fn add_excel(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        #[wasm_bindgen(unchecked_param_type = "Partial<ExcelOptions> | undefined")]
        options: JsValue,
        replace: bool,
    ) -> Result<JsValue, JsValue> {
        let options: ExcelOptions = options_from_js(&options, "Excel options")?;
        let read = read_excel(&bytes, &options).map_err(to_js)?;
        drop(bytes);
        let name = match self.catalog.get(name) {
            Ok(old) if replace => {
                self.catalog
                    .register(name, read.table.with_key_codes(), true)
                    .map_err(to_js)?;
                self.steps.forget(&old);
                name.to_string()
            }
            _ => self.catalog.register_unique(name, read.table),
        };
        let table = self.catalog.get(&name).map_err(to_js)?;
        to_value(&WorkbookTable {
            info: TableInfo::describe(&name, &table, read.warnings),
            sheet: read.sheet,
            sheets: read.sheets,
            header: read.header,
        })
    }

    /// Finishes a Parquet load and registers the table; see [`Engine::add_csv`].
    #[wasm_bindgen(js_name = addParquet, unchecked_return_type = "TableInfo")]
    pub fn add_parquet(&mut self, name: &str, loader: JsParquetLoader) -> Result<JsValue, JsValue> {
        let (table, warnings) = loader.into_inner().finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// A table or result as a zip of a Hive-partitioned Parquet folder (Spark's
    /// `partitionBy(columns)` layout), the folder named after the table.
    #[wasm_bindgen(js_name = exportPartitioned)]
    pub fn export_partitioned(&self, name: &str, columns: Vec<String>) -> Result<Vec<u8>, JsValue> {
        let table = self.lookup(name).map_err(to_js)?;
        crate::io::hive::write_partitioned_zip(&table, &columns, name).map_err(to_js)
    }

    /// Builds the table of a partitioned folder from its files and registers it.
    #[wasm_bindgen(js_name = addHiveDataset, unchecked_return_type = "TableInfo")]
    pub fn add_hive_dataset(
        &mut self,
        name: &str,
        dataset: JsHiveDataset,
    ) -> Result<JsValue, JsValue> {
        let (dataset, warnings) = dataset.into_parts().map_err(to_js)?;
        let table = dataset.finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// `TableInfo` of every loaded table.
    #[wasm_bindgen(unchecked_return_type = "TableInfo[]")]
    pub fn tables(&self) -> Result<JsValue, JsValue> {
        let infos = self
            .catalog
            .names()
            .iter()
            .map(|name| {
                let table = self.catalog.get(name)?;
                Ok(TableInfo::describe(name, &table, Vec::new()))
            })
            .collect::<crate::Result<Vec<_>>>()
            .map_err(to_js)?;
        to_value(&infos)
    }

    /// Tables and views with their columns, for SQL completion.
    #[wasm_bindgen(unchecked_return_type = "CatalogInfo")]
    pub fn catalog(&self) -> Result<JsValue, JsValue> {
        let tables = self
            .catalog
            .names()
            .iter()
            .map(|name| {
                let table = self.catalog.get(name)?;
                Ok(CatalogTable {
                    name: name.clone(),
                    columns: table
                        .schema()
                        .fields()
                        .iter()
                        .map(|f| f.name().clone())
                        .collect(),
                })
            })
            .collect::<crate::Result<Vec<_>>>()
            .map_err(to_js)?;
        to_value(&CatalogInfo {
            tables,
            views: self.catalog.view_names(),
        })
    }

    /// How many times the catalog has changed (wrapping): equal before and after a SQL run
    /// that changed nothing, whatever its last statement or error, so the page knows when
    /// to follow the catalog and remember the run for a restart.
    #[wasm_bindgen(js_name = catalogChanges)]
    pub fn catalog_changes(&self) -> u32 {
        self.catalog.changes()
    }

    /// Starts a new job and returns where its signals live in memory: the cancel flag
    /// (a byte; set it to 1 to cancel), the steps done and the steps expected (32-bit
    /// words). The page reads and writes them while the job runs (threads build).
    #[wasm_bindgen(js_name = beginJob)]
    pub fn begin_job(&mut self) -> Vec<u32> {
        self.job = JobContext::default();
        self.job
            .signal_addresses()
            .iter()
            .map(|&a| a as u32)
            .collect()
    }

    /// Runs step `step` of the rehearsal of a first load, profile and queries on `rows`
    /// generated rows (see [`crate::warm_up`]), so the browser has the hot code compiled
    /// optimised before the person's first file; returns whether more steps follow.
    /// Leaves the catalog as it was.
    #[wasm_bindgen(js_name = warmUp)]
    pub fn warm_up(&self, rows: usize, step: usize) -> Result<bool, JsValue> {
        crate::warm_up::warm_up(rows, step, &JobContext::default()).map_err(to_js)
    }

    /// Runs SQL (one or more `;`-separated statements) as the current job. A query's
    /// rows are kept as a result to page through and download.
    #[wasm_bindgen(js_name = runSql, unchecked_return_type = "SqlResult")]
    pub fn run_sql(&mut self, sql: &str) -> Result<JsValue, JsValue> {
        let output = run_sql(&mut self.catalog, sql, &self.job);
        self.forget_replaced_tables();
        let output = output.map_err(to_js)?;
        let result = match output {
            SqlOutput::Rows(table) => SqlResult::Rows {
                info: self.keep_result("result", Arc::new(table)),
            },
            SqlOutput::Done(message) => SqlResult::Done { message },
            SqlOutput::Plan(text) => SqlResult::Plan { text },
        };
        to_value(&result)
    }

    /// Rows `[offset, offset + count)` of a table or result as Arrow IPC stream bytes.
    #[wasm_bindgen(js_name = rowsIpc)]
    pub fn rows_ipc(&self, name: &str, offset: usize, count: usize) -> Result<Vec<u8>, JsValue> {
        let table = self.lookup(name).map_err(to_js)?;
        let window = table.window(offset, count).map_err(to_js)?;
        batch_to_ipc(&window).map_err(to_js)
    }

    /// Rows `[offset, offset + count)` of the first `columns` columns formatted for
    /// display (every column a string, nulls kept), as Arrow IPC stream bytes: what the
    /// table grid shows. The grid shows a bounded number of columns, so a table of 20,000
    /// columns does not format and send all of them.
    #[wasm_bindgen(js_name = previewIpc)]
    pub fn preview_ipc(
        &self,
        name: &str,
        offset: usize,
        count: usize,
        columns: usize,
    ) -> Result<Vec<u8>, JsValue> {
        let table = self.lookup(name).map_err(to_js)?;
        let window = table.window(offset, count).map_err(to_js)?;
        let shown: Vec<usize> = (0..columns.min(window.num_columns())).collect();
        let window = window
            .project(&shown)
            .map_err(|e| to_js(crate::Error::internal("picking the columns to show", e)))?;
        batch_to_ipc(&display_batch(&window).map_err(to_js)?).map_err(to_js)
    }

    /// The table's content digest for tracking: the SHA-256 (hex) of the table as
    /// [`Engine::export_table`] writes it to CSV, computed without holding the text, so a
    /// table too large to download still gets one; remembered while the name holds the
    /// same table.
    #[wasm_bindgen(js_name = tableDigest)]
    pub fn table_digest(&mut self, name: &str) -> Result<String, JsValue> {
        let table = self.lookup(name).map_err(to_js)?;
        if let Some((of, digest)) = self.digests.get(name) {
            if of.upgrade().is_some_and(|t| Arc::ptr_eq(&t, &table)) {
                return Ok(digest.clone());
            }
        }
        let digest = crate::io::write::csv_sha256(&table).map_err(to_js)?;
        self.digests.retain(|_, (of, _)| of.strong_count() > 0);
        self.digests
            .insert(name.to_string(), (Arc::downgrade(&table), digest.clone()));
        Ok(digest)
    }

    /// A table or result as a file: `"csv"` or `"parquet"`; `options` are the CSV
    /// download's choices (ignored for Parquet).
    #[wasm_bindgen(js_name = exportTable)]
    pub fn export_table(
        &self,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "\"csv\" | \"parquet\"")] format: &str,
        #[wasm_bindgen(unchecked_param_type = "Partial<CsvExportOptions> | undefined")]
        options: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let options: CsvExportOptions = options_from_js(&options, "CSV download options")?;
        let table = self.lookup(name).map_err(to_js)?;
        match format {
            "csv" => write_csv(&table, &options),
            "parquet" => write_parquet(&table),
            other => Err(crate::Error::new(
                crate::ErrorCode::InvalidArgument,
                format!("unknown export format `{other}` (csv or parquet)"),
            )),
        }
        .map_err(to_js)
    }

    /// Trains on a table as `spec` (a [`TrainSpec`], with its cleaning pipeline if any)
    /// says, with the current job's progress and cancel flag.
    #[wasm_bindgen(unchecked_return_type = "TrainResult")]
    pub fn train(
        &mut self,
        table: &str,
        #[wasm_bindgen(unchecked_param_type = "TrainSpec")] spec: JsValue,
    ) -> Result<JsValue, JsValue> {
        let spec: TrainSpec = from_js(&spec, "training settings", ErrorCode::MlInput)?;
        let table = self.lookup(table).map_err(to_js)?;
        let result =
            train_job(&self.catalog, &table, &spec, &mut self.steps, &self.job).map_err(to_js)?;
        to_value(&result)
    }

    /// Scores a table with a model: applies its fitted pipeline, registers
    /// `<table>_predictions` (the cleaned table plus the model's output columns) and
    /// returns its description.
    #[wasm_bindgen(unchecked_return_type = "TableInfo")]
    pub fn predict(
        &mut self,
        table: &str,
        #[wasm_bindgen(unchecked_param_type = "Scoring")] scoring: JsValue,
    ) -> Result<JsValue, JsValue> {
        let scoring: Scoring = from_js(&scoring, "model", ErrorCode::MlInput)?;
        let source = self.lookup(table).map_err(to_js)?;
        let scored = score_job(&self.catalog, &source, &scoring, &mut self.steps, &self.job)
            .map_err(to_js)?;
        let name = self
            .catalog
            .register_unique(&format!("{table}_predictions"), scored);
        self.info(&name, Vec::new())
    }

    /// Runs a cleaning pipeline (`spec`, a [`PipelineSpec`]) on a table as the current
    /// job: unfitted estimators are fitted on it. The cleaned table is kept as a result
    /// to page through; step outputs are kept so that the next run of the same pipeline
    /// with one more or one changed last step only runs what changed.
    #[wasm_bindgen(js_name = applyPipeline, unchecked_return_type = "PipelineResult")]
    pub fn apply_pipeline(
        &mut self,
        table: &str,
        #[wasm_bindgen(unchecked_param_type = "PipelineSpec")] spec: JsValue,
    ) -> Result<JsValue, JsValue> {
        let spec = PipelineSpec::from_json(&json_of(&spec, "pipeline")?).map_err(to_js)?;
        let source = self.lookup(table).map_err(to_js)?;
        let run = run_pipeline(
            &self.catalog,
            &source,
            &spec,
            &mut self.steps,
            true,
            &self.job,
        )
        .map_err(to_js)?;
        let info = self.keep_result("pipeline", run.output);
        to_value(&PipelineResult {
            info,
            fitted: run.fitted,
            reports: run.reports,
        })
    }

    /// Registers a table or result under a new name in the catalog (what SQL can query).
    #[wasm_bindgen(js_name = saveAs, unchecked_return_type = "TableInfo")]
    pub fn save_as(&mut self, source: &str, name: &str) -> Result<JsValue, JsValue> {
        let table = self.lookup(source).map_err(to_js)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(to_js(Error::new(
                ErrorCode::InvalidArgument,
                "give the table a name",
            )));
        }
        self.catalog
            .register(name, Table::clone(&table).with_key_codes(), false)
            .map_err(to_js)?;
        self.info(name, Vec::new())
    }

    /// Profiles every column of a table or result in one parallel pass, as the current
    /// job.
    #[wasm_bindgen(unchecked_return_type = "Profile")]
    pub fn profile(&self, table: &str) -> Result<JsValue, JsValue> {
        let table = self.lookup(table).map_err(to_js)?;
        to_value(&profile(&table, &self.job).map_err(to_js)?)
    }

    /// What a chart of a table or result draws (`spec`, a [`ChartSpec`]), aggregated
    /// over all of its rows as the current job; only the drawn values cross to the page.
    #[wasm_bindgen(js_name = chartData, unchecked_return_type = "ChartData")]
    pub fn chart_data(
        &self,
        table: &str,
        #[wasm_bindgen(unchecked_param_type = "ChartSpec")] spec: JsValue,
    ) -> Result<JsValue, JsValue> {
        let spec: ChartSpec = from_js(&spec, "chart settings", ErrorCode::InvalidArgument)?;
        let table = self.lookup(table).map_err(to_js)?;
        to_value(&chart_data(&table, &spec, &self.job).map_err(to_js)?)
    }

    #[wasm_bindgen(js_name = dropTable)]
    pub fn drop_table(&mut self, name: &str) -> Result<(), JsValue> {
        let table = self.catalog.get(name).map_err(to_js)?;
        self.catalog.drop_table(name).map_err(to_js)?;
        self.steps.forget(&table);
        Ok(())
    }

    /// Drops kept pipeline steps computed from tables that SQL dropped or replaced.
    fn forget_replaced_tables(&mut self) {
        let live: Vec<Arc<Table>> = self
            .catalog
            .names()
            .iter()
            .filter_map(|n| self.catalog.get(n).ok())
            .chain(self.results.iter().map(|(_, t)| Arc::clone(t)))
            .collect();
        self.steps
            .retain_sources(|source| live.iter().any(|t| Arc::ptr_eq(t, source)));
    }

    /// Keeps a computed table as the newest result (`<prefix>_<n>`) and describes it.
    fn keep_result(&mut self, prefix: &str, table: Arc<Table>) -> TableInfo {
        let name = format!("{prefix}_{}", self.next_result);
        self.next_result += 1;
        let info = TableInfo::describe(&name, &table, Vec::new());
        self.results.push((name, table));
        if self.results.len() > KEPT_RESULTS {
            self.results.remove(0);
        }
        info
    }

    fn lookup(&self, name: &str) -> crate::Result<Arc<Table>> {
        match self.results.iter().find(|(n, _)| n == name) {
            Some((_, table)) => Ok(Arc::clone(table)),
            None => self.catalog.get(name),
        }
    }

    fn info(&self, name: &str, warnings: Vec<String>) -> Result<JsValue, JsValue> {
        let table = self.catalog.get(name).map_err(to_js)?;
        to_value(&TableInfo::describe(name, &table, warnings))
    }
}
