//! The wasm API in a real browser with the thread pool on two threads: what the engine
//! worker does, called the same way (`npm run test:wasm`: `scripts/test-wasm.sh`).
#![cfg(target_arch = "wasm32")]

use brasa::wasm::{Engine, JsCsvLoader, JsHiveDataset, JsJsonLoader, JsParquetLoader};
use js_sys::Reflect;
use wasm_bindgen::JsValue;
#[cfg(feature = "threads")]
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SAMPLE_CSV: &[u8] = include_bytes!("../../www/public/sample/telecom.csv");
const PARQUET: &[u8] = include_bytes!("../../tests/fixtures/parquet/types_zstd.parquet");
const BROKEN_PARQUET: &[u8] = include_bytes!("../../tests/fixtures/parquet/broken_footer.parquet");

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

/// A spec as the page sends it: a plain object.
fn object(json: &serde_json::Value) -> JsValue {
    js_sys::JSON::parse(&json.to_string()).unwrap()
}

/// Starts the pool once for all tests (they run concurrently on the page's one thread and
/// a global pool can only be built once); each test awaits the same promise.
async fn start_pool() {
    #[cfg(feature = "threads")]
    {
        thread_local! {
            static POOL: js_sys::Promise = brasa::wasm::init_thread_pool(2);
        }
        let pool = POOL.with(Clone::clone);
        JsFuture::from(pool).await.unwrap();
        assert_eq!(rayon::current_num_threads(), 2);
    }
}

#[wasm_bindgen_test]
async fn loads_csv_in_chunks_on_two_threads() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(&SAMPLE_CSV[..1 << 16], false, JsValue::UNDEFINED).unwrap();
    for chunk in SAMPLE_CSV.chunks(50_000) {
        loader.push(chunk).unwrap();
    }
    let info = engine.add_csv("telecom", loader).unwrap();
    assert_eq!(get(&info, "name"), "telecom");
    assert_eq!(get(&info, "rows").as_f64(), Some(5000.0));
    let columns = js_sys::Array::from(&get(&info, "columns"));
    assert_eq!(columns.length(), 13);
    assert_eq!(get(&columns.get(0), "name"), "customer_id");
    assert_eq!(get(&columns.get(0), "dataType"), "int");
    assert_eq!(get(&columns.get(12), "dataType"), "timestamp");

    let ipc = engine.preview_ipc("telecom", 0, 3, 200).unwrap();
    assert!(ipc.len() > 100);
    assert!(engine.rows_ipc("telecom", 4999, 10).is_ok());
    let err = engine.rows_ipc("telecom", 5001, 1).unwrap_err();
    assert_eq!(get(&err, "code"), "INVALID_ARGUMENT");

    // The tracking's digest: the SHA-256 of the CSV download, hashed as it is formatted
    // on the pool, remembered for the same table and not for another under its name.
    use sha2::{Digest, Sha256};
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let csv = engine
        .export_table("telecom", "csv", JsValue::UNDEFINED)
        .unwrap();
    let digest = engine.table_digest("telecom").unwrap();
    assert_eq!(digest, hex(&Sha256::digest(&csv)));
    assert_eq!(engine.table_digest("telecom").unwrap(), digest);
    engine.begin_job();
    engine
        .run_sql("CREATE OR REPLACE TABLE telecom AS SELECT * FROM telecom LIMIT 10")
        .unwrap();
    let csv = engine
        .export_table("telecom", "csv", JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(
        engine.table_digest("telecom").unwrap(),
        hex(&Sha256::digest(&csv))
    );
    assert_ne!(engine.table_digest("telecom").unwrap(), digest);
}

#[wasm_bindgen_test]
async fn loads_parquet_row_groups_in_parallel() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsParquetLoader::new(PARQUET.to_vec()).unwrap();
    assert_eq!(loader.num_row_groups(), 4);
    while loader.groups_done() < loader.num_row_groups() {
        loader.decode_next(2).unwrap();
    }
    let info = engine.add_parquet("types", loader).unwrap();
    assert_eq!(get(&info, "rows").as_f64(), Some(1000.0));
    assert_eq!(get(&info, "partitions").as_f64(), Some(4.0));
}

