//! What a build keeps for the next one: the dev server's rebuilds are runs of the same
//! [`super::Build`] with a [`Cache`], whose parts each stage consults.
//!
//! - load: the content tree and every Markdown file as read ([`Cache::update`] re-reads only
//!   what the watcher reported), the theme with its compiled templates and static files;
//! - analyse: the last good site, whose unchanged pages' scans and bodies are reused;
//! - render: what the render stage kept of the last good build ([`Kept`], opaque here) and the
//!   dirty set computed against it ([`super::dirty`]);
//! - search: the segmenter and the live index, patched and committed or reverted.
//!
//! Only a build without errors becomes the base of the next one ([`Last`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Asset, Parsed, Tree};
use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::render::{Engine, Theme, kept::Kept};
use crate::search::{Live, Segmenter};
use crate::site::Site;
use crate::timings::Timings;

use super::dirty;

/// The products of earlier builds of one site, for the next build to reuse.
pub(crate) struct Cache {
    /// The content folder's files and folders.
    pub(crate) tree: Tree,
    /// Every Markdown file as last read, by path.
    pub(crate) parsed: HashMap<PathBuf, Parsed>,
    /// The theme, or why it did not load.
    pub(crate) theme: Result<Theme, Vec<Diagnostic>>,
    /// Compiled templates (None when the theme failed to load or compile).
    pub(crate) engine: Option<Engine>,
    /// Why the templates did not compile.
    pub(crate) engine_errors: Vec<Diagnostic>,
    /// Templates that use a function reading any page (see [`dirty::GLOBAL_READERS`]).
    pub(crate) readers: Vec<String>,
    /// The theme's static files, read.
    pub(crate) statics: Vec<OutputFile>,
    /// Why some static files could not be read.
    pub(crate) static_errors: Vec<Diagnostic>,
    /// The search segmenter and the user words (titles, aliases) it was built with.
    pub(crate) segmenter: Option<(Vec<String>, Segmenter)>,
    /// The search index of the last good build, with the change of a build in progress until
    /// it commits or reverts (here, not in [`Last`], because a first build has no `Last` yet).
    pub(crate) search_index: Option<Live>,
    /// Whether the next build renders every page (the theme changed since the last good one).
    pub(crate) render_all: bool,
    /// The last build without errors, the base of the next dirty-set comparison.
    pub(crate) last: Option<Last>,
    /// Markdown files read since the last good build (what the fast path re-checks).
    pub(crate) since_good: Vec<PathBuf>,
    /// Whether the engine's global context (page refs for `get_page` …) is the last good
    /// build's, so the fast path need not install it again.
    pub(crate) globals_current: bool,
    /// Whether files or folders appeared or went since the last good build: then only the
    /// general path knows what follows.
    pub(crate) layout_changed: bool,
}

/// The last good build.
pub(crate) struct Last {
    /// Its site model, with every page's body.
    pub(crate) site: Site,
    /// What the render stage kept of it (opaque here: see [`crate::render::kept`]).
    pub(crate) kept: Kept,
    /// Paths of the generated files, so stale ones (an emptied tag) can be removed.
    pub(crate) generated: Vec<String>,
    /// Diagnostics of rendering the generated pages.
    pub(crate) gen_diags: Vec<Diagnostic>,
    /// Files of content/ copied as they are.
    pub(crate) assets: Arc<Vec<Asset>>,
    /// Diagnostics of the config, the content tree and front matter: what the fast path
    /// keeps as they are.
    pub(crate) base_diags: Vec<Diagnostic>,
    /// Every diagnostic of the build, sorted.
    pub(crate) diags: Vec<Diagnostic>,
    /// Paths of the theme's static files.
    pub(crate) statics: Vec<String>,
}

/// What the render stage of a cached build made, for [`Cache::settle`] to keep when the build
/// turns out good.
pub(crate) struct Rendered {
    /// What the render stage kept of this build.
    pub(crate) kept: Kept,
    /// Paths of the generated files now in the output.
    pub(crate) generated: Vec<String>,
    /// Diagnostics of rendering the generated pages.
    pub(crate) gen_diags: Vec<Diagnostic>,
    /// How many documents were rendered.
    pub(crate) pages: usize,
}

