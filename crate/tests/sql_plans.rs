//! The optimizer's rules pinned by the shape of the plans `EXPLAIN` shows, beside the
//! answer tests (as DataFusion pins its optimizer rules): filters pushed into scans and
//! into each side of a join, columns no operator reads dropped at the scan, `ORDER BY ...
//! LIMIT` chosen as a top-k, QUALIFY a filter over the window functions, pipe operators
//! planned as the query they stand for, and `EXPLAIN EXTENDED` showing the plan before and
//! after.
#![cfg(not(target_arch = "wasm32"))]

use brasa::io::csv::{read_csv, CsvOptions};
use brasa::job::JobContext;
use brasa::sql::{run_sql, SqlOutput};
use brasa::Catalog;

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    let people = b"id,name,city,score\n1,a,x,1.5\n2,b,y,2.5\n";
    let cities = b"city,country\nx,pt\ny,br\n";
    let events = b"id,ts,g\n1,2024-01-01 00:05:00,a\n2,2024-01-01 01:10:00,b\n";
    for (name, csv) in [
        ("people", &people[..]),
        ("cities", &cities[..]),
        ("events", &events[..]),
    ] {
        let (table, _) = read_csv(csv, &CsvOptions::default()).unwrap();
        catalog.register(name, table, false).unwrap();
    }
    catalog
}

/// The text an EXPLAIN statement gives.
fn explain_with(statement: &str) -> String {
    match run_sql(&mut catalog(), statement, &JobContext::default()).unwrap() {
        SqlOutput::Plan(text) => text,
        other => panic!("expected a plan, got {other:?}"),
    }
}

/// The text `EXPLAIN <sql>` gives.
fn explain(sql: &str) -> String {
    explain_with(&format!("EXPLAIN {sql}"))
}

/// The optimized plan of `sql` as `EXPLAIN` prints it, one operator per line.
fn optimized(sql: &str) -> Vec<String> {
    let text = explain(sql);
    let plan = text
        .strip_prefix("== Optimized Logical Plan ==\n")
        .unwrap_or_else(|| panic!("no optimized plan in:\n{text}"));
    plan.lines().map(str::to_string).collect()
}

fn assert_plan(sql: &str, expected: &[&str]) {
    let actual = optimized(sql);
    assert_eq!(
        actual,
        expected,
        "{sql}\nactual plan:\n{}",
        actual.join("\n")
    );
}

#[test]
fn filters_go_into_the_scan_and_unread_columns_are_dropped() {
    assert_plan(
        "SELECT name FROM people WHERE score > 2",
        &[
            "Project name#0",
            "  Scan columns=[1, 3] (name, score) filters=[(score#1 > CAST(2 AS double))]",
        ],
    );
}

#[test]
fn filters_go_into_each_side_of_a_join() {
    assert_plan(
        "SELECT p.name, c.country FROM people p JOIN cities c ON p.city = c.city \
         WHERE p.score > 2 AND c.country = 'pt'",
        &[
            "Project name#0, country#1",
            "  Project name#0, country#4",
            "    Join Inner on=[city#1 = city#0]",
            "      Alias p",
            "        Scan columns=[1, 2, 3] (name, city, score) filters=[(score#2 > CAST(2 AS double))]",
            "      Alias c",
            "        Scan columns=[0, 1] (city, country) filters=[(country#1 = 'pt')]",
        ],
    );
}

#[test]
fn filters_go_through_subqueries_into_the_scan() {
    assert_plan(
        "SELECT * FROM (SELECT id, name, score FROM people) s WHERE s.score > 1",
        &[
            "Project id#0, name#1, score#2",
            "  Alias s",
            "    Project id#0, name#1, score#2",
            "      Scan columns=[0, 1, 3] (id, name, score) filters=[(score#2 > CAST(1 AS double))]",
        ],
    );
}

