//! The `qunce` command: parses arguments and hands each command to its module in `cli/`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use qunce::messages::{self, Lang};

mod cli;

// A build makes and frees millions of small strings and vectors from two threads at once; glibc's
// allocator spent about a tenth of a 10,000-page build in malloc and free (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cli::OutputFormat;

/// 群策 qunce — build, check and preview community playbooks.
#[derive(Parser)]
#[command(name = "qunce", version, about, long_about = None)]
struct Cli {
    /// The site's folder (holding site.toml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    /// How diagnostics are printed: for people, or JSON lines for editors and CI.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// The language of messages: zh-CN or en (default: QUNCE_LANG, else the site's language).
    #[arg(long, global = true, value_parser = parse_lang)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build(cli::build::Args),
    /// Check links, relations and front matter without writing anything.
    Check(cli::check::Args),
    /// Fix Chinese typography in place: spacing, full-width punctuation, quotes, footnotes.
    ///
    /// Only prose changes (titles, descriptions, text); code, URLs and front-matter keys never
    /// do. Example: `qunce fmt --check` in CI fails when a page needs fixing.
    Fmt(cli::fmt::Args),
    /// Create a new site that builds at once (asks nothing).
    Init(cli::init::Args),
    /// Work with the site's theme.
    #[command(subcommand)]
    Theme(cli::theme::Command),
    /// Create a page of a kind, with the kind's fields as a template.
    New(cli::new::Args),
    /// Preview the site: build, serve on 127.0.0.1, rebuild and reload the browser on every save.
    Serve(cli::serve::Args),
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language qunce speaks: zh-CN or en"))
}

fn main() -> ExitCode {
    // A build touches a few hundred MiB once. Backed by 2 MiB pages, each first touch clears a
    // whole huge page, and on virtual machines that hand freed memory back to their host (CI
    // runners, this project's benchmark machine) those clears were up to 29 % of a 10,000-page
    // build's samples; small pages made such builds 9-28 % faster (BENCHMARKS.md, session 17).
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // `--help` is printed while parsing: its language is decided from the raw arguments.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = messages::help::localize(Cli::command(), messages::help::language(&args));
    let cli = Cli::from_arg_matches(&command.get_matches_from(args)).unwrap_or_else(|e| e.exit());
    cli::set_lang(cli.lang, &cli.root);
    let (root, format) = (cli.root, cli.format);
    let code = match cli.command {
        Command::Build(args) => cli::build::run(root, format, args),
        Command::Check(args) => cli::check::run(root, format, args),
        Command::Fmt(args) => cli::fmt::run(&root, format, args),
        Command::Init(args) => cli::init::run(root, args),
        Command::Theme(command) => cli::theme::run(&root, command),
        Command::New(args) => cli::new::run(&root, format, args),
        Command::Serve(args) => cli::serve::run(root, format, args),
    };
    ExitCode::from(code as u8)
}
