//! 群策 qunce: a static-site generator for community playbooks.
//!
//! The pipeline is one data flow, each stage a module (DESIGN.md §5):
//! [`config`] → `content` (load) → [`markdown`] (scan) → `links` (resolve) →
//! [`markdown`] (render bodies) → `render` (templates) + [`search`] → [`output`] (atomic
//! write). `build` sequences the stages, into a `build::Sink`; `site` is the model the
//! stages fill and read; [`diagnostics`] is how every stage reports problems.

// Diagnostics travel in `Err` on cold paths only; boxing them would add noise, not speed.
#![allow(clippy::result_large_err)]

pub(crate) mod bodychecks;
pub(crate) mod build;
pub mod config;
pub(crate) mod content;
pub mod diagnostics;
#[doc(hidden)]
pub mod fuzzing;
pub mod incremental;
pub(crate) mod lastmod;
pub(crate) mod links;
pub(crate) mod lints;
pub mod markdown;
pub mod messages;
pub(crate) mod outlinks;
pub mod output;
pub(crate) mod paths;
pub(crate) mod playbook;
pub(crate) mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub(crate) mod site;
pub(crate) mod spanned;
pub(crate) mod text;
pub(crate) mod timings;
pub mod typography;
pub(crate) mod ui;

use std::path::{Path, PathBuf};

pub(crate) use build::BuildOptions;
pub use build::Compiled;
pub use diagnostics::Diagnostic;
pub use timings::Timings;

/// What a command ended with, mapped to the process exit code by the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0.
    Ok,
    /// Exit 1: the content (or theme) has errors, or the output could not be written.
    ContentErrors,
    /// Exit 2: the command line or site.toml is wrong.
    ConfigErrors,
}

impl Status {
    /// The process exit code, so scripts and CI can tell bad content from a bad command line.
    pub fn code(self) -> i32 {
        match self {
            Status::Ok => 0,
            Status::ContentErrors => 1,
            Status::ConfigErrors => 2,
        }
    }
}

/// Options of `build` and `check` as the CLI passes them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The site's folder, holding site.toml (`--root`).
    pub root: PathBuf,
    /// Include pages marked `draft = true` (`--drafts`), to preview them before publishing.
    pub drafts: bool,
    /// Overrides site.toml's `base_url` (`--base-url`), e.g. for a preview deployment.
    pub base_url: Option<String>,
    /// Overrides the output folder (`--output`); relative to the current directory.
    pub output: Option<PathBuf>,
    /// Build for file:// (`--offline`); `offline = true` in site.toml does the same.
    pub offline: bool,
    /// Replace an output folder qunce did not write (`--force`; never from site.toml).
    pub force: bool,
}

/// The outcome of `build` or `check`.
pub struct Outcome {
    /// How the command ended; the CLI turns it into the exit code.
    pub status: Status,
    /// Every problem found, sorted by file and position, ready to print.
    pub diagnostics: Vec<Diagnostic>,
    /// Pages rendered (0 when compilation failed before rendering).
    pub pages: usize,
    /// Files written or that would be written (pages, generated files, assets), for the summary.
    pub files: usize,
    /// Where `build` wrote (or meant to write); `None` for `check`, which writes nothing.
    pub output_dir: Option<PathBuf>,
    /// How long each stage took, printed by `--timings`.
    pub timings: Timings,
}

pub(crate) fn config_for(opts: &Options) -> Result<(config::Config, Vec<Diagnostic>), Outcome> {
    match config::load(&opts.root) {
        Ok((mut c, warnings)) => {
            if let Some(b) = &opts.base_url {
                c.base_url = b.trim_end_matches('/').to_string();
                c.placeholder_base_url = None;
            }
            c.offline |= opts.offline;
            if let Some(o) = &opts.output {
                c.output_dir = if o.is_absolute() {
                    o.clone()
                } else {
                    std::env::current_dir().unwrap_or_default().join(o)
                };
            }
            Ok((c, warnings))
        }
        Err(diagnostics) => Err(Outcome {
            status: Status::ConfigErrors,
            diagnostics,
            pages: 0,
            files: 0,
            output_dir: None,
            timings: Timings::default(),
        }),
    }
}

