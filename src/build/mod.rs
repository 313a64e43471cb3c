//! The build: one sequence of stages, whatever the destination of its files.
//!
//! ```text
//! load (content, theme) → analyse (scan, resolve) → render + search → write → output links
//! ```
//!
//! Each stage is a function with typed inputs and outputs, in a module of its own: `load`,
//! `analyse` (which fills the [`Site`] model), `emit` (pages and the search index, side by
//! side), the [`Sink`] the files are written to as they are made, and `linkcheck`. Where the
//! files go is the sink's business alone: memory for tests and [`crate::compile`]
//! ([`Memory`]), the staging folder for `qunce build` ([`crate::output::Staging`]), nowhere for
//! `qunce check` ([`Discard`]), the live file map for `qunce serve`.
//!
//! The dev server's rebuilds are runs of the same stages with a [`Cache`] of the last good
//! build's products, which each stage consults: load puts the pages together from the files
//! the cache holds (re-read when they changed) and keeps the compiled theme; analyse reuses
//! unchanged pages' scans and bodies; render renders only the dirty set
//! ([`crate::render::kept::Kept`] is opaque to the rest) and the search stage patches its live
//! index (`rerender`); the files go to a [`Sink`] over the live file map, which also hears
//! what went. A body edit enters each stage lower still (`fast`): `patch` (the changed
//! pages alone, undoable), render with the kept refs, and `rerender::search_patch`.

mod analyse;
mod cache;
mod dirty;
mod emit;
mod fast;
mod linkcheck;
mod load;
mod notes;
mod patch;
mod rerender;
mod sink;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::output::OutputFile;
use crate::site::Site;
use crate::timings::Timings;

pub(crate) use cache::Cache;
pub(crate) use sink::{Discard, Memory, Sink};

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub(crate) struct BuildOptions {
    /// Include pages marked `draft = true` (`--drafts`).
    pub(crate) drafts: bool,
    /// Leave out the search index: it reports no problems, so `qunce check` does not need it,
    /// and it is half of the work of a large site's build.
    pub(crate) no_search: bool,
}

/// The result of a build: the site model and every diagnostic. The files went to the sink.
pub struct Compiled {
    /// The site model the pages were rendered from (without `Site::bodies`, which the render
    /// stage made and dropped page by page).
    pub site: Site,
    /// The output files, when the caller kept them (`compile`); empty otherwise.
    pub files: Vec<OutputFile>,
    /// How many output files were produced, kept or not.
    pub(crate) file_count: usize,
    /// Every problem found, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// How long each stage took.
    pub(crate) timings: Timings,
}

impl Compiled {
    /// Whether any diagnostic is an error (then nothing may be published).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// One build of a site: its config and options, run into a [`Sink`].
pub(crate) struct Build {
    config: Config,
    options: BuildOptions,
}

impl Build {
    /// A build of the site `config` describes.
    pub(crate) fn new(config: Config, options: BuildOptions) -> Build {
        Build { config, options }
    }

    /// Runs every stage, writing each file into `sink` as soon as it is made. Errors do not stop
    /// later stages where they can still find more problems: a writer wants all of them at
    /// once.
    pub(crate) fn run(self, sink: &dyn Sink) -> Compiled {
        let Some(ran) = self.stages(sink, None, &|| false, Vec::new()) else {
            unreachable!("a build that cannot be cancelled ran to its end")
        };
        Compiled {
            site: ran.site,
            files: Vec::new(),
            file_count: ran.files,
            diagnostics: ran.diagnostics,
            timings: ran.timings,
        }
    }

    /// Runs every stage with `cache`, the products of the last builds of the same site: only
    /// what changed is made again, and only that is put into `sink` (which starts from the last
    /// good output) with what went removed. When only page bodies changed, each stage is entered
    /// at its body-edit point instead (`fast`), so the cost follows the edit. `warnings` (the config's) join the diagnostics. A
    /// good build becomes the cache's base for the next. None when `cancel` turned true
    /// meanwhile: a newer change supersedes this build, and the next starts from the last good
    /// one.
    pub(crate) fn run_cached(
        self,
        cache: &mut Cache,
        warnings: &[Diagnostic],
        sink: &dyn Sink,
        cancel: &dyn Fn() -> bool,
    ) -> Option<CachedBuild> {
        let mut t = Timings::default();
        if let Some(mut built) = fast::run(&self.config, cache, self.options.drafts, sink, &mut t) {
            built.timings = t;
            return Some(built);
        }
        let ran = self.stages(sink, Some(&mut *cache), cancel, warnings.to_vec())?;
        let ok = !ran.diagnostics.iter().any(Diagnostic::is_error);
        let pages = ran.site.content.pages.len();
        let rendered = ran.rendered.as_ref().map_or(0, |r| r.pages);
        let good = ran.rendered.filter(|_| ok);
        cache.settle(ran.site, good, ran.base_diags, &ran.diagnostics);
        Some(CachedBuild {
            ok,
            pages,
            rendered,
            diagnostics: ran.diagnostics,
            timings: ran.timings,
        })
    }

