//! Stage 2, resolve: turns every written link (wiki links, Markdown links to `.md` files,
//! images, front-matter link fields) into a page or URL, checks anchors against the target's
//! real heading ids, and derives the graph templates need: backlinks and typed reverse
//! relations. All lookups are hash lookups; only misses scan for suggestions.
//!
//! `names` is the index of what a link can name, `body` resolves the links written in a
//! page's Markdown, `fields` its front-matter link fields, and `graph` warns about the shape
//! the links give the handbook (orphans, unused roles, names two pages share).

mod body;
mod fields;
mod graph;
mod names;
#[cfg(test)]
mod tests;

pub(crate) use graph::structure_warnings;
pub(crate) use names::{Index, Names};

use body::resolve_link;
use fields::{resolve_fields, unlisted_roles};
use graph::duplicate_name;
use names::ANCHOR_SET_ABOVE;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Resolved, Scan};
use crate::playbook::RaciRole;

/// A kind field after resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldValue {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
    Enum(String),
    Link(Option<usize>),
    Links(Vec<usize>),
    /// A parsed `schedule`; `None` when written empty.
    Schedule(Option<crate::playbook::Schedule>),
    /// A `raci` field: the linked pages and, aligned with them, each one's part (a plain list
    /// gives every page [`RaciRole::Participant`]).
    Raci {
        targets: Vec<usize>,
        parts: Vec<RaciRole>,
    },
}

impl FieldValue {
    /// The pages a link field points to (none for other fields): refs, backlink-style reverse
    /// relations, search and the dev server's dirty sets all follow them.
    pub(crate) fn targets(&self) -> &[usize] {
        match self {
            FieldValue::Link(Some(t)) => std::slice::from_ref(t),
            FieldValue::Links(ts) | FieldValue::Raci { targets: ts, .. } => ts,
            _ => &[],
        }
    }
}

/// The resolved link graph of the site.
#[derive(Debug, Clone, Default)]
pub(crate) struct Graph {
    /// Per page, aligned with its `Scan::links`.
    pub(crate) resolved: Vec<Vec<Resolved>>,
    /// Per page, its kind fields in declaration order.
    pub(crate) fields: Vec<Vec<(String, FieldValue)>>,
    /// Per page, the pages linking to it (any link), in site order, without duplicates.
    pub(crate) backlinks: Vec<Vec<usize>>,
    /// Per page, reverse relations: `"<source kind>.<field>"` → sources in site order.
    pub(crate) incoming: Vec<Vec<(String, Vec<usize>)>>,
    /// Relations that some page wrote but that could not be read (a wrong type, a front matter
    /// that does not parse): warnings that depend on them would follow from that error.
    pub(crate) unreadable: Unreadable,
}

/// See [`Graph::unreadable`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Unreadable {
    /// Some ritual's `roles` (so no role can be called unused).
    pub(crate) roles: bool,
    /// Some ritual's `element`.
    pub(crate) element: bool,
}

/// What the links stage found for one page, before the graph is put together.
pub(crate) struct PageLinks {
    pub(crate) resolved: Vec<Resolved>,
    pub(crate) fields: Vec<(String, FieldValue)>,
    /// `(target, field name)`; `None` for links in the body.
    pub(crate) edges: Vec<(usize, Option<String>)>,
    pub(crate) diags: Vec<Diagnostic>,
}

/// The link diagnostics of a build, by page, so that the dev server can redo one page's share
/// of them without re-resolving the site.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkDiagnostics {
    /// Broken links and bad fields, by the page they are written in.
    pub(crate) pages: Vec<Vec<Diagnostic>>,
    /// Shape warnings (orphans, unused roles …), by the page they are about.
    pub(crate) structure: Vec<Vec<Diagnostic>>,
}

impl LinkDiagnostics {
    /// Every diagnostic, page by page.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.pages.iter().chain(&self.structure).flatten()
    }
}

/// The lookups of one build, anchors included. O(pages).
pub(crate) fn index<'a>(content: &'a Content, scans: &'a [Scan], config: &Config) -> Index<'a> {
    with_anchors(Index::new(content, config), scans)
}

/// [`index`] over name tables kept from an earlier build of the same layout.
pub(crate) fn index_with<'a>(
    content: &'a Content,
    scans: &'a [Scan],
    names: &'a Names,
) -> Index<'a> {
    with_anchors(
        Index::with_names(content, std::borrow::Cow::Borrowed(names)),
        scans,
    )
}

