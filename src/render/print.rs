//! The print books (mdBook's print.html): `/print/` holds every page of the handbook in reading
//! order, and `/print/<section>/` every page of one top-level section, each with a table of
//! contents, fact cards, checklists and templates, one page per sheet. They repeat every page's
//! body, so a site of more than [`MAX_PAGES`] pages or [`MAX_BYTES`] of Markdown gets none
//! (nobody prints ten thousand pages, and the build should not pay for it); the theme links
//! them only when `site.print`.

use rayon::prelude::*;
use tera::{Context, Value};

use super::context::{Values, obj};
use crate::site::Site;

/// Sites larger than this have no print books.
pub(crate) const MAX_PAGES: usize = 1000;

/// Nor do sites whose Markdown is larger than this in all (a book repeats every body twice).
pub(crate) const MAX_BYTES: usize = 4 << 20;

/// Whether `site` gets print books.
pub(crate) fn enabled(site: &Site) -> bool {
    let pages = &site.content.pages;
    pages.len() <= MAX_PAGES && pages.iter().map(|p| p.body().len()).sum::<usize>() <= MAX_BYTES
}

/// `(title, url, output path, pages in reading order)` of every print book of `site`.
fn books(site: &Site) -> Vec<(String, String, String, Vec<usize>)> {
    let c = &site.content;
    let order = c.in_order();
    let within = |mut i: usize, s: usize| loop {
        if i == s {
            return true;
        }
        match c.pages[i].parent {
            Some(p) => i = p,
            None => return false,
        }
    };
    let all = site.config.ui.get("print_all").cloned().unwrap_or_default();
    let mut out = vec![(
        all,
        format!("{}print/", site.base),
        "print/index.html".to_string(),
        order.clone(),
    )];
    let tops = c.pages[c.root]
        .section
        .as_ref()
        .map(|s| s.subsections.clone())
        .unwrap_or_default();
    for s in tops {
        let slug = &c.pages[s].slug;
        out.push((
            c.pages[s].title.clone(),
            format!("{}print/{slug}/", site.base),
            format!("print/{slug}/index.html"),
            order.iter().copied().filter(|&i| within(i, s)).collect(),
        ));
    }
    out
}

/// The template jobs of the print books (`print.html`), each context made by `base` (title,
/// URL) plus `print = { pages: [{ depth, page }] }`, `page` being the full page object.
pub(crate) fn jobs(
    site: &Site,
    values: &Values<'_>,
    base: impl Fn(String, String) -> Context,
) -> Vec<(String, String, Context)> {
    if !enabled(site) {
        return Vec::new();
    }
    let c = &site.content;
    let bodies: Vec<String> = (0..c.pages.len())
        .into_par_iter()
        .map(|i| match site.bodies.get(i) {
            Some(b) => b.clone(),
            None => super::body::render_body(
                &site.config,
                &c.pages[i],
                &site.scans[i],
                &site.graph.resolved[i],
            ),
        })
        .collect();
    let pages: Vec<Value> = (0..c.pages.len())
        .into_par_iter()
        .map(|i| values.page_full(i, &bodies[i]))
        .collect();
    let depth = |mut i: usize| {
        let mut d = 0usize;
        while let Some(p) = c.pages[i].parent {
            d += 1;
            i = p;
        }
        d
    };
    books(site)
        .into_iter()
        .map(|(title, url, path, ids)| {
            let list: Vec<Value> = ids
                .iter()
                .map(|&i| obj([("depth", depth(i).into()), ("page", pages[i].clone())]))
                .collect();
            let mut cx = base(title.clone(), url);
            cx.insert_value(
                "print",
                obj([("title", title.into()), ("pages", Value::from(list))]),
            );
            ("print.html".to_string(), path, cx)
        })
        .collect()
}
