//! Colors for the command line's output. They are only ever added when
//! asked for (`--color always`, or `--color auto` with a terminal that
//! wants them), so output captured or piped stays plain text.

use std::fmt::Display;

use anstyle::{AnsiColor, Style};
use clap::ColorChoice;

const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const RED: Style = AnsiColor::Red.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();
const MAGENTA: Style = AnsiColor::Magenta.on_default();

/// Paints text with ANSI styles, or leaves it as it is.
#[derive(Clone, Copy, Debug)]
pub struct Paint {
    on: bool,
}

impl Paint {
    /// Paints when `choice` is `always`; `auto` stays plain, since the
    /// caller's writer may be anything (`main` resolves `auto` against the
    /// real stream first, with [`wants_color`]).
    pub fn new(choice: ColorChoice) -> Paint {
        Paint {
            on: choice == ColorChoice::Always,
        }
    }

    fn paint(self, style: Style, text: impl Display) -> String {
        if self.on {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// A change made: `applied`, `stamped`, `backed up`, `up to date`.
    pub fn done(self, text: impl Display) -> String {
        self.paint(GREEN, text)
    }

    /// A change undone: `reverted`.
    pub fn undone(self, text: impl Display) -> String {
        self.paint(YELLOW, text)
    }

    /// Something to fix before deploying.
    pub fn problem(self, text: impl Display) -> String {
        self.paint(RED.bold(), text)
    }

    /// Something that only needs doing: a pending migration.
    pub fn pending(self, text: impl Display) -> String {
        self.paint(YELLOW, text)
    }

    /// A history mark: `[x]` applied, `[ ]` pending, `[~]` partly applied,
    /// `[!]` needs repair.
    pub fn mark(self, mark: &str) -> String {
        let style = match mark {
            "[x]" => GREEN,
            "[~]" => YELLOW,
            "[!]" => RED.bold(),
            _ => Style::new().dimmed(),
        };
        self.paint(style, mark)
    }

    /// A review finding's label: `danger`, `danger (reviewed)`, `warning`, `note`.
    pub fn severity(self, label: &str) -> String {
        let style = match label {
            "danger" => RED.bold(),
            "warning" => YELLOW.bold(),
            "note" => CYAN,
            _ => MAGENTA,
        };
        self.paint(style, label)
    }

    /// The `error:` before a failure's message.
    pub fn error_label(self) -> String {
        self.paint(RED.bold(), "error:")
    }
}

/// Whether `stream` should get colors under `choice`: `auto` asks anstream,
/// which looks at whether it is a terminal, `NO_COLOR`, `CLICOLOR_FORCE`
/// and `TERM`.
pub fn wants_color(choice: ColorChoice, stream: &impl anstream::stream::RawStream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => matches!(
            anstream::AutoStream::choice(stream),
            anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
        ),
    }
}

/// `always` when `on`, else `never`.
pub fn resolved(on: bool) -> ColorChoice {
    if on {
        ColorChoice::Always
    } else {
        ColorChoice::Never
    }
}

/// `raw` as the command line writes to it: colors pass through as they
/// are, or through the console API on an old Windows console.
pub fn stream<S: anstream::stream::RawStream>(raw: S, colored: bool) -> anstream::AutoStream<S> {
    if colored {
        anstream::AutoStream::always(raw)
    } else {
        // Nothing to adapt: the text holds no colors.
        anstream::AutoStream::always_ansi(raw)
    }
}