/// Compiles the site at `opts.root` without writing anything.
pub fn compile(opts: &Options) -> Result<Compiled, Outcome> {
    compile_with(opts, false, true)
}

/// [`compile`], with or without the search index, keeping the output files or dropping each
/// as soon as it is rendered (`check`, which then needs no more memory than `build`).
fn compile_with(opts: &Options, no_search: bool, keep: bool) -> Result<Compiled, Outcome> {
    let (config, warnings) = config_for(opts)?;
    let build_opts = BuildOptions {
        drafts: opts.drafts,
        no_search,
    };
    let mut compiled = if keep {
        build::compile(config, build_opts)
    } else {
        build::Build::new(config, build_opts).run(&build::Discard)
    };
    compiled.diagnostics.extend(warnings);
    content::apply_lints(
        &mut compiled.diagnostics,
        &compiled.site.config,
        &compiled.site.content,
    );
    diagnostics::sort(&mut compiled.diagnostics);
    Ok(compiled)
}

/// `qunce check`: everything but writing, and but the search index (which finds no problems).
pub fn check(opts: &Options) -> Outcome {
    match compile_with(opts, true, false) {
        Err(o) => o,
        Ok(c) => Outcome {
            status: if c.has_errors() {
                Status::ContentErrors
            } else {
                Status::Ok
            },
            pages: c.site.content.pages.len(),
            files: c.file_count,
            output_dir: None,
            diagnostics: c.diagnostics,
            timings: c.timings,
        },
    }
}

/// `qunce build`: compile, streaming every file into a staging folder as it is rendered, and
/// put the staging folder in the output folder's place if there were no errors.
pub fn build(opts: &Options) -> Outcome {
    let (mut config, mut warnings) = match config_for(opts) {
        Err(o) => return o,
        Ok(c) => c,
    };
    // Only a build publishes the address (sitemap, robots.txt, feeds); `check` and `serve`
    // do not care where the site will live. Reported once the output folder is accepted.
    let placeholder = config.placeholder_base_url.take();
    let out_dir = config.output_dir.clone();
    let build_opts = BuildOptions {
        drafts: opts.drafts,
        no_search: false,
    };
    let staging = output::Staging::create(&out_dir, &config.root, opts.force);
    if let Err(d) = &staging
        && d.code == output::guard::CODE
    {
        // The wrong folder was chosen: say so before spending a build on it.
        let mut diagnostics = warnings;
        diagnostics.push(d.clone());
        return Outcome {
            status: Status::ConfigErrors,
            diagnostics,
            pages: 0,
            files: 0,
            output_dir: Some(out_dir),
            timings: Timings::default(),
        };
    }
    warnings.extend(placeholder);
    // Without a staging folder (it could not be made) the build still runs, to report every
    // problem with the sources beside the one with the output folder.
    let mut c = match &staging {
        Ok(s) => build::Build::new(config, build_opts).run(s),
        Err(_) => build::compile(config, build_opts),
    };
    c.diagnostics.extend(warnings);
    content::apply_lints(&mut c.diagnostics, &c.site.config, &c.site.content);
    diagnostics::sort(&mut c.diagnostics);
    let mut status = Status::Ok;
    if c.has_errors() {
        status = Status::ContentErrors;
    } else {
        let start = Timings::clock();
        if let Err(d) = staging.and_then(|s| s.finish(&c.site.content.assets)) {
            c.diagnostics.push(d);
            status = Status::ContentErrors;
        }
        c.timings.record("swap", start);
    }
    let outcome = Outcome {
        status,
        pages: c.site.content.pages.len(),
        files: c.file_count + c.site.content.assets.len(),
        output_dir: Some(out_dir),
        diagnostics: c.diagnostics,
        timings: c.timings,
    };
    // Freeing the site model (every source, body and scan) takes a single thread tens of
    // milliseconds at 10,000 pages, after the output is complete: do it off the caller's path
    // (a command-line build exits without waiting for it).
    let site = c.site;
    let _ = std::thread::Builder::new().spawn(move || drop(site));
    outcome
}

/// Whether `root` looks like a site (has a site.toml).
pub fn is_site(root: &Path) -> bool {
    root.join(config::CONFIG_FILE).is_file()
}
