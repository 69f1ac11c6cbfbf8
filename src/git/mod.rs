//! Running git for the store: `git-setup` and the optional auto-commit.
//!
//! The `git` run is the one found in an absolute directory of PATH, never a
//! relative one: a store is shared data, and a file named `git` in it (or in
//! the directory a command runs from) must never be executed.

mod index_file;
pub mod interrupted;
pub mod merge;
mod objects;
mod tree;

use crate::core::case::Case;
use crate::core::config::Config;
use crate::core::error::{Error, GitError, Result};
use crate::core::program::find_on_path;
use crate::core::vocabulary::Status;
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
        self.run_with(dir, args, None, None)
    }

    /// `git ARGS...` on this repository, named explicitly, in `dir`, with
    /// the safe settings and none of the variables that would point it
    /// elsewhere.
    pub(crate) fn command(&self, dir: &Path, args: &[&str]) -> Result<Command> {
        let git = find_on_path("git").ok_or(Error::Git(GitError::NotOnPath))?;
        let mut command = Command::new(git);
        command
            .arg("--no-pager")
            .args(SAFE_SETTINGS)
            .arg(path_option("--git-dir=", &self.git_dir))
            .arg(path_option("--work-tree=", &self.work_tree))
            .arg("-C")
            .arg(dir)
            .args(args);
        for variable in REPOSITORY_VARIABLES {
            command.env_remove(variable);
        }
        Ok(command)
    }

    /// [`run`](Self::run) with `input` on git's stdin and, when given,
    /// `index` as the index file instead of the repository's own.
    pub(crate) fn run_with(
        &self,
        dir: &Path,
        args: &[&str],
        input: Option<&[u8]>,
        index: Option<&Path>,
    ) -> Result<String> {
        use std::io::Write;
        use std::process::Stdio;
        let mut command = self.command(dir, args)?;
        command
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(index) = index {
            command.env("GIT_INDEX_FILE", index);
        }
        let mut child = command
            .spawn()
            .map_err(|source| Error::Git(GitError::CannotRun { source }))?;
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            // A failed write shows as git's own failure below.
            let _ = stdin.write_all(input);
        }
        let output = child
            .wait_with_output()
            .map_err(|source| Error::Git(GitError::CannotRun { source }))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The subcommand, past any `-c NAME=VALUE`.
        let mut words = args.iter().copied();
        let mut subcommand = "";
        while let Some(word) = words.next() {
            if word != "-c" {
                subcommand = word;
                break;
            }
            words.next();
        }
        Err(Error::Git(GitError::Failed {
            subcommand: subcommand.to_string(),
            stderr: stderr.trim().to_string(),
        }))
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
    Error::Git(GitError::NotAClone { dir: dir.to_path_buf() })
}

/// Whether `dir` is inside a git working tree.
pub fn is_work_tree(dir: &Path) -> bool {
    run(dir, &["rev-parse", "--is-inside-work-tree"]).is_ok_and(|out| out.trim() == "true")
}

