//! What every template of a build sees: the global context (site, kinds, sections) and
//! qunce's template functions.

use std::collections::BTreeMap;

use tera::{Kwargs, State, TeraResult, Value};

use crate::render::Engine;
use crate::site::Site;

use super::refs::sidebar_section;
use super::{Values, list, obj};
use crate::render::{budget, print};

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

/// Registers the global context (site, kinds, sections, and the lookup tables of the template
/// functions) on the engine. Returns `sections`, which the dev server compares between builds.
///
/// `known_sections` is an earlier build's `sections` when the dev server knows it still holds.
pub(crate) fn install(
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
        // The tags pages are written only when a page has tags: links to them need this.
        (
            "has_tags",
            site.content
                .pages
                .iter()
                .any(|p| !p.meta.tags.is_empty())
                .into(),
        ),
        ("print", print::enabled(site).into()),
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
pub(crate) fn register_functions(tera: &mut tera::Tera) {
    fn global(state: &State, name: &str) -> TeraResult<Value> {
        Ok(state.get::<Value>(name)?.unwrap_or_else(Value::none))
    }
    fn map_get(v: &Value, key: &str) -> Option<Value> {
        v.as_map()
            .and_then(|m| m.get(&tera::value::Key::from(key.to_string())).cloned())
    }
    // Tera's own `range`, counted against the page's render budget.
    tera.register_function("range", budget::range);
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
