//! Which pages of a new build can render differently from the last good build, found by
//! comparing the two builds' derived data (the general path of `qunce serve`).

use std::collections::HashMap;

use super::cache::Last;
use crate::links::FieldValue;
use crate::render::Prepared;
use crate::render::kept::Kept;
use crate::site::Site;

/// Template functions that read any page of the site: a template using them depends on
/// every page ref.
pub(crate) const GLOBAL_READERS: [&str; 2] = ["pages_of_kind", "get_page"];

/// Separates the groups of [`members`], so a page moving from one group to another counts.
const SEP: usize = usize::MAX;

/// The pages to render again: those whose own data, or the data of any page they show,
/// differs from the last build; all pages when something every page may show changed.
pub(crate) fn pages(
    last: &Last,
    kept: &Kept,
    readers: &[String],
    prepared: &Prepared<'_>,
) -> Vec<usize> {
    let site = prepared.site;
    let n = site.content.pages.len();
    if !kept.same_sections(&last.kept) {
        return (0..n).collect();
    }
    let old = &last.site;
    if same_layout(old, site) {
        return pages_same_layout(last, kept, readers, prepared);
    }
    let old_index = old.content.index_by_rel();
    let new_index = site.content.index_by_rel();
    let ref_changed = ref_changed(last, site, kept);
    let any_changed = n != old.content.pages.len() || ref_changed.iter().any(|&c| c);
    // A base or partial template reading any page makes every document depend on all.
    let readers_everywhere = readers_everywhere(readers);
    fn rel_of(s: &Site, k: usize) -> Option<&str> {
        (k != SEP).then(|| s.content.pages[k].rel.as_str())
    }
    (0..n)
        .filter(|&i| {
            let template = prepared.values.template_for(prepared.engine, i);
            if any_changed && (readers_everywhere || readers.contains(&template)) {
                return true;
            }
            let p = &site.content.pages[i];
            let Some(&j) = old_index.get(p.rel.as_str()) else {
                return true;
            };
            let q = &old.content.pages[j];
            if p.source != q.source
                || p.url != q.url
                || site.bodies[i] != old.bodies[j]
                || !kept.same_sidebar(site, i, &last.kept, old, j)
                || !same_fields(&site.graph.fields[i], &old.graph.fields[j], old, &new_index)
            {
                return true;
            }
            let now = members(site, i);
            let before = members(old, j);
            now.len() != before.len()
                || now
                    .iter()
                    .zip(&before)
                    .any(|(&a, &b)| rel_of(site, a) != rel_of(old, b))
                || now.iter().any(|&m| m != SEP && ref_changed[m])
        })
        .collect()
}

/// Whether both builds have the same pages in the same places: same paths in the same
/// order, same URLs, same section tree. Then page indices mean the same in both, and
/// comparisons need no lookups by path.
pub(crate) fn same_layout(old: &Site, new: &Site) -> bool {
    old.content.pages.len() == new.content.pages.len()
        && old
            .content
            .pages
            .iter()
            .zip(&new.content.pages)
            .all(|(a, b)| {
                a.rel == b.rel
                    && a.url == b.url
                    && a.parent == b.parent
                    && match (&a.section, &b.section) {
                        (Some(x), Some(y)) => x.pages == y.pages && x.subsections == y.subsections,
                        (None, None) => true,
                        _ => false,
                    }
            })
}

/// Whether everything generated pages show is unchanged (given the same layout): page refs,
/// front matter (tags, fields) and relations.
pub(crate) fn same_shown_data(last: &Last, site: &Site, kept: &Kept) -> bool {
    let old = &last.site;
    site.content
        .pages
        .iter()
        .zip(&old.content.pages)
        .enumerate()
        .all(|(i, (p, q))| {
            p.source[..p.body_start] == q.source[..q.body_start]
                && p.title == q.title
                && site.graph.fields[i] == old.graph.fields[i]
                && site.graph.incoming[i] == old.graph.incoming[i]
                && !kept.ref_changed(&last.kept, &p.rel)
        })
}

/// [`pages`] when the layout is the same: every comparison by index.
fn pages_same_layout(
    last: &Last,
    kept: &Kept,
    readers: &[String],
    prepared: &Prepared<'_>,
) -> Vec<usize> {
    let site = prepared.site;
    let old = &last.site;
    let n = site.content.pages.len();
    let ref_changed = ref_changed(last, site, kept);
    let any_changed = ref_changed.iter().any(|&c| c);
    if any_changed && readers_everywhere(readers) {
        return (0..n).collect();
    }
    let sidebars_same = kept.same_sidebars(&last.kept);
    (0..n)
        .filter(|&i| {
            let (p, q) = (&site.content.pages[i], &old.content.pages[i]);
            if p.source != q.source
                || site.bodies[i] != old.bodies[i]
                || site.graph.fields[i] != old.graph.fields[i]
                || site.graph.incoming[i] != old.graph.incoming[i]
                || site.graph.backlinks[i] != old.graph.backlinks[i]
                || (!sidebars_same && !kept.same_sidebar(site, i, &last.kept, old, i))
            {
                return true;
            }
            if !any_changed {
                return false;
            }
            if !readers.is_empty() {
                let template = prepared.values.template_for(prepared.engine, i);
                if readers.contains(&template) {
                    return true;
                }
            }
            members(site, i).iter().any(|&m| m != SEP && ref_changed[m])
        })
        .collect()
}

