//! One module per `qunce` command; each has its flags (`Args`) and a `run` that returns the
//! process's exit code. What several commands print the same way lives here.

use std::io::IsTerminal;

use clap::ValueEnum;
use qunce::diagnostics::{self, Format};

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod fmt;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod serve;
pub(crate) mod theme;

/// The global `--format`: people read stderr, editors and CI read JSON lines on stdout.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutputFormat {
    Human,
    Json,
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub(crate) fn print_diags(diags: &[qunce::Diagnostic], format: OutputFormat) {
    match format {
        OutputFormat::Json => print!("{}", diagnostics::render(diags, Format::Json)),
        OutputFormat::Human => eprint!(
            "{}",
            diagnostics::render(diags, Format::Human { color: color() })
        ),
    }
}

/// Prints a scaffolding error (not a site diagnostic: there is no file position) and gives the
/// exit code for it.
pub(crate) fn scaffold_error(e: &qunce::scaffold::ScaffoldError) -> i32 {
    eprintln!(
        "error: {}\n  = help: {}",
        diagnostics::terminal_safe(&e.message),
        diagnostics::terminal_safe(&e.help)
    );
    2
}