    /// The stages, in order; with a cache, each consults it.
    fn stages(
        self,
        sink: &dyn Sink,
        cache: Option<&mut Cache>,
        cancel: &dyn Fn() -> bool,
        mut diags: Vec<Diagnostic>,
    ) -> Option<Ran> {
        let Build { config, options } = self;
        let mut t = Timings::default();

        // The typography check needs autocorrect's rules: made meanwhile (a cache's builds have
        // them from the first).
        if crate::typography::checks(&config) && cache.is_none() {
            std::thread::spawn(crate::typography::warm);
        }
        // 1. Load: pages, then the theme (a cache holds it compiled).
        let content = load::content(&config, &options, cache.as_deref(), &mut t, &mut diags);
        let search_on = config.search && !options.no_search;
        let segmenter = (search_on && cache.is_none()).then(|| emit::spawn_segmenter(&content));
        let themed = match cache.as_deref() {
            None => Some(load::theme(&config, &mut t, &mut diags)),
            Some(c) => {
                diags.extend(c.static_errors.iter().cloned());
                None
            }
        };
        // What the body-edit entry points keep as it is: config, tree and front matter.
        let base_diags = if cache.is_some() {
            diags.clone()
        } else {
            Vec::new()
        };

        // 2. Analyse: scan, resolve, (with a cache) the bodies.
        let previous = cache.as_deref().and_then(|c| c.last.as_ref());
        let statics = match (&themed, cache.as_deref()) {
            (Some(th), _) => th.statics.as_slice(),
            (None, Some(c)) => c.statics.as_slice(),
            (None, None) => &[],
        };
        let site = analyse::analyse(
            config,
            content,
            statics,
            previous.map(|l| &l.site),
            &mut t,
            cache.is_some(),
        );
        diags.extend(site.notes.all().cloned());
        if cancel() {
            return None;
        }

        // 3, 4. Render and search, each file into the sink as it is made.
        let writer = sink::Writer::new(&site, sink);
        let mut files = 0;
        let mut rendered = None;
        let templates = match (themed, cache) {
            (Some(themed), _) => {
                let theme = themed.theme.as_ref().map_err(Vec::as_slice);
                let (count, ok) =
                    emit::render_and_search(&site, theme, segmenter, &writer, &mut t, &mut diags);
                files = count;
                if ok {
                    files += themed.statics.len();
                    let statics = themed.statics.into_par_iter();
                    if let Err(d) = t.time("write", || statics.try_for_each(|f| writer.put(f))) {
                        diags.push(d);
                    }
                }
                themed.templates
            }
            (None, Some(c)) => {
                rendered = rerender::render_again(&site, c, &writer, cancel, &mut t, &mut diags)?;
                match &c.theme {
                    Ok(theme) if sink.checks_links() => load::template_texts(theme),
                    _ => Vec::new(),
                }
            }
            (None, None) => Vec::new(),
        };

        // 5. The output link check, over every file the sink was given.
        let scanned = writer.into_scanned();
        let dead = t.time("links", || {
            linkcheck::check_output(&site, &scanned, &templates, search_on, &diags)
        });
        diags.extend(dead);
        drop(scanned);
        crate::content::apply_lints(&mut diags, &site.config, &site.content);
        diagnostics::sort(&mut diags);
        Some(Ran {
            site,
            files,
            rendered,
            base_diags,
            diagnostics: diags,
            timings: t,
        })
    }
}

/// What [`Build::stages`] made.
struct Ran {
    site: Site,
    /// Output files put (counted by a build without a cache only).
    files: usize,
    /// What the render stage of a cached build made (None: the templates did not compile).
    rendered: Option<cache::Rendered>,
    /// Diagnostics of the config, the tree and front matter (a cached build's only).
    base_diags: Vec<Diagnostic>,
    diagnostics: Vec<Diagnostic>,
    timings: Timings,
}

/// The result of a build with a [`Cache`]: the site went into the cache, the files into the
/// sink.
pub(crate) struct CachedBuild {
    /// Whether the build had no errors (then it is the cache's new base).
    pub(crate) ok: bool,
    /// Pages in the site.
    pub(crate) pages: usize,
    /// Documents (not generated pages) whose templates were run.
    pub(crate) rendered: usize,
    /// Every problem found, sorted.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// How long each stage took.
    pub(crate) timings: Timings,
}

/// A build whose files are kept in memory, in [`Compiled::files`] (by path).
pub(crate) fn compile(config: Config, options: BuildOptions) -> Compiled {
    let memory = Memory::default();
    let mut compiled = Build::new(config, options).run(&memory);
    compiled.files = memory.into_files();
    compiled
}
