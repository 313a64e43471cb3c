//! The body-edit entry into the stages, for a build with a [`Cache`]: edits that change page
//! bodies only.
//!
//! Most saves change the text of a page and nothing else: the same files, the same front
//! matter, the same title. Then the site's layout (pages, URLs, sections, titles, typed
//! fields, sidebars) is the last good build's, and a rebuild only has to redo the changed
//! pages' scan, links and body, patch the backlinks their links touch, and render the pages
//! whose output can show what changed. Everything else is reused, so the cost follows the
//! edit, not the size of the site (the general path compares the whole site's derived data).
//!
//! Each stage is entered at its body-edit point: analyse at [`super::patch`] (the changed
//! pages' scan, links and body, and the backlinks they touch), render with what it kept of the
//! last build ([`Kept::reuse`]), search at [`rerender::search_patch`], and the files go to the
//! same [`Writer`]. The last good build is patched in place and patched back if the result has
//! errors, so it stays the base of the next rebuild. Anything this path does not handle (a heading-derived
//! title, a section's own page, a changed ref read by a template of every page) falls back to
//! the general path before anything is touched or after it is undone.

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::render::{self, kept::Kept};
use crate::timings::Timings;

use super::cache::{Cache, Last};
use super::sink::{Sink, Writer};
use super::{CachedBuild, dirty, rerender};

/// Rebuilds after the pages [`Cache::since_good`] changed, if only their bodies did; None when
/// the general stages must run (nothing has changed then).
pub(super) fn run(
    config: &Config,
    cache: &mut Cache,
    drafts: bool,
    sink: &dyn Sink,
    t: &mut Timings,
) -> Option<CachedBuild> {
    if cache.render_all || cache.layout_changed || cache.engine.is_none() {
        return None;
    }
    let start = Timings::clock();
    let last = cache.last.as_ref()?;
    let mut edits: Vec<(usize, String)> = Vec::new();
    for path in &cache.since_good {
        let (new, new_diags) = cache.parsed.get(path)?;
        let new = new.as_ref()?;
        let i = (last.site.content.pages.iter()).position(|p| p.rel == new.rel);
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
    let mut last = cache.last.take()?;
    let result = patch(config, cache, &mut last, edits, sink, t);
    cache.last = Some(last);
    let r = result?;
    if r.ok {
        cache.since_good.clear();
    }
    t.record("fast", start);
    Some(r)
}

/// Applies `edits` to the last build; see the module documentation.
fn patch(
    config: &Config,
    cache: &mut Cache,
    last: &mut Last,
    edits: Vec<(usize, String)>,
    sink: &dyn Sink,
    t: &mut Timings,
) -> Option<CachedBuild> {
    let n = last.site.content.pages.len();

    // 1. Scans, links, bodies and backlinks of the changed pages (the analyse stage).
    let patched = super::patch::patch(config, &mut last.site, edits, t)?;
    let changed = patched.changed.clone();

    // 2. Refs, the pages to render, rendering (the render stage, reusing the last refs).
    let engine = cache.engine.as_mut()?;
    let reuse = last.kept.reuse(changed.clone(), cache.globals_current);
    let site = &last.site;
    let (prepared, refs_changed) =
        t.time("prepare", || render::prepare_reusing(site, engine, reuse));
    // From here the engine's globals are this build's until it is known to be good.
    cache.globals_current = false;
    if !refs_changed.is_empty() && dirty::readers_everywhere(&cache.readers) {
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
    if !refs_changed.is_empty() && !cache.readers.is_empty() {
        which.extend((0..n).filter(|&i| {
            let template = prepared.values.template_for(prepared.engine, i);
            cache.readers.contains(&template)
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
    if diags.iter().any(Diagnostic::is_error) {
        // Its globals hold this build's refs; the undo below puts the last good ones back
        // in the site but not in the engine.
        patched.undo(&mut last.site);
        return Some(CachedBuild {
            ok: false,
            pages: n,
            rendered: which.len(),
            diagnostics: diags,
            timings: Timings::default(),
        });
    }

    // 3. The search index, patched, and the files (the search and write stages).
    let search_shape = cache.search_index.as_ref().map(|l| l.shape());
    let search_files = t.time("search", || {
        match rerender::search_patch(cache, &last.site, &changed) {
            Some(files) => files,
            // No index to patch (never expected after a good build): assemble it whole.
            None => rerender::search(cache, &last.site, None),
        }
    });
    let output_start = Timings::clock();
    let writer = Writer::new(&last.site, sink);
    let generated_paths: Vec<String> = if regenerate {
        let now: Vec<String> = generated.iter().map(|f| f.path.clone()).collect();
        for p in last.generated.iter().filter(|p| !now.contains(p)) {
            writer.remove(p);
        }
        now
    } else {
        last.generated.clone()
    };
    let files = (rendered.into_iter().map(|(_, f)| f))
        .chain(generated)
        .chain(search_files);
    for f in files {
        if let Err(d) = writer.put(f) {
            diags.push(d);
        }
    }
    if let (Some(before), Some(live)) = (search_shape, &mut cache.search_index) {
        for p in before.removed(live.shape()) {
            writer.remove(&p);
        }
        live.commit();
    }
    drop(writer);
    t.record("output", output_start);
    last.kept.refresh_refs(&last.site, refs, &refs_changed);
    last.generated = generated_paths;
    last.gen_diags = gen_diags;
    last.diags = diags.clone();
    cache.globals_current = true;
    Some(CachedBuild {
        ok: true,
        pages: n,
        rendered: which.len(),
        diagnostics: diags,
        timings: Timings::default(),
    })
}
