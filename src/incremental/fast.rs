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

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{self, Diagnostic};
use crate::links;
use crate::markdown::{self, Resolved, Scan};
use crate::render::{self, OutputFile};
use crate::site::{self, Site, Timings};

use super::{Files, Last, Memo, Rebuilt, dirty, put};

/// One changed page: its index and new source, and its state before, to patch back.
struct Patch {
    i: usize,
    old_source: String,
    old_scan: Scan,
    old_scan_notes: Vec<Diagnostic>,
}

/// The last build's per-page results of the pages re-resolved, to patch back.
struct Saved {
    resolved: Vec<(usize, Vec<Resolved>, Vec<Diagnostic>, String)>,
    backlinks: Vec<(usize, Vec<usize>)>,
    structure: Vec<(usize, Vec<Diagnostic>)>,
}

impl Memo {
    /// Rebuilds after the pages [`Memo::since_good`] changed, if only their bodies did; None
    /// when the general path must run (nothing has changed then).
    pub(super) fn fast(&mut self, drafts: bool, t: &mut Timings) -> Option<Rebuilt> {
        if self.render_all || self.layout_changed || self.engine.is_none() {
            return None;
        }
        let start = Timings::clock();
        let last = self.last.as_ref()?;
        let mut edits: Vec<(usize, String)> = Vec::new();
        for path in &self.since_good {
            let (new, new_diags) = self.parsed.get(path)?;
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
        let mut last = self.last.take()?;
        let result = self.patch(&mut last, edits, t);
        self.last = Some(last);
        let mut r = result?;
        if r.ok {
            self.since_good.clear();
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
        let site = &mut last.site;
        let n = site.content.pages.len();

        // 1. The new sources and scans.
        let mut patches: Vec<Patch> = Vec::with_capacity(edits.len());
        let mut headings_changed = Vec::new();
        for (i, source) in edits {
            let page = &mut site.content.pages[i];
            let old_source = std::mem::replace(&mut page.source, source);
            let scan = markdown::scan(page.body(), page.body_start);
            if scan.headings != site.scans[i].headings {
                headings_changed.push(i);
            }
            let notes = site::scan_notes(&config, page, &scan);
            patches.push(Patch {
                i,
                old_source,
                old_scan: std::mem::replace(&mut site.scans[i], scan),
                old_scan_notes: std::mem::replace(&mut site.notes.scan[i], notes),
            });
        }
        let changed: Vec<usize> = patches.iter().map(|p| p.i).collect();

        // 2. Links of the changed pages, and of the pages linking to one whose headings changed
        // (their anchors may no longer resolve). A good build has no broken anchors, so every
        // link with an anchor into a page is among its backlinks.
        let mut redo: Vec<usize> = changed.clone();
        for &i in &headings_changed {
            redo.extend(&site.graph.backlinks[i]);
        }
        redo.sort_unstable();
        redo.dedup();
        let outs: Vec<links::PageLinks> = t.time("resolve", || {
            let index = links::index_with(&site.content, &site.scans, &site.names);
            redo.iter()
                .map(|&i| links::resolve_page(&index, &site.scans, &config, &site.base, i))
                .collect()
        });
        let mut saved = Saved {
            resolved: Vec::new(),
            backlinks: Vec::new(),
            structure: Vec::new(),
        };
        let mut fields_same = true;
        // Targets of each re-resolved page before and after, body and fields together.
        let mut old_targets: HashMap<usize, Vec<usize>> = HashMap::new();
        for (t, sources) in site.graph.backlinks.iter().enumerate() {
            for s in sources {
                if redo.binary_search(s).is_ok() {
                    old_targets.entry(*s).or_default().push(t);
                }
            }
        }
        let mut touched_targets: Vec<usize> = Vec::new();
        let mut rerendered_bodies: Vec<usize> = Vec::new();
        let mut new_edges: Vec<(usize, Vec<usize>)> = Vec::new();
        for (&i, out) in redo.iter().zip(outs) {
            fields_same &= out.fields == site.graph.fields[i];
            let mut targets: Vec<usize> =
                out.edges.iter().map(|e| e.0).filter(|&x| x != i).collect();
            targets.sort_unstable();
            targets.dedup();
            let mut before = old_targets.remove(&i).unwrap_or_default();
            before.sort_unstable();
            for x in before.iter().filter(|x| targets.binary_search(x).is_err()) {
                touched_targets.push(*x);
            }
            for x in targets.iter().filter(|x| before.binary_search(x).is_err()) {
                touched_targets.push(*x);
            }
            new_edges.push((i, targets));
            let is_changed = changed.contains(&i);
            let body_changes = is_changed || out.resolved != site.graph.resolved[i];
            let old_body = if body_changes {
                rerendered_bodies.push(i);
                let body = site::render_body(
                    &config,
                    &site.content.pages[i],
                    &site.scans[i],
                    &out.resolved,
                );
                std::mem::replace(&mut site.bodies[i], body)
            } else {
                site.bodies[i].clone()
            };
            saved.resolved.push((
                i,
                std::mem::replace(&mut site.graph.resolved[i], out.resolved),
                std::mem::replace(&mut site.notes.links.pages[i], out.diags),
                old_body,
            ));
        }
        touched_targets.sort_unstable();
        touched_targets.dedup();
        if !fields_same {
            // Fields come from front matter, which did not change; never expected.
            undo(site, patches, saved);
            return None;
        }
        // 3. Backlinks of the pages a changed page links to or no longer does.
        if !touched_targets.is_empty() {
            let rank = links::ranks(&site.content);
            for &x in &touched_targets {
                let mut list: Vec<usize> = site.graph.backlinks[x]
                    .iter()
                    .copied()
                    .filter(|s| redo.binary_search(s).is_err())
                    .collect();
                for (s, targets) in &new_edges {
                    if targets.binary_search(&x).is_ok() {
                        list.push(*s);
                    }
                }
                list.sort_by_key(|&p| rank[p]);
                list.dedup();
                saved
                    .backlinks
                    .push((x, std::mem::replace(&mut site.graph.backlinks[x], list)));
            }
        }
        let mut structure: Vec<usize> = changed.iter().chain(&touched_targets).copied().collect();
        structure.sort_unstable();
        structure.dedup();
        for &x in &structure {
            let w = links::structure_warnings(&site.content, &site.graph, x);
            saved
                .structure
                .push((x, std::mem::replace(&mut site.notes.links.structure[x], w)));
        }

        // 4. Refs, the pages to render, rendering.
        let engine = self.engine.as_mut()?;
        let reuse = render::Reuse {
            refs: last.ref_list.clone(),
            plain: last.plain_list.clone(),
            changed: changed.clone(),
            sidebars: last.sidebar_map.clone(),
            sections: last.sections.clone(),
            tables: last.tables.clone(),
            globals_current: self.globals_current,
        };
        let site = &last.site;
        let (prepared, refs_changed) =
            t.time("prepare", || render::prepare_reusing(site, engine, reuse));
        // From here the engine's globals are this build's until it is known to be good.
        self.globals_current = false;
        if !refs_changed.is_empty() && dirty::readers_everywhere(&self.readers) {
            drop(prepared);
            undo(&mut last.site, patches, saved);
            return None;
        }
        let mut which: Vec<usize> = changed
            .iter()
            .chain(&rerendered_bodies)
            .chain(&touched_targets)
            .copied()
            .collect();
        for &m in &refs_changed {
            which.extend(dirty::showing(site, m));
        }
        if !refs_changed.is_empty() && !self.readers.is_empty() {
            which.extend((0..n).filter(|&i| {
                let template = prepared.values.template_for(prepared.engine, i);
                self.readers.contains(&template)
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
        let ref_list = prepared.values.refs.clone();
        let plain_list = prepared.values.plain.clone();
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
            undo(&mut last.site, patches, saved);
            let mut r = Rebuilt::failed(diags, Timings::default());
            r.pages = pages;
            r.rendered = which.len();
            return Some(r);
        }

        // 5. Search and output.
        let search_shape = self.search_index.as_ref().map(|l| l.shape());
        let search_files = t.time("search", || match self.search_patch(&last.site, &changed) {
            Some(files) => files,
            // No index to patch (never expected after a good build): assemble it whole.
            None => self.search(&last.site, None),
        });
        let output_start = Timings::clock();
        let mut files: Files = (*last.files).clone();
        let mut changed_files = Vec::new();
        let generated_paths: Vec<String> = if regenerate {
            let now: Vec<String> = generated.iter().map(|f| f.path.clone()).collect();
            for p in &last.generated {
                if !now.contains(p) && files.remove(p).is_some() {
                    changed_files.push(p.clone());
                }
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
            put(&mut files, &mut changed_files, f);
        }
        if let (Some(before), Some(live)) = (search_shape, &mut self.search_index) {
            for p in before.removed(live.shape()) {
                if files.remove(&p).is_some() {
                    changed_files.push(p);
                }
            }
            live.commit();
        }
        changed_files.sort();
        changed_files.dedup();
        t.record("output", output_start);
        let files = Arc::new(files);
        for &m in &refs_changed {
            let rel = last.site.content.pages[m].rel.clone();
            last.refs.insert(rel, ref_list[m].clone());
        }
        last.ref_list = ref_list;
        last.plain_list = plain_list;
        last.files = files.clone();
        last.generated = generated_paths;
        last.gen_diags = gen_diags;
        last.diags = diags.clone();
        self.globals_current = true;
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

impl Memo {
    /// The search files after pages `changed` were patched: their entries extracted again and
    /// patched into the live index (same pages and titles: the same segmenter and page ids).
    fn search_patch(&mut self, site: &Site, changed: &[usize]) -> Option<Vec<OutputFile>> {
        if !site.config.search {
            return Some(Vec::new());
        }
        let (_, seg) = self.segmenter.as_ref()?;
        let live = self.search_index.as_mut()?;
        if live.docs().len() != site.content.pages.len() {
            return None;
        }
        let changes = changed
            .par_iter()
            .map(|&i| (i, crate::search::extract(site, i, seg)))
            .collect();
        Some(live.update(site, changes))
    }
}

/// Puts the last good build back as it was before [`Memo::patch`].
fn undo(site: &mut Site, patches: Vec<Patch>, saved: Saved) {
    for (x, w) in saved.structure.into_iter().rev() {
        site.notes.links.structure[x] = w;
    }
    for (x, b) in saved.backlinks.into_iter().rev() {
        site.graph.backlinks[x] = b;
    }
    for (i, resolved, diags, body) in saved.resolved {
        site.graph.resolved[i] = resolved;
        site.notes.links.pages[i] = diags;
        site.bodies[i] = body;
    }
    for p in patches {
        site.content.pages[p.i].source = p.old_source;
        site.scans[p.i] = p.old_scan;
        site.notes.scan[p.i] = p.old_scan_notes;
    }
}