/// Whether each page's ref (what other pages show of it) changed, new pages included.
fn ref_changed(last: &Last, site: &Site, kept: &Kept) -> Vec<bool> {
    site.content
        .pages
        .iter()
        .map(|p| kept.ref_changed(&last.kept, &p.rel))
        .collect()
}

/// Whether a base or partial template reads any page: then every document depends on all.
pub(crate) fn readers_everywhere(readers: &[String]) -> bool {
    readers.iter().any(|r| !is_document_template(r))
}

/// Whether a template renders whole documents (as opposed to a base or partial template
/// that any document's template may extend or include).
fn is_document_template(name: &str) -> bool {
    name.starts_with("kinds/") || matches!(name, "page.html" | "section.html" | "index.html")
}

/// Whether a page's fields are the same before and after, link targets compared by path.
fn same_fields(
    now: &[(String, FieldValue)],
    before: &[(String, FieldValue)],
    old: &Site,
    new_index: &HashMap<&str, usize>,
) -> bool {
    let map = |k: usize| new_index.get(old.content.pages[k].rel.as_str()).copied();
    now.len() == before.len()
        && now.iter().zip(before).all(|((n1, v1), (n2, v2))| {
            n1 == n2
                && match (v1, v2) {
                    (FieldValue::Link(Some(a)), FieldValue::Link(Some(b))) => Some(*a) == map(*b),
                    (FieldValue::Links(a), FieldValue::Links(b)) => {
                        a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| Some(x) == map(y))
                    }
                    (
                        FieldValue::Raci {
                            targets: a,
                            parts: pa,
                        },
                        FieldValue::Raci {
                            targets: b,
                            parts: pb,
                        },
                    ) => {
                        pa == pb
                            && a.len() == b.len()
                            && a.iter().zip(b).all(|(&x, &y)| Some(x) == map(y))
                    }
                    _ => v1 == v2,
                }
        })
}

/// Every page whose template context contains page `m`'s ref (the inverse of [`members`])
/// for a page `m` that is not a section.
pub(crate) fn showing(site: &Site, m: usize) -> Vec<usize> {
    let pages = &site.content.pages;
    let mut out: Vec<usize> = Vec::new();
    for (_, sources) in &site.graph.incoming[m] {
        out.extend(sources);
    }
    for (_, v) in &site.graph.fields[m] {
        out.extend(v.targets());
    }
    // Pages `m` links to list it among their backlinks.
    out.extend((0..pages.len()).filter(|&t| site.graph.backlinks[t].contains(&m)));
    if let Some(p) = pages[m].parent {
        out.push(p);
        if let Some(g) = pages[p].parent {
            out.push(g);
        }
        if let Some(sec) = &pages[p].section
            && let Some(k) = Some(site.positions[m]).filter(|&k| sec.pages.get(k) == Some(&m))
        {
            if k > 0 {
                out.push(sec.pages[k - 1]);
            }
            if let Some(&nx) = sec.pages.get(k + 1) {
                out.push(nx);
            }
        }
    }
    out
}

/// Every page whose ref page `i`'s template context contains, in groups split by [`SEP`]:
/// link fields, reverse relations, backlinks, ancestors, prev/next, and for a section its
/// pages and subsections.
fn members(site: &Site, i: usize) -> Vec<usize> {
    let pages = &site.content.pages;
    let p = &pages[i];
    let mut m = Vec::new();
    for (_, v) in &site.graph.fields[i] {
        match v {
            FieldValue::Link(Some(t)) => m.push(*t),
            FieldValue::Links(ts) | FieldValue::Raci { targets: ts, .. } => m.extend(ts),
            _ => {}
        }
    }
    m.push(SEP);
    for (_, sources) in &site.graph.incoming[i] {
        m.extend(sources);
        m.push(SEP);
    }
    m.extend(&site.graph.backlinks[i]);
    m.push(SEP);
    let mut cur = p.parent;
    while let Some(a) = cur {
        m.push(a);
        cur = pages[a].parent;
    }
    m.push(SEP);
    if let Some(sec) = p.parent.and_then(|s| pages[s].section.as_ref())
        && !p.is_section()
        && let Some(k) = Some(site.positions[i]).filter(|&k| sec.pages.get(k) == Some(&i))
    {
        if k > 0 {
            m.push(sec.pages[k - 1]);
        }
        m.push(SEP);
        if let Some(&nx) = sec.pages.get(k + 1) {
            m.push(nx);
        }
    }
    m.push(SEP);
    if let Some(sec) = &p.section {
        m.extend(&sec.pages);
        m.push(SEP);
        for &s in &sec.subsections {
            m.push(s);
            if let Some(ss) = &pages[s].section {
                m.extend(&ss.pages);
            }
            m.push(SEP);
        }
    }
    m
}
