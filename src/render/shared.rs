//! The parts of a page's template object that depend on its kind or section, not on the page:
//! built once per build by [`Shared::new`] and cloned (reference-counted) into each page's
//! object by [`super::context::Values`].

use std::collections::HashMap;

use tera::Value;
use tera::value::{Key, Map};

use super::context::{field, kind_label, obj};
use crate::content::SECTION_KIND;
use crate::site::Site;

/// The parts of a `page` object that depend on the page's kind or section, not on the page,
/// built once per build: each page takes them by reference count instead of building them
/// again (rebuilt per page, the field labels of a kind and the breadcrumbs of a section cost
/// a good part of the whole object).
pub(super) struct Shared {
    /// By kind name: its `kind_label` and `field_labels`.
    pub(super) kinds: HashMap<String, (Value, Value)>,
    /// By section: `ancestors` of the pages directly in it (home page down to the section).
    pub(super) ancestors: HashMap<usize, Value>,
    /// By incoming relation key (`kind.field`): `key`, `kind`, `kind_label`, `field` and
    /// `field_label` of its `relations` entry.
    relations: HashMap<String, [Value; 5]>,
}

impl Shared {
    pub(super) fn new(site: &Site, refs: &[Value]) -> Shared {
        let mut kinds: HashMap<String, (Value, Value)> = site
            .config
            .kinds
            .iter()
            .map(|k| {
                let labels: Map = k
                    .fields
                    .iter()
                    .map(|f| (Key::from(f.name.clone()), Value::from(f.label.as_str())))
                    .collect();
                (
                    k.name.clone(),
                    (kind_label(site, &k.name).into(), labels.into()),
                )
            })
            .collect();
        // Sections show the section kind's label whether or not site.toml declares the kind.
        kinds
            .entry(SECTION_KIND.to_string())
            .or_insert_with(|| (Value::none(), Map::new().into()))
            .0 = kind_label(site, SECTION_KIND).into();
        let c = &site.content;
        let ancestors = (0..c.pages.len())
            .filter(|&s| c.pages[s].section.is_some())
            .map(|s| (s, ancestors(site, refs, s)))
            .collect();
        let relations = site
            .config
            .kinds
            .iter()
            .flat_map(|k| {
                k.fields
                    .iter()
                    .map(move |f| format!("{}.{}", k.name, f.name))
            })
            .map(|key| {
                let entry = relation(site, &key);
                (key, entry)
            })
            .collect();
        Shared {
            kinds,
            ancestors,
            relations,
        }
    }

    /// The `relations` entry of `key` but its pages (see [`Shared::relations`]).
    pub(super) fn relation(&self, site: &Site, key: &str) -> [Value; 5] {
        self.relations
            .get(key)
            .cloned()
            .unwrap_or_else(|| relation(site, key))
    }

    /// `kind_label` of a kind, as a value.
    pub(super) fn kind_label(&self, site: &Site, kind: &str) -> Value {
        self.kinds
            .get(kind)
            .map_or_else(|| kind_label(site, kind).into(), |(label, _)| label.clone())
    }
}

/// `ancestors` of the pages directly in section `s`: the home page down to `s`.
pub(super) fn ancestors(site: &Site, refs: &[Value], s: usize) -> Value {
    let mut chain = Vec::new();
    let mut cur = Some(s);
    while let Some(a) = cur {
        chain.push(obj([
            ("title", field(&refs[a], "title")),
            ("url", field(&refs[a], "url")),
        ]));
        cur = site.content.pages[a].parent;
    }
    chain.reverse();
    Value::from(chain)
}

/// `key`, `kind`, `kind_label`, `field` and `field_label` of the `relations` entry of the
/// incoming relation `key` (`kind.field`).
fn relation(site: &Site, key: &str) -> [Value; 5] {
    let (src_kind, fname) = key.split_once('.').unwrap_or((key, ""));
    let flabel = site
        .config
        .kind(src_kind)
        .and_then(|k| k.field(fname))
        .map_or(fname, |f| f.label.as_str());
    [
        key.into(),
        src_kind.into(),
        kind_label(site, src_kind).into(),
        fname.into(),
        flabel.into(),
    ]
}