fn with_anchors<'a>(mut index: Index<'a>, scans: &'a [Scan]) -> Index<'a> {
    index.anchors = scans
        .par_iter()
        .map(|s| {
            (s.headings.len() > ANCHOR_SET_ABOVE)
                .then(|| s.headings.iter().map(|h| h.id.as_str()).collect())
        })
        .collect();
    index
}

/// Resolves page `i`'s body links and typed fields.
pub(crate) fn resolve_page(
    index: &Index<'_>,
    scans: &[Scan],
    config: &Config,
    base: &str,
    i: usize,
) -> PageLinks {
    let page = &index.content.pages[i];
    let mut diags = Vec::new();
    let mut edges = Vec::new();
    // Pages linked from the body, with where.
    let mut body: Vec<(usize, usize)> = Vec::new();
    // One source per page: it indexes lines once for all of the page's diagnostics.
    let src = page.src();
    let resolved = scans[i]
        .links
        .iter()
        .map(|l| {
            let r = resolve_link(
                index,
                scans,
                page,
                &src,
                i,
                l.wiki,
                &l.target,
                l.offset,
                (base, &config.base_url),
                &mut diags,
            );
            if let Some(t) = r.1 {
                edges.push((t, None));
                body.push((t, l.offset));
            }
            r.0
        })
        .collect();
    let fields = resolve_fields(index, config, page, &mut edges, &mut diags);
    unlisted_roles(index, config, &body, i, &src, &fields, &mut diags);
    PageLinks {
        resolved,
        fields,
        edges,
        diags,
    }
}

/// The reading-order rank of every page: backlinks and reverse relations are listed in it.
pub(crate) fn ranks(content: &Content) -> Vec<usize> {
    let mut rank = vec![usize::MAX; content.pages.len()];
    for (r, i) in content.in_order().into_iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// Resolves everything and builds the graph. `base` is the URL prefix every internal URL gets.
pub(crate) fn resolve(
    content: &Content,
    scans: &[Scan],
    config: &Config,
    base: &str,
) -> (Graph, LinkDiagnostics, Names) {
    let index = index(content, scans, config);
    let rank = ranks(content);
    let outs: Vec<PageLinks> = (0..content.pages.len())
        .into_par_iter()
        .map(|i| resolve_page(&index, scans, config, base, i))
        .collect();

    let n = content.pages.len();
    let mut graph = Graph {
        resolved: Vec::with_capacity(n),
        fields: Vec::with_capacity(n),
        backlinks: vec![Vec::new(); n],
        incoming: vec![Vec::new(); n],
        unreadable: Unreadable {
            roles: content
                .pages
                .iter()
                .any(|p| p.meta.broken || p.meta.bad_keys.iter().any(|k| k == "roles")),
            element: content
                .pages
                .iter()
                .any(|p| p.meta.broken || p.meta.bad_keys.iter().any(|k| k == "element")),
        },
    };
    let mut diags = LinkDiagnostics {
        pages: Vec::with_capacity(n),
        structure: Vec::new(),
    };
    let mut incoming_maps: Vec<HashMap<String, Vec<usize>>> = vec![HashMap::new(); n];
    for (i, out) in outs.into_iter().enumerate() {
        for (target, field) in &out.edges {
            if *target != i {
                graph.backlinks[*target].push(i);
            }
            if let Some(f) = field {
                let key = format!("{}.{}", content.pages[i].kind, f);
                incoming_maps[*target].entry(key).or_default().push(i);
            }
        }
        graph.resolved.push(out.resolved);
        graph.fields.push(out.fields);
        diags.pages.push(out.diags);
    }
    graph
        .backlinks
        .par_iter_mut()
        .zip(&mut graph.incoming)
        .zip(incoming_maps)
        .for_each(|((b, incoming), map)| {
            b.sort_by_key(|&p| rank[p]);
            b.dedup();
            let mut inc: Vec<(String, Vec<usize>)> = map.into_iter().collect();
            for (_, v) in inc.iter_mut() {
                v.sort_by_key(|&p| rank[p]);
                v.dedup();
            }
            inc.sort_by(|a, b| a.0.cmp(&b.0));
            *incoming = inc;
        });
    diags.structure = (0..n)
        .into_par_iter()
        .map(|i| structure_warnings(content, &graph, i))
        .collect();
    let ambiguities =
        std::mem::take(&mut *index.ambiguities.lock().unwrap_or_else(|e| e.into_inner()));
    let mut ambiguities: Vec<(String, Vec<usize>)> = ambiguities.into_iter().collect();
    ambiguities.sort();
    for (name, pages) in ambiguities {
        if let Some((at, d)) = duplicate_name(content, &name, &pages) {
            diags.structure[at].push(d);
        }
    }
    (graph, diags, index.tables.into_owned())
}
