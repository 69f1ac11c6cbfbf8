//! Colour and terminal layout for people: colour only on a terminal (or when
//! asked), `NO_COLOR` honoured, tables fitted to the terminal's width.
//!
//! Colour codes are only ever added by us, around text that has already been
//! escaped by [`crate::core::terminal`]; customer text never carries its own.

use crate::core::vocabulary::Status;

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, `NO_COLOR` is unset and `TERM` is not `dumb`.
    #[default]
    Auto,
    /// Always colour, even in a pipe and despite `NO_COLOR` (an explicit flag wins).
    Always,
    /// Never colour.
    Never,
}

/// Whether to colour: an explicit `always`/`never` wins; `auto` colours only a
/// terminal, and not when `NO_COLOR` is set (non-empty, as no-color.org says)
/// or `TERM=dumb`.
pub fn color_enabled(choice: ColorChoice, no_color: Option<&str>, term: Option<&str>, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb"),
    }
}

/// How output for people is dressed: colour, and whether it goes to a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Add ANSI colour codes.
    pub color: bool,
    /// Stdout is a terminal: tables are fitted to its width and long text is
    /// shortened; in a pipe every cell is printed whole on one line.
    pub terminal: bool,
    /// The width to fit tables to; `None` asks the terminal.
    pub width: Option<u16>,
}

impl Style {
    /// The style for this process's stdout under a `--color` choice and the environment.
    pub fn detect(choice: ColorChoice) -> Style {
        use std::io::IsTerminal;
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var("NO_COLOR").ok();
        let term = std::env::var("TERM").ok();
        Style {
            color: color_enabled(choice, no_color.as_deref(), term.as_deref(), terminal),
            terminal,
            width: width_of(
                std::env::var("COLUMNS").ok().as_deref(),
                terminal.then(terminal_width).flatten(),
            ),
        }
    }

    /// Wraps already-escaped text in an SGR sequence when colour is on.
    pub fn paint(&self, sgr: &str, escaped: &str) -> String {
        if self.color {
            format!("\u{1b}[{sgr}m{escaped}\u{1b}[0m")
        } else {
            escaped.to_string()
        }
    }

    /// A status spelling, coloured by what it asks of the analyst.
    pub fn status(&self, status: Status) -> String {
        self.paint(status_sgr(status), status.as_str())
    }

    /// Bold text (headers).
    pub fn bold(&self, escaped: &str) -> String {
        self.paint("1", escaped)
    }
}

/// The width to fit output for people to: `COLUMNS` when it is set to a
/// number (also in a pipe, and also when the terminal is wider: an explicit
/// setting wins), else the terminal's, else none (a pipe: lines whole).
pub fn width_of(columns: Option<&str>, terminal: Option<u16>) -> Option<u16> {
    columns
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
        .or(terminal)
}

/// The width of the terminal on stdout, if it says.
fn terminal_width() -> Option<u16> {
    rustix::termios::tcgetwinsize(std::io::stdout())
        .ok()
        .map(|size| size.ws_col)
        .filter(|w| *w > 0)
}

/// The SGR code of a status: open (yellow) and escalated (red) need someone,
/// waiting (magenta) waits on the customer, closed is dimmed.
pub fn status_sgr(status: Status) -> &'static str {
    match status {
        Status::Open => "33",
        Status::AtInvestigation => "36",
        Status::WaitingForCustomer => "35",
        Status::Escalated => "31",
        Status::Closed => "2",
    }
}

/// The comfy-table colour of a status, matching [`status_sgr`].
pub fn status_table_color(status: Status) -> comfy_table::Color {
    use comfy_table::Color;
    match status {
        Status::Open => Color::Yellow,
        Status::AtInvestigation => Color::Cyan,
        Status::WaitingForCustomer => Color::Magenta,
        Status::Escalated => Color::Red,
        Status::Closed => Color::DarkGrey,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_only_a_terminal_without_no_color_or_dumb_term() {
        assert!(color_enabled(ColorChoice::Auto, None, Some("xterm"), true));
        assert!(!color_enabled(ColorChoice::Auto, None, Some("xterm"), false));
        assert!(!color_enabled(ColorChoice::Auto, Some("1"), Some("xterm"), true));
        assert!(
            color_enabled(ColorChoice::Auto, Some(""), Some("xterm"), true),
            "empty NO_COLOR is unset"
        );
        assert!(!color_enabled(ColorChoice::Auto, None, Some("dumb"), true));
    }

    #[test]
    fn explicit_choice_wins_over_environment_and_pipe() {
        assert!(color_enabled(ColorChoice::Always, Some("1"), Some("dumb"), false));
        assert!(!color_enabled(ColorChoice::Never, None, Some("xterm"), true));
    }

    #[test]
    fn paint_adds_codes_only_when_colour_is_on() {
        let on = Style {
            color: true,
            ..Style::default()
        };
        assert_eq!(on.status(Status::Escalated), "\u{1b}[31mescalated\u{1b}[0m");
        assert_eq!(Style::default().status(Status::Escalated), "escalated");
    }
}
