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
//! The dev server's incremental rebuilds ([`crate::incremental`]) call these stages with the
//! last good build's products: `analyse` given the last site reuses unchanged pages' scans and
//! bodies; a body edit enters the analyse stage at `patch` instead (the changed pages alone,
//! undoable); the render stage reuses what it kept of the last build
//! ([`crate::render::kept::Kept`], opaque to the rest), the search stage patches its live
//! index, and the files go through a [`Sink`] over the live file map.

pub(crate) mod analyse;
mod emit;
mod linkcheck;
pub(crate) mod load;
pub(crate) mod notes;
pub(crate) mod patch;
mod sink;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::output::OutputFile;
use crate::site::Site;
use crate::timings::Timings;

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
        let Build { config, options } = self;
        let mut t = Timings::default();
        let mut diags = Vec::new();
        let content = load::content(&config, &options, &mut t, &mut diags);
        let search_on = config.search && !options.no_search;
        let segmenter = search_on.then(|| emit::spawn_segmenter(&content));
        let themed = load::theme(&config, &mut t, &mut diags);
        let site = analyse::analyse(config, content, &themed.statics, None, &mut t, false);
        diags.extend(site.notes.all().cloned());

        let writer = sink::Writer::new(&site, sink);
        let theme = themed.theme.as_ref().map_err(Vec::as_slice);
        let (mut count, rendered) =
            emit::render_and_search(&site, theme, segmenter, &writer, &mut t, &mut diags);
        if rendered {
            count += themed.statics.len();
            if let Err(d) = t.time("write", || {
                themed
                    .statics
                    .into_par_iter()
                    .try_for_each(|f| writer.put(f))
            }) {
                diags.push(d);
            }
        }
        let scanned = writer.into_scanned();
        let dead = t.time("links", || {
            linkcheck::check_output(&site, &scanned, &themed.templates, search_on, &diags)
        });
        diags.extend(dead);
        drop(scanned);
        crate::content::apply_lints(&mut diags, &site.config, &site.content);
        diagnostics::sort(&mut diags);
        Compiled {
            site,
            files: Vec::new(),
            file_count: count,
            diagnostics: diags,
            timings: t,
        }
    }
}

/// A build whose files are kept in memory, in [`Compiled::files`] (by path).
pub(crate) fn compile(config: Config, options: BuildOptions) -> Compiled {
    let memory = Memory::default();
    let mut compiled = Build::new(config, options).run(&memory);
    compiled.files = memory.into_files();
    compiled
}
