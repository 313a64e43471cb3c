//! One module per `qunce` command; each has its flags (`Args`) and a `run` that returns the
//! process's exit code. What several commands print the same way lives here.

use std::io::IsTerminal;

use std::path::Path;
use std::sync::OnceLock;

use clap::ValueEnum;
use qunce::diagnostics::{self, Format};
use qunce::messages::{self, Lang};

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

/// `--lang` as given (the dev server re-reads the site's language on every rebuild).
static FLAG: OnceLock<Option<Lang>> = OnceLock::new();
/// The language of this run's messages, decided once `--root` and `--lang` are known.
static LANG: OnceLock<Lang> = OnceLock::new();

/// Decides the language of messages: `--lang`, else `QUNCE_LANG`, else the site's `language`,
/// else (no readable site.toml) the locale.
pub(crate) fn set_lang(flag: Option<Lang>, root: &Path) {
    let _ = FLAG.set(flag);
    let _ = LANG.set(messages::for_site(flag, root));
}

pub(crate) fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

/// `--lang` as given on the command line.
pub(crate) fn lang_flag() -> Option<Lang> {
    FLAG.get().copied().flatten()
}

/// A command-line line (`[cli]` in the message tables) in this run's language.
pub(crate) fn line(id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    messages::cli(lang(), id, args)
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

pub(crate) fn print_diags(diags: &[qunce::Diagnostic], format: OutputFormat) {
    match format {
        OutputFormat::Json => print!("{}", diagnostics::render_in(diags, Format::Json, lang())),
        OutputFormat::Human => eprint!(
            "{}",
            diagnostics::render_in(diags, Format::Human { color: color() }, lang())
        ),
    }
}

/// Prints a scaffolding error (not a site diagnostic: there is no file position) and gives the
/// exit code for it.
pub(crate) fn scaffold_error(e: &qunce::scaffold::ScaffoldError) -> i32 {
    eprint!("{}", e.render(lang()));
    2
}
