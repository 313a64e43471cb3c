//! The `qunce` command: parses arguments and calls the library. Nothing else lives here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use qunce::diagnostics::{self, Format};
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
    },
    /// Create a new site that builds at once.
    Init {
        /// Folder for the new site (default: the current folder).
        dir: Option<PathBuf>,
        /// Also unpack the default theme into themes/handbook/ for editing.
        #[arg(long)]
        theme_files: bool,
    },
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

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn print_diags(diags: &[qunce::Diagnostic], format: OutputFormat) {
    match format {
        OutputFormat::Json => print!("{}", diagnostics::render(diags, Format::Json)),
        OutputFormat::Human => eprint!(
            "{}",
            diagnostics::render(diags, Format::Human { color: color() })
        ),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
                eprintln!("built {} pages ({} files) into {dir}", out.pages, out.files);
            }
            if timings {
                eprint!("{}", out.timings.report());
            }
            out.status.code()
        }
        Command::Check {
            drafts,
            deny_warnings,
        } => {
            let opts = Options {
                root: cli.root,
                drafts,
                ..Default::default()
            };
            let out = qunce::check(&opts);
            print_diags(&out.diagnostics, cli.format);
            let (errors, warnings) = diagnostics::count(&out.diagnostics);
            if out.status == Status::Ok && matches!(cli.format, OutputFormat::Human) {
                eprintln!(
                    "checked {} pages: {errors} errors, {warnings} warnings",
                    out.pages
                );
            }
            match out.status {
                Status::Ok if deny_warnings && warnings > 0 => 1,
                s => s.code(),
            }
        }
        Command::Init { dir, theme_files } => {
            let dir = dir.unwrap_or(cli.root);
            match qunce::scaffold::init(&dir, theme_files) {
                Ok(files) => {
                    eprintln!(
                        "created a new site in {} ({} files)",
                        dir.display(),
                        files.len()
                    );
                    eprintln!("next: qunce --root {} build", dir.display());
                    0
                }
                Err(e) => {
                    eprintln!("error: {}\n  = help: {}", e.message, e.help);
                    2
                }
            }
        }
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
                        eprintln!("created {}", path.display());
                        0
                    }
                    Err(e) => {
                        eprintln!("error: {}\n  = help: {}", e.message, e.help);
                        2
                    }
                }
            }
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
            };
            match qunce::serve::start(opts) {
                Err(d) => {
                    print_diags(&d, cli.format);
                    2
                }
                Ok(server) => {
                    eprintln!("serving at {} (Ctrl-C to stop)", server.url());
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
