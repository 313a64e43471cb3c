//! Stage 2 and 3a: scan every page, resolve its links, render its Markdown body, and put the
//! site model ([`Site`]) together. With a previous site of the same config (the dev server's
//! last good build), each page's scan and body are reused when its source did not change.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content};
use crate::diagnostics::Diagnostic;
use crate::links;
use crate::markdown::{self, Scan};
use crate::output::OutputFile;
use crate::render::body::render_body;
use crate::site::{PageNotes, Site};
use crate::timings::Timings;

use super::notes::scan_notes;

/// The cache-busting id of a build's assets: a hash of the static files, so it changes exactly
/// when they do and two builds of the same sources are byte-identical.
fn build_id(statics: &[OutputFile]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in statics {
        for b in f.path.bytes().chain([0]).chain(f.bytes.iter().copied()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{:x}", h & 0xffff_ffff_ffff)
}

/// Scan, resolve and (when `bodies`) render the Markdown bodies; their diagnostics are kept in
/// [`Site::notes`]. `previous` is an earlier site of the same config whose per-page results
/// are reused for pages that did not change (a page's scan depends only on its source; its body
/// on its source and its resolved links).
///
/// Without `bodies` (a build into a [`super::Sink`]) each page's body is rendered in the render
/// stage instead, right before its template reads it, so the bodies of all pages (a hundred
/// megabytes at 10,000 pages) are never held at once and a page's body is still in the cache
/// when the template copies it. [`Site::bodies`] is then empty.
pub(crate) fn analyse(
    config: Config,
    content: Content,
    statics: &[OutputFile],
    previous: Option<&Site>,
    t: &mut Timings,
    bodies: bool,
) -> Site {
    // One `git log` for the whole site, while the pages are scanned and resolved.
    let content_dir = config.root.join("content");
    let git = std::thread::spawn(move || crate::lastmod::git_dates(&content_dir));
    let old: HashMap<&str, usize> = previous
        .map(|s| s.content.index_by_rel())
        .unwrap_or_default();
    // The previous page of the same path, if its source is unchanged.
    let same = |p: &content::Page| -> Option<usize> {
        let prev = previous?;
        let &j = old.get(p.rel.as_str())?;
        let q = &prev.content.pages[j];
        (q.source == p.source && q.body_start == p.body_start).then_some(j)
    };
    let scans: Vec<Scan> = t.time("scan", || {
        content
            .pages
            .par_iter()
            .map(|p| match (same(p), previous) {
                (Some(j), Some(prev)) => prev.scans[j].clone(),
                _ => markdown::scan(p.body(), p.body_start),
            })
            .collect()
    });
    // The body checks and the typography lint: timed on their own, as they once took a
    // sixth of a build unseen between `scan` and `resolve`.
    let scan_diags: Vec<Vec<Diagnostic>> = t.time("notes", || {
        content
            .pages
            .par_iter()
            .zip(&scans)
            .map(|(p, s)| scan_notes(&config, p, s))
            .collect()
    });
    let base = config.base_path();
    let (graph, link_diags, names) = t.time("resolve", || {
        links::resolve(&content, &scans, &config, &base)
    });
    let bodies: Vec<String> = if !bodies {
        Vec::new()
    } else {
        t.time("markdown", || {
            content
                .pages
                .par_iter()
                .enumerate()
                .map(|(i, p)| {
                    if let (Some(j), Some(prev)) = (same(p), previous)
                        && prev.graph.resolved[j] == graph.resolved[i]
                    {
                        return prev.bodies[j].clone();
                    }
                    render_body(&config, p, &scans[i], &graph.resolved[i])
                })
                .collect()
        })
    };
    let positions = crate::site::positions(&content);
    let updated = crate::lastmod::updated(&content, &git.join().unwrap_or_default());
    Site {
        config,
        content,
        scans,
        graph,
        bodies,
        base,
        build_id: build_id(statics),
        positions,
        notes: PageNotes {
            scan: scan_diags,
            links: link_diags,
        },
        names,
        updated,
    }
}
