//! Page refs (the small `page` objects lists hold) and the pieces they and the full objects
//! share: sidebar sections, tables of contents, kind labels, RACI parts.

use std::collections::BTreeMap;

use tera::Value;

use crate::content::SECTION_KIND;
use crate::links::FieldValue;
use crate::markdown::Heading;
use crate::playbook::RaciRole;
use crate::site::Site;

use super::{Values, list, obj};

/// How many pages of a section the sidebar lists; the rest are reached from the section page,
/// so no page's size grows with its section's.
pub(crate) const SIDEBAR_PAGES: usize = 100;

pub(super) fn sidebar_section(site: &Site, values: &Values<'_>, i: usize) -> Value {
    let sec = site.content.pages[i].section.as_ref().expect("section");
    // Navigation entries carry only what a menu shows, so a page's summary or relations can
    // change without changing every page's sidebar (the dev server re-renders less).
    let nav = |p: usize| {
        let r = &values.refs[p];
        obj([
            ("title", field(r, "title")),
            ("url", field(r, "url")),
            ("kind", field(r, "kind")),
            ("weight", field(r, "weight")),
        ])
    };
    let pages = list(sec.pages.iter().take(SIDEBAR_PAGES).map(|&p| nav(p)));
    let subsections = list(
        sec.subsections
            .iter()
            .map(|&s| sidebar_section(site, values, s)),
    );
    let r = &values.refs[i];
    let p = &site.content.pages[i];
    obj([
        ("title", field(r, "title")),
        ("url", field(r, "url")),
        (
            "description",
            p.meta.description.clone().unwrap_or_default().into(),
        ),
        ("summary", field(r, "summary")),
        ("pages", pages),
        ("total", sec.pages.len().into()),
        ("subsections", subsections),
    ])
}

/// A page's `toc` as Tera values: the tree of `markdown::toc`, built straight from the
/// headings, so no heading's id and title are copied into an entry on the way.
pub(super) fn toc_value(headings: &[Heading]) -> Value {
    /// An entry by the index of its heading.
    struct Node {
        heading: usize,
        children: Vec<Node>,
    }
    let mut root: Vec<Node> = Vec::new();
    for (k, h) in headings.iter().enumerate() {
        if !(2..=4).contains(&h.level) {
            continue;
        }
        let mut list = &mut root;
        // Descend while the last entry at this depth is shallower than the new heading.
        while list
            .last()
            .is_some_and(|l| headings[l.heading].level < h.level)
        {
            list = &mut list.last_mut().expect("checked").children;
        }
        list.push(Node {
            heading: k,
            children: Vec::new(),
        });
    }
    fn value(headings: &[Heading], nodes: &[Node]) -> Value {
        list(nodes.iter().map(|n| {
            let h = &headings[n.heading];
            obj([
                ("level", h.level.into()),
                ("id", h.id.as_str().into()),
                ("title", h.title.as_str().into()),
                ("children", value(headings, &n.children)),
            ])
        }))
    }
    value(headings, &root)
}

pub(crate) fn field(v: &Value, key: &str) -> Value {
    v.get_from_path(key).cloned().unwrap_or_else(Value::none)
}

pub(crate) fn kind_label(site: &Site, kind: &str) -> String {
    if kind == SECTION_KIND {
        return site
            .config
            .ui
            .get("kind_section")
            .cloned()
            .unwrap_or_else(|| kind.to_string());
    }
    site.config
        .kind(kind)
        .map_or_else(|| kind.to_string(), |k| k.label.clone())
}

