use js_sys::{Error as JsError, Reflect};
use wasm_bindgen::JsValue;

/// The engine error as a JS `Error` named `BrasaError`, with `code`, and when the engine
/// knows them `row` / `column` (data) or `line` / `col` (position in a SQL query).
pub fn to_js(err: crate::Error) -> JsValue {
    let js = JsError::new(err.message());
    js.set_name("BrasaError");
    let set = |key: &str, value: JsValue| {
        // Setting a plain data property on a fresh Error object cannot fail.
        let _ = Reflect::set(&js, &JsValue::from_str(key), &value);
    };
    set("code", JsValue::from_str(err.code().as_str()));
    if let Some(row) = err.location().row {
        set("row", JsValue::from_f64(row as f64));
    }
    if let Some(column) = &err.location().column {
        set("column", JsValue::from_str(column));
    }
    if let Some(step) = err.location().step {
        set("step", JsValue::from_f64(step as f64));
    }
    if let Some((line, col)) = err.location().position {
        set("line", JsValue::from_f64(line as f64));
        set("col", JsValue::from_f64(col as f64));
    }
    js.into()
}

/// Serializes a result for JS (plain objects, numbers as JS numbers).
pub fn to_value<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js(crate::Error::internal("serializing a result", e)))
}

/// Reads an options object from JS; `undefined` or `null` gives the defaults.
pub fn from_value<T: serde::de::DeserializeOwned + Default>(value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        to_js(crate::Error::new(
            crate::ErrorCode::InvalidArgument,
            format!("invalid options: {e}"),
        ))
    })
}
