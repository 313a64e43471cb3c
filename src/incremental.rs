//! Incremental rebuilds for `qunce serve`: runs of `crate::build` with a `build::Cache`,
//! driven by what the watcher reports.
//!
//! A rebuild after an edit re-reads only the files that changed, reuses the scans and Markdown
//! bodies of unchanged pages, keeps the compiled templates, and re-renders only the pages whose
//! output can differ: the page itself and every page that shows something of a page that
//! changed (backlinks, reverse relations, section lists, prev/next, breadcrumbs, the sidebar,
//! templates that look pages up by kind or path). The cheap whole-site stages (arranging
//! sections, resolving links, page refs) run in full every time, so nothing is ever stale:
//! the dirty set is computed by comparing the new derived data with the last good build's, not
//! by guessing from the edit. A save that changes page bodies only enters each stage lower
//! down, where the cost follows the edit rather than the site.
//!
//! The contract, tested with random edit sequences: after any sequence of rebuilds the files
//! equal what [`crate::compile`] produces for the same sources.

use std::path::PathBuf;
use std::sync::Arc;

use crate::build::{Build, BuildOptions, Cache};
use crate::config::{self, Config};
use crate::content::Asset;
use crate::diagnostics::Diagnostic;
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
    /// Every problem found, sorted.
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
    /// How long each stage took.
    pub timings: Timings,
}

/// A site kept in memory between rebuilds.
pub struct Incremental {
    options: crate::Options,
    memo: Option<Memo>,
}

/// The site as the last rebuild left it.
struct Memo {
    config: Config,
    config_warnings: Vec<Diagnostic>,
    /// What the build stages keep between runs.
    cache: Cache,
    /// The output of the last good build (None before the first).
    files: Option<Arc<Files>>,
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
                memo.cache.load_theme(&memo.config, &mut t);
            }
            let content: Vec<PathBuf> = (changes.iter())
                .filter_map(|c| match c {
                    Change::Content(p) => Some(p.clone()),
                    _ => None,
                })
                .collect();
            memo.cache.update(&memo.config, &content, &mut t);
        } else {
            match crate::config_for(&self.options) {
                Ok((config, warnings)) => {
                    let cache = Cache::new(&config, &mut t);
                    self.memo = Some(Memo {
                        config,
                        config_warnings: warnings,
                        cache,
                        files: None,
                    });
                }
                Err(outcome) => {
                    self.memo = None;
                    return Some(Rebuilt::failed(outcome.diagnostics, t));
                }
            }
        }
        let memo = self.memo.as_mut()?;
        memo.build(self.options.drafts, cancel, t)
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
    /// A build of the whole site with the cache: the general path.
    fn build(
        &mut self,
        drafts: bool,
        cancel: &dyn Fn() -> bool,
        mut t: Timings,
    ) -> Option<Rebuilt> {
        let output = Output::new(self.files.as_deref().cloned().unwrap_or_default());
        let options = BuildOptions {
            drafts,
            no_search: false,
        };
        let built = Build::new(self.config.clone(), options).run_cached(
            &mut self.cache,
            &self.config_warnings,
            &output,
            cancel,
        )?;
        t.stages.extend(built.timings.stages);
        if !built.ok {
            let mut r = Rebuilt::failed(built.diagnostics, t);
            r.pages = built.pages;
            r.rendered = built.rendered;
            return Some(r);
        }
        let (files, changed) = output.finish();
        let files = Arc::new(files);
        self.files = Some(files.clone());
        Some(Rebuilt {
            ok: true,
            diagnostics: built.diagnostics,
            pages: built.pages,
            rendered: built.rendered,
            changed,
            files,
            assets: self.assets(),
            timings: t,
        })
    }

    /// The content files copied as they are, of the last good build.
    fn assets(&self) -> Arc<Vec<Asset>> {
        (self.cache.last.as_ref())
            .map(|l| l.assets.clone())
            .unwrap_or_default()
    }
}
