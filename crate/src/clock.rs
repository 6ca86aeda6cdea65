//! The current time, from the browser's clock in wasm (where `SystemTime` is not
//! available) and from the system clock natively.

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }
}

/// Microseconds since the Unix epoch (Spark's timestamp unit).
pub fn now_micros() -> i64 {
    (now_millis() * 1000.0) as i64
}

/// Today's date in UTC (the session time zone) as days since the epoch.
pub fn today_days() -> i32 {
    (now_millis() / 86_400_000.0).floor() as i32
}
