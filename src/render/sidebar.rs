//! The sidebar's data. A page's sidebar lists a *block* of at most [`BLOCK`] pages of the
//! section it opens (the block holding the page), links to the blocks before and after, and at
//! most [`CHAPTERS`] chapters around the current one, so what a page carries stays bounded
//! however large the site grows. The sidebar is rendered once per block, not once per page;
//! [`key`] names the block a page shows.

use tera::Value;

use super::context::{Values, obj};
use crate::site::Site;

/// Pages of a section one sidebar lists: enough to browse nearby pages on a phone or a
/// desktop without the list dwarfing the page.
pub(crate) const BLOCK: usize = 25;

/// Chapters (sub-sections) one sidebar lists, around the current one; the section page lists
/// them all.
pub(crate) const CHAPTERS: usize = 12;

/// The section whose entry a page's sidebar opens: its top-level section, or the chapter (the
/// sub-section directly below it) when the page sits in one.
pub(crate) fn nav_section(site: &Site, i: usize) -> Option<usize> {
    let c = &site.content;
    let mut sec = if c.pages[i].is_section() {
        Some(i)
    } else {
        c.pages[i].parent
    };
    // Walking up, `top` ends at the top-level section and `below` at the one just under it.
    let (mut top, mut below) = (None, None);
    while let Some(s) = sec.filter(|&s| s != c.root) {
        below = top;
        top = Some(s);
        sec = c.pages[s].parent;
    }
    below.or(top)
}

/// Which pre-rendered sidebar page `i` shows: the section it opens for the section page and
/// the first block, else the first page of its block (`None`: pages outside any section).
/// Keys are page indexes, so a key also names a page (the dev server keys sidebars by path).
pub(crate) fn key(site: &Site, i: usize) -> Option<usize> {
    let nav = nav_section(site, i)?;
    let pos = site.positions[i];
    if site.content.pages[i].parent != Some(nav) || pos < BLOCK {
        return Some(nav);
    }
    let sec = site.content.pages[nav].section.as_ref()?;
    sec.pages.get(pos / BLOCK * BLOCK).copied().or(Some(nav))
}

/// The template variable `nav` of the sidebar with key `key` (see docs/template-context.md).
pub(crate) fn nav(site: &Site, values: &Values<'_>, key: Option<usize>) -> Value {
    let Some(key) = key else {
        return Value::none();
    };
    let c = &site.content;
    let Some(list) = nav_section(site, key) else {
        return Value::none();
    };
    let mut top = list;
    while let Some(p) = c.pages[top].parent.filter(|&p| p != c.root) {
        top = p;
    }
    let pages = c.pages[list]
        .section
        .as_ref()
        .map_or(&[][..], |s| &s.pages[..]);
    let start = if key == list { 0 } else { site.positions[key] };
    let end = (start + BLOCK).min(pages.len());
    let link = |i: usize| {
        let r = &values.refs[i];
        obj([("title", field(r, "title")), ("url", field(r, "url"))])
    };
    // A neighbouring block: where its link leads (the page next to this block) and its range.
    let block = |page: usize, from: usize, to: usize| {
        obj([
            ("url", field(&values.refs[page], "url")),
            ("from", (from + 1).into()),
            ("to", to.into()),
        ])
    };
    let prev = if start > 0 {
        block(pages[start - 1], start.saturating_sub(BLOCK), start)
    } else {
        Value::none()
    };
    let next = if end < pages.len() {
        block(pages[end], end, (end + BLOCK).min(pages.len()))
    } else {
        Value::none()
    };
    let chapters = c.pages[top]
        .section
        .as_ref()
        .map_or(&[][..], |s| &s.subsections[..]);
    let current = chapters.iter().position(|&s| s == list);
    let from = current
        .map_or(0, |k| k.saturating_sub(CHAPTERS / 2))
        .min(chapters.len().saturating_sub(CHAPTERS));
    let to = (from + CHAPTERS).min(chapters.len());
    let chapter_list = chapters[from..to].iter().map(|&s| {
        let r = &values.refs[s];
        obj([
            ("title", field(r, "title")),
            ("url", field(r, "url")),
            ("current", (s == list).into()),
        ])
    });
    obj([
        ("top", field(&values.refs[top], "url")),
        ("section", link(list)),
        ("chapter", (list != top).into()),
        (
            "pages",
            Value::from(
                pages[start..end]
                    .iter()
                    .map(|&p| link(p))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("first", (start + 1).into()),
        ("last", end.into()),
        ("total", pages.len().into()),
        ("prev", prev),
        ("next", next),
        ("chapters", Value::from(chapter_list.collect::<Vec<_>>())),
        ("chapters_before", from.into()),
        ("chapters_after", (chapters.len() - to).into()),
        ("chapters_total", chapters.len().into()),
    ])
}

fn field(v: &Value, key: &str) -> Value {
    v.get_from_path(key).cloned().unwrap_or_else(Value::none)
}
