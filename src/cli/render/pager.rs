//! Long output for people goes through a pager on a terminal, as git's and
//! jj's does: `TICKETS_PAGER`, else `PAGER`, else `less` (with `LESS=FRX`
//! when `LESS` is unset, so that a screenful prints and exits, colour
//! passes, and the screen is not cleared). Never in a pipe, never for
//! `--format json|yaml`, never with `--no-pager`; an empty or `cat` pager
//! means none.
//!
//! A pager that cannot be started falls back to plain output (with a
//! warning): nothing is lost. A pager the user quits early closes the pipe,
//! and the rest is dropped quietly, as `tickets list | head` is.

use crate::core::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

/// Where the output of one command goes: stdout or a pager's stdin.
pub struct Output {
    sink: Sink,
    closed: bool,
}

enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    Pager(Child, BufWriter<ChildStdin>),
}

/// The pager command line to use, if any: `None` for none.
pub fn pager_command(tickets_pager: Option<&str>, pager: Option<&str>) -> Option<Vec<String>> {
    let chosen = match (tickets_pager, pager) {
        (Some(p), _) => p,
        (None, Some(p)) => p,
        (None, None) => "less",
    };
    let words: Vec<String> = chosen.split_whitespace().map(str::to_string).collect();
    match words.first().map(String::as_str) {
        None | Some("cat") => None,
        Some(_) => Some(words),
    }
}

impl Output {
    /// Plain stdout, buffered.
    pub fn stdout() -> Output {
        Output {
            sink: Sink::Stdout(BufWriter::with_capacity(1 << 16, std::io::stdout())),
            closed: false,
        }
    }

    /// A pager when `wanted` (stdout is a terminal, output for people, no
    /// `--no-pager`) and one can be started; plain stdout otherwise.
    pub fn paged(wanted: bool) -> Output {
        if !wanted {
            return Output::stdout();
        }
        let tickets_pager = std::env::var("TICKETS_PAGER").ok();
        let pager = std::env::var("PAGER").ok();
        let Some(words) = pager_command(tickets_pager.as_deref(), pager.as_deref()) else {
            return Output::stdout();
        };
        let mut command = Command::new(&words[0]);
        command.args(&words[1..]).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            command.env("LV", "-c");
        }
        match command.spawn() {
            Ok(mut child) => match child.stdin.take() {
                Some(stdin) => Output {
                    sink: Sink::Pager(child, BufWriter::with_capacity(1 << 16, stdin)),
                    closed: false,
                },
                None => Output::stdout(),
            },
            Err(e) => {
                crate::cli::warn(&format!(
                    "cannot run the pager {:?} ({e}); printing directly (--no-pager, or set PAGER)",
                    crate::core::terminal::escape_line(&words.join(" "))
                ));
                Output::stdout()
            }
        }
    }

    /// Writes text; once the reader has gone (a pipe closed, a pager quit)
    /// the rest is dropped without an error.
    pub fn write(&mut self, text: &str) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        let written = match &mut self.sink {
            Sink::Stdout(out) => out.write_all(text.as_bytes()),
            Sink::Pager(_, out) => out.write_all(text.as_bytes()),
        };
        self.check(written)
    }

    fn check(&mut self, result: std::io::Result<()>) -> Result<()> {
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(Error::io("<stdout>", e)),
        }
    }

    /// Flushes, and waits for the pager to end.
    pub fn finish(mut self) -> Result<()> {
        let flushed = match &mut self.sink {
            Sink::Stdout(out) => out.flush(),
            Sink::Pager(_, out) => out.flush(),
        };
        let result = if self.closed { Ok(()) } else { self.check(flushed) };
        if let Sink::Pager(mut child, stdin) = self.sink {
            // Closing its input tells the pager the text is whole.
            drop(stdin);
            let _ = child.wait();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_pager_wins_then_pager_then_less_and_cat_or_empty_is_none() {
        assert_eq!(pager_command(None, None), Some(vec!["less".to_string()]));
        assert_eq!(
            pager_command(None, Some("more -s")),
            Some(vec!["more".into(), "-s".into()])
        );
        assert_eq!(
            pager_command(Some("most"), Some("more")),
            Some(vec!["most".to_string()])
        );
        assert_eq!(pager_command(Some(""), Some("more")), None);
        assert_eq!(pager_command(None, Some("cat")), None);
        assert_eq!(pager_command(None, Some("  ")), None);
    }
}