pub(super) fn page_ref(site: &Site, i: usize, url: &str) -> Value {
    let p = &site.content.pages[i];
    let summary = p
        .meta
        .description
        .clone()
        .unwrap_or_else(|| site.scans[i].summary.clone());
    let mut scalars: BTreeMap<String, Value> = BTreeMap::new();
    let mut stage = String::new();
    let mut schedule = String::new();
    let zh = site.config.language == crate::config::Language::ZhCn;
    for (name, v) in &site.graph.fields[i] {
        match v {
            FieldValue::Str(s) => {
                scalars.insert(name.clone(), s.as_str().into());
            }
            FieldValue::Enum(s) => {
                if name == "stage" {
                    stage = s.clone();
                }
                scalars.insert(name.clone(), s.as_str().into());
            }
            FieldValue::Int(n) => {
                scalars.insert(name.clone(), (*n).into());
            }
            FieldValue::Bool(b) => {
                scalars.insert(name.clone(), (*b).into());
            }
            FieldValue::Schedule(Some(sc)) => {
                if schedule.is_empty() {
                    schedule = sc.label(zh);
                }
                scalars.insert(name.clone(), sc.code().into());
            }
            _ => {}
        }
    }
    obj([
        ("title", p.title.as_str().into()),
        ("url", url.into()),
        ("kind", p.kind.as_str().into()),
        ("kind_label", kind_label(site, &p.kind).into()),
        ("slug", p.slug.as_str().into()),
        ("summary", summary.into()),
        ("weight", p.meta.weight.unwrap_or(0).into()),
        ("stage", stage.into()),
        ("schedule", schedule.into()),
        ("fields", scalars.into()),
    ])
}

/// A `raci` field's value: its non-empty parts in order, each `{ part, label, short, pages }`.
pub(crate) fn raci_value(
    site: &Site,
    refs: &[Value],
    targets: &[usize],
    parts: &[RaciRole],
) -> Value {
    let mut out: Vec<Value> = Vec::new();
    let mut k = 0;
    while k < parts.len() {
        let part = parts[k];
        let run = parts[k..].iter().take_while(|&&p| p == part).count();
        out.push(obj([
            ("part", part.key().into()),
            ("label", raci_label(site, part, false).into()),
            ("short", raci_label(site, part, true).into()),
            (
                "pages",
                list(targets[k..k + run].iter().map(|&t| refs[t].clone())),
            ),
        ]));
        k += run;
    }
    list(out)
}

/// What a RACI part is called (主持) or its one-character mark (主), from the UI strings
/// `raci_<part>` and `raci_<part>_short`, which `[ui]` overrides.
pub(crate) fn raci_label(site: &Site, part: RaciRole, short: bool) -> String {
    let key = if short {
        format!("raci_{}_short", part.key())
    } else {
        format!("raci_{}", part.key())
    };
    site.config
        .ui
        .get(&key)
        .cloned()
        .unwrap_or_else(|| part.key().to_string())
}

/// What a page does in the rituals (or other pages) whose `raci` fields name it, in cohort
/// order (by `schedule`, then site order):
/// `[{ page: ref, field, part, label, short, schedule }]` (`schedule` is the source's label).
pub(super) fn raci_in(site: &Site, refs: &[Value], i: usize) -> Value {
    let mut out = Vec::new();
    for (key, sources) in &site.graph.incoming[i] {
        let (kind, fname) = key.split_once('.').unwrap_or((key, ""));
        let is_raci = site
            .config
            .kind(kind)
            .and_then(|k| k.field(fname))
            .is_some_and(|f| f.ty == crate::config::FieldType::Raci);
        if !is_raci {
            continue;
        }
        for &src in sources {
            let part = site.graph.fields[src].iter().find_map(|(n, v)| match v {
                FieldValue::Raci { targets, parts } if n == fname => {
                    targets.iter().position(|&t| t == i).map(|k| parts[k])
                }
                _ => None,
            });
            let Some(part) = part else { continue };
            let when = site.graph.fields[src].iter().find_map(|(_, v)| match v {
                FieldValue::Schedule(Some(s)) => Some(s.sort_key(site.config.playbook.cohort_days)),
                _ => None,
            });
            out.push((
                when.unwrap_or((i32::MAX, true)),
                obj([
                    ("page", refs[src].clone()),
                    ("field", fname.into()),
                    ("part", part.key().into()),
                    ("label", raci_label(site, part, false).into()),
                    ("short", raci_label(site, part, true).into()),
                    ("schedule", field(&refs[src], "schedule")),
                ]),
            ));
        }
    }
    // In cohort order, the unscheduled last (the sort is stable: site order among equals).
    out.sort_by_key(|(when, _)| *when);
    list(out.into_iter().map(|(_, v)| v))
}
