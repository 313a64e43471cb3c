//! The fast path of the dev server: edits that change page bodies only.
//!
//! Most saves change the text of a page and nothing else: the same files, the same front
//! matter, the same title. Then the site's layout (pages, URLs, sections, titles, typed
//! fields, sidebars) is the last good build's, and a rebuild only has to redo the changed
//! pages' scan, links and body, patch the backlinks their links touch, and render the pages
//! whose output can show what changed. Everything else is reused, so the cost follows the
//! edit, not the size of the site (the general path compares the whole site's derived data).
//!
//! The last good build is patched in place and patched back if the result has errors, so it
//! stays the base of the next rebuild. Anything this path does not handle (a heading-derived
//! title, a section's own page, a changed ref read by a template of every page) falls back to
//! the general path before anything is touched or after it is undone.

use std::sync::Arc;

use crate::build::{self, Last, Sink, dirty, rerender};
use crate::diagnostics::{self, Diagnostic};
use crate::render::{self, kept::Kept};
use crate::timings::Timings;

use super::{Memo, Output, Rebuilt};

impl Memo {
    /// Rebuilds after the pages [`Memo::since_good`] changed, if only their bodies did; None
    /// when the general path must run (nothing has changed then).
    pub(super) fn fast(&mut self, drafts: bool, t: &mut Timings) -> Option<Rebuilt> {
        if self.cache.render_all || self.cache.layout_changed || self.cache.engine.is_none() {
            return None;
        }
        let start = Timings::clock();
        let last = self.cache.last.as_ref()?;
        let mut edits: Vec<(usize, String)> = Vec::new();
        for path in &self.cache.since_good {
            let (new, new_diags) = self.cache.parsed.get(path)?;
            let new = new.as_ref()?;
            let i = last
                .site
                .content
                .pages
                .iter()
                .position(|p| p.rel == new.rel);
            let Some(i) = i else {
                // Not in the site: a draft before and after (same front matter), or new.
                if new.meta.draft && !drafts {
                    continue;
                }
                return None;
            };
            let old = &last.site.content.pages[i];
            if !new_diags.is_empty()
                || old.is_section()
                || new.body_start != old.body_start
                || new.source[..new.body_start] != old.source[..old.body_start]
                || new.title != old.title
                || new.title_heading != old.title_heading
                || new.slug != old.slug
                || new.kind != old.kind
                || last.base_diags.iter().any(|d| d.file == new.file)
            {
                return None;
            }
            if old.source != new.source {
                edits.push((i, new.source.clone()));
            }
        }
        let mut last = self.cache.last.take()?;
        let result = self.patch(&mut last, edits, t);
        self.cache.last = Some(last);
        let mut r = result?;
        if r.ok {
            self.cache.since_good.clear();
        }
        t.record("fast", start);
        r.timings = std::mem::take(t);
        Some(r)
    }

    /// Applies `edits` to the last build; see the module documentation.
    fn patch(
        &mut self,
        last: &mut Last,
        edits: Vec<(usize, String)>,
        t: &mut Timings,
    ) -> Option<Rebuilt> {
        let config = self.config.clone();
        let n = last.site.content.pages.len();

        // 1. Scans, links, bodies and backlinks of the changed pages (the analyse stage).
        let patched = build::patch::patch(&config, &mut last.site, edits, t)?;
        let changed = patched.changed.clone();

        // 2. Refs, the pages to render, rendering (the render stage, reusing the last refs).
        let engine = self.cache.engine.as_mut()?;
        let reuse = last.kept.reuse(changed.clone(), self.cache.globals_current);
        let site = &last.site;
        let (prepared, refs_changed) =
            t.time("prepare", || render::prepare_reusing(site, engine, reuse));
        // From here the engine's globals are this build's until it is known to be good.
        self.cache.globals_current = false;
        if !refs_changed.is_empty() && dirty::readers_everywhere(&self.cache.readers) {
            drop(prepared);
            patched.undo(&mut last.site);
            return None;
        }
        let mut which: Vec<usize> = changed
            .iter()
            .chain(&patched.rebodied)
            .chain(&patched.touched)
            .copied()
            .collect();
        for &m in &refs_changed {
            which.extend(dirty::showing(site, m));
        }
        if !refs_changed.is_empty() && !self.cache.readers.is_empty() {
            which.extend((0..n).filter(|&i| {
                let template = prepared.values.template_for(prepared.engine, i);
                self.cache.readers.contains(&template)
            }));
        }
        which.sort_unstable();
        which.dedup();
        let (rendered, render_diags) = t.time("render", || prepared.render_pages(&which));
        let regenerate = !refs_changed.is_empty();
        let (mut generated, gen_diags) = if regenerate {
            t.time("generated", || prepared.render_generated())
        } else {
            (Vec::new(), last.gen_diags.clone())
        };
        // The print books show every page's body: rendered again whenever a page is.
        let mut print_diags = Vec::new();
        if !regenerate && !which.is_empty() {
            let (books, d) = t.time("generated", || prepared.render_print());
            generated.extend(books);
            print_diags = d;
        }
        let refs = Kept::refs_of(&prepared);
        drop(prepared);

        let mut diags: Vec<Diagnostic> = last.base_diags.clone();
        diags.extend(site.notes.all().cloned());
        diags.extend(render_diags);
        diags.extend(gen_diags.iter().cloned());
        diags.extend(print_diags);
        crate::content::apply_lints(&mut diags, &site.config, &site.content);
        diagnostics::sort(&mut diags);
        let pages = n;
        if diags.iter().any(Diagnostic::is_error) {
            // Its globals hold this build's refs; the undo below puts the last good ones back
            // in the site but not in the engine.
            patched.undo(&mut last.site);
            let mut r = Rebuilt::failed(diags, Timings::default());
            r.pages = pages;
            r.rendered = which.len();
            return Some(r);
        }

        // 3. The search index, patched, and the output (the search and write stages).
        let search_shape = self.cache.search_index.as_ref().map(|l| l.shape());
        let search_files = t.time("search", || {
            match rerender::search_patch(&mut self.cache, &last.site, &changed) {
                Some(files) => files,
                // No index to patch (never expected after a good build): assemble it whole.
                None => rerender::search(&mut self.cache, &last.site, None),
            }
        });
        let output_start = Timings::clock();
        let output = Output::new(self.files.as_deref().cloned().unwrap_or_default());
        let generated_paths: Vec<String> = if regenerate {
            let now: Vec<String> = generated.iter().map(|f| f.path.clone()).collect();
            for p in last.generated.iter().filter(|p| !now.contains(p)) {
                output.remove(p);
            }
            now
        } else {
            last.generated.clone()
        };
        for f in rendered
            .into_iter()
            .map(|(_, f)| f)
            .chain(generated)
            .chain(search_files)
        {
            // The live map takes every file; nothing to fail.
            let _ = output.put(f);
        }
        if let (Some(before), Some(live)) = (search_shape, &mut self.cache.search_index) {
            for p in before.removed(live.shape()) {
                output.remove(&p);
            }
            live.commit();
        }
        let (files, changed_files) = output.finish();
        t.record("output", output_start);
        let files = Arc::new(files);
        last.kept.refresh_refs(&last.site, refs, &refs_changed);
        self.files = Some(files.clone());
        last.generated = generated_paths;
        last.gen_diags = gen_diags;
        last.diags = diags.clone();
        self.cache.globals_current = true;
        Some(Rebuilt {
            ok: true,
            diagnostics: diags,
            pages,
            rendered: which.len(),
            changed: changed_files,
            files,
            assets: last.assets.clone(),
            timings: Timings::default(),
        })
    }
}