#[test]
fn order_by_with_limit_is_a_top_k_even_through_projections() {
    assert_plan(
        "SELECT name FROM people ORDER BY score DESC LIMIT 1",
        &[
            "Limit skip=0 fetch=Some(1)",
            "  Project name#0",
            "    Sort [score#1 DESC NULLS LAST] fetch=Some(1)",
            "      Project name#0, score#1",
            "        Scan columns=[1, 3] (name, score) filters=[]",
        ],
    );
    assert_plan(
        "SELECT name, score FROM people ORDER BY score LIMIT 2 OFFSET 3",
        &[
            "Limit skip=3 fetch=Some(2)",
            "  Sort [score#1 ASC NULLS FIRST] fetch=Some(5)",
            "    Project name#0, score#1",
            "      Scan columns=[1, 3] (name, score) filters=[]",
        ],
    );
    // Without ORDER BY there is nothing to sort; a LIMIT alone keeps no sort.
    assert_plan(
        "SELECT name FROM people LIMIT 1",
        &[
            "Limit skip=0 fetch=Some(1)",
            "  Project name#0",
            "    Scan columns=[1] (name) filters=[]",
        ],
    );
}

#[test]
fn an_aggregate_reads_the_columns_of_its_filter() {
    assert_plan(
        "SELECT city, count(*) FILTER (WHERE score > 1) AS n FROM people GROUP BY city",
        &[
            "Project city#0, count#1",
            "  Aggregate group=[city#0] aggregates=[count(*) FILTER (WHERE (score#1 > CAST(1 AS double)))]",
            "    Scan columns=[2, 3] (city, score) filters=[]",
        ],
    );
}

#[test]
fn an_aggregate_reads_the_scan_under_a_table_alias_or_a_view() {
    // So a filtered scan's rows are selected inside the aggregation, as with the table.
    let direct = [
        "Project city#0, count#1",
        "  Aggregate group=[city#0] aggregates=[count(*)]",
        "    Scan columns=[2, 3] (city, score) filters=[(score#1 > CAST(1 AS double))]",
    ];
    let query = |from: &str| {
        format!("SELECT city, count(*) AS n FROM {from} WHERE score > 1 GROUP BY city")
    };
    assert_plan(&query("people"), &direct);
    assert_plan(&query("people AS p"), &direct);
    let text = explain_with(&format!(
        "CREATE TEMP VIEW v AS SELECT * FROM people; EXPLAIN {}",
        query("v")
    ));
    assert_eq!(text, explain(&query("people")));
    assert_plan(
        &format!("WITH v AS (SELECT * FROM people) {}", query("v")),
        &direct,
    );
    assert_plan(&query("(SELECT city, score FROM people)"), &direct);
    // A projection that computes something stays between them.
    assert_plan(
        "SELECT c, count(*) AS n FROM (SELECT upper(city) AS c FROM people) GROUP BY c",
        &[
            "Project c#0, count#1",
            "  Aggregate group=[c#0] aggregates=[count(*)]",
            "    Alias __subquery",
            "      Project upper(city#0)",
            "        Scan columns=[2] (city) filters=[]",
        ],
    );
}

#[test]
fn explain_extended_shows_the_plan_before_the_optimizer() {
    let text = explain_with("EXPLAIN EXTENDED SELECT name FROM people WHERE score > 2");
    let (analyzed, optimized) = text
        .split_once("== Optimized Logical Plan ==")
        .expect("both plans");
    assert!(
        analyzed.starts_with("== Analyzed Logical Plan ==\n"),
        "{text}"
    );
    assert!(
        analyzed.contains("Filter (score#3 > CAST(2 AS double))"),
        "{text}"
    );
    assert!(!optimized.contains("Filter"), "{text}");
    for other in ["EXPLAIN FORMATTED", "EXPLAIN COST", "EXPLAIN CODEGEN"] {
        let text = explain_with(&format!("{other} SELECT 1"));
        assert!(
            text.contains("== Optimized Logical Plan =="),
            "{other}: {text}"
        );
    }
}

#[test]
fn explain_refuses_what_it_cannot_show() {
    let ctx = JobContext::default();
    for sql in [
        "EXPLAIN ANALYZE SELECT 1",
        "EXPLAIN CREATE VIEW v AS SELECT 1",
    ] {
        let err = run_sql(&mut catalog(), sql, &ctx).unwrap_err();
        assert_eq!(
            err.code(),
            brasa::ErrorCode::SqlUnsupported,
            "{sql}: {}",
            err.message()
        );
    }
    // EXPLAIN plans the query: a mistake in it is reported as when it runs.
    let err = run_sql(&mut catalog(), "EXPLAIN SELECT nope FROM people", &ctx).unwrap_err();
    assert_eq!(err.code(), brasa::ErrorCode::SqlAnalysis);
}