/// Commits exactly `files` (inside the store) with `message`; other changes,
/// staged or not, stay out of the commit and as they were.
///
/// `git commit` would refresh the whole index first, stat-ing every file of
/// the work tree (half a second at 100,000 cases). So the commit is built
/// with git's plumbing instead: the files' blobs; HEAD's trees along the
/// changed paths edited and written ([`tree`], in process by [`objects`]; a
/// temporary index read from HEAD when that cannot be done); a commit of
/// that tree on `HEAD`, and `HEAD` moved only if nobody moved it meanwhile.
/// The clone's own index then gets the same entries ([`index_file`], or
/// `git update-index`), so `git status` stays clean.
/// Hooks do not run (see [`SAFE_SETTINGS`]); `commit.gpgSign` is honoured.
pub fn commit(root: &Path, files: &[PathBuf], message: &str) -> Result<()> {
    let repository = Repository::find(root).ok_or_else(|| not_a_clone(root))?;
    let top = repository.work_tree.as_path();
    let given_root = root;
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let mut paths = Vec::with_capacity(files.len());
    for file in files {
        // A case file at the store's top, or a file below it (an
        // attachment, `sent/`), named from the store as given or resolved.
        let inside = file
            .strip_prefix(given_root)
            .or_else(|_| file.strip_prefix(&root))
            .ok()
            .filter(|relative| !relative.as_os_str().is_empty())
            .map(Path::to_path_buf);
        let inside = match inside {
            Some(relative) => relative,
            None => PathBuf::from(file.file_name().ok_or_else(|| {
                Error::Git(GitError::NamesNoFile {
                    path: file.to_path_buf(),
                })
            })?),
        };
        let path = root.join(inside);
        let relative = path.strip_prefix(top).map_err(|_| {
            Error::Git(GitError::OutsideWorkTree {
                path: path.to_path_buf(),
                top: top.to_path_buf(),
            })
        })?;
        let relative = relative.to_str().ok_or_else(|| {
            Error::Git(GitError::NotUtf8 {
                path: relative.to_path_buf(),
            })
        })?;
        paths.push(trackable(relative)?.to_string());
    }
    let listed: String = paths.iter().map(|p| format!("{p}\n")).collect();
    // A commit killed half-way is finished (or made again) first.
    let again = recover_in(&repository)?;
    let head_before = head_of(&repository, top);
    let mut message = message.to_string();
    if let Some((earlier, earlier_message)) = again {
        // The killed command's files go into this commit with this one's.
        // Only paths this could have written: never one outside the work
        // tree or inside `.git`, whatever the note says.
        for path in earlier {
            if trackable(&path).is_ok() && !paths.contains(&path) && top.join(&path).is_file() {
                paths.push(path);
            }
        }
        message = format!("{message}\n\nAlso commits what an interrupted command wrote: {earlier_message}");
    }
    let message = message.as_str();
    let listed: String = if paths.len() == listed.lines().count() {
        listed
    } else {
        paths.iter().map(|p| format!("{p}\n")).collect()
    };
    // Written before the index is locked: a kill from here on leaves what
    // the next command needs to finish the commit (see `interrupted`).
    interrupted::begin(
        &repository,
        &interrupted::Note {
            pid: std::process::id(),
            head: head_before,
            message: message.to_string(),
            paths: paths.clone(),
        },
    )?;
    // Held from before the commit until the index names its blobs: a
    // busy index stops the commit here, before HEAD moves.
    let mut index_lock = match index_file::IndexLock::take(&repository.git_dir) {
        Ok(lock) => lock,
        Err(e) => {
            interrupted::end(&repository);
            return Err(e);
        }
    };
    // The blobs and the settings, from two git processes run side by side.
    let settings = Settings::start(&repository, top)?;
    let blobs = repository.run_with(
        top,
        &["hash-object", "-w", "--stdin-paths"],
        Some(listed.as_bytes()),
        None,
    )?;
    let settings = settings.finish();
    let blobs: Vec<&str> = blobs.lines().collect();
    if blobs.len() != paths.len() {
        return Err(Error::Git(GitError::Plumbing {
            what: "git hash-object gave no object for every file",
        }));
    }
    let entries: String = blobs
        .iter()
        .zip(&paths)
        .map(|(blob, path)| format!("100644 {blob}\t{path}\n"))
        .collect();
    let ids: Option<Vec<(String, [u8; objects::SHA1_LEN])>> = blobs
        .iter()
        .zip(&paths)
        .map(|(blob, path)| Some((path.clone(), objects::from_hex(blob)?)))
        .collect();
    let objects = objects::objects_dir(&repository.git_dir).filter(|_| !settings.shared);
    // The new index is written on one core while the trees and the commit
    // are made on the other. HEAD moves only once the index is ready to
    // name the commit's blobs: a commit reported as not made never is.
    let (prepared, made) = std::thread::scope(|scope| {
        let index_lock = &mut index_lock;
        let ids = &ids;
        let prepared = scope.spawn(move || match ids {
            Some(ids) => index_lock.prepare(ids),
            None => Ok(index_file::Outcome::LeftToGit("not SHA-1")),
        });
        let change = Change {
            blobs: &blobs,
            paths: &paths,
            entries: &entries,
            message,
        };
        let made = make_commit(&repository, top, objects.as_deref(), &settings, &change);
        let prepared = prepared.join().unwrap_or(Err(Error::Git(GitError::Plumbing {
            what: "writing the index failed",
        })));
        (prepared, made)
    });
    let finished = finish(&repository, top, index_lock, made, prepared, &entries, message);
    // Whole, or failed with HEAD unmoved: nothing left to recover either way.
    interrupted::end(&repository);
    finished
}

