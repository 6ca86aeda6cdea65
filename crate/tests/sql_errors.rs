//! SQL that cannot run gets a clear error with a stable code and, where it points at a
//! piece of the query, a line and column; statements change the catalog as in Spark.
#![cfg(not(target_arch = "wasm32"))]

use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::{Catalog, ErrorCode};

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    let csv = b"id,name,score,day\n1,a,1.5,2024-01-01\n2,b,,2024-01-02\n3,,3.5,\n";
    let (table, _) = read_csv(csv, &CsvOptions::default()).unwrap();
    catalog.register("t", table, false).unwrap();
    catalog
}

fn error(sql: &str) -> brasa::Error {
    run_sql(&mut catalog(), sql, &JobContext::default()).unwrap_err()
}

/// The message of a statement that changes the catalog.
fn done(catalog: &mut Catalog, sql: &str) -> String {
    match run_sql(catalog, sql, &JobContext::default()).unwrap() {
        SqlOutput::Done(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

fn rows(catalog: &mut Catalog, sql: &str) -> usize {
    match run_sql(catalog, sql, &JobContext::default()).unwrap() {
        SqlOutput::Rows(t) => t.num_rows(),
        SqlOutput::Done(m) | SqlOutput::Plan(m) => panic!("expected rows, got {m}"),
    }
}

#[test]
fn syntax_errors_point_at_the_position() {
    let err = error("SELECT id,\nFROM t");
    assert_eq!(err.code(), ErrorCode::SqlSyntax);
    let (line, _) = err.location().position.expect("a position");
    assert_eq!(line, 2);
}

#[test]
fn unknown_names_are_analysis_errors_with_positions() {
    let err = error("SELECT id, nme FROM t");
    assert_eq!(err.code(), ErrorCode::SqlAnalysis);
    assert!(
        err.message().contains("`nme` does not exist"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("t.id, t.name, t.score, t.day"),
        "{}",
        err.message()
    );
    assert_eq!(err.location().position, Some((1, 12)));

    let err = error("SELECT * FROM nope");
    assert_eq!(err.code(), ErrorCode::TableNotFound);
    assert_eq!(err.location().position, Some((1, 15)));
}

#[test]
fn type_and_grouping_mistakes_are_explained() {
    // Spark reads a string in arithmetic as a double; a boolean is refused.
    let err = error("SELECT (name = 'x') + 1 FROM t");
    assert_eq!(err.code(), ErrorCode::SqlAnalysis);
    assert!(err.message().contains("needs numbers"), "{}", err.message());

    let err = error("SELECT name, count(*) FROM t");
    assert!(
        err.message().contains("`name` must be in GROUP BY"),
        "{}",
        err.message()
    );

    let err = error("SELECT id FROM t WHERE count(*) > 1");
    assert!(
        err.message().contains("not allowed in WHERE"),
        "{}",
        err.message()
    );

    let err = error("SELECT id FROM t WHERE name");
    assert!(
        err.message().contains("needs a boolean"),
        "{}",
        err.message()
    );

    let err = error("SELECT id FROM t ORDER BY 5");
    assert!(err.message().contains("position 5"), "{}", err.message());

    let err = error("SELECT a.id FROM t a JOIN t b ON a.id = b.id WHERE id > 1");
    assert!(err.message().contains("ambiguous"), "{}", err.message());
}

#[test]
fn unsupported_constructs_say_so() {
    for sql in [
        "SELECT id FROM t UNION BY NAME SELECT id FROM t",
        "SELECT id FROM t a WHERE EXISTS (SELECT a.name FROM t b WHERE b.id = a.id)",
        "INSERT INTO t PARTITION (day = DATE'2024-01-01') VALUES (1, 'x', 1.0)",
        "CREATE TABLE p (a INT, b INT) USING parquet PARTITIONED BY (b)",
        "CREATE TABLE p USING csv LOCATION '/data/p'",
        "CREATE TABLE p USING csv OPTIONS (path '/data/p', header 'true')",
        "SELECT * FROM t a RIGHT JOIN LATERAL (SELECT b.id FROM t b WHERE b.id = a.id) s",
        "SELECT id, count(*) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
        // Literals hold no arrays: an uncorrelated subquery's array value is refused,
        // not turned into another value.
        "SELECT id, (SELECT collect_list(b.id) FROM t b) FROM t",
        "SELECT id FROM t WHERE array(id) IN (SELECT array(b.id) FROM t b)",
        // Each of stack's rows is a struct in the plan: a huge count is refused, not
        // planned until memory runs out.
        "SELECT stack(2000000000, id) FROM t",
        // A SHOW that is not Spark's is no setting (SET key is rewritten to a marked SHOW).
        "SHOW CATALOGS",
        "SHOW ALL",
        "SHOW TBLPROPERTIES t",
        "SHOW spark.sql.ansi.enabled",
    ] {
        let err = error(sql);
        assert_eq!(
            err.code(),
            ErrorCode::SqlUnsupported,
            "{sql}: {}",
            err.message()
        );
        assert!(
            err.message().starts_with("not supported yet: "),
            "{sql}: {}",
            err.message()
        );
    }
    let err = error("SELECT id FROM t a WHERE EXISTS (SELECT a.name FROM t b WHERE b.id = a.id)");
    assert!(err.message().contains("correlated"), "{}", err.message());
}

/// Correlated subqueries Brasa does not turn into joins are refused (never a wrong answer),
/// at a position, saying what is supported.
#[test]
fn unsupported_correlated_subqueries_say_what_works() {
    for (sql, says) in [
        (
            "SELECT id, (SELECT count(*) FROM t b WHERE array_contains(a.ids, b.id)) \
             FROM (SELECT id, array(id) AS ids FROM t) a",
            "outer column `ids` of type array<int>",
        ),
        (
            "SELECT id, (SELECT b.score FROM t b WHERE b.id = a.id ORDER BY 1 LIMIT 1) FROM t a",
            "LIMIT",
        ),
        (
            "SELECT id FROM t a WHERE EXISTS (SELECT a.name FROM t b WHERE b.id = a.id)",
            "outside their WHERE",
        ),
        (
            "SELECT id FROM t a WHERE EXISTS (SELECT 1 FROM t b WHERE b.id = a.id \
             AND EXISTS (SELECT 1 FROM t c WHERE c.name = a.name))",
            "two or more levels out",
        ),
        (
            "SELECT a.id FROM t a JOIN t b ON b.id = (SELECT max(c.id) FROM t c WHERE c.name = a.name)",
            "JOIN ... ON",
        ),
        (
            "SELECT id FROM t a WHERE EXISTS (SELECT rank() OVER (ORDER BY b.score) FROM t b \
             WHERE b.id = a.id)",
            "window functions",
        ),
        (
            "SELECT id FROM t a WHERE EXISTS (SELECT 1 FROM t b WHERE b.id = a.id \
             AND b.score > (SELECT avg(c.score) FROM t c WHERE c.name = b.name) + a.score)",
            "also reads the outer query",
        ),
        (
            "SELECT id FROM t a WHERE EXISTS (SELECT 1 FROM t b WHERE b.id = a.id \
             UNION ALL SELECT 1 FROM t c WHERE c.id = a.id)",
            "UNION",
        ),
    ] {
        let err = error(sql);
        assert_eq!(err.code(), ErrorCode::SqlUnsupported, "{sql}: {}", err.message());
        assert!(err.message().contains(says), "{sql}: {}", err.message());
        assert!(err.location().position.is_some(), "{sql}: no position");
    }
    // Spark's analysis errors, in spirit.
    for (sql, says) in [
        (
            "SELECT id, (SELECT max(b.id), min(b.id) FROM t b WHERE b.name = a.name) FROM t a",
            "one column",
        ),
        (
            "SELECT name, (SELECT count(*) FROM t b WHERE b.name = a.name) FROM t a GROUP BY name",
            "inside an aggregate function",
        ),
    ] {
        let err = error(sql);
        assert_eq!(
            err.code(),
            ErrorCode::SqlAnalysis,
            "{sql}: {}",
            err.message()
        );
        assert!(err.message().contains(says), "{sql}: {}", err.message());
    }
    // A scalar subquery that gives two rows for an outer row fails as it runs.
    let err =
        error("SELECT id, (SELECT b.id FROM t b WHERE (b.day IS NULL) = (a.day IS NULL)) FROM t a");
    assert!(
        err.message().contains("more than one row"),
        "{}",
        err.message()
    );
}

#[test]
fn aggregate_misuse_is_explained() {
    for (sql, says) in [
        (
            "SELECT count_if(score) FROM t",
            "argument 1 of count_if must be a boolean",
        ),
        (
            "SELECT sum(score) IGNORE NULLS FROM t",
            "IGNORE / RESPECT NULLS does not apply to sum",
        ),
        (
            "SELECT upper(name) FILTER (WHERE id > 1) FROM t",
            "upper is not one",
        ),
        (
            "SELECT percentile_approx(score, 1.5) FROM t",
            "between 0 and 1",
        ),
        (
            "SELECT percentile_approx(score, id) FROM t",
            "must be a number literal",
        ),
        (
            "SELECT first(score, 1) FROM t",
            "(ignoreNulls) must be true or false",
        ),
        ("SELECT corr(score) FROM t", "corr takes 2 arguments, got 1"),
        (
            "SELECT max_by(name) FROM t",
            "max_by takes 2 to 3 arguments",
        ),
        (
            "SELECT sum(id) FILTER (WHERE name) FROM t",
            "needs a boolean",
        ),
        (
            "SELECT sum(id) FILTER (WHERE count(*) > 1) FROM t",
            "cannot contain an aggregate",
        ),
        (
            "SELECT count(DISTINCT id) OVER (ORDER BY id) FROM t",
            "DISTINCT window functions are not supported",
        ),
        (
            "SELECT sum(id) FILTER (WHERE id > 1) OVER (ORDER BY id) FROM t",
            "not for window functions",
        ),
    ] {
        let err = error(sql);
        assert!(
            matches!(
                err.code(),
                ErrorCode::SqlAnalysis | ErrorCode::SqlUnsupported
            ),
            "{sql}: {:?} {}",
            err.code(),
            err.message()
        );
        assert!(err.message().contains(says), "{sql}: {}", err.message());
    }
}

#[test]
fn runtime_errors_are_reported_not_panics() {
    let err = error("SELECT regexp_extract(name, '(', 1) FROM t");
    assert_eq!(err.code(), ErrorCode::SqlExecution);
    assert!(
        err.message().contains("invalid regular expression"),
        "{}",
        err.message()
    );
    let err = error("SELECT (SELECT id FROM t)");
    assert!(
        err.message().contains("at most one row"),
        "{}",
        err.message()
    );
}

#[test]
fn views_tables_show_describe_and_drop() {
    let mut catalog = catalog();
    let ctx = JobContext::default();
    assert_eq!(
        done(
            &mut catalog,
            "CREATE TEMP VIEW v AS SELECT id FROM t WHERE score > 1"
        ),
        "created view v"
    );
    assert_eq!(rows(&mut catalog, "SELECT * FROM v"), 2);
    // A view is planned when used: it sees the table as it is now.
    assert!(run_sql(&mut catalog, "CREATE TEMP VIEW v AS SELECT 1", &ctx).is_err());
    done(
        &mut catalog,
        "CREATE OR REPLACE TEMP VIEW v AS SELECT id, name FROM t",
    );
    assert_eq!(rows(&mut catalog, "SELECT * FROM v"), 3);
    assert_eq!(
        done(
            &mut catalog,
            "CREATE TABLE c AS SELECT name, count(*) n FROM t GROUP BY name"
        ),
        "created table c with 3 rows"
    );
    assert_eq!(rows(&mut catalog, "SHOW TABLES"), 3);
    assert_eq!(rows(&mut catalog, "DESCRIBE c"), 2);
    assert_eq!(rows(&mut catalog, "DESCRIBE v"), 2);
    assert_eq!(rows(&mut catalog, "SHOW COLUMNS IN c"), 2);
    assert_eq!(rows(&mut catalog, "SHOW COLUMNS FROM v"), 2);
    done(&mut catalog, "DROP VIEW v");
    done(&mut catalog, "DROP TABLE IF EXISTS nothing");
    assert_eq!(
        run_sql(&mut catalog, "DROP TABLE nothing", &ctx)
            .unwrap_err()
            .code(),
        ErrorCode::TableNotFound
    );
    assert_eq!(rows(&mut catalog, "SHOW TABLES"), 2);
    // A view that refers to a dropped table fails when used, naming the table.
    done(&mut catalog, "CREATE TEMP VIEW w AS SELECT * FROM c");
    done(&mut catalog, "DROP TABLE c");
    let err = run_sql(&mut catalog, "SELECT * FROM w", &ctx).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TableNotFound);
}

/// `CACHE TABLE t AS ...` makes a table as Spark's cached view; of a table already known
/// it says that Brasa keeps tables in memory; a taken name is refused, never replaced.
#[test]
fn cache_table_makes_a_table_and_never_replaces_one() {
    let mut catalog = catalog();
    let ctx = JobContext::default();
    assert_eq!(
        done(
            &mut catalog,
            "CACHE TABLE big AS SELECT * FROM t WHERE id > 1"
        ),
        "cached big with 2 rows"
    );
    assert_eq!(rows(&mut catalog, "SELECT * FROM big"), 2);
    assert!(done(&mut catalog, "CACHE TABLE t").contains("in memory already"));
    assert!(done(&mut catalog, "UNCACHE TABLE big").contains("stays in memory"));
    assert!(done(&mut catalog, "UNCACHE TABLE IF EXISTS gone").contains("no table"));
    for sql in [
        "CACHE TABLE t AS SELECT 1",
        "CACHE TABLE gone",
        "UNCACHE TABLE gone",
    ] {
        assert!(run_sql(&mut catalog, sql, &ctx).is_err(), "{sql}");
    }
    assert_eq!(rows(&mut catalog, "SELECT * FROM t"), 3);
    assert_eq!(rows(&mut catalog, "SHOW FUNCTIONS LIKE 'sum|count'"), 2);
}

/// Spark's `SET`: the three settings Brasa's answers rest on are shown and accepted at
/// their value, refused at another; other keys are kept and shown, with a message that
/// they change nothing; `RESET` forgets them.
/// `SHOW SYSTEM | ALL | USER FUNCTIONS` are Spark's; another `SHOW x` is refused (in
/// `unsupported_constructs_say_so`), never answered as if it named a setting.
#[test]
fn show_statements_are_spark_s_or_refused() {
    let mut catalog = catalog();
    assert_eq!(rows(&mut catalog, "SHOW USER FUNCTIONS"), 0);
    assert_eq!(rows(&mut catalog, "SHOW USER FUNCTIONS LIKE 'up*'"), 0);
    assert_eq!(rows(&mut catalog, "SHOW SYSTEM FUNCTIONS LIKE 'upper'"), 1);
    assert_eq!(
        rows(&mut catalog, "SHOW ALL FUNCTIONS LIKE 'lower|upper'"),
        2
    );
}

#[test]
fn set_shows_keeps_and_refuses_settings() {
    let mut catalog = catalog();
    let ctx = JobContext::default();
    let mut pairs = |sql: &str| match run_sql(&mut catalog, sql, &ctx).unwrap() {
        SqlOutput::Rows(t) => {
            let batch = &t.partitions().unwrap()[0];
            let text = |c: usize, r: usize| {
                arrow_cast::display::array_value_to_string(batch.column(c), r).unwrap()
            };
            (0..t.num_rows())
                .map(|r| format!("{}={}", text(0, r), text(1, r)))
                .collect::<Vec<_>>()
        }
        SqlOutput::Done(m) | SqlOutput::Plan(m) => vec![m],
    };
    assert_eq!(
        pairs("SET"),
        [
            "spark.sql.ansi.enabled=false",
            "spark.sql.caseSensitive=false",
            "spark.sql.session.timeZone=UTC"
        ]
    );
    assert_eq!(
        pairs("SET spark.sql.ansi.enabled = false"),
        ["spark.sql.ansi.enabled=false"]
    );
    assert_eq!(
        pairs("SET TIME ZONE 'UTC'"),
        ["spark.sql.session.timeZone=UTC"]
    );
    assert!(pairs("SET spark.sql.shuffle.partitions = 8")[0].contains("changes nothing"));
    assert_eq!(
        pairs("SET spark.sql.shuffle.partitions"),
        ["spark.sql.shuffle.partitions=8"]
    );
    assert_eq!(pairs("SET spark.not.set"), ["spark.not.set=<undefined>"]);
    pairs("RESET");
    assert_eq!(
        pairs("SET spark.sql.shuffle.partitions"),
        ["spark.sql.shuffle.partitions=<undefined>"]
    );
    for sql in [
        "SET spark.sql.ansi.enabled = true",
        "SET TIME ZONE 'America/New_York'",
        "SET spark.sql.caseSensitive = true",
    ] {
        let err = error(sql);
        assert_eq!(err.code(), ErrorCode::SqlUnsupported, "{sql}");
        assert!(err.message().contains("cannot change it"), "{sql}");
    }
}

#[test]
fn cancelled_queries_stop() {
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use std::sync::Arc;
    let cancelled = Arc::new(AtomicBool::new(true));
    let ctx = JobContext::new(cancelled, Arc::new(AtomicUsize::new(0)));
    let err = run_sql(&mut catalog(), "SELECT count(*) FROM t", &ctx).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Cancelled);
}

/// Lambdas used wrongly are analysis errors pointing at the lambda (or the name) at fault.
#[test]
fn lambda_misuse_is_explained_at_its_position() {
    let cases: &[(&str, &str, (u64, u64))] = &[
        // A lambda with the wrong number of parameters: the lambda's position.
        (
            "SELECT transform(array(1), (x, y, z) -> x) FROM t",
            "takes 1 or 2 parameter(s), got 3",
            (1, 29),
        ),
        (
            "SELECT aggregate(array(1), 0, acc -> acc) FROM t",
            "takes 2 parameter(s), got 1",
            (1, 31),
        ),
        (
            "SELECT transform(array(1), (x, X) -> x) FROM t",
            "names the parameter `X` twice",
            (1, 29),
        ),
        // A lambda where a value is expected, and a value where a lambda is.
        (
            "SELECT abs(x -> x) FROM t",
            "can only be an argument of a higher-order function",
            (1, 12),
        ),
        (
            "SELECT transform(x -> x, array(1)) FROM t",
            "takes a value here, not the lambda function",
            (1, 18),
        ),
        (
            "SELECT transform(array(1), id) FROM t",
            "must be a lambda function such as `x -> x + 1`",
            (1, 28),
        ),
        // A name neither a parameter nor a column: where it is used.
        (
            "SELECT transform(array(1), x -> x + y) FROM t",
            "`y` does not exist",
            (1, 37),
        ),
        // The wrong number of arguments, and a body of the wrong type.
        (
            "SELECT transform(array(1), x -> x, 3) FROM t",
            "transform takes 2 arguments, got 3",
            (1, 8),
        ),
        (
            "SELECT filter(array(1), x -> x + 1) FROM t",
            "must return a boolean, got int",
            (1, 8),
        ),
        (
            "SELECT aggregate(array(1), 0, (acc, x) -> 'a') FROM t",
            "must return the start value's type int, got string",
            (1, 8),
        ),
    ];
    for (sql, wanted, position) in cases {
        let err = error(sql);
        assert_eq!(
            err.code(),
            ErrorCode::SqlAnalysis,
            "{sql}: {}",
            err.message()
        );
        assert!(err.message().contains(wanted), "{sql}: {}", err.message());
        assert_eq!(err.location().position, Some(*position), "{sql}");
    }
    // Lambdas read the row's columns; a parameter hides a column of the same name.
    let mut catalog = catalog();
    assert_eq!(
        rows(
            &mut catalog,
            "SELECT transform(array(1, 2), id -> id + score) FROM t"
        ),
        3
    );
}

/// Spark's typed number literals out of their type's range, or with a suffix Spark does
/// not take after that number, are errors at the literal.
#[test]
fn typed_number_literals_out_of_range_are_refused_at_their_position() {
    let err = error("SELECT id,\n  1.5L FROM t");
    assert_eq!(err.code(), ErrorCode::SqlSyntax);
    assert!(err.message().contains("`1.5L`"), "{}", err.message());
    assert_eq!(err.location().position, Some((2, 3)));
    for (sql, wanted) in [
        (
            "SELECT id, 128Y FROM t",
            "outside the range of tinyint (-128 to 127)",
        ),
        ("SELECT id, 32768S FROM t", "outside the range of smallint"),
        (
            "SELECT id, 9223372036854775808L FROM t",
            "outside the range of bigint",
        ),
        ("SELECT id, 1e400D FROM t", "outside the range of double"),
        ("SELECT id, 1e39F FROM t", "outside the range of float"),
        (
            "SELECT id, 12345678901234567890123456789012345678901BD FROM t",
            "decimal precision 41 exceeds the maximum of 38",
        ),
    ] {
        let err = error(sql);
        assert_eq!(err.code(), ErrorCode::SqlAnalysis, "{sql}");
        assert!(err.message().contains(wanted), "{sql}: {}", err.message());
        assert_eq!(err.location().position, Some((1, 12)), "{sql}");
    }
    // Typed literals with a sign are in range where Spark's are.
    let mut catalog = catalog();
    assert_eq!(
        rows(&mut catalog, "SELECT -128Y, -32768S, -9223372036854775808L"),
        1
    );
}

/// Interval arithmetic Brasa does not do is refused with the reason: Spark's calendar
/// intervals (`make_interval`), a year-month plus a day-time interval (Spark refuses it
/// too), a string plus an interval (Spark casts the string
/// to a timestamp and answers a string; Brasa asks for the cast), intervals mixing
/// year-month and day-time units (Spark refuses them too) and intervals it cannot read.
#[test]
fn interval_arithmetic_it_does_not_do_is_refused() {
    let cases: &[(&str, ErrorCode, &str)] = &[
        (
            "SELECT make_interval(1, 2) FROM t",
            ErrorCode::SqlUnsupported,
            "calendar interval",
        ),
        (
            "SELECT INTERVAL 1 YEAR + INTERVAL 1 DAY FROM t",
            ErrorCode::SqlAnalysis,
            "do not mix",
        ),
        (
            "SELECT name + INTERVAL 3 MONTHS FROM t",
            ErrorCode::SqlAnalysis,
            "cast the string to a date or timestamp first",
        ),
        (
            "SELECT INTERVAL 3 DAYS - day FROM t",
            ErrorCode::SqlAnalysis,
            "write the date or timestamp first",
        ),
        (
            "SELECT CAST(day AS DATE) + INTERVAL 1 MONTH 2 DAYS FROM t",
            ErrorCode::SqlUnsupported,
            "mixes year-month and day-time units",
        ),
        (
            "SELECT CAST(day AS DATE) + INTERVAL 1.5 DAYS FROM t",
            ErrorCode::SqlUnsupported,
            "with a whole n",
        ),
        (
            "SELECT id + INTERVAL 1 DAY FROM t",
            ErrorCode::SqlAnalysis,
            "needs a date, timestamp or time, got int",
        ),
    ];
    for (sql, code, wanted) in cases {
        let err = error(sql);
        assert_eq!(err.code(), *code, "{sql}: {}", err.message());
        assert!(err.message().contains(wanted), "{sql}: {}", err.message());
        assert!(err.location().position.is_some(), "{sql}: no position");
    }
}

/// `TABLESAMPLE (n ROWS)` takes the first n rows, as Spark does (a LIMIT); a percentage
/// or a bucket keeps each row with that probability (the values are pinned against Spark
/// by the query fixtures). What Spark refuses is refused with its reason and the table's
/// position; the alias comes after the sample, as in Spark.
#[test]
fn tablesample_takes_rows_fractions_and_refuses_the_rest() {
    let mut catalog = catalog();
    assert_eq!(
        rows(&mut catalog, "SELECT * FROM t TABLESAMPLE (2 ROWS)"),
        2
    );
    assert_eq!(
        rows(
            &mut catalog,
            "SELECT id FROM t TABLESAMPLE (10 ROWS) WHERE id > 1"
        ),
        2
    );
    assert_eq!(
        rows(&mut catalog, "SELECT * FROM t TABLESAMPLE (0 ROWS)"),
        0
    );
    let all = rows(&mut catalog, "SELECT * FROM t");
    assert_eq!(
        rows(&mut catalog, "SELECT * FROM t TABLESAMPLE (100 PERCENT) s"),
        all
    );
    assert_eq!(
        rows(
            &mut catalog,
            "SELECT * FROM t TABLESAMPLE (BUCKET 0 OUT OF 4) REPEATABLE (1)"
        ),
        0
    );
    for (sql, wanted) in [
        (
            "SELECT * FROM t TABLESAMPLE (150 PERCENT)",
            "between 0 and 1",
        ),
        (
            "SELECT * FROM t TABLESAMPLE (BUCKET 5 OUT OF 4)",
            "between 0 and 1",
        ),
        (
            "SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 0)",
            "more than 0",
        ),
        ("SELECT * FROM t TABLESAMPLE (0.5 ROWS)", "whole number"),
        (
            "SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 4 ON id)",
            "ON a column",
        ),
    ] {
        let err = error(sql);
        assert!(err.message().contains(wanted), "{sql}: {}", err.message());
        assert_eq!(err.location().position, Some((1, 15)), "{sql}");
    }
    let err = error("SELECT * FROM t s TABLESAMPLE (10 PERCENT)");
    assert_eq!(err.code(), ErrorCode::SqlSyntax, "{}", err.message());
}
