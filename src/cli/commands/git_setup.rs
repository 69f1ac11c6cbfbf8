//! `tickets git-setup`: register the merge driver in this clone's git config
//! and write the store's `.gitattributes`, so that git merges case files
//! with `tickets merge-driver` instead of line by line
//! ([`operations::git_setup`](crate::operations::git_setup::git_setup)).

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::{emit, Context};
use crate::core::error::{Error, GitError};
use crate::operations::git_setup::{git_setup, LFS_LINE};
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
    let done = git_setup(&ctx.session(), &driver_command()?, args.lfs).map_err(|e| match e {
        Error::Git(GitError::NotAClone { dir }) => CliError::Usage(format!(
            "{} is not inside a git clone; run `git init` (or clone the store's repository) first",
            dir.display()
        )),
        e => e.into(),
    })?;
    let attributes = done.attributes.display();
    let pull_note = if done.pull_already_chosen {
        "pull.rebase is already set in git config; left as it is"
    } else {
        "set pull.rebase = false: `git pull` merges diverged clones, through the driver"
    };
    emit(&format!(
        "registered the merge driver in this clone's git config: merge.tickets.driver = {}\n{pull_note}\n{}\n",
        done.driver,
        if done.wrote && done.committed {
            format!(
                "wrote and committed {attributes}: push it so every clone uses the driver (each clone runs `tickets git-setup` once)"
            )
        } else if done.wrote {
            format!("wrote {attributes}: commit it so every clone uses the driver (each clone runs `tickets git-setup` once)")
        } else {
            format!("{attributes} already routes case files to the driver")
        }
    ))?;
    if args.lfs {
        emit(&if done.wrote_lfs {
            format!("wrote `{LFS_LINE}` to {attributes}: commit it; every clone needs git-lfs (`git lfs install`)\n")
        } else {
            format!("{attributes} already keeps attachments in git LFS\n")
        })?;
    }
    Ok(ExitCode::Success)
}
