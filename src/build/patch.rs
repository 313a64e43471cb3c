//! The analyse stage's entry point for edits of page bodies alone (the dev server's fast path):
//! the changed pages' scans, links and bodies are redone in the last good site model, the
//! backlinks their links add or drop are patched, and everything replaced is kept so that a
//! build that turns out to have errors can be put back as it was.

use std::collections::HashMap;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::links;
use crate::markdown::{self, Resolved, Scan};
use crate::render::body::render_body;
use crate::site::Site;
use crate::timings::Timings;

use super::notes::scan_notes;

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

/// A patched site's changes: what to render again, and how to put the site back.
pub(crate) struct Patched {
    patches: Vec<Patch>,
    saved: Saved,
    /// The pages whose source changed.
    pub(crate) changed: Vec<usize>,
    /// The pages a changed page now links to or no longer does (their backlinks changed).
    pub(crate) touched: Vec<usize>,
    /// The pages whose body was rendered again.
    pub(crate) rebodied: Vec<usize>,
}

/// Puts the new `edits` (page index, new source) into `site`, which must be a good build of the
/// same config whose front matter and files did not change. None when the edits turn out to
/// change more than bodies (the site is then as it was).
pub(crate) fn patch(
    config: &Config,
    site: &mut Site,
    edits: Vec<(usize, String)>,
    t: &mut Timings,
) -> Option<Patched> {
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
        let notes = scan_notes(config, page, &scan);
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
            .map(|&i| links::resolve_page(&index, &site.scans, config, &site.base, i))
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
        let mut targets: Vec<usize> = out.edges.iter().map(|e| e.0).filter(|&x| x != i).collect();
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
            let body = render_body(
                config,
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
        Patched {
            patches,
            saved,
            changed,
            touched: Vec::new(),
            rebodied: Vec::new(),
        }
        .undo(site);
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

    Some(Patched {
        patches,
        saved,
        changed,
        touched: touched_targets,
        rebodied: rerendered_bodies,
    })
}

impl Patched {
    /// Puts `site` back as it was before [`patch`].
    pub(crate) fn undo(self, site: &mut Site) {
        let Patched { patches, saved, .. } = self;
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
}