#[test]
fn filters_on_the_input_go_below_a_generator_and_the_rest_stay_above() {
    let sql = "SELECT id, c FROM people LATERAL VIEW explode(split(name, '')) t AS c \
               WHERE score > 2 AND c <> 'x'";
    let plan = optimized(sql);
    let text = plan.join("\n");
    let generate = plan
        .iter()
        .position(|l| l.contains("Generate explode"))
        .expect(&text);
    let scan = plan.iter().position(|l| l.contains("Scan")).expect(&text);
    let above = plan.iter().position(|l| l.contains("Filter")).expect(&text);
    assert!(above < generate && generate < scan, "{text}");
    assert!(
        plan[above].contains("c#3 != 'x'") && !plan[above].contains("score"),
        "{text}"
    );
    assert!(plan[scan].contains("filters=[(score#2 >"), "{text}");
    // `city` is never read: the scan drops it.
    assert!(!plan[scan].contains("city"), "{text}");
}

/// The names of a query's result columns.
fn column_names(sql: &str) -> Vec<String> {
    match run_sql(&mut catalog(), sql, &JobContext::default()).unwrap() {
        SqlOutput::Rows(table) => table
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect(),
        other => panic!("expected rows, got {other:?}"),
    }
}

#[test]
fn pivot_and_unpivot_name_their_columns_as_spark_does() {
    // One aggregate: the value (or its alias); several: value_aggregate (alias or text).
    assert_eq!(
        column_names("SELECT * FROM (SELECT city, name, score FROM people) PIVOT (sum(score) FOR city IN ('x', 'y' AS why))"),
        ["name", "x", "why"]
    );
    assert_eq!(
        column_names(
            "SELECT * FROM (SELECT city, name, score FROM people) \
             PIVOT (sum(score) AS s, count(*) FOR city IN ('x' AS ex, 1))"
        ),
        ["name", "ex_s", "ex_count(1)", "1_s", "1_count(1)"]
    );
    assert_eq!(
        column_names(
            "SELECT * FROM (SELECT id, score FROM people) UNPIVOT (v FOR col IN (id AS i, score))"
        ),
        ["col", "v"]
    );
    // PIVOT is grouping then a projection; EXPLAIN shows it so.
    let plan = optimized("SELECT * FROM people PIVOT (max(score) FOR city IN ('x'))").join("\n");
    assert!(plan.contains("Aggregate group=[id#0, name#1]"), "{plan}");
}

#[test]
fn a_correlated_exists_is_a_semi_join_on_the_correlation_key() {
    // The correlation `c.city = p.city` is the join key; the subquery's own condition
    // and the outer query's go into their scans.
    assert_plan(
        "SELECT name FROM people p WHERE EXISTS \
         (SELECT 1 FROM cities c WHERE c.city = p.city AND c.country = 'pt') AND p.score > 1",
        &[
            "Project name#0",
            "  Project name#0",
            "    Join LeftSemi on=[city#1 = __outer_key0#0]",
            "      Alias p",
            "        Scan columns=[1, 2, 3] (name, city, score) filters=[(score#2 > CAST(1 AS double))]",
            "      Project city#0",
            "        Alias c",
            "          Scan columns=[0, 1] (city, country) filters=[(country#1 = 'pt')]",
        ],
    );
}

#[test]
fn a_correlated_not_in_is_a_null_aware_anti_join() {
    assert_plan(
        "SELECT name FROM people p WHERE name NOT IN \
         (SELECT country FROM cities c WHERE c.city = p.city)",
        &[
            "Project name#0",
            "  Project name#0",
            "    Join LeftAnti on=[city#1 = __outer_key0#1] filter=((name#0 = country#2) OR (name#0 = country#2) IS NULL)",
            "      Alias p",
            "        Scan columns=[1, 2] (name, city) filters=[]",
            "      Project country#1, city#0",
            "        Alias c",
            "          Scan columns=[0, 1] (city, country) filters=[]",
        ],
    );
}