/// Moves HEAD to the commit made and puts the index in place, in that order.
fn finish(
    repository: &Repository,
    top: &Path,
    index_lock: index_file::IndexLock,
    made: Result<(Option<String>, String)>,
    prepared: Result<index_file::Outcome>,
    entries: &str,
    message: &str,
) -> Result<()> {
    let (head, commit) = made?;
    match prepared? {
        // Put in place once HEAD has moved: until then the lock keeps git out.
        index_file::Outcome::Set => {
            move_head(repository, top, head.as_deref(), &commit, message)?;
            index_lock.finish()
        }
        // git's own way first: if it fails, HEAD has not moved; if moving
        // HEAD then fails, the files are staged for the user to commit.
        index_file::Outcome::LeftToGit(_) => {
            drop(index_lock);
            repository.run_with(
                top,
                &["update-index", "--add", "--index-info"],
                Some(entries.as_bytes()),
                None,
            )?;
            move_head(repository, top, head.as_deref(), &commit, message)
        }
    }
}

/// HEAD's commit, read in process when it is a plain ref (loose or
/// packed), else by git; `None` when unborn.
pub(crate) fn head_of(repository: &Repository, top: &Path) -> Option<String> {
    let common = objects::objects_dir(&repository.git_dir).and_then(|objects| objects.parent().map(Path::to_path_buf));
    if let Some(common) = common {
        match objects::head_commit(&repository.git_dir, &common) {
            Ok(Some(head)) => return Some(head),
            Ok(None) => {}
            // Not a regular file where a ref should be: git would wait on it.
            Err(_) => return None,
        }
    }
    repository
        .run(top, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .ok()
        .map(|out| out.trim().to_string())
        .filter(|out| !out.is_empty())
}

/// Recovers an auto-commit killed half-way ([`interrupted`]): the files
/// and message to commit again when HEAD never got them.
fn recover_in(repository: &Repository) -> Result<Option<(Vec<String>, String)>> {
    Ok(match interrupted::recover(repository)? {
        Some(interrupted::Recovered::CommitAgain { paths, message }) => Some((paths, message)),
        _ => None,
    })
}

/// Finds an auto-commit killed half-way in the clone that holds `root`
/// and finishes it (see [`interrupted`]); for commands that read the store
/// with git (`check`, `deliver`) before anything else. Run under the store
/// lock or not: a commit whose writer still runs is left alone.
pub fn recover_interrupted_commit(root: &Path) -> Result<()> {
    let Some(repository) = Repository::find(root) else {
        return Ok(());
    };
    if let Some((paths, message)) = recover_in(&repository)? {
        let top = repository.work_tree.clone();
        let files: Vec<PathBuf> = paths
            .iter()
            .filter(|p| trackable(p).is_ok())
            .map(|p| top.join(p))
            .filter(|p| p.is_file())
            .collect();
        if !files.is_empty() {
            // Nothing to commit (the files are as HEAD has them) is no failure.
            if let Err(e) = commit(&top, &files, &message) {
                if !e.to_string().contains("nothing to commit") {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}

/// `relative` (to the top of the work tree) when git tracks such a path:
/// never one with an empty, `.` or `..` part or a `.git` part (git itself
/// refuses them: `git add` says "invalid path"; the trees written in process
/// must never hold one), an absolute one, or one git plumbing cannot take.
fn trackable(relative: &str) -> Result<&str> {
    if relative.contains(['\n', '\t']) {
        return Err(Error::Git(GitError::UnusablePath {
            path: relative.to_string(),
            reason: "git plumbing cannot take",
        }));
    }
    if relative
        .split('/')
        .any(|part| matches!(part, "" | "." | "..") || part.eq_ignore_ascii_case(".git"))
    {
        return Err(Error::Git(GitError::UnusablePath {
            path: relative.to_string(),
            reason: "git does not track",
        }));
    }
    Ok(relative)
}

/// What one auto-commit commits.
struct Change<'a> {
    /// The files' blobs, in the order of `paths`.
    blobs: &'a [&'a str],
    /// The files, relative to the top of the work tree.
    paths: &'a [String],
    /// The same as `update-index --index-info` lines.
    entries: &'a str,
    message: &'a str,
}

/// Makes the commit of HEAD's tree with the change's files set to their
/// blobs: HEAD as it was (none when unborn) and the new commit, both IDs.
fn make_commit(
    repository: &Repository,
    top: &Path,
    objects: Option<&Path>,
    settings: &Settings,
    change: &Change,
) -> Result<(Option<String>, String)> {
    let (head, tree) = match tree::edit_head_tree(repository, top, objects, change.blobs, change.paths)? {
        Some(edited) => edited,
        None => tree_from_temp_index(repository, top, change.entries)?,
    };
    let message = change.message;
    // Stored uncompressed, like the trees, for the next auto-commit to read in process.
    let mut commit_tree = vec!["-c", "core.looseCompression=0", "commit-tree", &tree, "-m", message];
    if let Some(head) = &head {
        commit_tree.extend(["-p", head.as_str()]);
    }
    if settings.sign {
        commit_tree.push("-S");
    }
    let commit = repository.run(top, &commit_tree)?;
    Ok((head, commit.trim().to_string()))
}

/// Moves HEAD to `commit`, only from `head` (unborn when `None`): a commit
/// made meanwhile is never lost.
fn move_head(repository: &Repository, top: &Path, head: Option<&str>, commit: &str, message: &str) -> Result<()> {
    let reflog = format!("commit: {message}");
    let update_ref = ["update-ref", "-m", reflog.as_str(), "HEAD", commit, head.unwrap_or("")];
    repository.run(top, &update_ref)?;
    Ok(())
}

/// The clone's settings the auto-commit follows, read with one `git config`.
struct Settings {
    /// `commit.gpgSign`: commits are signed.
    sign: bool,
    /// `core.sharedRepository` is set: objects are written by git, which
    /// gives their folders the group's permissions.
    shared: bool,
}

impl Settings {
    /// Starts the one `git config` that reads them.
    fn start(repository: &Repository, top: &Path) -> Result<PendingSettings> {
        repository
            .command(
                top,
                &["config", "--get-regexp", r"^(commit\.gpgsign|core\.sharedrepository)$"],
            )?
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map(PendingSettings)
            .map_err(|source| Error::Git(GitError::CannotRun { source }))
    }
}

/// The `git config` reading the [`Settings`], running.
struct PendingSettings(std::process::Child);

impl PendingSettings {
    /// The settings it printed.
    fn finish(self) -> Settings {
        // Exit code 1 (none of them set) and any failure alike mean git's defaults.
        let listed = self
            .0
            .wait_with_output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        let mut settings = Settings {
            sign: false,
            shared: false,
        };
        for line in listed.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, "true"));
            let value = value.trim().to_ascii_lowercase();
            let truth = matches!(value.as_str(), "true" | "yes" | "on" | "1");
            match key {
                // The last setting wins, as in git.
                "commit.gpgsign" => settings.sign = truth,
                "core.sharedrepository" => {
                    settings.shared = !matches!(value.as_str(), "false" | "no" | "off" | "0" | "umask")
                }
                _ => {}
            }
        }
        settings
    }
}