#[wasm_bindgen_test]
async fn loads_parquet_slice_by_slice_after_its_footer() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let len = PARQUET.len() as f64;
    let footer = JsParquetLoader::footer_length(&PARQUET[PARQUET.len() - 8..], len).unwrap();
    let tail = PARQUET[PARQUET.len() - footer as usize..].to_vec();
    let mut loader = JsParquetLoader::from_footer(tail, len).unwrap();
    assert_eq!(loader.decode_next(4).unwrap(), 0);
    for slice in PARQUET.chunks(PARQUET.len() / 3 + 1) {
        loader.push(slice.to_vec()).unwrap();
        loader.decode_next(4).unwrap();
    }
    assert_eq!(loader.groups_done(), 4);
    let info = engine.add_parquet("types", loader).unwrap();
    assert_eq!(get(&info, "rows").as_f64(), Some(1000.0));
}

#[wasm_bindgen_test]
async fn reads_a_partitioned_folder_as_one_table() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut dataset = JsHiveDataset::new();
    assert!(!JsHiveDataset::is_data_file("t/_SUCCESS"));
    for path in ["t/year=2023/part-0.parquet", "t/year=2024/part-0.parquet"] {
        assert!(JsHiveDataset::is_data_file(path));
        dataset
            .add_parquet(path, JsParquetLoader::new(PARQUET.to_vec()).unwrap())
            .unwrap();
    }
    // Queued, not decoded yet: the files and their partition folders are known already.
    assert_eq!(dataset.files(), 2);
    assert_eq!(dataset.partition_columns(), ["year"]);
    // The first file's row group on the pool; the second's when the dataset is added.
    assert_eq!(dataset.decode_parquet(1).unwrap(), 1);
    let info = engine.add_hive_dataset("t", dataset).unwrap();
    assert_eq!(get(&info, "rows").as_f64(), Some(2000.0));
    let zip = engine.export_partitioned("t", vec!["year".into()]).unwrap();
    assert_eq!(&zip[..4], b"PK\x03\x04");
    let err = engine
        .export_partitioned("t", vec!["nope".into()])
        .unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("INVALID_ARGUMENT")
    );
}

#[wasm_bindgen_test]
async fn reads_a_csv_folder_with_one_schema() {
    start_pool().await;
    let files: [(&str, &[u8]); 2] = [
        ("c/year=2023/part-0.csv", b"id,code\n1,7\n2,12\n"),
        ("c/year=2024/part-0.csv", b"id,code\n3,A-3\n4,007\n"),
    ];
    let read = |schema: Option<&str>| {
        let mut dataset = JsHiveDataset::new();
        for (path, bytes) in files {
            let options = match schema {
                Some(ddl) => object(&serde_json::json!({ "schema": ddl })),
                None => JsValue::UNDEFINED,
            };
            let mut loader = JsCsvLoader::new(bytes, true, options).unwrap();
            loader.push(bytes).unwrap();
            dataset.add_csv(path, loader).unwrap();
        }
        dataset
    };
    let ddl = read(None)
        .widened_schema()
        .expect("code is int in one file");
    assert_eq!(ddl, "`id` int, `code` string");
    let again = read(Some(&ddl));
    assert_eq!(again.widened_schema(), None);
    let mut engine = Engine::new("brasa-test-panic");
    let info = engine.add_hive_dataset("c", again).unwrap();
    assert_eq!(get(&info, "rows").as_f64(), Some(4.0));
}

/// A JSON folder: its files' text kept until the dataset is added, then one schema
/// inferred over all of them (`amount` bigint in one file, double in the other).
#[wasm_bindgen_test]
async fn reads_a_json_folder_with_one_schema() {
    start_pool().await;
    let files: [(&str, &[u8]); 2] = [
        ("j/year=2023/part-0.json", b"{\"id\":1,\"amount\":12}\n"),
        (
            "j/year=2024/part-0.json",
            b"{\"id\":2,\"amount\":2.5,\"note\":\"x\"}\n",
        ),
    ];
    let paths = files.iter().map(|(path, _)| path.to_string()).collect();
    assert_eq!(JsHiveDataset::folder_format(paths).unwrap(), "json");
    let mut dataset = JsHiveDataset::new();
    for (path, bytes) in files {
        let mut loader =
            JsJsonLoader::new(JsValue::UNDEFINED, bytes.len() as f64, JsValue::UNDEFINED).unwrap();
        loader.push(bytes).unwrap();
        dataset.add_json(path, loader).unwrap();
    }
    assert_eq!(dataset.files(), 2);
    assert_eq!(dataset.partition_columns(), ["year"]);
    let mut engine = Engine::new("brasa-test-panic");
    let info = engine.add_hive_dataset("j", dataset).unwrap();
    assert_eq!(get(&info, "rows").as_f64(), Some(2.0));
    let columns = js_sys::Array::from(&get(&info, "columns"));
    let described: Vec<String> = columns
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                get(&c, "name").as_string().unwrap(),
                get(&c, "dataType").as_string().unwrap()
            )
        })
        .collect();
    assert_eq!(
        described,
        ["amount double", "id bigint", "note string", "year int"]
    );
}

