use js_sys::{Error as JsError, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::ErrorFields;

/// The engine error as a JS `Error` named `BrasaError`, carrying every field of
/// [`ErrorFields`] (`code`, and `row` / `column` / `step` / `line` / `col` when the engine
/// knows them). The fields are copied from their serialised form, so a field added to
/// `ErrorFields` reaches the page without touching this function.
pub fn to_js(err: crate::Error) -> JsValue {
    let js = JsError::new(err.message());
    js.set_name("BrasaError");
    if let Ok(fields) = serde_wasm_bindgen::to_value(&ErrorFields::of(&err)) {
        if let Ok(fields) = fields.dyn_into::<Object>() {
            Object::assign(&js, &fields);
        }
    }
    js.into()
}
