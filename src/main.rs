//! The `qunce` command: parses arguments and calls the library. Nothing else lives here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use qunce::diagnostics::{self, Format};
use qunce::messages::{self, Lang};
use qunce::{Options, Status};

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

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default).
    Build {
        /// Output folder (default: output_dir in site.toml, else public/).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override base_url, e.g. https://example.org/handbook
        #[arg(long)]
        base_url: Option<String>,
        /// Include pages with draft = true.
        #[arg(long)]
        drafts: bool,
        /// Print how long each stage took.
        #[arg(long)]
        timings: bool,
        /// Write a site that works opened from disk (file://) or a zip: relative links.
        #[arg(long)]
        offline: bool,
        /// Replace the output folder even though qunce did not write it (its dotfiles are kept).
        #[arg(long)]
        force: bool,
    },
    /// Check links, relations and front matter without writing anything.
    Check {
        /// Include pages with draft = true.
        #[arg(long)]
        drafts: bool,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Apply the typography fixes first (as `qunce fmt` does), then check.
        #[arg(long)]
        fix: bool,
    },
    /// Fix Chinese typography in place: spacing, full-width punctuation, quotes, footnotes.
    ///
    /// Only prose changes (titles, descriptions, text); code, URLs and front-matter keys never
    /// do. Example: `qunce fmt --check` in CI fails when a page needs fixing.
    Fmt {
        /// Change nothing; list what would change and exit 1 if anything would.
        #[arg(long)]
        check: bool,
    },
    /// Create a new site that builds at once (asks nothing).
    Init {
        /// Folder for the new site (default: the current folder).
        dir: Option<PathBuf>,
        /// The site's title.
        #[arg(long)]
        title: Option<String>,
        /// Where the site will be published, e.g. https://example.cn/handbook
        #[arg(long)]
        base_url: Option<String>,
        /// Also unpack the default theme into themes/handbook/ for editing; in a folder that
        /// already has a site, only that (never overwriting a file).
        #[arg(long)]
        theme_files: bool,
    },
    /// Work with the site's theme.
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Create a page of a kind, with the kind's fields as a template.
    New {
        /// The page's kind: element, ritual, role, checklist, page, or one declared in site.toml.
        kind: String,
        /// The page's title; also its file name.
        title: String,
        /// The section (folder under content/) to put it in; default: the kind's section.
        #[arg(long)]
        section: Option<String>,
    },
    /// Preview the site: build, serve on 127.0.0.1, rebuild and reload the browser on every save.
    Serve {
        /// Port to listen on; when it is taken, the next free one is used.
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on (default: loopback only). 0.0.0.0 shares it on the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include pages with draft = true.
        #[arg(long)]
        drafts: bool,
        /// Print how long each stage of every rebuild took.
        #[arg(long)]
        timings: bool,
    },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Copy the default theme into themes/handbook/ for editing; never overwrites a file.
    Unpack,
}

/// `path` as one shell word, so the `next:` lines can be pasted as printed.
fn shell_word(path: &std::path::Path) -> String {
    let s = path.display().to_string();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Prints what `theme unpack` did.
fn report_unpack(root: &std::path::Path, u: &qunce::scaffold::Unpacked) {
    eprintln!(
        "unpacked {} theme files into {}",
        u.written.len(),
        root.join("themes/handbook").display()
    );
    if !u.kept.is_empty() {
        eprintln!(
            "kept {} files that were already there (never overwritten)",
            u.kept.len()
        );
    }
    eprintln!("edit the templates there; a file you delete comes from the built-in theme again");
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("`{s}` is not a language qunce speaks: zh-CN or en"))
}

/// The language of this run's messages, decided once `--root` and `--lang` are known.
static LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

fn lang() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn print_diags(diags: &[qunce::Diagnostic], format: OutputFormat) {
    match format {
        OutputFormat::Json => print!("{}", diagnostics::render_in(diags, Format::Json, lang())),
        OutputFormat::Human => eprint!(
            "{}",
            diagnostics::render_in(diags, Format::Human { color: color() }, lang())
        ),
    }
}

/// Runs `qunce fmt`, printing each fix; `Err` carries the exit code of a failure.
fn fmt(root: &std::path::Path, write: bool, format: OutputFormat) -> Result<usize, i32> {
    match qunce::typography::fmt_site(root, write) {
        Err(d) => {
            print_diags(&d, format);
            Err(2)
        }
        Ok(files) => {
            let places: usize = files.iter().map(|f| f.fixes.len()).sum();
            for f in &files {
                for (line, col, fix) in &f.fixes {
                    eprintln!(
                        "{}:{line}:{col}: `{}` → `{}`",
                        f.file,
                        fix.shown_before(),
                        fix.shown_after()
                    );
                }
            }
            let id = if write { "fixed" } else { "would-fix" };
            let files = files.len();
            eprintln!(
                "{}",
                messages::cli(lang(), id, &[("places", &places), ("files", &files)])
            );
            Ok(places)
        }
    }
}