#[wasm_bindgen_test]
async fn errors_reach_js_with_a_code_and_a_row() {
    start_pool().await;
    let err = JsParquetLoader::new(BROKEN_PARQUET.to_vec()).err().unwrap();
    assert_eq!(get(&err, "code"), "PARQUET_CORRUPT");
    assert_eq!(get(&err, "name"), "BrasaError");

    let csv = b"a,b\n1,2\n3,\"open\n";
    let mut loader = JsCsvLoader::new(csv, true, JsValue::UNDEFINED).unwrap();
    loader.push(csv).unwrap();
    let mut engine = Engine::new("brasa-test-panic");
    let err = engine.add_csv("bad", loader).unwrap_err();
    assert_eq!(get(&err, "code"), "CSV_UNTERMINATED_QUOTE");
    assert_eq!(get(&err, "row").as_f64(), Some(2.0));

    let options = js_sys::JSON::parse(r#"{"mode": "SOMETIMES"}"#).unwrap();
    let err = JsCsvLoader::new(b"a\n", true, options).err().unwrap();
    assert_eq!(get(&err, "code"), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
async fn runs_sql_on_the_pool_and_reports_positions_and_cancellation() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(&SAMPLE_CSV[..1 << 16], false, JsValue::UNDEFINED).unwrap();
    loader.push(SAMPLE_CSV).unwrap();
    engine.add_csv("telecom", loader).unwrap();

    engine.begin_job();
    let result = engine
        .run_sql("SELECT plan, count(*) AS n FROM telecom GROUP BY plan ORDER BY plan")
        .unwrap();
    assert_eq!(get(&result, "kind"), "rows");
    let info = get(&result, "info");
    assert_eq!(get(&info, "rows").as_f64(), Some(4.0));
    let name = get(&info, "name").as_string().unwrap();
    assert!(engine.preview_ipc(&name, 0, 4, 200).unwrap().len() > 100);
    let csv = String::from_utf8(
        engine
            .export_table(&name, "csv", JsValue::UNDEFINED)
            .unwrap(),
    )
    .unwrap();
    assert!(csv.starts_with("plan,n\nbasic,"), "{csv}");

    let err = engine
        .run_sql("SELECT plan,\n  nope FROM telecom")
        .unwrap_err();
    assert_eq!(get(&err, "code"), "SQL_ANALYSIS");
    assert_eq!(get(&err, "line").as_f64(), Some(2.0));
    assert_eq!(get(&err, "col").as_f64(), Some(3.0));

    // The page cancels by writing 1 at the job's cancel address in shared memory.
    let addresses = engine.begin_job();
    // SAFETY: the address is the job's live `AtomicBool`, as the page would write it.
    unsafe { std::ptr::write_volatile(addresses[0] as usize as *mut u8, 1) };
    let err = engine.run_sql("SELECT count(*) FROM telecom").unwrap_err();
    assert_eq!(get(&err, "code"), "CANCELLED");
}

/// Queries just under the nesting limits of `sql::limits` run in wasm without overflowing
/// a stack (which would kill the engine), with joins and unions spread over the pool; just
/// over them they are refused with a message.
///
/// The limits are set for the release build the page runs: the test build is without
/// optimisation, whose frames are several times bigger, and a pool thread (2 MB) overflows
/// at these depths. So this runs only in an optimised build
/// (`bash scripts/test-wasm.sh --release`);
/// `npm test` checks the same queries on the release build in the page
/// (`tests/e2e/hostile.test.ts`, the `sql-*-499`, `sql-join-100` and `sql-case-46` entries).
#[wasm_bindgen_test]
#[cfg_attr(
    debug_assertions,
    ignore = "limits are sized for the release build; see above"
)]
async fn queries_at_the_nesting_limits_fit_the_stacks() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(&SAMPLE_CSV[..1 << 16], false, JsValue::UNDEFINED).unwrap();
    loader.push(SAMPLE_CSV).unwrap();
    engine.add_csv("t", loader).unwrap();
    let chain = |item: &str, separator: &str, count: usize| vec![item; count].join(separator);
    let deepest = [
        format!(
            "SELECT count(*) FROM t WHERE {}",
            chain("age = 30", " OR ", 250)
        ),
        format!("SELECT sum({}) FROM t", chain("age", " + ", 499)),
        chain("SELECT age FROM t WHERE age = 30", " UNION ALL ", 499),
        chain("SELECT age FROM t WHERE age = 30", " UNION ", 499),
        format!(
            "SELECT count(*) FROM t a0 {}",
            (1..100)
                .map(|i| format!("JOIN t a{i} ON a{i}.customer_id = a0.customer_id "))
                .collect::<String>()
        ),
        format!(
            "SELECT {} FROM t",
            (0..46).fold("age".to_string(), |e, _| {
                format!("CASE WHEN age > 0 THEN {e} + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 END")
            })
        ),
        format!("SELECT {}1{} FROM t", "(1 + ".repeat(20), ")".repeat(20)),
    ];
    for sql in &deepest {
        engine.begin_job();
        let result = engine.run_sql(sql);
        assert!(result.is_ok(), "{}…: {:?}", &sql[..80], result.err());
    }
    for sql in [
        format!(
            "SELECT count(*) FROM t WHERE {}",
            chain("age = 30", " OR ", 100_000)
        ),
        chain("SELECT age FROM t", " UNION ALL ", 600),
        format!(
            "SELECT {}1{} FROM t",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
    ] {
        engine.begin_job();
        let err = engine.run_sql(&sql).unwrap_err();
        assert_eq!(get(&err, "code"), "SQL_UNSUPPORTED");
    }
}

