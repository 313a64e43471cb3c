//! The template context (documented in docs/template-context.md). Page refs are built once per
//! build and shared: Tera 2 values are `Arc`-backed, so putting a ref in a hundred lists costs a
//! hundred pointer copies, not a hundred deep copies.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::value::{Key, Map};

use tera::{Kwargs, State, TeraResult, Value};

use super::Engine;
use super::shared::{Shared, ancestors};
use crate::content::SECTION_KIND;
use crate::links::FieldValue;
use crate::markdown::Heading;
use crate::playbook::RaciRole;
use crate::site::Site;

/// Builds a Tera map from pairs.
pub fn obj<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    // Static keys: no key is allocated, and every page builds a few dozen of these maps.
    pairs
        .into_iter()
        .map(|(k, v)| (Key::from(k), v))
        .collect::<tera::value::Map>()
        .into()
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::from(items.into_iter().collect::<Vec<Value>>())
}

/// Precomputed values shared by all templates of one build.
pub struct Values<'a> {
    site: &'a Site,
    pub refs: Vec<Value>,
    /// Refs without reverse relations (what those relations list).
    pub plain: Vec<Value>,
    urls: std::sync::Arc<Vec<String>>,
    data: std::sync::Arc<SiteData>,
    shared: Shared,
}

/// The parts of [`Values`] that depend on the site's layout only (URLs, lookup tables), kept
/// by the dev server across edits that change page bodies alone.
#[derive(Clone)]
pub struct Tables {
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
    pub fn new(site: &'a Site) -> Values<'a> {
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
    pub fn tables(&self) -> Tables {
        Tables {
            urls: self.urls.clone(),
            data: self.data.clone(),
        }
    }

    /// The values of `site` given the page refs and tables of an earlier build of the same
    /// layout, of which only the refs of pages `changed` (and of the pages showing their
    /// reverse relations) are computed again; also returns the pages whose ref differs. For
    /// the dev server: a body edit should not recompute 10,000 refs.
    pub fn reusing(
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
    pub fn url(&self, i: usize) -> String {
        self.urls[i].clone()
    }

    pub fn section_ref(&self, i: usize) -> Value {
        self.refs[i].clone()
    }

    /// The template a document renders with (see the table in docs/template-context.md).
    pub fn template_for(&self, engine: &Engine, i: usize) -> String {
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

/// Registers the global context (site, kinds, sections, and the lookup tables of the template
/// functions) on the engine. Returns `sections`, which the dev server compares between builds.
///
/// `known_sections` is an earlier build's `sections` when the dev server knows it still holds.
/// What tells this handbook from others a browser has opened, for keys of what the theme keeps
/// in the browser (checklist ticks): the base URL, and for an offline build (opened from disk,
/// where every handbook shares one origin and often the default base URL) a short hash of the
/// base URL and the title.
fn site_id(cfg: &crate::config::Config) -> String {
    if !cfg.offline {
        return cfg.base_url.clone();
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in cfg.base_url.bytes().chain([0]).chain(cfg.title.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("offline-{:012x}", h & 0xffff_ffff_ffff)
}

pub fn install(
    engine: &mut Engine,
    site: &Site,
    values: &Values<'_>,
    known_sections: Option<Value>,
) -> Value {
    let cfg = &site.config;
    let mut ui: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in &cfg.ui {
        ui.insert(k.clone(), Value::from(v.as_str()));
    }
    let site_val = obj([
        ("title", cfg.title.as_str().into()),
        ("description", cfg.description.as_str().into()),
        ("language", cfg.language.code().into()),
        ("base_url", cfg.base_url.as_str().into()),
        ("root", site.base.as_str().into()),
        ("ui", ui.into()),
        ("extra", Value::from_serializable(&cfg.extra)),
        ("build_id", site.build_id.as_str().into()),
        ("search", cfg.search.into()),
        ("print", super::print::enabled(site).into()),
        (
            "placeholders",
            list(cfg.placeholders.iter().map(|p| {
                obj([
                    ("name", p.name.as_str().into()),
                    ("label", p.label.as_str().into()),
                    ("default", p.default.as_str().into()),
                    ("help", p.help.as_str().into()),
                    ("from", p.from.as_str().into()),
                ])
            })),
        ),
        (
            "playbook",
            obj([("cohort_days", cfg.playbook.cohort_days.into())]),
        ),
        ("id", site_id(cfg).into()),
    ]);
    let kinds: BTreeMap<String, Value> = cfg
        .kinds
        .iter()
        .map(|k| {
            (
                k.name.clone(),
                obj([
                    ("name", k.name.as_str().into()),
                    ("label", k.label.as_str().into()),
                ]),
            )
        })
        .collect();
    let root = &site.content.pages[site.content.root];
    let sections = known_sections.unwrap_or_else(|| {
        list(
            root.section
                .as_ref()
                .map(|s| s.subsections.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|i| sidebar_section(site, values, i)),
        )
    });
    let g = engine.tera.global_context();
    g.insert_value("site", site_val);
    g.insert_value("kinds", kinds.into());
    g.insert_value("sections", sections.clone());

    let pages: BTreeMap<String, Value> = values
        .data
        .by_rel
        .iter()
        .map(|(rel, &i)| (rel.clone(), values.refs[i].clone()))
        .collect();
    g.insert_value("__pages", pages.into());
    let kinds_pages: BTreeMap<String, Value> = values
        .data
        .by_kind
        .iter()
        .map(|(k, ids)| (k.clone(), list(ids.iter().map(|&i| values.refs[i].clone()))))
        .collect();
    g.insert_value("__kinds", kinds_pages.into());
    sections
}

/// Registers qunce's template functions. They are stateless: the data they look things up in
/// lives in the global context of each build (`site.root`, `__pages`, `__kinds`), so the
/// compiled templates can outlive one build.
pub fn register_functions(tera: &mut tera::Tera) {
    fn global(state: &State, name: &str) -> TeraResult<Value> {
        Ok(state.get::<Value>(name)?.unwrap_or_else(Value::none))
    }
    fn map_get(v: &Value, key: &str) -> Option<Value> {
        v.as_map()
            .and_then(|m| m.get(&tera::value::Key::from(key.to_string())).cloned())
    }
    // Tera's own `range`, counted against the page's render budget.
    tera.register_function("range", super::budget::range);
    tera.register_function(
        "url",
        |kwargs: Kwargs, state: &State| -> TeraResult<String> {
            let path: String = kwargs.must_get("path")?;
            let site = global(state, "site")?;
            let root = map_get(&site, "root")
                .and_then(|r| r.as_str().map(str::to_string))
                .unwrap_or_else(|| "/".into());
            Ok(format!("{root}{}", path.trim_start_matches('/')))
        },
    );
    tera.register_function(
        "get_page",
        |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
            let path: String = kwargs.must_get("path")?;
            map_get(&global(state, "__pages")?, path.trim_start_matches('/'))
                .ok_or_else(|| tera::Error::message(format!("get_page: no page at content/{path}")))
        },
    );
    tera.register_function(
        "pages_of_kind",
        |kwargs: Kwargs, state: &State| -> TeraResult<Value> {
            let kind: String = kwargs.must_get("kind")?;
            Ok(map_get(&global(state, "__kinds")?, &kind)
                .unwrap_or_else(|| Value::from(Vec::<Value>::new())))
        },
    );
}

/// How many pages of a section the sidebar lists; the rest are reached from the section page,
/// so no page's size grows with its section's.
pub const SIDEBAR_PAGES: usize = 100;

fn sidebar_section(site: &Site, values: &Values<'_>, i: usize) -> Value {
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
fn toc_value(headings: &[Heading]) -> Value {
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

pub(super) fn field(v: &Value, key: &str) -> Value {
    v.get_from_path(key).cloned().unwrap_or_else(Value::none)
}

pub(super) fn kind_label(site: &Site, kind: &str) -> String {
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

fn page_ref(site: &Site, i: usize, url: &str) -> Value {
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
pub(super) fn raci_value(
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
pub(super) fn raci_label(site: &Site, part: RaciRole, short: bool) -> String {
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
fn raci_in(site: &Site, refs: &[Value], i: usize) -> Value {
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

impl Values<'_> {
    /// The full `page` object of docs/template-context.md.
    pub fn page_full(&self, i: usize, body: &str) -> Value {
        let site = self.site;
        let p = &site.content.pages[i];
        let scan = &site.scans[i];
        let refs = |ids: &[usize]| list(ids.iter().map(|&j| self.refs[j].clone()));
        let kind = site.config.kind(&p.kind);
        let shared = &self.shared;
        let zh = site.config.language == crate::config::Language::ZhCn;

        // Maps are built as Tera maps directly: a `BTreeMap` on the way would be one more map
        // and one more copy of every key per page.
        let page_fields = &site.graph.fields[i];
        let mut fields = Map::with_capacity(page_fields.len());
        // Tera's maps iterate in a per-process random order; `field_list` is the same fields
        // in the kind's declared order, so a theme that loops over them is byte-identical from
        // one build to the next.
        let mut field_list: Vec<(usize, Value)> = Vec::with_capacity(page_fields.len());
        let field_labels = shared
            .kinds
            .get(&p.kind)
            .map_or_else(|| Map::new().into(), |(_, labels)| labels.clone());
        for (name, v) in page_fields {
            let def = kind.and_then(|k| k.field(name));
            let val = match v {
                FieldValue::Str(s) => s.as_str().into(),
                FieldValue::Int(n) => (*n).into(),
                FieldValue::Bool(b) => (*b).into(),
                FieldValue::List(l) => list(l.iter().map(|s| Value::from(s.as_str()))),
                FieldValue::Enum(s) => obj([
                    ("value", s.as_str().into()),
                    ("label", def.map_or(s.as_str(), |d| d.value_label(s)).into()),
                ]),
                FieldValue::Link(t) => t.map_or_else(Value::none, |t| self.refs[t].clone()),
                FieldValue::Links(ts) => refs(ts),
                FieldValue::Schedule(None) => continue,
                FieldValue::Schedule(Some(sc)) => obj([
                    ("value", sc.code().into()),
                    ("label", sc.label(zh).into()),
                    ("recurring", sc.is_recurring().into()),
                ]),
                FieldValue::Raci { targets, parts } => raci_value(site, &self.refs, targets, parts),
            };
            let order = kind
                .and_then(|k| k.fields.iter().position(|f| &f.name == name))
                .unwrap_or(usize::MAX);
            field_list.push((
                order,
                obj([
                    ("name", name.as_str().into()),
                    (
                        "label",
                        def.map_or(name.as_str(), |d| d.label.as_str()).into(),
                    ),
                    ("value", val.clone()),
                ]),
            ));
            fields.insert(Key::from(name.clone()), val);
        }
        // Stable: fields the kind does not declare keep their front-matter order, last.
        field_list.sort_by_key(|(order, _)| *order);

        let page_incoming = &site.graph.incoming[i];
        let mut incoming = Map::with_capacity(page_incoming.len());
        let mut relations = Vec::with_capacity(page_incoming.len());
        for (key, sources) in page_incoming {
            let pages = refs(sources);
            incoming.insert(Key::from(key.clone()), pages.clone());
            let [key, kind, kind_label, field, field_label] = shared.relation(site, key);
            relations.push(obj([
                ("key", key),
                ("kind", kind),
                ("kind_label", kind_label),
                ("field", field),
                ("field_label", field_label),
                ("pages", pages),
            ]));
        }

        let backlinks = &site.graph.backlinks[i];
        let mut by_kind: Vec<(&str, Vec<usize>)> = Vec::new();
        for &b in backlinks {
            let k = site.content.pages[b].kind.as_str();
            match by_kind.iter_mut().find(|(kk, _)| *kk == k) {
                Some((_, v)) => v.push(b),
                None => by_kind.push((k, vec![b])),
            }
        }
        let backlinks_by_kind = list(by_kind.iter().map(|(k, v)| {
            obj([
                ("kind", (*k).into()),
                ("kind_label", shared.kind_label(site, k)),
                ("pages", refs(v)),
            ])
        }));

        let ancestors = p.parent.map_or_else(
            || list([]),
            |a| {
                shared
                    .ancestors
                    .get(&a)
                    .cloned()
                    .unwrap_or_else(|| ancestors(site, &self.refs, a))
            },
        );

        let (prev, next) = match p
            .parent
            .and_then(|s| site.content.pages[s].section.as_ref())
        {
            Some(sec) if !p.is_section() => {
                let pos = Some(site.positions[i]).filter(|&k| sec.pages.get(k) == Some(&i));
                let prev = pos.and_then(|k| k.checked_sub(1)).map(|k| sec.pages[k]);
                let next = pos.and_then(|k| sec.pages.get(k + 1).copied());
                (prev, next)
            }
            _ => (None, None),
        };
        let opt = |x: Option<usize>| x.map_or_else(Value::none, |j| self.refs[j].clone());
        let tags = list(p.meta.tags.iter().map(|t| {
            obj([
                ("name", t.as_str().into()),
                (
                    "url",
                    format!("{}tags/{}/", site.base, crate::content::slug::slugify(t)).into(),
                ),
            ])
        }));
        let checklist = if scan.tasks > 0 {
            obj([
                ("items", scan.tasks.into()),
                ("done_by_default", scan.tasks_done.into()),
            ])
        } else {
            Value::none()
        };
        let r = &self.refs[i];
        obj([
            ("title", p.title.as_str().into()),
            (
                "description",
                p.meta.description.clone().unwrap_or_default().into(),
            ),
            ("kind", p.kind.as_str().into()),
            ("kind_label", field(r, "kind_label")),
            ("slug", p.slug.as_str().into()),
            ("url", self.urls[i].as_str().into()),
            (
                "permalink",
                format!("{}/{}", site.config.base_url, p.url).into(),
            ),
            ("path", p.rel.as_str().into()),
            ("date", p.meta.date.clone().unwrap_or_default().into()),
            ("updated", site.updated[i].as_str().into()),
            ("weight", p.meta.weight.unwrap_or(0).into()),
            ("draft", p.meta.draft.into()),
            (
                "aliases",
                list(p.meta.aliases.iter().map(|a| Value::from(a.as_str()))),
            ),
            ("tags", tags),
            ("summary", field(r, "summary")),
            ("word_count", scan.word_count.into()),
            (
                "reading_minutes",
                scan.word_count.div_ceil(400).max(1).into(),
            ),
            ("content", Value::safe_string(body)),
            ("toc", toc_value(&scan.headings)),
            ("fields", fields.into()),
            ("field_list", list(field_list.into_iter().map(|(_, v)| v))),
            ("field_labels", field_labels),
            ("incoming", incoming.into()),
            ("relations", list(relations)),
            ("backlinks", refs(backlinks)),
            ("backlinks_by_kind", backlinks_by_kind),
            ("ancestors", ancestors),
            (
                "section",
                p.parent.map_or_else(Value::none, |s| self.refs[s].clone()),
            ),
            ("prev", opt(prev)),
            ("next", opt(next)),
            ("checklist", checklist),
            ("stage", field(r, "stage")),
            ("schedule", field(r, "schedule")),
            ("raci_in", raci_in(site, &self.refs, i)),
        ])
    }

    /// The full `section` object of docs/template-context.md.
    pub fn section_full(&self, i: usize, body: &str) -> Value {
        let site = self.site;
        let p = &site.content.pages[i];
        let sec = p.section.as_ref().expect("section");
        let r = &self.refs[i];
        let sub = list(sec.subsections.iter().map(|&s| {
            let ss = site.content.pages[s].section.as_ref().expect("section");
            let rs = &self.refs[s];
            obj([
                ("title", field(rs, "title")),
                ("url", field(rs, "url")),
                ("slug", field(rs, "slug")),
                ("summary", field(rs, "summary")),
                (
                    "pages",
                    list(ss.pages.iter().map(|&x| self.refs[x].clone())),
                ),
            ])
        }));
        obj([
            ("title", p.title.as_str().into()),
            ("url", self.urls[i].as_str().into()),
            ("slug", p.slug.as_str().into()),
            ("path", p.rel.as_str().into()),
            (
                "description",
                p.meta.description.clone().unwrap_or_default().into(),
            ),
            ("summary", field(r, "summary")),
            ("content", Value::safe_string(body)),
            ("weight", p.meta.weight.unwrap_or(0).into()),
            (
                "pages",
                list(sec.pages.iter().map(|&x| self.refs[x].clone())),
            ),
            ("subsections", sub),
        ])
    }
}
