//! The SQL front end on arbitrary text: parse, plan, optimise and run against a small
//! catalog, on a 2 MB stack like the engine's thread-pool workers in wasm. Anything but
//! a result or a clear error (a panic, a stack overflow, an `INTERNAL` error) is a bug.
#![no_main]

use std::sync::OnceLock;

use brasa::frame::Table;
use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::run_sql;
use brasa::{Catalog, ErrorCode};
use libfuzzer_sys::fuzz_target;

const T: &str = "id,name,score,day,flag,at\n\
1,a,1.5,2024-01-01,true,2024-01-01T10:00:00Z\n\
2,b,,2024-01-02,false,\n\
3,,-3.25,,true,2023-12-31T23:59:59Z\n\
4,a,0,2024-02-29,,2024-02-29T00:00:00Z\n\
,c,1e10,2020-01-01,false,2020-01-01T00:00:00Z\n";
const U: &str = "id,amount,label\n1,10,x\n1,20,y\n3,30,\n5,,z\n";

fn tables() -> &'static [(String, std::sync::Arc<Table>)] {
    static TABLES: OnceLock<Vec<(String, std::sync::Arc<Table>)>> = OnceLock::new();
    TABLES.get_or_init(|| {
        [("t", T), ("u", U)]
            .into_iter()
            .map(|(name, csv)| {
                let (table, _) = read_csv(csv.as_bytes(), &CsvOptions::default()).expect("loads");
                (name.to_string(), std::sync::Arc::new(table))
            })
            .collect()
    })
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    for (name, table) in tables() {
        catalog
            .register(name, Table::clone(table), false)
            .expect("registers");
    }
    catalog
}

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let sql = sql.to_string();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut catalog = catalog();
            if let Err(e) = run_sql(&mut catalog, &sql, &JobContext::default()) {
                assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message());
            }
        })
        .expect("spawns")
        .join()
        .expect("the query ran without panicking");
});