const REGRESSION_CSV: &[u8] = include_bytes!("../../tests/fixtures/ml/regression.csv");
const REGRESSION_EXPECTED: &str = include_str!("../../tests/fixtures/ml/expected.json");

#[wasm_bindgen_test]
async fn trains_a_grid_on_the_pool_scores_a_table_and_cancels() {
    start_pool().await;
    let expected: serde_json::Value = serde_json::from_str(REGRESSION_EXPECTED).unwrap();
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(REGRESSION_CSV, false, JsValue::UNDEFINED).unwrap();
    loader.push(REGRESSION_CSV).unwrap();
    engine.add_csv("regression", loader).unwrap();
    let spec = object(&serde_json::json!({
        "estimator": "linearRegression",
        "params": {},
        "features": expected["features"],
        "label": "spend",
        "grid": [
            {"param": "regParam", "values": [0.0, 0.01, 0.1, 1.0]},
            {"param": "elasticNetParam", "values": [0.0, 0.5, 1.0]}
        ],
        "tuning": {"kind": "crossValidator", "numFolds": 3},
        "seed": 42
    }));

    engine.begin_job();
    let result = engine.train("regression", spec.clone()).unwrap();
    let best = get(&result, "bestIndex").as_f64().unwrap() as u32;
    let best_params = get(
        &js_sys::Array::from(&get(&result, "grid")).get(best),
        "params",
    );
    assert_eq!(
        get(&best_params, "regParam").as_f64(),
        expected["cv"]["best"]["regParam"].as_f64()
    );
    let model = get(&result, "model");
    assert_eq!(get(&model, "kind"), "linearRegression");
    let coefficients = js_sys::Array::from(&get(&get(&model, "model"), "coefficients"));
    for (j, c) in expected["cv"]["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let (ours, theirs) = (
            coefficients.get(j as u32).as_f64().unwrap(),
            c.as_f64().unwrap(),
        );
        assert!(
            ((ours - theirs) / theirs).abs() < 1e-6,
            "{ours} vs {theirs}"
        );
    }

    let scoring = object(&serde_json::json!({
        "features": expected["features"],
        "model": {"kind": "linearRegression", "model": {"coefficients": [1.0, 0.0, 0.0, 0.0], "intercept": 0.0}}
    }));
    let info = engine.predict("regression", scoring).unwrap();
    assert_eq!(get(&info, "name"), "regression_predictions");
    assert_eq!(get(&info, "rows").as_f64(), Some(600.0));

    let err = engine
        .train("regression", object(&serde_json::json!({"features": 3})))
        .unwrap_err();
    assert_eq!(get(&err, "code"), "ML_INPUT");

    let addresses = engine.begin_job();
    // SAFETY: the address is the job's live `AtomicBool`, as the page would write it.
    unsafe { std::ptr::write_volatile(addresses[0] as usize as *mut u8, 1) };
    let err = engine.train("regression", spec).unwrap_err();
    assert_eq!(get(&err, "code"), "CANCELLED");
}

