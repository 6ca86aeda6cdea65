//! What happens when the engine panics anyway.
//!
//! A panic in wasm aborts the instance; if it happens on a pool thread, the worker that
//! called into the pool waits forever. So the hook, which runs on the panicking thread,
//! logs the message and posts it on a `BroadcastChannel` the page listens to: the page can
//! then terminate and restart the engine even though the engine worker is blocked.

use std::sync::OnceLock;

/// Installs the hook (once per wasm instance); `channel` is the name the page listens on,
/// unique per engine so a panic in one tab never restarts another tab's engine.
pub fn install_hook(channel: &str) {
    static CHANNEL: OnceLock<String> = OnceLock::new();
    if CHANNEL.set(channel.to_string()).is_err() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(name) = CHANNEL.get() else { return };
        if let Ok(channel) = web_sys::BroadcastChannel::new(name) {
            let _ = channel.post_message(&info.to_string().into());
            channel.close();
        }
    }));
}
