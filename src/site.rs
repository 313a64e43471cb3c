//! The `Site` model: everything known about a site after its pages were loaded, scanned,
//! resolved and (in memory) rendered to HTML bodies. The render and search stages read it; the
//! stages that fill it, and their order, are [`mod@crate::build`]'s. Nothing here names a later
//! stage (render, search, output), so the model sits below all of them.

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::Diagnostic;
use crate::links::{self, Graph};
use crate::markdown::Scan;

/// Everything known about a site after resolution and Markdown rendering.
#[derive(Debug, Clone)]
pub struct Site {
    pub(crate) config: Config,
    /// The pages, sections and assets as loaded from `content/`.
    pub content: Content,
    pub(crate) scans: Vec<Scan>,
    pub(crate) graph: Graph,
    /// Rendered Markdown body of each page; empty after a build into a sink, which renders
    /// each body in the render stage (see [`mod@crate::build`]).
    pub(crate) bodies: Vec<String>,
    /// URL prefix of every internal link (`/` or `/handbook/`).
    pub(crate) base: String,
    /// A hash of the theme's static files; themes use it to bust caches of their assets.
    pub(crate) build_id: String,
    /// Where each page sits in its parent section's `pages` (`usize::MAX` for sections and
    /// the root): prev/next links and the sidebar's block need it for every page, and a search
    /// per page would be quadratic in the size of a section.
    pub(crate) positions: Vec<usize>,
    /// Diagnostics of the per-page stages, by page.
    pub(crate) notes: PageNotes,
    /// The name tables links were resolved with (the dev server re-resolves pages with them).
    pub(crate) names: links::Names,
    /// Each page's "last updated" day, or empty (see [`crate::lastmod`]).
    pub(crate) updated: Vec<String>,
}

/// Diagnostics of the per-page stages (scan, links), kept by page so that a rebuild of a few
/// pages can replace just their share instead of re-checking the site.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageNotes {
    /// Scan warnings (raw HTML nested too deep), by page.
    pub(crate) scan: Vec<Vec<Diagnostic>>,
    pub(crate) links: links::LinkDiagnostics,
}

impl PageNotes {
    /// Every diagnostic, in the order a full build reports them before sorting.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.scan.iter().flatten().chain(self.links.all())
    }
}

/// See [`Site::positions`].
pub(crate) fn positions(content: &Content) -> Vec<usize> {
    let mut pos = vec![usize::MAX; content.pages.len()];
    for sec in content.pages.iter().filter_map(|p| p.section.as_ref()) {
        for (k, &p) in sec.pages.iter().enumerate() {
            pos[p] = k;
        }
    }
    pos
}
