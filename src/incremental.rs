//! Incremental rebuilds for `qunce serve`: the stages of [`mod@crate::build`], remembered.
//!
//! A rebuild after an edit re-reads only the files that changed, reuses the scans and Markdown
//! bodies of unchanged pages, keeps the compiled templates, and re-renders only the pages whose
//! output can differ: the page itself and every page that shows something of a page that
//! changed (backlinks, reverse relations, section lists, prev/next, breadcrumbs, the sidebar,
//! templates that look pages up by kind or path). The cheap whole-site stages (arranging
//! sections, resolving links, page refs) run in full every time, so nothing is ever stale:
//! the dirty set is computed by comparing the new derived data with the last good build's, not
//! by guessing from the edit. Generated pages (matrix, tags, sitemap, …) are always rendered.
//!
//! The contract, tested with random edit sequences: after any sequence of rebuilds the files
//! equal what [`crate::compile`] produces for the same sources.
#![allow(missing_docs, rustdoc::private_intra_doc_links)] // TEMP: the lead documents this module

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::build::{self, Sink};
use crate::config::{self, Config};
use crate::content::{self, Asset, LoadOptions, Parsed, Tree};
use crate::diagnostics::{self, Diagnostic};
use crate::output::OutputFile;
use crate::render::{self, Engine, Theme, kept::Kept};
use crate::site::Site;
use crate::timings::Timings;

pub mod filemap;
mod output;

use output::Output;

/// Output files by path below the output root, cheap to snapshot (see [`filemap`]).
pub type Files = filemap::FileMap;

/// The result of one rebuild.
pub struct Rebuilt {
    /// Whether the build had no errors (then `files` is the new site).
    pub ok: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// Pages in the site.
    pub pages: usize,
    /// Pages (documents, not generated pages) whose templates were run.
    pub rendered: usize,
    /// Output paths whose bytes changed, were added or removed.
    pub changed: Vec<String>,
    /// The complete output (rendered files, generated and static files), when `ok`.
    pub files: Arc<Files>,
    /// Files copied from content/ as they are.
    pub assets: Arc<Vec<Asset>>,
    pub timings: Timings,
}

/// A site kept in memory between rebuilds.
pub struct Incremental {
    options: crate::Options,
    memo: Option<Memo>,
}

/// What the sources looked like at the last rebuild.
struct Memo {
    config: Config,
    config_warnings: Vec<Diagnostic>,
    tree: Tree,
    parsed: HashMap<PathBuf, Parsed>,
    theme: Result<Theme, Vec<Diagnostic>>,
    /// Compiled templates (None when the theme failed to load or compile).
    engine: Option<Engine>,
    engine_errors: Vec<Diagnostic>,
    /// Templates that use a function reading any page (see [`dirty::GLOBAL_READERS`]).
    readers: Vec<String>,
    statics: Vec<OutputFile>,
    static_errors: Vec<Diagnostic>,
    /// The search segmenter and the user words (titles, aliases) it was built with.
    segmenter: Option<(Vec<String>, crate::search::Segmenter)>,
    /// The search index of the last good build, with the change of a build in progress until
    /// it commits or reverts (here, not in [`Last`], because a first build has no `Last` yet).
    search_index: Option<crate::search::Live>,
    /// Whether the next build renders every page (the theme changed since the last good one).
    render_all: bool,
    /// The last build without errors, the base of the next dirty-set comparison.
    last: Option<Last>,
    /// Markdown files read since the last good build (what the fast path re-checks).
    since_good: Vec<PathBuf>,
    /// Whether the engine's global context (page refs for `get_page` …) is the last good
    /// build's, so the fast path need not install it again.
    globals_current: bool,
    /// Whether files or folders appeared or went since the last good build: then only the
    /// general path knows what follows.
    layout_changed: bool,
}

/// The last good build.
struct Last {
    site: Site,
    /// What the render stage kept of it (opaque here: see [`render::kept`]).
    kept: Kept,
    files: Arc<Files>,
    /// Paths of the generated files, so stale ones (an emptied tag) can be removed.
    generated: Vec<String>,
    /// Diagnostics of rendering the generated pages.
    gen_diags: Vec<Diagnostic>,
    /// Files of content/ copied as they are.
    assets: Arc<Vec<crate::content::Asset>>,
    /// Diagnostics of the config, the content tree and front matter: what the fast path
    /// keeps as they are.
    base_diags: Vec<Diagnostic>,
    /// Every diagnostic of the build, sorted.
    diags: Vec<Diagnostic>,
    /// Paths of the theme's static files.
    statics: Vec<String>,
}

/// What kind of source a changed path is.
enum Change {
    Config,
    Theme,
    Content(PathBuf),
}

impl Incremental {
    /// A site to be built by the first [`Incremental::rebuild`].
    pub fn new(options: crate::Options) -> Incremental {
        Incremental {
            options,
            memo: None,
        }
    }

