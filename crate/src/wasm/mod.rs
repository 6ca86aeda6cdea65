//! The JavaScript API of the engine: `#[wasm_bindgen]` exports and conversions only.
//!
//! Tables never cross the boundary cell by cell: rows leave as Arrow IPC bytes and
//! metadata as plain objects (serde). Errors leave as JS `Error`s carrying the engine's
//! stable `code` (and `row` / `column` when known).

mod engine;
mod errors;
mod loaders;
mod panic;

pub use engine::Engine;
pub use loaders::{JsCsvLoader, JsParquetLoader};

/// Starts the rayon pool on `num_threads` web workers (threads build only). The page must
/// be cross-origin isolated.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

use wasm_bindgen::prelude::*;

/// Threads rayon runs on: the pool size in the threads build, 1 in the fallback build.
#[wasm_bindgen(js_name = threadCount)]
pub fn thread_count() -> usize {
    rayon::current_num_threads()
}

/// Bytes of linear memory the module has grown to (it never shrinks).
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65_536) as f64
}

/// Bytes the engine has allocated now (what the page shows as memory in use).
#[wasm_bindgen(js_name = memoryInUse)]
pub fn memory_in_use() -> f64 {
    crate::memory::in_use() as f64
}

/// Most memory the engine may use.
#[wasm_bindgen(js_name = memoryLimit)]
pub fn memory_limit() -> f64 {
    crate::memory::LIMIT as f64
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
    if on_pool && has_threads() {
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

/// Whether this build was compiled with the rayon thread pool.
#[wasm_bindgen(js_name = hasThreads)]
pub fn has_threads() -> bool {
    cfg!(feature = "threads")
}