/// HEAD (if any) and the tree of HEAD with `entries` (`update-index
/// --index-info` lines) changed, through a temporary index read from HEAD:
/// every entry of the work tree is read and written (half a second at
/// 100,000 cases), so this is only the way when HEAD's trees cannot be
/// edited directly (see [`tree`]).
fn tree_from_temp_index(repository: &Repository, top: &Path, entries: &str) -> Result<(Option<String>, String)> {
    let head = repository
        .run(top, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .ok()
        .map(|out| out.trim().to_string())
        .filter(|out| !out.is_empty());
    let index = TempIndex::new(&repository.git_dir);
    if let Some(head) = &head {
        repository.run_with(top, &["read-tree", head], None, Some(&index.0))?;
    }
    repository.run_with(
        top,
        &["update-index", "--add", "--index-info"],
        Some(entries.as_bytes()),
        Some(&index.0),
    )?;
    let tree = repository.run_with(top, &["write-tree"], None, Some(&index.0))?;
    let tree = tree.trim().to_string();
    if let Some(head) = &head {
        let head_tree = repository.run(top, &["rev-parse", &format!("{head}^{{tree}}")])?;
        if head_tree.trim() == tree {
            return Err(Error::Git(GitError::NothingToCommit));
        }
    }
    Ok((head, tree))
}

/// A temporary index file in the git directory, removed when dropped.
struct TempIndex(PathBuf);

impl TempIndex {
    fn new(git_dir: &Path) -> TempIndex {
        use rand::distr::{Alphanumeric, SampleString};
        let random = Alphanumeric.sample_string(&mut rand::rng(), 12);
        TempIndex(git_dir.join(format!("tickets-index.{}.{random}", std::process::id())))
    }
}

impl Drop for TempIndex {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("lock"));
    }
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