#[test]
fn a_correlated_scalar_subquery_is_a_left_join_to_an_aggregate_by_the_key() {
    // count(*) over no rows is 0: an outer row the join does not match gets 0, not NULL.
    assert_plan(
        "SELECT name, (SELECT count(*) FROM cities c WHERE c.city = p.city) AS n FROM people p",
        &[
            "Project name#0, CASE WHEN __outer_key0#2 IS NULL THEN 0 ELSE count(1)#1 END",
            "  Project name#0, count(1)#2, __outer_key0#3",
            "    Join Left on=[city#1 = __outer_key0#1]",
            "      Alias p",
            "        Scan columns=[1, 2] (name, city) filters=[]",
            "      Project count#1, city#0",
            "        Aggregate group=[city#0] aggregates=[count(*)]",
            "          Scan columns=[0] (city) filters=[]",
        ],
    );
}

#[test]
fn json_tuple_is_one_call_per_row_and_filters_on_the_input_stay_below_it() {
    let sql = "SELECT id, a FROM people LATERAL VIEW json_tuple(name, 'a', 'b') t AS a, b \
               WHERE score > 2";
    let plan = optimized(sql);
    let text = plan.join("\n");
    let generate = plan
        .iter()
        .position(|l| l.contains("Generate json_tuple(name#1, 'a', 'b') as (a, b)"))
        .expect(&text);
    let scan = plan.iter().position(|l| l.contains("Scan")).expect(&text);
    assert!(generate < scan, "{text}");
    assert!(plan[scan].contains("filters=[(score#2 >"), "{text}");
}

#[test]
fn stack_is_inline_over_an_array_of_its_rows() {
    let plan = optimized("SELECT stack(2, id, name, id * 2, city) FROM people").join("\n");
    assert!(plan.contains("Generate stack(array("), "{plan}");
    assert!(plan.contains("as (col0, col1)"), "{plan}");
}

/// `window(ts, ...)` adds its column under the SELECT (Spark's TimeWindowing): a tumbling
/// window is a projection over the rows whose time is not NULL (that filter and the
/// WHERE's in the scan), a sliding one an explode of the windows, filtered to those
/// holding the time when the slide does not divide the duration.
#[test]
fn time_windows_are_a_projection_or_an_explode_with_filters_in_the_scan() {
    assert_plan(
        "SELECT window(ts, '1 hour') AS w, count(*) FROM events WHERE g = 'a' GROUP BY 1",
        &[
            "Project window#0, count#1",
            "  Aggregate group=[window#0] aggregates=[count(*)]",
            "    Project time_window(ts#0, 3600000000, 3600000000, 0)",
            "      Scan columns=[1, 2] (ts, g) filters=[(g#1 = 'a'), ts#0 IS NOT NULL]",
        ],
    );
    assert_plan(
        "SELECT window(ts, '1 hour', '20 minutes') AS w, count(*) FROM events GROUP BY 1",
        &[
            "Project window#0, count#1",
            "  Aggregate group=[window#1] aggregates=[count(*)]",
            "    Generate explode(time_windows(ts#0, 3600000000, 1200000000, 0)) as (window)",
            "      Scan columns=[1] (ts) filters=[]",
        ],
    );
    assert_plan(
        "SELECT window.start, id FROM events WHERE id > 1 \
         GROUP BY window(ts, '1 hour', '25 minutes'), id",
        &[
            "Project get_field(window#0), id#1",
            "  Aggregate group=[window#2, id#0] aggregates=[]",
            "    Filter ((ts#1 >= get_field(window#2)) AND (ts#1 < get_field(window#2)))",
            "      Generate explode(time_windows(ts#1, 3600000000, 1500000000, 0)) as (window)",
            "        Scan columns=[0, 1] (id, ts) filters=[(id#0 > 1)]",
        ],
    );
}

