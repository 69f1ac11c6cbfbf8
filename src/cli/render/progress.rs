//! Progress of long work on a terminal, drawn with indicatif on stderr: what
//! is being done, how far along, and the time left. Only when stderr is a
//! terminal and the output is for people; cleared when the work ends.

use crate::core::progress::Progress;
use crate::views::Format;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::{Arc, Mutex};

/// A [`Progress`] drawn on stderr.
#[derive(Debug)]
pub struct TerminalProgress {
    bar: Mutex<Option<ProgressBar>>,
    color: bool,
}

impl TerminalProgress {
    /// The progress for this process: drawn only when stderr is a terminal
    /// (not `TERM=dumb`) and `format` is the table; in colour unless
    /// `NO_COLOR` is set. `None` otherwise: nothing is drawn.
    pub fn detect(format: Format) -> Option<Arc<dyn Progress>> {
        use std::io::IsTerminal;
        let term = std::env::var("TERM").ok();
        let wanted = format == Format::Table && std::io::stderr().is_terminal() && term.as_deref() != Some("dumb");
        let no_color = std::env::var("NO_COLOR").is_ok_and(|v| !v.is_empty());
        wanted.then(|| {
            Arc::new(TerminalProgress {
                bar: Mutex::new(None),
                color: !no_color,
            }) as Arc<dyn Progress>
        })
    }

    fn style(&self) -> ProgressStyle {
        let template = if self.color {
            "{msg} {bar:30.cyan/blue} {pos}/{len} ({eta} left)"
        } else {
            "{msg} {bar:30} {pos}/{len} ({eta} left)"
        };
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ")
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Progress for TerminalProgress {
    fn start(&self, what: &str, total: u64) {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
            .with_style(self.style())
            .with_message(what.to_string());
        bar.tick();
        if let Some(old) = self.bar().replace(bar) {
            old.finish_and_clear();
        }
    }

    fn advance(&self, n: u64) {
        if let Some(bar) = self.bar().as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar().take() {
            bar.finish_and_clear();
        }
    }
}
