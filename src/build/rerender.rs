//! Stages 3b and 4 of a build with a [`Cache`]: the same pages and search index as
//! [`super::emit`], made again only where the last good build's can differ.
//!
//! The pages rendered again are the dirty set ([`super::dirty`]): every page whose output can
//! show something that changed, found by comparing the new site with the last good one, never
//! by guessing from the edit. Generated pages are rendered again unless what they show is the
//! same; the search index is patched. Files that no longer exist are removed from the sink
//! (which, for the dev server, starts from the last good output).

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::render::{self, kept::Kept};
use crate::search::{Live, PageDoc};
use crate::site::Site;
use crate::timings::Timings;

use super::cache::{Cache, Rendered};
use super::dirty;
use super::sink::Writer;

/// Renders the pages whose output can have changed, the generated pages and the search index
/// into `writer`. `Some(None)`: the templates did not compile (their errors are in `diags`);
/// None: `cancel` turned true (a newer change supersedes this build).
pub(crate) fn render_again(
    site: &Site,
    cache: &mut Cache,
    writer: &Writer<'_>,
    cancel: &dyn Fn() -> bool,
    t: &mut Timings,
    diags: &mut Vec<Diagnostic>,
) -> Option<Option<Rendered>> {
    let pages = site.content.pages.len();
    let Some(engine) = cache.engine.as_mut() else {
        match &cache.theme {
            Err(d) => diags.extend(d.iter().cloned()),
            Ok(_) => diags.extend(cache.engine_errors.iter().cloned()),
        }
        return Some(None);
    };
    let prepared = t.time("prepare", || render::prepare(site, engine));
    cache.globals_current = false;
    let kept = Kept::of(&prepared);
    let render_all = cache.render_all;
    let which: Vec<usize> = t.time("dirty", || match &cache.last {
        Some(last) if !render_all => dirty::pages(last, &kept, &cache.readers, &prepared),
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
        && cache.last.as_ref().is_some_and(|last| {
            dirty::same_layout(&last.site, site)
                && last.kept.same_sidebars(&kept)
                && dirty::same_shown_data(last, site, &kept)
        });
    let (mut generated, gen_diags) = match &cache.last {
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
    let search_shape = cache.search_index.as_ref().map(|l| l.shape());
    // Every page whose search entry can differ is among those rendered again (their sources
    // are compared there); past a few dozen, comparing is cheaper than extracting again.
    let search_pages = (!render_all && which.len() <= 64).then_some(which.as_slice());
    let search_files = t.time("search", || search(cache, site, search_pages));

    let start = Timings::clock();
    let generated_paths: Vec<String> = match (&cache.last, reuse_generated) {
        (Some(last), true) => last.generated.clone(),
        _ => generated.iter().map(|f| f.path.clone()).collect(),
    };
    if let Some(last) = &cache.last {
        let live: HashSet<String> = (site.content.pages.iter())
            .map(|p| format!("{}index.html", p.url))
            .chain(generated_paths.iter().cloned())
            .collect();
        let old_outputs = (last.site.content.pages.iter())
            .map(|p| format!("{}index.html", p.url))
            .chain(last.generated.iter().cloned());
        for path in old_outputs.filter(|p| !live.contains(p)) {
            writer.remove(&path);
        }
    }
    if let (Some(before), Some(live)) = (search_shape, &cache.search_index) {
        for p in before.removed(live.shape()) {
            writer.remove(&p);
        }
    }
    // The theme's static files are put after it (re)loaded; the ones it no longer has go.
    let mut statics: Vec<OutputFile> = Vec::new();
    if render_all {
        if let Some(last) = &cache.last {
            for p in &last.statics {
                if !cache.statics.iter().any(|f| &f.path == p) {
                    writer.remove(p);
                }
            }
        }
        statics = cache.statics.clone();
    }
    let files = (rendered.into_iter().map(|(_, f)| f))
        .chain(generated)
        .chain(search_files)
        .chain(statics);
    for f in files {
        if let Err(d) = writer.put(f) {
            diags.push(d);
        }
    }
    t.record("output", start);
    Some(Some(Rendered {
        kept,
        generated: generated_paths,
        gen_diags,
        pages: which.len(),
    }))
}

/// The search index, patched: a page's entry is extracted again only when something it is made
/// of may have changed (its source, URL, title, the titles its typed fields link to, the
/// segmenter's user words). `changed_pages`: the pages whose source may differ from the last
/// good build when the caller knows, None to compare every page. With the same pages and user
/// words the last index is patched and only the files whose bytes changed are returned;
/// otherwise it is assembled again (every file returned, reusing unchanged entries). Either way
/// the change stays revertible until [`Live::commit`].
pub(crate) fn search(
    cache: &mut Cache,
    site: &Site,
    changed_pages: Option<&[usize]>,
) -> Vec<OutputFile> {
    if !site.config.search {
        cache.search_index = None;
        return Vec::new();
    }
    let words = crate::search::user_words(&site.content.pages);
    let same_words = (cache.segmenter.as_ref())
        .is_some_and(|(w, _)| w.iter().map(String::as_str).eq(words.iter().copied()));
    if !same_words {
        let seg = crate::search::Segmenter::new(words.iter().copied());
        let words = words.into_iter().map(str::to_string).collect();
        cache.segmenter = Some((words, seg));
    }
    let Some((_, seg)) = &cache.segmenter else {
        return Vec::new();
    };
    let n = site.content.pages.len();
    let last = cache.last.as_ref().filter(|_| same_words);
    let reusable = last.zip(cache.search_index.as_ref());
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
        return match cache.search_index.as_mut() {
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
    Live::install(&mut cache.search_index, live);
    files
}

/// The search files after pages `changed` were patched in place (same pages and titles: the
/// same segmenter and page ids): their entries extracted again and patched into the live index.
/// None when there is no index to patch.
pub(crate) fn search_patch(
    cache: &mut Cache,
    site: &Site,
    changed: &[usize],
) -> Option<Vec<OutputFile>> {
    if !site.config.search {
        return Some(Vec::new());
    }
    let (_, seg) = cache.segmenter.as_ref()?;
    let live = cache.search_index.as_mut()?;
    if live.docs().len() != site.content.pages.len() {
        return None;
    }
    let changes = changed
        .par_iter()
        .map(|&i| (i, crate::search::extract(site, i, seg)))
        .collect();
    Some(live.update(site, changes))
}

/// Whether page `i` of `new` and page `j` of `old` have the same search entry: everything
/// [`crate::search::extract`] reads of a page besides its own front matter and body (which are
/// in `source`), given the same user words.
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