const CUSTOMERS_CSV: &[u8] = include_bytes!("../../tests/fixtures/clean/customers.csv");
const CLEAN_EXPECTED: &str = include_str!("../../tests/fixtures/clean/expected.json");

#[wasm_bindgen_test]
async fn cleans_and_profiles_on_the_pool() {
    start_pool().await;
    let expected: serde_json::Value = serde_json::from_str(CLEAN_EXPECTED).unwrap();
    let case = expected["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "three_steps")
        .unwrap();
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(CUSTOMERS_CSV, false, JsValue::UNDEFINED).unwrap();
    loader.push(CUSTOMERS_CSV).unwrap();
    engine.add_csv("customers", loader).unwrap();

    engine.begin_job();
    let result = engine
        .apply_pipeline("customers", object(&case["pipeline"]))
        .unwrap();
    let info = get(&result, "info");
    let rows = case["rows"].as_array().unwrap().len() as f64;
    assert_eq!(get(&info, "rows").as_f64(), Some(rows));
    let reports = js_sys::Array::from(&get(&result, "reports"));
    assert_eq!(reports.length(), 3);
    assert_eq!(get(&reports.get(2), "rowsOut").as_f64(), Some(rows));
    let fitted = js_sys::Array::from(&get(&get(&result, "fitted"), "steps"));
    let labels = js_sys::Array::from(&get(&get(&fitted.get(1), "fitted"), "labels"));
    assert_eq!(js_sys::Array::from(&labels.get(0)).get(0), "Lisbon");
    // The output pages like any result, and can be saved as a table.
    let name = get(&info, "name").as_string().unwrap();
    assert!(engine.preview_ipc(&name, 0, 10, 200).is_ok());
    let saved = engine.save_as(&name, "customers_clean").unwrap();
    assert_eq!(get(&saved, "rows").as_f64(), Some(rows));
    let err = engine.save_as(&name, "customers_clean").unwrap_err();
    assert_eq!(get(&err, "code"), "INVALID_ARGUMENT");

    // A failing step reaches JS with its number.
    let bad = serde_json::json!({"version":1,"steps":[{"op":"dropna"},{"op":"filter","condition":"age + 1"}]});
    let err = engine
        .apply_pipeline("customers", object(&bad))
        .unwrap_err();
    assert_eq!(get(&err, "code"), "SQL_ANALYSIS");
    assert_eq!(get(&err, "step").as_f64(), Some(2.0));

    let profile = engine.profile("customers").unwrap();
    let columns = js_sys::Array::from(&get(&profile, "columns"));
    let age = columns.get(1);
    assert_eq!(get(&age, "name"), "age");
    assert_eq!(
        get(&age, "nulls").as_f64(),
        expected["profile"]["age"]["nulls"].as_f64()
    );

    let addresses = engine.begin_job();
    // SAFETY: the address is the job's live `AtomicBool`, as the page would write it.
    unsafe { std::ptr::write_volatile(addresses[0] as usize as *mut u8, 1) };
    let err = engine.profile("customers").unwrap_err();
    assert_eq!(get(&err, "code"), "CANCELLED");
}

const LOGISTIC_CSV: &[u8] = include_bytes!("../../tests/fixtures/ml/logistic.csv");

/// A classifier and a clustering tuned on the pool, and the classifier's predictions.
#[wasm_bindgen_test]
async fn tunes_a_classifier_and_kmeans_on_the_pool() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(LOGISTIC_CSV, false, JsValue::UNDEFINED).unwrap();
    loader.push(LOGISTIC_CSV).unwrap();
    engine.add_csv("churn", loader).unwrap();
    let features = serde_json::json!(["x0", "income", "tenure", "tickets", "ratio"]);

    engine.begin_job();
    let result = engine
        .train(
            "churn",
            object(&serde_json::json!({
                "estimator": "logisticRegression",
                "params": {},
                "features": features,
                "label": "class3",
                "weightCol": "weight",
                "grid": [{"param": "regParam", "values": [0.0, 0.1]}],
                "tuning": {"kind": "crossValidator", "numFolds": 3},
                "seed": 42
            })),
        )
        .unwrap();
    assert_eq!(get(&result, "task"), "classification");
    // Three classes: MulticlassClassificationEvaluator's f1 by default.
    assert_eq!(get(&result, "metric"), "f1");
    assert_eq!(js_sys::Array::from(&get(&result, "labels")).length(), 3);
    let model = get(&result, "model");
    assert_eq!(get(&model, "kind"), "logisticRegression");
    assert_eq!(get(&get(&model, "model"), "isMultinomial"), true);
    let confusion = js_sys::Array::from(&get(&get(&result, "diagnostics"), "confusion"));
    assert_eq!(confusion.length(), 3);

    let scoring = js_sys::Object::new();
    Reflect::set(&scoring, &"features".into(), &object(&features)).unwrap();
    Reflect::set(&scoring, &"model".into(), &model).unwrap();
    Reflect::set(&scoring, &"labels".into(), &get(&result, "labels")).unwrap();
    let info = engine.predict("churn", scoring.into()).unwrap();
    let columns: Vec<String> = js_sys::Array::from(&get(&info, "columns"))
        .iter()
        .map(|c| get(&c, "name").as_string().unwrap())
        .collect();
    for name in [
        "probability_0",
        "probability_2",
        "prediction",
        "predictedLabel",
    ] {
        assert!(columns.iter().any(|c| c == name), "{name} in {columns:?}");
    }

    engine.begin_job();
    let result = engine
        .train(
            "churn",
            object(&serde_json::json!({
                "estimator": "kMeans",
                "params": {"seed": 42},
                "features": ["x0", "tenure"],
                "scaler": {"withMean": true, "withStd": true},
                "grid": [{"param": "k", "values": [2, 3]}],
                "tuning": {"kind": "trainValidationSplit", "trainRatio": 0.75},
                "seed": 42
            })),
        )
        .unwrap();
    assert_eq!(get(&result, "task"), "clustering");
    assert_eq!(get(&result, "metric"), "silhouette");
    let silhouette = get(&get(&result, "trainMetrics"), "values");
    assert!(get(&silhouette, "silhouette").as_f64().unwrap().is_finite());
}

