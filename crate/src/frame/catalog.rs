use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;

/// The named tables of a session, like Spark's temp views.
///
/// Names are case-insensitive (Spark's default): `Sales` and `sales` are the same table.
/// Registering a name that is taken picks the next free `name_2`, `name_3`... so loading a
/// second file with the same name never replaces data silently.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    /// Keyed by lower-cased name; the value keeps the name as registered.
    tables: BTreeMap<String, (String, Arc<Table>)>,
    /// Temporary views: the SQL of their query, planned each time they are used (as
    /// Spark's temp views). Tables and views share one namespace.
    views: BTreeMap<String, (String, String)>,
    /// Settings given with SQL's `SET key = value` that Brasa keeps for `SET key` to show
    /// (keyed by lower-cased key; the value keeps the key as written).
    settings: BTreeMap<String, (String, String)>,
    /// How many times the catalog has changed (wrapping): the page compares it before and
    /// after a SQL run to learn whether the run changed something it must follow and
    /// replay after a restart, whatever the run's last statement or error.
    changes: u32,
}

impl Catalog {
    pub fn new() -> Self {
        Catalog::default()
    }

    /// Registers `table` (a loaded file, a model's predictions) under `name` (or the first
    /// free variant of it) and returns the name actually used. Its low-cardinality string
    /// columns get their codes kept ([`Table::with_key_codes`]).
    pub fn register_unique(&mut self, name: &str, table: Table) -> String {
        let table = table.with_key_codes();
        let mut candidate = name.to_string();
        let mut suffix = 2;
        while self.contains(&candidate) {
            candidate = format!("{name}_{suffix}");
            suffix += 1;
        }
        self.tables.insert(
            candidate.to_lowercase(),
            (candidate.clone(), Arc::new(table)),
        );
        self.changed();
        candidate
    }

    /// How many times the catalog has changed (see the field); equal before and after
    /// something that changed nothing.
    pub fn changes(&self) -> u32 {
        self.changes
    }

    fn changed(&mut self) {
        self.changes = self.changes.wrapping_add(1);
    }

    /// Registers `table` under exactly `name` (`CREATE TABLE ... AS`); replaces an
    /// existing table only if `replace`.
    pub fn register(&mut self, name: &str, table: Table, replace: bool) -> Result<()> {
        self.check_free(name, replace, false)?;
        self.tables
            .insert(name.to_lowercase(), (name.to_string(), Arc::new(table)));
        self.changed();
        Ok(())
    }

    /// Registers a temporary view defined by the SQL text of a query.
    pub fn register_view(&mut self, name: &str, sql: &str, replace: bool) -> Result<()> {
        self.check_free(name, replace, true)?;
        self.views
            .insert(name.to_lowercase(), (name.to_string(), sql.to_string()));
        self.changed();
        Ok(())
    }

    /// The SQL of view `name`, if there is such a view.
    pub fn view(&self, name: &str) -> Option<String> {
        self.views
            .get(&name.to_lowercase())
            .map(|(_, sql)| sql.clone())
    }

    pub fn drop_view(&mut self, name: &str) -> Result<()> {
        match self.views.remove(&name.to_lowercase()) {
            Some(_) => {
                self.changed();
                Ok(())
            }
            None => Err(Error::new(
                ErrorCode::TableNotFound,
                format!("view `{name}` does not exist"),
            )),
        }
    }

    /// Names of the temporary views.
    pub fn view_names(&self) -> Vec<String> {
        self.views.values().map(|(name, _)| name.clone()).collect()
    }

    /// Keeps a `SET key = value` setting (replacing the key's earlier value).
    pub fn set_setting(&mut self, key: &str, value: &str) {
        self.settings
            .insert(key.to_lowercase(), (key.to_string(), value.to_string()));
        self.changed();
    }

    /// The kept settings as (key, value).
    pub fn settings(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.settings.values().cloned()
    }

    /// Forgets a kept setting; whether there was one.
    pub fn remove_setting(&mut self, key: &str) -> bool {
        let removed = self.settings.remove(&key.to_lowercase()).is_some();
        if removed {
            self.changed();
        }
        removed
    }

    pub fn clear_settings(&mut self) {
        if !self.settings.is_empty() {
            self.changed();
        }
        self.settings.clear();
    }

    pub fn contains(&self, name: &str) -> bool {
        let key = name.to_lowercase();
        self.tables.contains_key(&key) || self.views.contains_key(&key)
    }