/// `GROUP BY g, session_window(ts, gap)`: the sessions are a window function over the rows
/// WHERE keeps (filters in the scan), partitioned by the other key and ordered by time,
/// the rows then sorted so that the aggregates see them in time order, as Spark's do.
#[test]
fn session_windows_are_a_window_over_the_other_keys() {
    assert_plan(
        "SELECT g, session_window(ts, '30 minutes') AS s, count(*) FROM events \
         WHERE id > 1 GROUP BY g, session_window(ts, '30 minutes')",
        &[
            "Project g#0, session_window#1, count#2",
            "  Aggregate group=[g#2, session_window#3] aggregates=[count(*)]",
            "    Sort [g#2 ASC NULLS FIRST, ts#1 ASC NULLS FIRST] fetch=None",
            "      Window [session_window(ts#1, 1800000000) OVER (PARTITION BY g#2 ORDER BY ts#1 ASC NULLS FIRST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)]",
            "        Scan columns=[0, 1, 2] (id, ts, g) filters=[ts#1 IS NOT NULL, (id#0 > 1)]",
        ],
    );
}

#[test]
fn a_correlated_aggregate_on_a_non_equality_is_joined_to_the_domain_of_outer_values() {
    // Spark's domain join: the distinct outer cities (of the rows WHERE keeps) joined to
    // the inner rows on the condition, counted per city, and joined back null-safely on
    // two keys that are never NULL.
    assert_plan(
        "SELECT name, (SELECT count(*) FROM cities c WHERE c.city > p.city) AS n \
         FROM people p WHERE p.score > 1",
        &[
            "Project name#0, CASE WHEN __outer_key0#2 IS NULL THEN 0 ELSE count(1)#1 END",
            "  Project name#0, count(1)#3, __outer_key0#4",
            "    Join Left on=[city#1 IS NULL = __outer_key0#1, coalesce(city#1, '') = __outer_key1#2]",
            "      Alias p",
            "        Scan columns=[1, 2, 3] (name, city, score) filters=[(score#2 > CAST(1 AS double))]",
            "      Project count#2, __group#0, __group#1",
            "        Aggregate group=[city#0 IS NULL, coalesce(city#0, '')] aggregates=[count(*)]",
            "          Project city#1",
            "            Join Inner on=[] filter=(city#0 > city#1)",
            "              Alias c",
            "                Scan columns=[0] (city) filters=[]",
            "              Distinct",
            "                Project city#0",
            "                  Alias p",
            "                    Scan columns=[2, 3] (city, score) filters=[(score#1 > CAST(1 AS double))]",
        ],
    );
}

#[test]
fn qualify_is_a_filter_over_the_window_under_the_projection() {
    assert_plan(
        "SELECT id, row_number() OVER (PARTITION BY city ORDER BY score DESC) AS rn \
         FROM people QUALIFY rn = 1",
        &[
            "Project id#0, row_number#3",
            "  Filter (row_number#3 = 1)",
            "    Window [row_number() OVER (PARTITION BY city#1 ORDER BY score#2 DESC NULLS LAST RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)]",
            "      Scan columns=[0, 2, 3] (id, city, score) filters=[]",
        ],
    );
}

#[test]
fn a_pipe_filter_goes_into_the_scan_and_drops_unread_columns() {
    assert_plan(
        "FROM people |> WHERE score > 2 |> SELECT name",
        &[
            "Project name#0",
            "  Project name#0",
            "    Project name#0",
            "      Scan columns=[1, 3] (name, score) filters=[(score#1 > CAST(2 AS double))]",
        ],
    );
}

/// `range(...)` is a leaf that makes its numbers when the plan runs (nothing is made while
/// planning, so EXPLAIN of a huge range costs nothing), with Spark's partitions.
#[test]
fn range_is_a_leaf_made_when_the_plan_runs() {
    assert_plan(
        "SELECT id * 2 AS twice FROM range(0, 10000000000, 1, 4) WHERE id > 3",
        &[
            "Project (id#0 * CAST(2 AS bigint))",
            "  Filter (id#0 > CAST(3 AS bigint))",
            "    Range start=0 end=10000000000 step=1 rows=10000000000 partitions=4",
        ],
    );
}