/// A random forest tuned on the pool (its trees grown in parallel on the workers), its
/// summary, and the same forest from the same seed.
#[wasm_bindgen_test]
async fn tunes_a_forest_on_the_pool() {
    start_pool().await;
    let mut engine = Engine::new("brasa-test-panic");
    let mut loader = JsCsvLoader::new(LOGISTIC_CSV, false, JsValue::UNDEFINED).unwrap();
    loader.push(LOGISTIC_CSV).unwrap();
    engine.add_csv("churn", loader).unwrap();
    let spec = serde_json::json!({
        "estimator": "randomForestClassifier",
        "params": {"numTrees": 8, "seed": 5},
        "features": ["x0", "income", "tenure", "tickets", "ratio"],
        "label": "label",
        "grid": [{"param": "maxDepth", "values": [2, 4]}],
        "tuning": {"kind": "crossValidator", "numFolds": 3},
        "seed": 42
    });
    engine.begin_job();
    let result = engine.train("churn", object(&spec)).unwrap();
    assert_eq!(get(&result, "metric"), "areaUnderROC");
    let model = get(&result, "model");
    assert_eq!(get(&model, "kind"), "randomForest");
    assert_eq!(
        js_sys::Array::from(&get(&get(&model, "model"), "trees")).length(),
        8
    );
    let trees = get(&result, "trees");
    let importances = js_sys::Array::from(&get(&trees, "featureImportances"));
    assert_eq!(importances.length(), 5);
    let total: f64 = importances.iter().map(|v| v.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "importances sum to {total}");
    let text = get(&trees, "debugString").as_string().unwrap();
    assert!(
        text.starts_with("RandomForestClassificationModel: uid=rfc_brasa, numTrees=8"),
        "{text}"
    );

    engine.begin_job();
    let again = engine.train("churn", object(&spec)).unwrap();
    assert_eq!(
        js_sys::JSON::stringify(&get(&again, "grid")).unwrap(),
        js_sys::JSON::stringify(&get(&result, "grid")).unwrap(),
        "the same seed gives the same forests on the pool"
    );
}
