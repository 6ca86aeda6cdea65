//! The JavaScript API of the engine: `#[wasm_bindgen]` exports and conversions only.
//!
//! Tables never cross the boundary cell by cell: rows leave as Arrow IPC bytes and
//! metadata as plain objects (serde). Errors leave as JS `Error`s carrying the engine's
//! stable `code` and every other field of [`crate::api::ErrorFields`].
//!
//! Every export names its argument and result types from the generated contract
//! (`unchecked_param_type` / `unchecked_return_type`), so wasm-bindgen's TypeScript
//! declarations of this module (`www/src/engine/worker/wasm-api.ts`, see
//! `scripts/wasm-api.ts`) are typed end to end.

mod convert;
mod engine;
mod errors;
mod loaders;
mod panic;

pub use engine::Engine;
pub use loaders::{JsCsvLoader, JsHiveDataset, JsJsonLoader, JsParquetLoader};

/// Starts the rayon pool on `num_threads` web workers (threads build only). The page must
/// be cross-origin isolated.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

use wasm_bindgen::prelude::*;

/// What the engine says about itself: threads, build, memory.
#[wasm_bindgen(js_name = engineInfo, unchecked_return_type = "EngineInfo")]
pub fn engine_info() -> Result<JsValue, JsValue> {
    convert::to_value(&crate::api::EngineInfo {
        threads: rayon::current_num_threads(),
        has_threads: cfg!(feature = "threads"),
        memory_in_use_bytes: crate::memory::in_use() as u64,
        memory_bytes: core::arch::wasm32::memory_size(0) as u64 * 65_536,
        memory_limit_bytes: crate::memory::LIMIT as u64,
        memory_available_bytes: crate::memory::available() as u64,
    })
}

/// A fitted Spark ML stage's `data/` Parquet file (Spark's schema; see `ml::sparkml`):
/// the page assembles the `PipelineModel` directory around these files.
#[wasm_bindgen(js_name = sparkStageData)]
pub fn spark_stage_data(
    #[wasm_bindgen(unchecked_param_type = "SparkStageData")] data: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let data: crate::ml::sparkml::SparkStageData = convert::from_js(
        &data,
        "Spark stage data",
        crate::error::ErrorCode::InvalidArgument,
    )?;
    crate::ml::sparkml::stage_data_parquet(&data).map_err(errors::to_js)
}

/// A fitted Spark ML stage's data read back from the Parquet part files of its `data/`
/// (or `treesMetadata/`) folder, as PySpark saved them: the page's import of a
/// `PipelineModel` reads the stages' metadata itself and these files here.
#[wasm_bindgen(js_name = readSparkStageData, unchecked_return_type = "SparkStageData")]
pub fn read_spark_stage_data(
    class_name: &str,
    #[wasm_bindgen(unchecked_param_type = "SparkDataPart")] part: JsValue,
    files: Vec<js_sys::Uint8Array>,
) -> Result<JsValue, JsValue> {
    let part: crate::ml::sparkml::SparkDataPart = convert::from_js(
        &part,
        "a Spark data folder",
        crate::error::ErrorCode::InvalidArgument,
    )?;
    let files: Vec<Vec<u8>> = files.iter().map(js_sys::Uint8Array::to_vec).collect();
    let data =
        crate::ml::sparkml::read_stage_data(class_name, part, &files).map_err(errors::to_js)?;
    convert::to_value(&data)
}

/// The table name a file gets by default (`Sales 2024.csv` → `sales_2024`).
#[wasm_bindgen(js_name = tableNameFor)]
pub fn table_name_for(file_name: &str) -> String {
    crate::frame::sanitize_table_name(file_name)
}

/// Reserves `bytes` of memory for the next job (see `memory::reserve`): fails with
/// `OUT_OF_MEMORY` instead of aborting mid-job, and grows memory in one step.
#[wasm_bindgen(js_name = reserveMemory)]
pub fn reserve_memory(bytes: f64) -> Result<(), JsValue> {
    crate::memory::reserve(bytes as usize).map_err(errors::to_js)
}

/// The engine's linear memory (shared in the threads build), so the page can read job
/// progress and set the cancel flag while the worker is busy in a query.
#[wasm_bindgen(js_name = engineMemory)]
pub fn engine_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Panics on purpose, on the calling thread or (`on_pool`) on a thread-pool worker while
/// the calling thread waits for it: how the end-to-end tests check that the page restarts
/// a crashed engine and reloads its tables. The page calls it only from its test hooks.
#[wasm_bindgen(js_name = crashForTest)]
pub fn crash_for_test(on_pool: bool) {
    if on_pool && cfg!(feature = "threads") {
        // The caller waits for an answer the crashed pool thread never sends, as it
        // would wait for a job whose worker died.
        let (answer, wait) = std::sync::mpsc::channel::<()>();
        rayon::spawn(move || {
            let _answer = answer;
            panic!("crash requested by a test (on a pool thread)");
        });
        let _ = wait.recv();
    }
    panic!("crash requested by a test");
}
