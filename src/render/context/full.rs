//! The full `page` and `section` objects of docs/template-context.md, for the document being
//! rendered.

use tera::Value;
use tera::value::{Key, Map};

use crate::links::FieldValue;
use crate::render::shared::ancestors;

use super::refs::*;
use super::{Values, list, obj};

impl Values<'_> {
    /// The full `page` object of docs/template-context.md.
    pub(crate) fn page_full(&self, i: usize, body: &str) -> Value {
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
                    format!("{}tags/{}/", site.base, crate::text::slug::slugify(t)).into(),
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
                p.meta.description.as_deref().unwrap_or_default().into(),
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
            ("date", p.meta.date.as_deref().unwrap_or_default().into()),
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
    pub(crate) fn section_full(&self, i: usize, body: &str) -> Value {
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
