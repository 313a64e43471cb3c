//! Stage 3b and 4: the pages (templates over the site model) and the search index, made side by
//! side and handed to the [`Writer`] file by file as each is made.

use std::thread::JoinHandle;

use crate::diagnostics::Diagnostic;
use crate::render::{self, Engine, Theme};
use crate::search::{self, Segmenter};
use crate::site::Site;
use crate::timings::Timings;

use super::sink::Writer;

/// The search stage's segmenter depends on the titles and aliases alone: it is made on a thread
/// of its own as soon as the pages are loaded, in the time the serial parts of the next stages
/// leave.
pub(crate) fn spawn_segmenter(content: &crate::content::Content) -> JoinHandle<Segmenter> {
    let words: Vec<String> = search::user_words(&content.pages)
        .into_iter()
        .map(String::from)
        .collect();
    std::thread::spawn(move || Segmenter::new(words.iter().map(String::as_str)))
}

/// Renders every page and generated page and (when `segmenter` is given) builds the search
/// index, putting each file as it is made. Returns how many files were put, and whether the
/// templates compiled (without them, no page and no static file is written).
pub(crate) fn render_and_search(
    site: &Site,
    theme: Result<&Theme, &[Diagnostic]>,
    segmenter: Option<JoinHandle<Segmenter>>,
    writer: &Writer<'_>,
    t: &mut Timings,
    diags: &mut Vec<Diagnostic>,
) -> (usize, bool) {
    let put = |f| writer.put(f);
    let search_on = segmenter.is_some();
    let search = || {
        segmenter.map(|handle| {
            let seg = handle
                .join()
                .unwrap_or_else(|_| Segmenter::new(search::user_words(&site.content.pages)));
            search::build_streamed_with(site, &seg, search::BATCH, &put)
        })
    };
    let mut count = 0;
    let engine = match theme {
        Ok(theme) => Engine::new(theme),
        Err(d) => Err(d.to_vec()),
    };
    // Pages and the search index are made side by side: neither needs the other, and each
    // fills the cores the other leaves idle at its joins (the index's batches, the last pages
    // of the render).
    let rendered = engine.is_ok();
    let searched = match engine {
        Ok(mut engine) => {
            let name = if search_on { "render+search" } else { "render" };
            let ((n, d), searched) = t.time(name, || {
                rayon::join(|| render::render_site_with(site, &mut engine, &put), search)
            });
            count += n;
            diags.extend(d);
            render::drop_later(engine);
            searched
        }
        Err(d) => {
            diags.extend(d);
            t.time("search", search)
        }
    };
    match searched {
        Some(Ok(n)) => count += n,
        Some(Err(d)) => diags.push(d),
        None => {}
    }
    (count, rendered)
}
