//! What the render stage keeps of one build for the next: the dev server's cache of page refs,
//! rendered sidebars and lookup tables. Its contents are the render stage's business; the rest
//! of qunce only asks it what changed between two builds ([`Kept::ref_changed`],
//! [`Kept::same_sidebar`] …) and hands it back to [`super::prepare_reusing`].

use std::collections::HashMap;

use super::context::Tables;
use super::{Prepared, Reuse, sidebar_key};
use crate::site::Site;

/// The render stage's products of a build that a later build may reuse or compare with.
pub(crate) struct Kept {
    /// Page refs by page path, as templates saw them.
    refs: HashMap<String, tera::Value>,
    /// Rendered sidebars by the path of their key page ("" for pages outside any section).
    sidebars: HashMap<String, String>,
    /// The template global `sections`.
    sections: tera::Value,
    /// Page refs by page index.
    ref_list: Vec<tera::Value>,
    /// Plain refs (without reverse relations) by page index.
    plain_list: Vec<tera::Value>,
    /// URLs and lookup tables of the template values.
    tables: Tables,
    /// Rendered sidebars by sidebar key (see [`Prepared::sidebars`]).
    sidebar_map: HashMap<usize, String>,
}

/// The page refs of one build, by page index (see [`Kept::refs_of`]).
pub(crate) struct Refs {
    refs: Vec<tera::Value>,
    plain: Vec<tera::Value>,
}

impl Kept {
    /// What `prepared` computed, kept.
    pub(crate) fn of(prepared: &Prepared<'_>) -> Kept {
        let site = prepared.site;
        let refs = (site.content.pages.iter())
            .zip(&prepared.values.refs)
            .map(|(p, r)| (p.rel.clone(), r.clone()))
            .collect();
        let rel_of = |key: usize| -> String {
            if key == usize::MAX {
                String::new()
            } else {
                site.content.pages[key].rel.clone()
            }
        };
        let sidebars = (prepared.sidebars.iter())
            .map(|(&k, v)| (rel_of(k), v.clone()))
            .collect();
        Kept {
            refs,
            sidebars,
            sections: prepared.sections.clone(),
            ref_list: prepared.values.refs.clone(),
            plain_list: prepared.values.plain.clone(),
            tables: prepared.values.tables(),
            sidebar_map: prepared.sidebars.clone(),
        }
    }

    /// What [`super::prepare_reusing`] needs to render the pages `changed` (whose bodies alone
    /// changed) without computing the rest again.
    pub(crate) fn reuse(&self, changed: Vec<usize>, globals_current: bool) -> Reuse {
        Reuse {
            refs: self.ref_list.clone(),
            plain: self.plain_list.clone(),
            changed,
            sidebars: self.sidebar_map.clone(),
            sections: self.sections.clone(),
            tables: self.tables.clone(),
            globals_current,
        }
    }

    /// The page refs of `prepared`, for [`Kept::refresh_refs`] once the build turned out good.
    pub(crate) fn refs_of(prepared: &Prepared<'_>) -> Refs {
        Refs {
            refs: prepared.values.refs.clone(),
            plain: prepared.values.plain.clone(),
        }
    }

    /// After a fast rebuild of `site`: its refs replace these, for the pages in `changed` (by
    /// path) and as lists.
    pub(crate) fn refresh_refs(&mut self, site: &Site, refs: Refs, changed: &[usize]) {
        for &m in changed {
            let rel = site.content.pages[m].rel.clone();
            self.refs.insert(rel, refs.refs[m].clone());
        }
        self.ref_list = refs.refs;
        self.plain_list = refs.plain;
    }

    /// Whether the template global `sections` is the same in both builds.
    pub(crate) fn same_sections(&self, other: &Kept) -> bool {
        self.sections == other.sections
    }

    /// Whether every rendered sidebar is the same in both builds.
    pub(crate) fn same_sidebars(&self, other: &Kept) -> bool {
        self.sidebars == other.sidebars
    }

    /// Whether page `i` of `site` (this build's) shows the same sidebar as page `j` of `old`
    /// (`before`'s).
    pub(crate) fn same_sidebar(
        &self,
        site: &Site,
        i: usize,
        before: &Kept,
        old: &Site,
        j: usize,
    ) -> bool {
        self.sidebar(site, i) == before.sidebar(old, j)
    }

    /// The rendered sidebar page `k` of `site` shows, from sidebars keyed by the path of their
    /// key page (the section they open, or the first page of their block; "" for pages
    /// outside any section).
    fn sidebar(&self, site: &Site, k: usize) -> Option<&String> {
        let key = sidebar_key(site, k).map_or(String::new(), |t| site.content.pages[t].rel.clone());
        self.sidebars.get(&key).or_else(|| self.sidebars.get(""))
    }

    /// Whether the ref of the page at `rel` differs between the two builds (a page in only one
    /// of them counts as changed).
    pub(crate) fn ref_changed(&self, before: &Kept, rel: &str) -> bool {
        self.refs.get(rel) != before.refs.get(rel)
    }
}
