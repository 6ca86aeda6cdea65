use wasm_bindgen::prelude::*;

use crate::frame::{display_batch, Catalog, TableInfo};
use crate::io::ipc::batch_to_ipc;
use crate::wasm::errors::{to_js, to_value};
use crate::wasm::loaders::{JsCsvLoader, JsParquetLoader};
use crate::wasm::panic::install_hook;

/// A session: the catalog of loaded tables and the operations on them.
#[wasm_bindgen]
pub struct Engine {
    catalog: Catalog,
}

#[wasm_bindgen]
impl Engine {
    /// `panic_channel`: the `BroadcastChannel` a panic is reported on (see `panic.rs`).
    #[wasm_bindgen(constructor)]
    pub fn new(panic_channel: &str) -> Engine {
        install_hook(panic_channel);
        Engine {
            catalog: Catalog::new(),
        }
    }

    /// Finishes a CSV load and registers the table under `name` (or `name_2`, ... if
    /// taken). Returns the table's `TableInfo`, with the load's warnings.
    #[wasm_bindgen(js_name = addCsv)]
    pub fn add_csv(&mut self, name: &str, loader: JsCsvLoader) -> Result<JsValue, JsValue> {
        let (table, warnings) = loader.into_inner().finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// Finishes a Parquet load and registers the table; see [`Engine::add_csv`].
    #[wasm_bindgen(js_name = addParquet)]
    pub fn add_parquet(&mut self, name: &str, loader: JsParquetLoader) -> Result<JsValue, JsValue> {
        let (table, warnings) = loader.into_inner().finish().map_err(to_js)?;
        let name = self.catalog.register_unique(name, table);
        self.info(&name, warnings)
    }

    /// `TableInfo` of every loaded table.
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

    /// Rows `[offset, offset + count)` of a table as Arrow IPC stream bytes.
    #[wasm_bindgen(js_name = rowsIpc)]
    pub fn rows_ipc(&self, name: &str, offset: usize, count: usize) -> Result<Vec<u8>, JsValue> {
        let table = self.catalog.get(name).map_err(to_js)?;
        let window = table.window(offset, count).map_err(to_js)?;
        batch_to_ipc(&window).map_err(to_js)
    }

    /// Rows `[offset, offset + count)` formatted for display (every column a string,
    /// nulls kept), as Arrow IPC stream bytes: what the table grid shows.
    #[wasm_bindgen(js_name = previewIpc)]
    pub fn preview_ipc(&self, name: &str, offset: usize, count: usize) -> Result<Vec<u8>, JsValue> {
        let table = self.catalog.get(name).map_err(to_js)?;
        let window = table.window(offset, count).map_err(to_js)?;
        batch_to_ipc(&display_batch(&window).map_err(to_js)?).map_err(to_js)
    }

    #[wasm_bindgen(js_name = dropTable)]
    pub fn drop_table(&mut self, name: &str) -> Result<(), JsValue> {
        self.catalog.drop_table(name).map_err(to_js)
    }

    fn info(&self, name: &str, warnings: Vec<String>) -> Result<JsValue, JsValue> {
        let table = self.catalog.get(name).map_err(to_js)?;
        to_value(&TableInfo::describe(name, &table, warnings))
    }
}
