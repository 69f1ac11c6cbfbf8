//! What went wrong talking to git or its files. The values are data
//! (unescaped); a front end words and escapes them.

use std::path::PathBuf;

/// A failure of git, or of the clone's files.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// No `git` program on PATH.
    #[error("git not found on PATH")]
    NotOnPath,

    /// `git` could not be started, or talked to.
    #[error("cannot run git: {source}")]
    CannotRun {
        /// Why.
        source: std::io::Error,
    },

    /// A git command failed.
    #[error("git {subcommand} failed: {stderr}")]
    Failed {
        /// The subcommand (`commit`, `update-index`...).
        subcommand: String,
        /// What git said on standard error, trimmed.
        stderr: String,
    },

    /// The directory is in no git work tree.
    #[error("{} is not inside a git clone", dir.display())]
    NotAClone {
        /// The directory.
        dir: PathBuf,
    },

    /// A path with no file name.
    #[error("{} names no file", path.display())]
    NamesNoFile {
        /// The path.
        path: PathBuf,
    },

    /// A path outside the work tree.
    #[error("{} is outside the work tree {}", path.display(), top.display())]
    OutsideWorkTree {
        /// The path.
        path: PathBuf,
        /// The work tree.
        top: PathBuf,
    },

    /// A path that is not UTF-8.
    #[error("{} is not UTF-8", path.display())]
    NotUtf8 {
        /// The path.
        path: PathBuf,
    },

    /// A path git plumbing cannot take, or git does not track.
    #[error("{path:?}: a path {reason}")]
    UnusablePath {
        /// The path relative to the work tree.
        path: String,
        /// Why (`git plumbing cannot take`, `git does not track`).
        reason: &'static str,
    },

    /// The files are as HEAD has them.
    #[error("nothing to commit: the files are as HEAD has them")]
    NothingToCommit,

    /// Another git process holds the index lock.
    #[error("{} exists: another git process is running in this clone (if none is, remove that file)", lock.display())]
    IndexLocked {
        /// The lock file.
        lock: PathBuf,
    },

    /// The index is not a regular file.
    #[error("{} is not a regular file", path.display())]
    IndexNotAFile {
        /// The index.
        path: PathBuf,
    },

    /// Reading the object store failed.
    #[error("{source}")]
    Objects {
        /// Why.
        source: std::io::Error,
    },

    /// `git cat-file --batch` failed.
    #[error("git cat-file failed: {source}")]
    CatFile {
        /// Why.
        source: std::io::Error,
    },

    /// `git cat-file --batch` answered something unexpected.
    #[error("git cat-file: unexpected header {header:?}")]
    CatFileHeader {
        /// The header line.
        header: String,
    },

    /// A step of git plumbing that cannot fail did (a bug, or git changed).
    #[error("{what}")]
    Plumbing {
        /// What failed.
        what: &'static str,
    },
}
