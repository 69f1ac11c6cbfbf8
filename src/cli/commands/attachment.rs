//! `tickets attachment ID NAME [--output FILE]`: writes one attachment's
//! bytes, checked against its SHA-256, to a file or to stdout (never to a
//! terminal). Also the `--attach FILE` option of the commands that take files.

use crate::cli::cli_error::{CliError, Result};
use crate::cli::exit_code::ExitCode;
use crate::cli::Context;
use crate::core::error::Error;
use crate::operations::{self, Enclosures};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Arguments of `attachment`.
#[derive(Debug, Args)]
pub struct AttachmentArgs {
    /// The case ID (a unique prefix is enough).
    pub id: String,
    /// The attachment's name as `show` lists it, or a prefix of its SHA-256
    /// (at least 6 hex digits) when two files of the case share a name.
    pub name: String,
    /// Write the bytes to this file (replaced if it exists) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// Runs `attachment`.
pub fn run(ctx: &Context, args: AttachmentArgs) -> Result<ExitCode> {
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(CliError::Usage(
            "refusing to write an attachment's bytes to a terminal; use --output FILE or a pipe (| less, > file)"
                .into(),
        ));
    }
    let (_, mut file) = operations::attachments::attachment(&ctx.session(), &args.id, &args.name)?;
    match &args.output {
        Some(path) => {
            refuse_the_store(ctx, path)?;
            refuse_the_stored_file(&file, path)?;
            let mut out = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
            if out.is_terminal() {
                // `--output /dev/stdout` or `/dev/tty` is the terminal all the same.
                return Err(CliError::Usage(format!(
                    "refusing to write an attachment's bytes to a terminal ({}); give a file or a pipe",
                    crate::core::terminal::escape_line(&path.display().to_string())
                )));
            }
            copy(&mut file, &mut out, path)?;
            out.sync_all().map_err(|e| Error::io(path, e))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match copy(&mut file, &mut stdout, Path::new("<stdout>")) {
                // `tickets attachment ID log | head` is a clean exit.
                Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(ExitCode::Success)
}

/// `--output` inside the store (`config.yaml`, a case file, anything under
/// `attachments/`) would change the store outside its lock and checks, with
/// a customer's bytes: refused as a usage error. The path is resolved
/// (links followed) as far as it exists.
fn refuse_the_store(ctx: &Context, output: &Path) -> Result<()> {
    let Ok(root) = ctx.store.root().canonicalize() else {
        return Ok(());
    };
    let absolute = std::path::absolute(output).map_err(|e| Error::io(output, e))?;
    // The deepest part of the path that exists, resolved; the rest appended.
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let resolved = loop {
        if let Ok(resolved) = existing.canonicalize() {
            break resolved;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return Ok(()),
        }
    };
    let target = rest.iter().rev().fold(resolved, |path, name| path.join(name));
    if target.starts_with(&root) {
        return Err(CliError::Usage(format!(
            "--output {} is inside the store ({}); write the attachment elsewhere",
            crate::core::terminal::escape_line(&output.display().to_string()),
            crate::core::terminal::escape_line(&root.display().to_string())
        )));
    }
    Ok(())
}

/// `--output` naming the stored content itself (or a link to it) would
/// truncate it before it is read: refused as a usage error, the file untouched.
fn refuse_the_stored_file(stored: &std::fs::File, output: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(target) = std::fs::metadata(output) else {
        return Ok(());
    };
    let source = stored.metadata().map_err(|e| Error::io(output, e))?;
    if source.dev() == target.dev() && source.ino() == target.ino() {
        return Err(CliError::Usage(format!(
            "--output {} is the attachment's own file in the store; give another path",
            crate::core::terminal::escape_line(&output.display().to_string())
        )));
    }
    Ok(())
}

fn copy(from: &mut std::fs::File, to: &mut impl Write, path: &Path) -> crate::core::error::Result<()> {
    std::io::copy(from, to).map_err(|e| Error::io(path, e))?;
    to.flush().map_err(|e| Error::io(path, e))
}

/// The files of `--attach`, received for an operation within the store's limits.
pub fn enclosures(ctx: &Context, files: &[PathBuf]) -> Result<Enclosures> {
    if files.is_empty() {
        return Ok(Enclosures::none(&ctx.store));
    }
    let limits = ctx.store.config()?.attachments;
    let mut enclosures = Enclosures::new(&ctx.store, limits);
    for file in files {
        enclosures.add_file(file)?;
    }
    Ok(enclosures)
}
