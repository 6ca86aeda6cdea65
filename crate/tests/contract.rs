//! The engine↔page contract: the TypeScript types in `www/src/contract/` must be exactly
//! what the engine's Rust types generate (`brasa::api::export_typescript`).
//!
//! `npm run contract` (or `BRASA_WRITE_CONTRACT=1 cargo test --test contract`) writes
//! them; `npm test` runs this check, so a change to a Rust type that crosses the boundary
//! fails until the page's types follow.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn contract_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/src/contract")
}

/// Every file under `dir`, by its path relative to `dir` (ts-rs puts some types in
/// sub-folders, e.g. `serde_json/JsonValue.ts`).
fn read_dir(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.insert(
                    relative.to_path_buf(),
                    fs::read_to_string(&path).unwrap_or_default(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn typescript_contract_is_up_to_date() {
    let fresh = std::env::temp_dir().join(format!("brasa-contract-{}", std::process::id()));
    let _ = fs::remove_dir_all(&fresh);
    fs::create_dir_all(&fresh).unwrap();
    brasa::api::export_typescript(&fresh).expect("exporting the TypeScript types");
    let generated = read_dir(&fresh);
    let committed_dir = contract_dir();
    if std::env::var_os("BRASA_WRITE_CONTRACT").is_some() {
        let _ = fs::remove_dir_all(&committed_dir);
        fs::create_dir_all(&committed_dir).unwrap();
        for (name, text) in &generated {
            let path = committed_dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let _ = fs::remove_dir_all(&fresh);
        return;
    }
    let committed = read_dir(&committed_dir);
    let _ = fs::remove_dir_all(&fresh);
    let stale: Vec<&PathBuf> = generated
        .iter()
        .filter(|(name, text)| committed.get(*name) != Some(*text))
        .map(|(name, _)| name)
        .chain(
            committed
                .keys()
                .filter(|name| !generated.contains_key(*name)),
        )
        .collect();
    assert!(
        stale.is_empty(),
        "www/src/contract is stale ({} files differ: {:?}); run `npm run contract` and commit the result",
        stale.len(),
        stale
    );
}