    fn check_free(&self, name: &str, replace: bool, view: bool) -> Result<()> {
        let key = name.to_lowercase();
        let (same_kind, other_kind) = if view {
            (
                self.views.contains_key(&key),
                self.tables.contains_key(&key),
            )
        } else {
            (
                self.tables.contains_key(&key),
                self.views.contains_key(&key),
            )
        };
        if other_kind {
            let (is, what) = if view {
                ("a table", "view")
            } else {
                ("a view", "table")
            };
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("`{name}` is already {is}; drop it or pick another name for the {what}"),
            ));
        }
        if same_kind && !replace {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("`{name}` already exists; use CREATE OR REPLACE"),
            ));
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Result<Arc<Table>> {
        self.tables
            .get(&name.to_lowercase())
            .map(|(_, table)| Arc::clone(table))
            .ok_or_else(|| self.not_found(name))
    }

    /// Renames table or view `from` to `to` (which must be free), keeping its rows or
    /// query.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (old, new) = (from.to_lowercase(), to.to_lowercase());
        if !self.contains(from) {
            return Err(self.not_found(from));
        }
        if old != new && self.contains(to) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("cannot rename `{from}` to `{to}`: `{to}` already exists"),
            ));
        }
        if let Some((_, table)) = self.tables.remove(&old) {
            self.tables.insert(new, (to.to_string(), table));
        } else if let Some((_, sql)) = self.views.remove(&old) {
            self.views.insert(new, (to.to_string(), sql));
        }
        self.changed();
        Ok(())
    }

    /// Removes a table; its memory is freed once no running job holds it.
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        match self.tables.remove(&name.to_lowercase()) {
            Some(_) => {
                self.changed();
                Ok(())
            }
            None => Err(self.not_found(name)),
        }
    }

    /// The registered names, in case-insensitive alphabetical order.
    pub fn names(&self) -> Vec<String> {
        self.tables.values().map(|(name, _)| name.clone()).collect()
    }

    fn not_found(&self, name: &str) -> Error {
        let mut known = self.names();
        known.extend(self.view_names());
        let hint = if known.is_empty() {
            "no tables are loaded yet".to_string()
        } else {
            format!("loaded tables: {}", known.join(", "))
        };
        Error::new(
            ErrorCode::TableNotFound,
            format!("table `{name}` does not exist ({hint})"),
        )
    }
}

/// Turns a file name into a table name usable in SQL without quoting: the extension is
/// dropped, every run of characters other than ASCII letters, digits and `_` becomes one
/// `_`, and a leading digit gets a `t_` prefix. `Sales 2024 (final).csv` becomes
/// `sales_2024_final`.
pub fn sanitize_table_name(file_name: &str) -> String {
    let stem = strip_data_extensions(file_name);
    let mut name = String::with_capacity(stem.len());
    for ch in stem.chars() {
        if ch.is_ascii_alphanumeric() {
            name.push(ch.to_ascii_lowercase());
        } else if !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_matches('_');
    match name.chars().next() {
        None => "table".to_string(),
        Some(first) if first.is_ascii_digit() => format!("t_{name}"),
        Some(_) => name.to_string(),
    }
}

fn strip_data_extensions(file_name: &str) -> &str {
    const EXTENSIONS: [&str; 25] = [
        ".gz", ".zst", ".bz2", ".csv", ".tsv", ".txt", ".dat", ".parquet", ".pq", ".parq", ".zstd",
        ".json", ".jsonl", ".ndjson", ".arrow", ".arrows", ".feather", ".ipc", ".ftr", ".xlsx",
        ".xlsm", ".xlsb", ".xls", ".ods", ".zip",
    ];
    let mut stem = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    loop {
        let lower = stem.to_ascii_lowercase();
        match EXTENSIONS.iter().find(|ext| lower.ends_with(*ext)) {
            Some(ext) if stem.len() > ext.len() => stem = &stem[..stem.len() - ext.len()],
            _ => return stem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::Schema;

    #[test]
    fn sanitizes_file_names() {
        assert_eq!(
            sanitize_table_name("Sales 2024 (final).csv"),
            "sales_2024_final"
        );
        assert_eq!(sanitize_table_name("2024-report.parquet"), "t_2024_report");
        assert_eq!(sanitize_table_name("data.csv.gz"), "data");
        assert_eq!(sanitize_table_name("Budget 2024.xlsx"), "budget_2024");
        assert_eq!(sanitize_table_name("old.XLS"), "old");
        assert_eq!(sanitize_table_name("sales.zip"), "sales");
        assert_eq!(sanitize_table_name("dir/sub/My-File.TSV"), "my_file");
        assert_eq!(sanitize_table_name("ñandú.csv"), "and");
        assert_eq!(sanitize_table_name("日本.csv"), "table");
        assert_eq!(sanitize_table_name(".csv"), "csv");
        assert_eq!(sanitize_table_name("café_menu.csv"), "caf_menu");
    }

    #[test]
    fn names_are_unique_and_case_insensitive() {
        let mut catalog = Catalog::new();
        let empty = || Table::empty(Arc::new(Schema::empty()));
        assert_eq!(catalog.register_unique("sales", empty()), "sales");
        assert_eq!(catalog.register_unique("Sales", empty()), "Sales_2");
        assert_eq!(catalog.register_unique("sales", empty()), "sales_3");
        assert!(catalog.get("SALES_2").is_ok());
        catalog.drop_table("sales").unwrap();
        let err = catalog.get("sales").unwrap_err();
        assert_eq!(err.code(), ErrorCode::TableNotFound);
        assert!(err.message().contains("Sales_2"), "{}", err.message());
    }
}