fn main() -> ExitCode {
    // `--help` is printed while parsing: its language is decided from the raw arguments.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = messages::help::localize(Cli::command(), messages::help::language(&args));
    let cli = Cli::from_arg_matches(&command.get_matches_from(args)).unwrap_or_else(|e| e.exit());
    let _ = LANG.set(messages::for_site(cli.lang, &cli.root));
    let code = match cli.command {
        Command::Build {
            output,
            base_url,
            drafts,
            timings,
            offline,
            force,
        } => {
            let opts = Options {
                root: cli.root,
                drafts,
                base_url,
                output,
                offline,
                force,
            };
            let out = qunce::build(&opts);
            print_diags(&out.diagnostics, cli.format);
            if out.status == Status::Ok && matches!(cli.format, OutputFormat::Human) {
                let dir = out
                    .output_dir
                    .as_ref()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default();
                let line = messages::cli(
                    lang(),
                    "built",
                    &[("pages", &out.pages), ("files", &out.files), ("dir", &dir)],
                );
                eprintln!("{line}");
            }
            if timings {
                eprint!("{}", out.timings.report());
            }
            out.status.code()
        }
        Command::Check {
            drafts,
            deny_warnings,
            fix,
        } => {
            if fix && let Err(code) = fmt(&cli.root, true, cli.format) {
                return ExitCode::from(code as u8);
            }
            let opts = Options {
                root: cli.root,
                drafts,
                ..Default::default()
            };
            let out = qunce::check(&opts);
            print_diags(&out.diagnostics, cli.format);
            let (errors, warnings) = diagnostics::count(&out.diagnostics);
            if out.status == Status::Ok && matches!(cli.format, OutputFormat::Human) {
                let line = messages::cli(
                    lang(),
                    "checked",
                    &[
                        ("pages", &out.pages),
                        ("errors", &errors),
                        ("warnings", &warnings),
                    ],
                );
                eprintln!("{line}");
            }
            match out.status {
                Status::Ok if deny_warnings && warnings > 0 => {
                    // The summary says "0 errors": say why the exit status is still 1.
                    let counted = diagnostics::counted(warnings, true, lang());
                    let line = messages::cli(lang(), "deny-warnings", &[("warnings", &counted)]);
                    eprintln!("{line}");
                    1
                }
                s => s.code(),
            }
        }
        Command::Init {
            dir,
            title,
            base_url,
            theme_files,
        } => {
            let dir = dir.unwrap_or(cli.root);
            let opts = qunce::scaffold::InitOptions {
                title,
                base_url,
                theme_files,
            };
            let existing = qunce::is_site(&dir);
            let result =
                if existing && theme_files && opts.title.is_none() && opts.base_url.is_none() {
                    qunce::scaffold::unpack_theme(&dir).map(|u| report_unpack(&dir, &u))
                } else {
                    qunce::scaffold::init_with(&dir, &opts).map(|files| {
                        eprintln!(
                            "created a new site in {} ({} files)",
                            dir.display(),
                            files.len()
                        );
                        let root = shell_word(&dir);
                        eprintln!("next: qunce --root {root} build");
                        eprintln!("  or: qunce --root {root} serve    # live preview");
                    })
                };
            match result {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!(
                        "error: {}\n  = help: {}",
                        diagnostics::terminal_safe(&e.message),
                        diagnostics::terminal_safe(&e.help)
                    );
                    2
                }
            }
        }
        Command::Theme(ThemeCommand::Unpack) => match qunce::scaffold::unpack_theme(&cli.root) {
            Ok(u) => {
                report_unpack(&cli.root, &u);
                0
            }
            Err(e) => {
                eprintln!("error: {}\n  = help: {}", e.message, e.help);
                2
            }
        },
        Command::New {
            kind,
            title,
            section,
        } => match qunce::config::load(&cli.root) {
            Err(d) => {
                print_diags(&d, cli.format);
                2
            }
            Ok((config, _)) => {
                match qunce::scaffold::new_page(&config, &kind, &title, section.as_deref()) {
                    Ok(path) => {
                        let path = path.display();
                        eprintln!("{}", messages::cli(lang(), "created", &[("path", &path)]));
                        0
                    }
                    Err(e) => {
                        eprint!("{}", e.render(lang()));
                        2
                    }
                }
            }
        },
        Command::Fmt { check } => match fmt(&cli.root, !check, cli.format) {
            Err(code) => code,
            Ok(places) if check && places > 0 => {
                eprintln!("{}", messages::cli(lang(), "run-fmt", &[]));
                1
            }
            Ok(_) => 0,
        },
        Command::Serve {
            port,
            bind,
            open,
            drafts,
            timings,
        } => {
            let opts = qunce::serve::ServeOptions {
                root: cli.root,
                drafts,
                bind,
                port,
                quiet: false,
                timings,
                lang: messages::requested(cli.lang),
            };
            match qunce::serve::start(opts) {
                Err(d) => {
                    print_diags(&d, cli.format);
                    2
                }
                Ok(server) => {
                    let url = server.url();
                    eprintln!("{}", messages::cli(lang(), "serving", &[("url", &url)]));
                    if open {
                        qunce::serve::open_browser(server.url());
                    }
                    server.wait();
                    0
                }
            }
        }
    };
    ExitCode::from(code as u8)
}
