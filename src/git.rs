//! Running git for the store: `git-setup` and the optional auto-commit.
//!
//! The `git` run is the one found in an absolute directory of PATH, never a
//! relative one: a store is shared data, and a file named `git` in it (or in
//! the directory a command runs from) must never be executed.

use crate::case::Case;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::vocabulary::Status;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The variables that would point git at another repository, index or
/// object store than the store's: what `git rev-parse --local-env-vars`
/// lists, less the config ones (the user's own `git -c`), and the quarantine
/// of a `pre-receive` hook. They are set when `tickets` runs from inside
/// another repository's hook: `GIT_OBJECT_DIRECTORY` there once sent an
/// auto-commit's blobs into that repository, leaving the store's index
/// naming objects its repository does not have.
const REPOSITORY_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_GRAFT_FILE",
    "GIT_SHALLOW_FILE",
    "GIT_NO_REPLACE_OBJECTS",
    "GIT_REPLACE_REF_BASE",
];

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

/// Settings passed on every git command line, so that they win over any
/// config file, the user's global one included:
/// - `safe.bareRepository=explicit`: a bare repository is used only when
///   named, never found by discovery (a store can carry one: `HEAD`,
///   `objects/`, `refs/` and a `config` committed as ordinary files);
/// - `core.fsmonitor=false`: no file-system monitor command is started;
/// - `core.hooksPath=/dev/null`: no hook runs from an auto-commit, so a
///   relative hooks path can never reach a script committed to the store.
const SAFE_SETTINGS: &[&str] = &[
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
];

/// The git repository a store belongs to, found without asking git: the
/// nearest directory at or above the store that holds a `.git` entry (a
/// directory, or a `gitdir:` file for linked work trees and submodules).
///
/// A directory that merely looks like a bare repository is never taken:
/// such a layout can be committed into a store by anyone who can push to it,
/// and git's own discovery would use it, config, hooks and all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The top of the work tree.
    pub work_tree: PathBuf,
    /// The repository's git directory (`.git`, or where a `gitdir:` file points).
    pub git_dir: PathBuf,
}

/// The largest `.git` file (`gitdir: PATH`) read; real ones are one line.
const MAX_GITFILE_BYTES: u64 = 4096;

impl Repository {
    /// The repository that holds `dir`, or `None` when it is not inside one.
    pub fn find(dir: &Path) -> Option<Repository> {
        let start = dir.canonicalize().ok()?;
        start.ancestors().find_map(|top| {
            let dot_git = top.join(".git");
            let metadata = std::fs::metadata(&dot_git).ok()?;
            let git_dir = if metadata.is_dir() {
                dot_git
            } else if metadata.is_file() {
                read_gitfile(&dot_git, top)?
            } else {
                return None;
            };
            let git_dir = git_dir.canonicalize().ok()?;
            is_git_dir(&git_dir).then(|| Repository {
                work_tree: top.to_path_buf(),
                git_dir,
            })
        })
    }

    /// Runs `git ARGS...` on this repository, named explicitly, in `dir`, and
    /// returns its stdout, or an error carrying git's own message.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Result<String> {
        let git = find_on_path("git").ok_or_else(|| Error::Other("git not found on PATH".into()))?;
        let mut command = Command::new(git);
        command
            .arg("--no-pager")
            .args(SAFE_SETTINGS)
            .arg(path_option("--git-dir=", &self.git_dir))
            .arg(path_option("--work-tree=", &self.work_tree))
            .arg("-C")
            .arg(dir)
            .args(args)
            .stdin(std::process::Stdio::null());
        for variable in REPOSITORY_VARIABLES {
            command.env_remove(variable);
        }
        let output = command
            .output()
            .map_err(|e| Error::Other(format!("cannot run git: {e}")))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(Error::Other(format!(
            "git {} failed: {}",
            args.first().copied().unwrap_or(""),
            crate::terminal::escape_line(stderr.trim())
        )))
    }
}

/// `--option=PATH` with the path's bytes as they are: `display()` would turn
/// a directory name that is not UTF-8 into another path.
fn path_option(option: &str, path: &Path) -> std::ffi::OsString {
    let mut argument = std::ffi::OsString::from(option);
    argument.push(path);
    argument
}

/// The git directory a `.git` file names (`gitdir: PATH`, relative to the
/// directory holding the file).
fn read_gitfile(file: &Path, top: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(file)
        .ok()?
        .take(MAX_GITFILE_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
    (!target.is_empty()).then(|| top.join(target))
}

/// Whether `dir` has what git requires of a git directory: `HEAD`, and
/// `objects/` and `refs/` (or a `commondir` file, in a linked work tree).
fn is_git_dir(dir: &Path) -> bool {
    let shared = dir.join("commondir").is_file() || (dir.join("objects").is_dir() && dir.join("refs").is_dir());
    dir.join("HEAD").is_file() && shared
}

/// Runs git in `dir` on the repository that holds it (see [`Repository`]),
/// and returns its stdout, or an error carrying git's own message.
pub fn run(dir: &Path, args: &[&str]) -> Result<String> {
    let repository = Repository::find(dir).ok_or_else(|| not_a_clone(dir))?;
    repository.run(dir, args)
}

fn not_a_clone(dir: &Path) -> Error {
    Error::Other(format!("{} is not inside a git clone", dir.display()))
}

/// Whether `dir` is inside a git working tree.
pub fn is_work_tree(dir: &Path) -> bool {
    run(dir, &["rev-parse", "--is-inside-work-tree"]).is_ok_and(|out| out.trim() == "true")
}

/// Commits exactly `files` (inside the store) with `message`; other changes,
/// staged or not, stay out of the commit.
pub fn commit(root: &Path, files: &[PathBuf], message: &str) -> Result<()> {
    let repository = Repository::find(root).ok_or_else(|| not_a_clone(root))?;
    let names: Vec<String> = files
        .iter()
        .map(|file| file.strip_prefix(root).unwrap_or(file).to_string_lossy().into_owned())
        .collect();
    let mut add = vec!["add", "--"];
    add.extend(names.iter().map(String::as_str));
    repository.run(root, &add)?;
    let mut commit = vec!["commit", "--quiet", "--no-edit", "-m", message, "--only", "--"];
    commit.extend(names.iter().map(String::as_str));
    repository.run(root, &commit)?;
    Ok(())
}

/// With `git: {commit: true}`, commits the files a command changed. The
/// caller reports a failure as a warning only, because the change itself is
/// already safely written and is what the store says from now on.
pub fn commit_if_enabled(config: &Config, root: &Path, files: &[PathBuf], message: &str) -> Result<()> {
    if !config.git.commit || files.is_empty() {
        return Ok(());
    }
    commit(root, files, message)
}

/// The commit message of a transition: `RC-…: open -> at-investigation (alice)`,
/// or `RC-…: reassess (alice)` when the status stays.
pub fn transition_message(case: &Case, before: Status, actor: &str) -> String {
    let actor = crate::terminal::escape_line(actor);
    if before == case.status {
        let action = case.history.last().map(|e| e.action.as_str()).unwrap_or("change");
        format!("{}: {action} ({actor})", case.id)
    } else {
        format!("{}: {before} -> {} ({actor})", case.id, case.status)
    }
}

/// The commit message of `open`.
pub fn opened_message(case: &Case, actor: &str) -> String {
    format!("{}: opened ({})", case.id, crate::terminal::escape_line(actor))
}

/// The commit message of one `sweep` run.
pub fn sweep_message(closed: usize) -> String {
    format!("sweep: auto-closed {closed} case(s)")
}