    /// Where `qunce build` would write, once a config has loaded.
    pub fn output_dir(&self) -> Option<PathBuf> {
        self.memo.as_ref().map(|m| m.config.output_dir.clone())
    }

    /// Rebuilds after `changed` (paths relative to the site root, as the watcher reports them;
    /// empty for a full build). Returns None when `cancel()` turned true meanwhile: a newer change
    /// supersedes this rebuild, and the next one starts from the last good build.
    pub fn rebuild(&mut self, changed: &[String], cancel: &dyn Fn() -> bool) -> Option<Rebuilt> {
        let root = self.options.root.clone();
        let changes: Vec<Change> = changed
            .iter()
            .map(|c| {
                if c == config::CONFIG_FILE {
                    Change::Config
                } else if c == "content" || c.starts_with("content/") {
                    Change::Content(root.join(c))
                } else {
                    Change::Theme
                }
            })
            .collect();
        let mut t = Timings::default();
        let reload = changes.iter().any(|c| matches!(c, Change::Config));
        if let Some(memo) = self.memo.as_mut().filter(|_| !reload) {
            if changes.iter().any(|c| matches!(c, Change::Theme)) {
                memo.load_theme(&mut t);
            }
            let mut to_read: Vec<PathBuf> = Vec::new();
            for c in &changes {
                if let Change::Content(path) = c {
                    let before = memo.tree.entries_under(path);
                    let read = memo.tree.update(&memo.config.root, path);
                    if memo.tree.entries_under(path) != before {
                        memo.layout_changed = true;
                    }
                    for p in read {
                        if !to_read.contains(&p) {
                            to_read.push(p);
                        }
                    }
                    let gone: Vec<PathBuf> = memo
                        .parsed
                        .keys()
                        .filter(|p| p.starts_with(path) && !memo.tree.markdown.contains(*p))
                        .cloned()
                        .collect();
                    for p in gone {
                        memo.parsed.remove(&p);
                        memo.layout_changed = true;
                    }
                }
            }
            let config = &memo.config;
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
                if !memo.since_good.contains(p) {
                    memo.since_good.push(p.clone());
                }
            }
            memo.parsed.extend(fresh);
            if !changes.iter().any(|c| matches!(c, Change::Theme))
                && let Some(r) = memo.fast(self.options.drafts, &mut t)
            {
                return Some(r);
            }
        } else {
            match crate::config_for(&self.options) {
                Ok((config, warnings)) => self.memo = Some(Memo::new(config, warnings, &mut t)),
                Err(outcome) => {
                    self.memo = None;
                    return Some(Rebuilt::failed(outcome.diagnostics, t));
                }
            }
        }
        let memo = self.memo.as_mut()?;
        memo.build(self.options.drafts, cancel, &mut t)
    }
}

impl Rebuilt {
    fn failed(diagnostics: Vec<Diagnostic>, timings: Timings) -> Rebuilt {
        Rebuilt {
            ok: false,
            diagnostics,
            pages: 0,
            rendered: 0,
            changed: Vec::new(),
            files: Arc::new(Files::new()),
            assets: Arc::new(Vec::new()),
            timings,
        }
    }
}

