//! What the Hive folder tests share: a folder on disk listed as the page hands a dropped
//! folder to the engine.

use std::path::{Path, PathBuf};

/// The files under `folder`, as the page gives them: paths starting with the dropped
/// folder's name, `/` between parts.
pub fn files_under(folder: &Path) -> Vec<(String, PathBuf)> {
    let base = folder.parent().unwrap();
    let mut stack = vec![folder.to_path_buf()];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(base).unwrap();
                let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
                files.push((parts.join("/"), path));
            }
        }
    }
    files
}
