//! A small rehearsal of what a person does first — load a CSV, look at it, profile it,
//! query it, save it as Parquet and read that back — run once by the page while it waits
//! for the first file.
//!
//! Why: a browser compiles WebAssembly lazily, each function on its first call with a
//! quick baseline compiler, and compiles it again optimised (in the background, on the
//! same cores) only once it has run for a while. So the first query of a session ran
//! baseline code and paid for the compilations: in the page, the first GROUP BY on a
//! 1M-row table took 55–100 ms against 5–15 ms the next time (BENCHMARKS.md, "The first
//! run of a session"). Rehearsing on a couple of megabytes of generated rows, while the
//! person has not yet picked a file, moves that cost out of their way. (What it cannot
//! move: a first large load or profile also touches new memory, which the system hands
//! over page by page.) Nothing here touches the user's catalog.

use std::fmt::Write as _;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::{display_batch, Catalog, TableInfo};
use crate::io::csv::{read_csv, CsvOptions};
use crate::io::parquet::read_parquet;
use crate::io::write::write_parquet;
use crate::job::JobContext;
use crate::profile::profile;
use crate::sql::run_sql;

/// Queries of the kinds analysts start with: a filtered GROUP BY on strings, DISTINCT and
/// moments, a join to an aggregate, a top-k, a window.
const QUERIES: [&str; 5] = [
    "SELECT region, plan, count(*), avg(spend), sum(usage) FROM w WHERE age >= 0 GROUP BY region, plan ORDER BY region, plan",
    "SELECT count(DISTINCT region), min(signup), max(signup), stddev(spend) FROM w",
    "SELECT count(*) FROM w JOIN (SELECT region, avg(spend) a FROM w GROUP BY region) r USING (region) WHERE w.spend > r.a",
    "SELECT name, spend FROM w WHERE active AND age > 30 ORDER BY spend DESC LIMIT 100",
    "SELECT id, row_number() OVER (PARTITION BY plan ORDER BY spend) FROM w WHERE id < 5000",
];

/// Most rows a rehearsal takes (about 100 MB of CSV text): `rows` comes from the page's
/// address (`?warm-up=N`), where a typo must not ask for gigabytes.
pub const MAX_REHEARSAL_ROWS: usize = 1_000_000;

/// The rehearsal's steps, each a separate call from the page so that a file dropped while
/// it runs waits for one step at most (the page stops rehearsing once the person acts).
const STEPS: usize = 4;

/// Runs step `step` (0-based) of the rehearsal on `rows` generated rows (about 100 bytes
/// of CSV each), on its own catalog: loading the CSV (and describing and showing it),
/// profiling it, querying it, or writing it as Parquet and reading that back. Returns
/// whether there are steps after it; a step past the last does nothing.
pub fn warm_up(rows: usize, step: usize, ctx: &JobContext) -> Result<bool> {
    if step >= STEPS {
        return Ok(false);
    }
    if rows > MAX_REHEARSAL_ROWS {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "a rehearsal of {rows} rows was asked for; it takes at most {MAX_REHEARSAL_ROWS} \
                 (set ?warm-up= to fewer rows, or 0 for none)"
            ),
        ));
    }
    let (table, _) = read_csv(rehearsal_csv(rows).as_bytes(), &CsvOptions::default())?;
    let mut catalog = Catalog::new();
    let name = catalog.register_unique("w", table);
    let table = catalog.get(&name)?;
    match step {
        0 => {
            TableInfo::describe(&name, &table, Vec::new());
            display_batch(&table.window(0, 100)?)?;
        }
        1 => {
            profile(&table, ctx)?;
        }
        2 => {
            for sql in QUERIES {
                run_sql(&mut catalog, sql, ctx)?;
            }
        }
        _ => {
            let (from_parquet, _) = read_parquet(write_parquet(&table)?)?;
            if from_parquet.num_rows() != table.num_rows() {
                return Err(Error::internal(
                    "rehearsing a Parquet round trip",
                    "the rows read back differ in number",
                ));
            }
        }
    }
    Ok(step + 1 < STEPS)
}

/// CSV text of `rows` made-up customers with the column kinds files have: integers, a
/// date, a timestamp, low- and high-cardinality strings, decimals, booleans.
fn rehearsal_csv(rows: usize) -> String {
    const REGIONS: [&str; 6] = ["north", "south", "east", "west", "centre", "islands"];
    const PLANS: [&str; 4] = ["basic", "plus", "family", "business"];
    let mut text = String::with_capacity(rows * 100);
    text.push_str("id,signup,last_seen,region,plan,name,age,spend,usage,active\n");
    for i in 0..rows {
        // A fixed, cheap scramble of the row number: varied values, the same every time.
        let h = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20;
        let day = 1 + h % 28;
        let month = 1 + (h >> 5) % 12;
        let _ = writeln!(
            text,
            "{i},20{:02}-{month:02}-{day:02},2024-{month:02}-{day:02} {:02}:{:02}:{:02},{},{},customer {},{},{}.{:02},{},{}",
            15 + h % 10,
            (h >> 9) % 24,
            (h >> 14) % 60,
            (h >> 20) % 60,
            REGIONS[(h >> 3) as usize % REGIONS.len()],
            PLANS[(h >> 7) as usize % PLANS.len()],
            h % 100_000,
            18 + (h >> 11) % 70,
            (h >> 13) % 200,
            (h >> 17) % 100,
            (h >> 23) % 5_000,
            !(h >> 29).is_multiple_of(3),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rehearsal_runs_its_steps_one_call_each_then_says_it_is_done() {
        let ctx = JobContext::default();
        let more: Vec<bool> = (0..STEPS + 1)
            .map(|step| warm_up(2_000, step, &ctx).unwrap())
            .collect();
        assert_eq!(more, [true, true, true, false, false]);
    }

    #[test]
    fn a_rehearsal_too_large_is_refused_before_any_work() {
        let err = warm_up(MAX_REHEARSAL_ROWS + 1, 0, &JobContext::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert!(err.message().contains("?warm-up="), "{}", err.message());
    }

    #[test]
    fn the_rehearsal_table_has_the_column_kinds_it_is_for() {
        let (table, warnings) =
            read_csv(rehearsal_csv(500).as_bytes(), &CsvOptions::default()).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(table.num_rows(), 500);
        let types: Vec<String> = table
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().to_string())
            .collect();
        assert_eq!(
            types,
            [
                "Int32",
                "Date32",
                "Timestamp(µs, \"UTC\")",
                "Utf8",
                "Utf8",
                "Utf8",
                "Int32",
                "Float64",
                "Int32",
                "Boolean"
            ]
        );
        let mut catalog = Catalog::new();
        catalog.register_unique("w", table);
        for sql in QUERIES {
            run_sql(&mut catalog, sql, &JobContext::default()).unwrap();
        }
    }
}