impl Memo {
    /// Reads everything: config given, theme, every content file.
    fn new(config: Config, config_warnings: Vec<Diagnostic>, t: &mut Timings) -> Memo {
        let tree = t.time("walk", || content::walk(&config));
        let parsed: HashMap<PathBuf, Parsed> = t.time("read", || {
            tree.markdown
                .par_iter()
                .map(|p| (p.clone(), content::read_page(&config, p)))
                .collect()
        });
        let mut memo = Memo {
            config,
            config_warnings,
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
        memo.load_theme(t);
        memo
    }

    /// (Re)loads the theme and compiles its templates; every page will be rendered again.
    fn load_theme(&mut self, t: &mut Timings) {
        // Every page renders again, but scans, bodies and search entries stay reusable.
        self.render_all = true;
        self.theme = t.time("theme", || render::theme::load(&self.config));
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
                build::load::read_static(theme, &mut self.static_errors)
            });
            match Engine::new(theme) {
                Ok(e) => self.engine = Some(e),
                Err(d) => self.engine_errors = d,
            }
        }
    }

    /// The search index, patched: a page's entry is extracted again only when something it is
    /// made of may have changed (its source, URL, title, the titles its typed fields link to,
    /// the segmenter's user words). `changed_pages`: the pages whose source may differ from the
    /// last good build when the caller knows, None to compare every page. With the same pages
    /// and user words the last index is patched and only the files whose bytes changed are
    /// returned; otherwise it is assembled again (every file returned, reusing unchanged
    /// entries). Either way the change stays revertible until [`crate::search::Live::commit`].
    fn search(&mut self, site: &Site, changed_pages: Option<&[usize]>) -> Vec<OutputFile> {
        if !site.config.search {
            self.search_index = None;
            return Vec::new();
        }
        use crate::search::{Live, PageDoc};
        let words = crate::search::user_words(&site.content.pages);
        let same_words = self
            .segmenter
            .as_ref()
            .is_some_and(|(w, _)| w.iter().map(String::as_str).eq(words.iter().copied()));
        if !same_words {
            let seg = crate::search::Segmenter::new(words.iter().copied());
            let words = words.into_iter().map(str::to_string).collect();
            self.segmenter = Some((words, seg));
        }
        let Some((_, seg)) = &self.segmenter else {
            return Vec::new();
        };
        let n = site.content.pages.len();
        let last = self.last.as_ref().filter(|_| same_words);
        let reusable = last.zip(self.search_index.as_ref());
        if let Some((last, live)) = reusable
            && live.docs().len() == n
            && last.site.content.pages.len() == n
            && (last.site.content.pages.iter())
                .zip(&site.content.pages)
                .all(|(a, b)| a.rel == b.rel)
        {
            let pages: Vec<usize> = match changed_pages {
                Some(c) => c.to_vec(),
                None => (0..n)
                    .into_par_iter()
                    .filter(|&i| !same_search_inputs(site, i, &last.site, i))
                    .collect(),
            };
            let changes: Vec<(usize, PageDoc)> = pages
                .into_par_iter()
                .map(|i| (i, crate::search::extract(site, i, seg)))
                .collect();
            return match self.search_index.as_mut() {
                Some(live) => live.update(site, changes),
                None => Vec::new(),
            };
        }
        let old_index: HashMap<&str, usize> = last
            .map(|l| l.site.content.index_by_rel())
            .unwrap_or_default();
        let docs: Vec<PageDoc> = (0..n)
            .into_par_iter()
            .map(|i| {
                if let Some((last, live)) = reusable
                    && let Some(&j) = old_index.get(site.content.pages[i].rel.as_str())
                    && same_search_inputs(site, i, &last.site, j)
                {
                    return live.docs()[j].clone();
                }
                crate::search::extract(site, i, seg)
            })
            .collect();
        let (live, files) = Live::new(site, docs);
        Live::install(&mut self.search_index, live);
        files
    }

    fn build(
        &mut self,
        drafts: bool,
        cancel: &dyn Fn() -> bool,
        t: &mut Timings,
    ) -> Option<Rebuilt> {
        let mut diags: Vec<Diagnostic> = self.config_warnings.clone();
        let (content, d) = t.time("load", || {
            let parsed = self
                .tree
                .markdown
                .iter()
                .filter_map(|p| self.parsed.get(p).cloned());
            content::assemble(&self.config, LoadOptions { drafts }, &self.tree, parsed)
        });
        diags.extend(d);
        diags.extend(self.static_errors.iter().cloned());
        // What the fast path cannot redo by page: config, tree and front matter diagnostics.
        let base_diags = diags.clone();
        let previous = self.last.as_ref().map(|l| &l.site);
        let site = build::analyse::analyse(
            self.config.clone(),
            content,
            &self.statics,
            previous,
            t,
            true,
        );
        diags.extend(site.notes.all().cloned());
        if cancel() {
            return None;
        }
        let pages = site.content.pages.len();
        let Some(engine) = self.engine.as_mut() else {
            match &self.theme {
                Err(d) => diags.extend(d.iter().cloned()),
                Ok(_) => diags.extend(self.engine_errors.iter().cloned()),
            }
            crate::content::apply_lints(&mut diags, &site.config, &site.content);
            diagnostics::sort(&mut diags);
            let mut r = Rebuilt::failed(diags, std::mem::take(t));
            r.pages = pages;
            return Some(r);
        };

        let prepared = t.time("prepare", || render::prepare(&site, engine));
        self.globals_current = false;
        let kept = Kept::of(&prepared);
        let render_all = self.render_all;
        let which: Vec<usize> = t.time("dirty", || match &self.last {
            Some(last) if !render_all => dirty::pages(last, &kept, &self.readers, &prepared),
            _ => (0..pages).collect(),
        });
        if cancel() {
            return None;
        }
        let (rendered, d) = t.time("render", || prepared.render_pages(&which));
        diags.extend(d);
        // Generated pages show page refs, relations, tags and URLs: when none of those changed
        // (the usual body edit), the last build's generated files stand.
        let reuse_generated = !render_all
            && self.last.as_ref().is_some_and(|last| {
                dirty::same_layout(&last.site, &site)
                    && last.kept.same_sidebars(&kept)
                    && dirty::same_shown_data(last, &site, &kept)
            });
        let (mut generated, gen_diags) = match &self.last {
            Some(last) if reuse_generated => (Vec::new(), last.gen_diags.clone()),
            _ => t.time("generated", || prepared.render_generated()),
        };
        diags.extend(gen_diags.iter().cloned());
        // The print books show every page's body: rendered again whenever a page is.
        if reuse_generated && !which.is_empty() {
            let (books, d) = t.time("generated", || prepared.render_print());
            generated.extend(books);
            diags.extend(d);
        }
        drop(prepared);
        let search_shape = self.search_index.as_ref().map(|l| l.shape());
        // Every page whose search entry can differ is among those rendered again (their sources
        // are compared there); past a few dozen, comparing is cheaper than extracting again.
        let search_pages = (!render_all && which.len() <= 64).then_some(which.as_slice());
        let search_files = t.time("search", || self.search(&site, search_pages));
        let output_start = Timings::clock();
        crate::content::apply_lints(&mut diags, &site.config, &site.content);
        diagnostics::sort(&mut diags);
        let ok = !diags.iter().any(Diagnostic::is_error);
        let assets = match &self.last {
            Some(last) if *last.assets == site.content.assets => last.assets.clone(),
            _ => Arc::new(site.content.assets.clone()),
        };
        if !ok {
            crate::search::Live::revert(&mut self.search_index);
            let mut r = Rebuilt::failed(diags, std::mem::take(t));
            r.pages = pages;
            r.rendered = which.len();
            return Some(r);
        }

        // The new output: the last one, minus what no longer exists, plus what was rendered.
        let generated_paths: Vec<String> = match (&self.last, reuse_generated) {
            (Some(last), true) => last.generated.clone(),
            _ => generated.iter().map(|f| f.path.clone()).collect(),
        };
        let output = Output::new(match &self.last {
            Some(last) => (*last.files).clone(),
            None => self
                .statics
                .iter()
                .map(|f| (f.path.clone(), Arc::from(f.bytes.as_slice())))
                .collect(),
        });
        if let Some(last) = &self.last {
            let live: HashSet<String> = site
                .content
                .pages
                .iter()
                .map(|p| format!("{}index.html", p.url))
                .chain(generated_paths.iter().cloned())
                .collect();
            let old_outputs = last
                .site
                .content
                .pages
                .iter()
                .map(|p| format!("{}index.html", p.url))
                .chain(last.generated.iter().cloned());
            for path in old_outputs.filter(|p| !live.contains(p)) {
                output.remove(&path);
            }
        }
        if let (Some(_), Some(before), Some(live)) =
            (&self.last, search_shape, &mut self.search_index)
        {
            for p in before.removed(live.shape()) {
                output.remove(&p);
            }
        }
        if let Some(live) = &mut self.search_index {
            live.commit();
        }
        let mut statics: Vec<OutputFile> = Vec::new();
        if let (Some(last), true) = (&self.last, render_all) {
            for p in &last.statics {
                if !self.statics.iter().any(|f| &f.path == p) {
                    output.remove(p);
                }
            }
            statics = self.statics.clone();
        }
        for f in rendered
            .into_iter()
            .map(|(_, f)| f)
            .chain(generated)
            .chain(search_files)
            .chain(statics)
        {
            // The live map takes every file; nothing to fail.
            let _ = output.put(f);
        }
        let (files, changed) = output.finish();
        t.record("output", output_start);
        let files = Arc::new(files);
        let rendered_count = which.len();
        self.render_all = false;
        self.since_good.clear();
        self.layout_changed = false;
        self.globals_current = true;
        self.last = Some(Last {
            statics: self.statics.iter().map(|f| f.path.clone()).collect(),
            site,
            kept,
            files: files.clone(),
            generated: generated_paths,
            gen_diags,
            base_diags,
            assets: assets.clone(),
            diags: diags.clone(),
        });
        Some(Rebuilt {
            ok: true,
            diagnostics: diags,
            pages,
            rendered: rendered_count,
            changed,
            files,
            assets,
            timings: std::mem::take(t),
        })
    }
}

mod fast;

/// Whether page `i` of `new` and page `j` of `old` have the same search entry: everything
/// [`crate::search::extract`] reads of a page besides its own front matter and body (which are in
/// `source`), given the same user words.
fn same_search_inputs(new: &Site, i: usize, old: &Site, j: usize) -> bool {
    fn linked_titles(s: &Site, i: usize) -> impl Iterator<Item = &str> {
        s.graph.fields[i]
            .iter()
            .flat_map(|(_, v)| v.targets())
            .map(move |&t| s.content.pages[t].title.as_str())
    }
    let (p, q) = (&new.content.pages[i], &old.content.pages[j]);
    p.source == q.source
        && p.url == q.url
        && p.title == q.title
        && linked_titles(new, i).eq(linked_titles(old, j))
}

mod dirty;
