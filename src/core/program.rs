//! Finding a program on PATH: only in absolute directories, so that a
//! relative entry (`.`, an empty one) never runs a file planted in a store.

use std::path::{Path, PathBuf};

/// The executable `name` in the first absolute directory of PATH that has it.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