impl Cache {
    /// Reads everything `config` names: every content file and the theme.
    pub(crate) fn new(config: &Config, t: &mut Timings) -> Cache {
        let tree = t.time("walk", || content::walk(config));
        let parsed: HashMap<PathBuf, Parsed> = t.time("read", || {
            tree.markdown
                .par_iter()
                .map(|p| (p.clone(), content::read_page(config, p)))
                .collect()
        });
        let mut cache = Cache {
            tree,
            parsed,
            theme: Ok(Theme::default()),
            engine: None,
            engine_errors: Vec::new(),
            readers: Vec::new(),
            statics: Vec::new(),
            static_errors: Vec::new(),
            segmenter: None,
            search_index: None,
            render_all: true,
            last: None,
            since_good: Vec::new(),
            globals_current: false,
            layout_changed: true,
        };
        cache.load_theme(config, t);
        cache
    }

    /// (Re)loads the theme and compiles its templates; every page will be rendered again.
    pub(crate) fn load_theme(&mut self, config: &Config, t: &mut Timings) {
        // Every page renders again, but scans, bodies and search entries stay reusable.
        self.render_all = true;
        self.theme = t.time("theme", || crate::render::theme::load(config));
        self.statics.clear();
        self.static_errors.clear();
        self.engine = None;
        self.engine_errors.clear();
        if let Ok(theme) = &self.theme {
            self.readers = theme
                .templates
                .iter()
                .filter(|t| dirty::GLOBAL_READERS.iter().any(|f| t.text.contains(f)))
                .map(|t| t.name.clone())
                .collect();
            self.statics = t.time("static", || {
                super::load::read_static(theme, &mut self.static_errors)
            });
            match Engine::new(theme) {
                Ok(e) => self.engine = Some(e),
                Err(d) => self.engine_errors = d,
            }
        }
    }

    /// Takes in the changes below content/ at `paths` (absolute): the tree is updated and the
    /// Markdown files there read again, in parallel.
    pub(crate) fn update(&mut self, config: &Config, paths: &[PathBuf], t: &mut Timings) {
        let mut to_read: Vec<PathBuf> = Vec::new();
        for path in paths {
            let before = self.tree.entries_under(path);
            let read = self.tree.update(&config.root, path);
            if self.tree.entries_under(path) != before {
                self.layout_changed = true;
            }
            for p in read {
                if !to_read.contains(&p) {
                    to_read.push(p);
                }
            }
            let gone: Vec<PathBuf> = self
                .parsed
                .keys()
                .filter(|p| p.starts_with(path) && !self.tree.markdown.contains(*p))
                .cloned()
                .collect();
            for p in gone {
                self.parsed.remove(&p);
                self.layout_changed = true;
            }
        }
        let fresh: Vec<(PathBuf, Parsed)> = t.time("read", || {
            to_read
                .into_par_iter()
                .map(|p| {
                    let parsed = content::read_page(config, &p);
                    (p, parsed)
                })
                .collect()
        });
        for (p, _) in &fresh {
            if !self.since_good.contains(p) {
                self.since_good.push(p.clone());
            }
        }
        self.parsed.extend(fresh);
    }

    /// Ends a cached build: a good one (`ok`) becomes the base of the next; a failed one is
    /// forgotten, and its change to the search index undone.
    pub(crate) fn settle(
        &mut self,
        site: Site,
        rendered: Option<Rendered>,
        base_diags: Vec<Diagnostic>,
        diags: &[Diagnostic],
    ) {
        let Some(rendered) = rendered else {
            Live::revert(&mut self.search_index);
            return;
        };
        if let Some(live) = &mut self.search_index {
            live.commit();
        }
        let assets = match &self.last {
            Some(last) if *last.assets == site.content.assets => last.assets.clone(),
            _ => Arc::new(site.content.assets.clone()),
        };
        self.render_all = false;
        self.since_good.clear();
        self.layout_changed = false;
        self.globals_current = true;
        self.last = Some(Last {
            statics: self.statics.iter().map(|f| f.path.clone()).collect(),
            site,
            kept: rendered.kept,
            generated: rendered.generated,
            gen_diags: rendered.gen_diags,
            base_diags,
            assets,
            diags: diags.to_vec(),
        });
    }
}
