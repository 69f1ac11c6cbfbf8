//! `tickets git-setup`: register the merge driver in this clone's git config
//! and write the store's `.gitattributes`, so that git merges case files
//! with `tickets merge-driver` instead of line by line.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Context};
use clap::Args;

/// Arguments of `git-setup`.
#[derive(Debug, Args)]
pub struct GitSetupArgs {
    /// Also keep attachments in git LFS: writes `attachments/** filter=lfs
    /// diff=lfs merge=lfs -text` to `.gitattributes` (once). Each clone needs
    /// git-lfs installed (`git lfs install`).
    #[arg(long)]
    pub lfs: bool,
}

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

/// The command git runs, as git config stores it: `tickets` when it is on
/// PATH (so an upgrade of the binary is picked up and the config stays
/// portable), else the absolute path of this executable. `%P` (the case
/// file's path, which git quotes for the shell) names the case in messages
/// and finds the store's config.yaml; drivers registered without it still work.
fn driver_command() -> Result<String> {
    if crate::core::program::find_on_path("tickets").is_some() {
        return Ok("tickets merge-driver %O %A %B %P".into());
    }
    let exe = std::env::current_exe().map_err(|e| CliError::Failure(format!("cannot find this executable: {e}")))?;
    Ok(format!(
        "{} merge-driver %O %A %B %P",
        shell_quote(&exe.to_string_lossy())
    ))
}

/// Quotes a word for the `sh -c` git runs drivers with.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Runs `git-setup`.
pub fn run(ctx: &Context, args: GitSetupArgs) -> Result<ExitCode> {
    ctx.store.ensure_exists()?;
    let root = ctx.store.root();
    if !crate::git::is_work_tree(root) {
        return Err(CliError::Usage(format!(
            "{} is not inside a git clone; run `git init` (or clone the store's repository) first",
            root.display()
        )));
    }
    // `.gitattributes` is read, changed and written back, and `sweep` removes
    // temp files of the store under this lock: both assume every writer holds it.
    let _lock = ctx.store.lock(ctx.lock_wait)?;
    let command = driver_command()?;
    crate::git::run(
        root,
        &[
            "config",
            "--local",
            "merge.tickets.name",
            "tickets: union of case histories, replayed through the life cycle",
        ],
    )?;
    crate::git::run(root, &["config", "--local", "merge.tickets.driver", &command])?;
    // Since git 2.27 a plain `git pull` between diverged clones stops and
    // asks how to reconcile them. Merging is what the driver is for: two
    // analysts' changes to one case become one history. So this clone pulls
    // by merging, unless someone already chose (a rebase runs the driver too).
    let pull_chosen =
        crate::git::run(root, &["config", "--get", "pull.rebase"]).is_ok_and(|value| !value.trim().is_empty());
    let pull_note = if pull_chosen {
        "pull.rebase is already set in git config; left as it is"
    } else {
        crate::git::run(root, &["config", "--local", "pull.rebase", "false"])?;
        "set pull.rebase = false: `git pull` merges diverged clones, through the driver"
    };

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
    let wrote = !current.lines().any(|l| l.trim() == DRIVER_LINE);
    let wrote_ledger = !current.lines().any(|l| l.trim() == LEDGER_LINE);
    if wrote {
        add(GITATTRIBUTES);
    } else if wrote_ledger {
        add(LEDGER_ATTRIBUTES);
    }
    let wrote = wrote || wrote_ledger;
    let wrote_lfs = args.lfs && !current.lines().any(|l| l.trim() == LFS_LINE);
    if wrote_lfs {
        add(LFS_ATTRIBUTES);
    }
    let mut committed = false;
    if text != current {
        ctx.store.write_support_file(".gitattributes", &text)?;
        let config = ctx.store.config()?;
        // With auto-commit on, every write commits what it wrote.
        crate::git::commit_if_enabled(
            &config,
            root,
            std::slice::from_ref(&attributes),
            "git-setup: merge case files with the tickets driver",
        )?;
        committed = config.git.commit;
    }
    emit(&format!(
        "registered the merge driver in this clone's git config: merge.tickets.driver = {command}\n{pull_note}\n{}\n",
        if wrote && committed {
            format!(
                "wrote and committed {}: push it so every clone uses the driver (each clone runs `tickets git-setup` once)",
                attributes.display()
            )
        } else if wrote {
            format!(
                "wrote {}: commit it so every clone uses the driver (each clone runs `tickets git-setup` once)",
                attributes.display()
            )
        } else {
            format!("{} already routes case files to the driver", attributes.display())
        }
    ))?;
    if args.lfs {
        emit(&if wrote_lfs {
            format!(
                "wrote `{LFS_LINE}` to {}: commit it; every clone needs git-lfs (`git lfs install`)\n",
                attributes.display()
            )
        } else {
            format!("{} already keeps attachments in git LFS\n", attributes.display())
        })?;
    }
    Ok(ExitCode::Success)
}
