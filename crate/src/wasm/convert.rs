//! Values across the boundary: results leave as plain JS objects (serde, numbers as JS
//! numbers); specs arrive as plain objects of the contract's types.

use wasm_bindgen::JsValue;

use crate::error::{Error, ErrorCode};
use crate::wasm::errors::to_js;

/// Serializes a result for JS.
pub fn to_value<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js(Error::internal("serializing a result", e)))
}

/// A value the page sent, as JSON: the form the engine's serde types are tested in
/// natively, so a spec reads the same in the page as in `cargo test`.
pub fn json_of(value: &JsValue, what: &str) -> Result<String, JsValue> {
    js_sys::JSON::stringify(value)
        .map(String::from)
        .map_err(|_| {
            to_js(Error::new(
                ErrorCode::InvalidArgument,
                format!("invalid {what}: it cannot be written as JSON"),
            ))
        })
}

/// Reads a spec the page sent; a spec that does not fit its type is a `code` error
/// naming `what`.
pub fn from_js<T: serde::de::DeserializeOwned>(
    value: &JsValue,
    what: &str,
    code: ErrorCode,
) -> Result<T, JsValue> {
    serde_json::from_str(&json_of(value, what)?)
        .map_err(|e| to_js(Error::new(code, format!("invalid {what}: {e}"))))
}

/// Reads an options object; `undefined` or `null` gives the defaults.
pub fn options_from_js<T: serde::de::DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js(value, what, ErrorCode::InvalidArgument)
}
