//! `git-setup`: registers the merge driver in this clone's git config and
//! writes the store's `.gitattributes`, so that git merges case files with
//! `tickets merge-driver` instead of line by line.

use super::Session;
use crate::core::error::{Error, Result};
use std::path::PathBuf;

/// The `.gitattributes` line that keeps attachments in git LFS.
pub const LFS_LINE: &str = "attachments/** filter=lfs diff=lfs merge=lfs -text";

/// What `git-setup --lfs` adds, with its comment.
const LFS_ATTRIBUTES: &str = "\
# Written by `tickets git-setup --lfs`: attachments are kept in git LFS, so
# clones fetch only the files they open.
attachments/** filter=lfs diff=lfs merge=lfs -text
";

/// The `.gitattributes` written into the store: case files merge with the
/// driver; config.yaml is edited by people and merges as text.
pub const GITATTRIBUTES: &str = "\
# Written by `tickets git-setup`. Case files merge with the tickets merge
# driver: the union of both histories, replayed through the life cycle.
# Each clone registers the driver once with `tickets git-setup`; a clone that
# has not merges case files as plain text.
*.yaml merge=tickets
config.yaml merge=text
# The sent ledger only grows by whole lines at the end: both sides' lines.
sent/*.log merge=union
";

/// The ledger's line of [`GITATTRIBUTES`], with its comment: added on its
/// own to a store set up before the ledger.
const LEDGER_ATTRIBUTES: &str = "\
# The sent ledger only grows by whole lines at the end: both sides' lines.
sent/*.log merge=union
";

/// The line of [`LEDGER_ATTRIBUTES`] that matters.
const LEDGER_LINE: &str = "sent/*.log merge=union";

/// The line of [`GITATTRIBUTES`] that matters.
const DRIVER_LINE: &str = "*.yaml merge=tickets";

/// What `git-setup` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitSetup {
    /// The driver command registered (`merge.tickets.driver`).
    pub driver: String,
    /// Whether `pull.rebase` was already set at some level (and left as it
    /// was); otherwise it is now `false` in the clone's config.
    pub pull_already_chosen: bool,
    /// The store's `.gitattributes`.
    pub attributes: PathBuf,
    /// Whether the driver's lines (or the ledger's) were added to it.
    pub wrote: bool,
    /// Whether the change was committed (auto-commit on).
    pub committed: bool,
    /// Whether the LFS line was added (asked for and not there yet).
    pub wrote_lfs: bool,
}

/// Registers `driver` (the command git runs, as git config stores it) as
/// the merge driver of the clone holding the store, sets `pull.rebase =
/// false` unless it is already set, and adds what is missing to the store's
/// `.gitattributes` (the LFS line too with `lfs`), committing it when
/// auto-commit is on.
pub fn git_setup(session: &Session, driver: &str, lfs: bool) -> Result<GitSetup> {
    session.store.ensure_exists()?;
    let root = session.store.root();
    if !crate::git::is_work_tree(root) {
        return Err(Error::Git(crate::core::error::GitError::NotAClone {
            dir: root.to_path_buf(),
        }));
    }
    // `.gitattributes` is read, changed and written back, and `sweep` removes
    // temp files of the store under this lock: both assume every writer holds it.
    let _lock = session.store.lock(session.lock_wait)?;
    crate::git::run(
        root,
        &[
            "config",
            "--local",
            "merge.tickets.name",
            "tickets: union of case histories, replayed through the life cycle",
        ],
    )?;
    crate::git::run(root, &["config", "--local", "merge.tickets.driver", driver])?;
    // Since git 2.27 a plain `git pull` between diverged clones stops and
    // asks how to reconcile them. Merging is what the driver is for: two
    // analysts' changes to one case become one history. So this clone pulls
    // by merging, unless someone already chose (a rebase runs the driver too).
    let pull_already_chosen =
        crate::git::run(root, &["config", "--get", "pull.rebase"]).is_ok_and(|value| !value.trim().is_empty());
    if !pull_already_chosen {
        crate::git::run(root, &["config", "--local", "pull.rebase", "false"])?;
    }

    let attributes = root.join(".gitattributes");
    // Anything by that name (a link, even a dangling one) is read, and so
    // refused unless it is a regular file: never written through.
    let current = if std::fs::symlink_metadata(&attributes).is_ok() {
        crate::store::read_text(&attributes)?
    } else {
        String::new()
    };
    let mut text = current.clone();
    let mut add = |block: &str| {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(block);
    };
    let has = |line: &str| current.lines().any(|l| l.trim() == line);
    let wrote = !has(DRIVER_LINE);
    let wrote_ledger = !has(LEDGER_LINE);
    if wrote {
        add(GITATTRIBUTES);
    } else if wrote_ledger {
        add(LEDGER_ATTRIBUTES);
    }
    let wrote = wrote || wrote_ledger;
    let wrote_lfs = lfs && !has(LFS_LINE);
    if wrote_lfs {
        add(LFS_ATTRIBUTES);
    }
    let mut committed = false;
    if text != current {
        session.store.write_support_file(".gitattributes", &text)?;
        let config = session.store.config()?;
        // With auto-commit on, every write commits what it wrote.
        crate::git::commit_if_enabled(
            &config,
            root,
            std::slice::from_ref(&attributes),
            "git-setup: merge case files with the tickets driver",
        )?;
        committed = config.git.commit;
    }
    Ok(GitSetup {
        driver: driver.to_string(),
        pull_already_chosen,
        attributes,
        wrote,
        committed,
        wrote_lfs,
    })
}
