//! The template context (documented in docs/template-context.md). Page refs are built once per
//! build and shared: Tera 2 values are `Arc`-backed, so putting a ref in a hundred lists costs a
//! hundred pointer copies, not a hundred deep copies.
//!
//! Here [`Values`], the per-build values; `globals` is what every template sees (the global
//! context and the template functions), `refs` the page refs and what they are made of, `full`
//! the full `page` and `section` objects of the page being rendered.

mod full;
mod globals;
mod refs;

pub(crate) use globals::{install, register_functions};
pub(crate) use refs::{field, kind_label, raci_label, raci_value};

use refs::page_ref;

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::Value;

use crate::render::Engine;
use crate::render::shared::Shared;
use crate::site::Site;

/// Builds a Tera map from pairs.
pub(crate) fn obj<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    // Every page builds a few dozen of these maps. Tera turns a map into a value by building
    // it a second time (a new hasher, every key hashed again); a struct serialized into a
    // value is built once, with its static keys as they are (nothing allocated for a key).
    Value::from_serializable(&Fields(&pairs))
}

/// Pairs serialized as a struct: see [`obj`].
struct Fields<'a>(&'a [(&'static str, Value)]);

impl serde::Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("obj", self.0.len())?;
        for (k, v) in self.0 {
            s.serialize_field(k, v)?;
        }
        s.end()
    }
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    let items: Vec<Value> = items.into_iter().collect();
    if items.is_empty() {
        return EMPTY_LIST.with(Value::clone);
    }
    Value::from(items)
}

thread_local! {
    /// One empty list per thread, shared: most pages have no aliases, tags, relations or RACI
    /// duties, and most headings no sub-headings, and an empty Tera list is an allocation each.
    static EMPTY_LIST: Value = Value::from(Vec::<Value>::new());
}

/// Precomputed values shared by all templates of one build.
pub(crate) struct Values<'a> {
    site: &'a Site,
    pub(crate) refs: Vec<Value>,
    /// Refs without reverse relations (what those relations list).
    pub(crate) plain: Vec<Value>,
    urls: std::sync::Arc<Vec<String>>,
    data: std::sync::Arc<SiteData>,
    shared: Shared,
}

/// The parts of [`Values`] that depend on the site's layout only (URLs, lookup tables), kept
/// by the dev server across edits that change page bodies alone.
#[derive(Clone)]
pub(crate) struct Tables {
    urls: std::sync::Arc<Vec<String>>,
    data: std::sync::Arc<SiteData>,
}

/// Lookup tables for the template functions.
struct SiteData {
    by_rel: std::collections::HashMap<String, usize>,
    by_kind: BTreeMap<String, Vec<usize>>,
}

/// Every page's URL, root-prefixed.
fn urls(site: &Site) -> Vec<String> {
    site.content
        .pages
        .iter()
        .map(|p| format!("{}{}", site.base, p.url))
        .collect()
}

/// Every page's plain ref (see `page_ref`).
fn plain_refs(site: &Site, urls: &[String]) -> Vec<Value> {
    (0..site.content.pages.len())
        .into_par_iter()
        .map(|j| page_ref(site, j, &urls[j]))
        .collect()
}

/// Page `i`'s ref: its plain ref plus its reverse relations as lists of plain refs, so a list
/// of elements can show each element's rituals without another lookup.
fn full_ref(site: &Site, plain: &[Value], i: usize) -> Value {
    let r = plain[i].clone();
    let incoming = &site.graph.incoming[i];
    if incoming.is_empty() {
        return r;
    }
    let mut map: BTreeMap<String, Value> = r
        .as_map()
        .map(|m| m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
        .unwrap_or_default();
    let inc: BTreeMap<String, Value> = incoming
        .iter()
        .map(|(k, ids)| (k.clone(), list(ids.iter().map(|&j| plain[j].clone()))))
        .collect();
    map.insert("incoming".to_string(), inc.into());
    map.into()
}

impl<'a> Values<'a> {
    pub(crate) fn new(site: &'a Site) -> Values<'a> {
        let urls = urls(site);
        let plain = plain_refs(site, &urls);
        let refs: Vec<Value> = (0..site.content.pages.len())
            .into_par_iter()
            .map(|i| full_ref(site, &plain, i))
            .collect();
        let data = site_data(site);
        let shared = Shared::new(site, &refs);
        Values {
            site,
            refs,
            plain,
            urls: urls.into(),
            data: data.into(),
            shared,
        }
    }

    /// The layout-only parts, for [`Values::reusing`].
    pub(crate) fn tables(&self) -> Tables {
        Tables {
            urls: self.urls.clone(),
            data: self.data.clone(),
        }
    }

    /// The values of `site` given the page refs and tables of an earlier build of the same
    /// layout, of which only the refs of pages `changed` (and of the pages showing their
    /// reverse relations) are computed again; also returns the pages whose ref differs. For
    /// the dev server: a body edit should not recompute 10,000 refs.
    pub(crate) fn reusing(
        site: &'a Site,
        (mut old, mut plain): (Vec<Value>, Vec<Value>),
        changed: &[usize],
        tables: Tables,
    ) -> (Values<'a>, Vec<usize>) {
        let mut which: Vec<usize> = Vec::new();
        for &i in changed {
            let new = page_ref(site, i, &tables.urls[i]);
            if new == plain[i] {
                continue;
            }
            plain[i] = new;
            which.push(i);
            // Refs carry their reverse relations: the pages page `i`'s fields point to.
            for (_, v) in &site.graph.fields[i] {
                which.extend(v.targets());
            }
        }
        which.sort_unstable();
        which.dedup();
        let mut differ = Vec::new();
        for &i in &which {
            let r = full_ref(site, &plain, i);
            if old[i] != r {
                differ.push(i);
                old[i] = r;
            }
        }
        let shared = Shared::new(site, &old);
        let values = Values {
            site,
            refs: old,
            plain,
            urls: tables.urls,
            data: tables.data,
            shared,
        };
        (values, differ)
    }
}

/// The lookup tables of the template functions.
fn site_data(site: &Site) -> SiteData {
    {
        let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in site.content.in_order() {
            by_kind
                .entry(site.content.pages[i].kind.clone())
                .or_default()
                .push(i);
        }
        let by_rel = site
            .content
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.clone(), i))
            .collect();
        SiteData { by_rel, by_kind }
    }
}

impl Values<'_> {
    pub(crate) fn url(&self, i: usize) -> String {
        self.urls[i].clone()
    }

    pub(crate) fn section_ref(&self, i: usize) -> Value {
        self.refs[i].clone()
    }

    /// The template a document renders with (see the table in docs/template-context.md).
    pub(crate) fn template_for(&self, engine: &Engine, i: usize) -> String {
        let site = self.site;
        let page = &site.content.pages[i];
        if let Some(t) = &page.meta.template {
            return t.clone();
        }
        if page.is_section() {
            if i == site.content.root && engine.has("index.html") {
                return "index.html".to_string();
            }
            return "section.html".to_string();
        }
        let kind_tpl = format!("kinds/{}.html", page.kind);
        if engine.has(&kind_tpl) {
            kind_tpl
        } else {
            "page.html".to_string()
        }
    }
}