/// With `git: {commit: true}`, commits the removal of `files` (inside the
/// store) with `message`: those git tracks; a file never committed needs no
/// commit to go. Other changes, staged or not, stay out of the commit.
/// Rare (`check --prune`), so git's own `commit -- PATHS` does it.
pub fn commit_removed_if_enabled(config: &Config, root: &Path, files: &[PathBuf], message: &str) -> Result<()> {
    if !config.git.commit || files.is_empty() {
        return Ok(());
    }
    let repository = Repository::find(root).ok_or_else(|| not_a_clone(root))?;
    let top = repository.work_tree.clone();
    let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
    let mut relative = Vec::new();
    for file in files {
        let path = match file.strip_prefix(&root) {
            Ok(inside) => root.join(inside),
            Err(_) => file.clone(),
        };
        let Ok(inside) = path.strip_prefix(&top) else {
            continue;
        };
        if let Some(inside) = inside.to_str() {
            relative.push(inside.to_string());
        }
    }
    if relative.is_empty() {
        return Ok(());
    }
    let mut ls_files = vec!["ls-files", "-z", "--"];
    ls_files.extend(relative.iter().map(String::as_str));
    let tracked = repository.run(&top, &ls_files)?;
    let tracked: Vec<&str> = tracked.split('\0').filter(|p| !p.is_empty()).collect();
    if tracked.is_empty() {
        return Ok(());
    }
    let mut commit = vec!["commit", "--quiet", "--no-verify", "-m", message, "--"];
    commit.extend(tracked);
    repository.run(&top, &commit)?;
    Ok(())
}

/// The commit message of a transition: `RC-…: open -> at-investigation (alice)`,
/// or `RC-…: reassess (alice)` when the status stays.
pub fn transition_message(case: &Case, before: Status, actor: &str) -> String {
    let actor = crate::core::terminal::escape_line(actor);
    if before == case.status {
        let action = case.history.last().map(|e| e.action.as_str()).unwrap_or("change");
        format!("{}: {action} ({actor})", case.id)
    } else {
        format!("{}: {before} -> {} ({actor})", case.id, case.status)
    }
}

/// The commit message of `open`.
pub fn opened_message(case: &Case, actor: &str) -> String {
    format!("{}: opened ({})", case.id, crate::core::terminal::escape_line(actor))
}

/// The commit message of `merge`: both cases in one commit.
pub fn merge_message(source: &str, target: &str, actor: &str) -> String {
    format!(
        "{source}: merged into {target} ({})",
        crate::core::terminal::escape_line(actor)
    )
}

/// The commit message of one `sweep` run.
pub fn sweep_message(closed: usize) -> String {
    format!("sweep: auto-closed {closed} case(s)")
}
