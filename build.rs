//! Records the commit a build is made from, for `tickets --version`: the
//! short hash of HEAD, with `-dirty` when the work tree has changes, or
//! `unknown` outside a git checkout (a source tarball). Runs git only on the
//! project's own source tree, never on a store.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let described = match commit {
        Some(commit) if dirty => format!("{commit}-dirty"),
        Some(commit) => commit,
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=TICKETS_COMMIT={described}");
    // Again when HEAD moves or the index changes (a commit, a checkout).
    for path in [".git/HEAD", ".git/index"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    if let Some(head) = std::fs::read_to_string(".git/HEAD")
        .ok()
        .and_then(|h| h.strip_prefix("ref: ").map(|r| r.trim().to_string()))
    {
        let reference = format!(".git/{head}");
        if std::path::Path::new(&reference).exists() {
            println!("cargo:rerun-if-changed={reference}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
