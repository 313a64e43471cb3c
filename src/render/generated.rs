//! Pages and files no writer writes: the role × ritual matrix, the lifecycle timeline, the
//! ISOOC coverage view, tag pages, the 404 page, `previews.json` for hover previews,
//! `sitemap.xml`, `robots.txt`, the Atom feeds and the redirect pages of old URLs
//! ([`super::redirects`]). Each is computed from the resolved graph in one pass.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::{Context, Value};

use super::context::{Values, obj, raci_label, raci_value};
use super::{Engine, OutputFile};
use crate::content::slug::slugify;
use crate::diagnostics::Diagnostic;
use crate::links::FieldValue;
use crate::markdown::escape;
use crate::playbook::{RaciRole, Schedule};
use crate::site::Site;

/// Rituals in one table of the role × ritual matrix (see `render`).
pub const MATRIX_ROWS: usize = 50;

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::from(items.into_iter().collect::<Vec<Value>>())
}

/// Renders the generated pages whose templates the theme has, plus the plain files.
pub fn render(
    site: &Site,
    engine: &Engine,
    values: &Values<'_>,
    sidebar: &str,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let order = site.content.in_order();
    let of_kind = |k: &str| -> Vec<usize> {
        order
            .iter()
            .copied()
            .filter(|&i| site.content.pages[i].kind == k)
            .collect()
    };
    let rituals = of_kind("ritual");
    let roles = of_kind("role");
    let elements = of_kind("element");
    let stage_def = site
        .config
        .kind("ritual")
        .and_then(|k| k.field("stage"))
        .cloned();
    let stages: Vec<(String, String)> = stage_def
        .as_ref()
        .map(|d| {
            d.values
                .iter()
                .map(|v| (v.clone(), d.value_label(v).to_string()))
                .collect()
        })
        .unwrap_or_default();
    let links_of = |i: usize, name: &str| -> Vec<usize> {
        site.graph.fields[i]
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.targets().iter().copied())
            .collect()
    };
    let stage_of = |i: usize| -> Option<String> {
        site.graph.fields[i]
            .iter()
            .find_map(|(k, v)| match (k.as_str(), v) {
                ("stage", FieldValue::Enum(s)) => Some(s.clone()),
                _ => None,
            })
    };

    // What each role does in each ritual: a `raci` field's parts, a plain list's participants.
    // Of any kind: its first `raci` field, else a `roles` list.
    let parts_of = |i: usize| -> Vec<(usize, RaciRole)> {
        let fields = &site.graph.fields[i];
        let pick = fields
            .iter()
            .position(|(_, v)| matches!(v, FieldValue::Raci { .. }))
            .or_else(|| fields.iter().position(|(k, _)| k == "roles"));
        pick.into_iter()
            .map(|k| &fields[k])
            .flat_map(|(_, v)| match v {
                FieldValue::Raci { targets, parts } => {
                    targets.iter().copied().zip(parts.iter().copied()).collect()
                }
                other => other
                    .targets()
                    .iter()
                    .map(|&t| (t, RaciRole::Participant))
                    .collect::<Vec<_>>(),
            })
            .collect()
    };
    let schedule_of = |i: usize| -> Option<Schedule> {
        site.graph.fields[i].iter().find_map(|(_, v)| match v {
            FieldValue::Schedule(s) => *s,
            _ => None,
        })
    };
    let cohort = site.config.playbook.cohort_days;
    // Rituals by schedule, then weight, then site order (the sort is stable).
    let by_schedule = |list: &mut Vec<usize>| {
        list.sort_by_key(|&r| {
            (
                schedule_of(r).map_or((i32::MAX, true), |s| s.sort_key(cohort)),
                site.content.pages[r].meta.weight.unwrap_or(i64::MAX),
            )
        })
    };

    let mut jobs: Vec<(String, String, Context)> = Vec::new();
    let ui = |k: &str| site.config.ui.get(k).cloned().unwrap_or_default();
    let base_cx = |title: String, url: String| base_context(site, sidebar, title, url);

    // Role × ritual matrix: one table per section holding rituals, and per block of at most
    // `MATRIX_ROWS` rituals of a section. With several tables (a large site) each has only the
    // roles its rituals name, so the page grows with the number of rituals, not with rituals ×
    // roles: a flat site of 3,000 rituals and 1,000 roles would otherwise be a 27 MB table.
    let role_pos: BTreeMap<usize, usize> = roles.iter().enumerate().map(|(k, &r)| (r, k)).collect();
    let mut by_parent: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for &r in &rituals {
        let parent = site.content.pages[r].parent;
        match by_parent.last_mut() {
            Some((p, rs)) if *p == parent => rs.push(r),
            _ => by_parent.push((parent, vec![r])),
        }
    }
    // (section, rituals of the table, first position in the section, rituals in the section)
    let by_section: Vec<(Option<usize>, &[usize], usize, usize)> = by_parent
        .iter()
        .flat_map(|(parent, rs)| {
            rs.chunks(MATRIX_ROWS)
                .enumerate()
                .map(move |(k, c)| (*parent, c, k * MATRIX_ROWS, rs.len()))
        })
        .collect();
    let single = by_section.len() <= 1;
    let groups = list(by_section.iter().map(|&(parent, rs, first, total)| {
        let mut used = vec![single; roles.len()];
        let row_links: Vec<Vec<usize>> = rs.iter().map(|&r| links_of(r, "roles")).collect();
        for t in row_links.iter().flatten() {
            if let Some(&k) = role_pos.get(t) {
                used[k] = true;
            }
        }
        let cols: Vec<usize> = (0..roles.len()).filter(|&k| used[k]).collect();
        let col_of: BTreeMap<usize, usize> =
            cols.iter().enumerate().map(|(c, &k)| (k, c)).collect();
        let rows = list(rs.iter().map(|&r| {
            let mut marks = vec![false; cols.len()];
            let mut cells = vec![Value::none(); cols.len()];
            for (t, part) in parts_of(r) {
                if let Some(&c) = role_pos.get(&t).and_then(|k| col_of.get(k))
                    && !marks[c]
                {
                    marks[c] = true;
                    cells[c] = part_value(site, part);
                }
            }
            obj([
                ("ritual", values.refs[r].clone()),
                ("marks", Value::from(marks)),
                ("cells", Value::from(cells)),
            ])
        }));
        obj([
            (
                "section",
                parent
                    .filter(|_| !single)
                    .map_or_else(Value::none, |p| values.refs[p].clone()),
            ),
            ("first", (first + 1).into()),
            ("last", (first + rs.len()).into()),
            ("total", total.into()),
            (
                "roles",
                list(cols.iter().map(|&k| values.refs[roles[k]].clone())),
            ),
            ("rows", rows),
        ])
    }));
    let mut cx = base_cx(ui("matrix"), format!("{}matrix/", site.base));
    let legend = list(
        [
            RaciRole::Lead,
            RaciRole::Run,
            RaciRole::Support,
            RaciRole::Informed,
            RaciRole::Participant,
        ]
        .into_iter()
        .map(|p| part_value(site, p)),
    );
    cx.insert_value("matrix", obj([("groups", groups), ("legend", legend)]));
    jobs.push(("matrix.html".into(), "matrix/index.html".into(), cx));

    // Lifecycle: stage → rituals.
    let stage_list = list(stages.iter().map(|(v, l)| {
        let mut rs: Vec<usize> = rituals
            .iter()
            .copied()
            .filter(|&r| stage_of(r).as_deref() == Some(v.as_str()))
            .collect();
        by_schedule(&mut rs);
        obj([
            ("value", v.as_str().into()),
            ("label", l.as_str().into()),
            ("rituals", list(rs.iter().map(|&r| values.refs[r].clone()))),
        ])
    }));
    let mut cx = base_cx(ui("lifecycle"), format!("{}lifecycle/", site.base));
    cx.insert_value("stages", stage_list);
    jobs.push(("lifecycle.html".into(), "lifecycle/index.html".into(), cx));

    // The run sheet: the cohort day by day.
    // Every page with a `schedule`, rituals and custom kinds alike.
    let mut scheduled: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&r| schedule_of(r).is_some())
        .collect();
    by_schedule(&mut scheduled);
    let entries: Vec<(Schedule, Value)> = scheduled
        .iter()
        .map(|&r| {
            let sc = schedule_of(r).expect("filtered on a schedule");
            (sc, calendar_entry(site, values, r, sc, &parts_of(r)))
        })
        .collect();
    let mut cx = base_cx(ui("calendar"), format!("{}calendar/", site.base));
    cx.insert_value("calendar", calendar(site, cohort, &entries));
    jobs.push(("calendar.html".into(), "calendar/index.html".into(), cx));

    // Coverage: element × stage counts.
    let cov_rows = list(elements.iter().map(|&e| {
        let mine: Vec<usize> = rituals
            .iter()
            .copied()
            .filter(|&r| links_of(r, "element").contains(&e))
            .collect();
        let counts: Vec<usize> = stages
            .iter()
            .map(|(v, _)| {
                mine.iter()
                    .filter(|&&r| stage_of(r).as_deref() == Some(v.as_str()))
                    .count()
            })
            .collect();
        obj([
            ("element", values.refs[e].clone()),
            ("counts", Value::from(counts)),
            ("total", mine.len().into()),
        ])
    }));
    let mut cx = base_cx(ui("coverage"), format!("{}coverage/", site.base));
    cx.insert_value(
        "coverage",
        obj([
            (
                "stages",
                list(stages.iter().map(|(v, l)| {
                    obj([("value", v.as_str().into()), ("label", l.as_str().into())])
                })),
            ),
            ("rows", cov_rows),
        ]),
    );
    jobs.push(("coverage.html".into(), "coverage/index.html".into(), cx));

    // Tags.
    let mut tags: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
    for &i in &order {
        for t in &site.content.pages[i].meta.tags {
            tags.entry(slugify(t))
                .or_insert_with(|| (t.clone(), Vec::new()))
                .1
                .push(i);
        }
    }
    let tag_url = |slug: &str| format!("{}tags/{slug}/", site.base);
    if !tags.is_empty() {
        let mut cx = base_cx(ui("tags"), format!("{}tags/", site.base));
        cx.insert_value(
            "tags",
            list(tags.iter().map(|(slug, (name, pages))| {
                obj([
                    ("name", name.as_str().into()),
                    ("url", tag_url(slug).into()),
                    ("count", pages.len().into()),
                ])
            })),
        );
        jobs.push(("tags.html".into(), "tags/index.html".into(), cx));
        for (slug, (name, pages)) in &tags {
            let mut cx = base_cx(format!("{}: {name}", ui("tags")), tag_url(slug));
            cx.insert_value(
                "tag",
                obj([
                    ("name", name.as_str().into()),
                    ("url", tag_url(slug).into()),
                    ("pages", list(pages.iter().map(|&p| values.refs[p].clone()))),
                ]),
            );
            jobs.push(("tag.html".into(), format!("tags/{slug}/index.html"), cx));
        }
    }

    // The search page: runs the query in its URL (`search/?q=班长`); search.js does the work.
    if site.config.search {
        jobs.push((
            "search.html".into(),
            "search/index.html".into(),
            base_cx(ui("search"), format!("{}search/", site.base)),
        ));
    }

    jobs.extend(super::print::jobs(site, values, base_cx));

    jobs.push((
        "404.html".into(),
        "404.html".into(),
        base_cx(ui("not_found"), format!("{}404.html", site.base)),
    ));

    let (mut files, diags) = render_jobs(engine, jobs);

    files.push(previews(site, values));
    if site.config.offline {
        files.push(offline_previews(site, values));
    }
    files.push(sitemap(site, &tags));
    let (feeds, feed_warnings) = super::feeds::render(site, values);
    files.extend(feeds);
    // Crawlers read robots.txt only at the host's root: a site below a sub-path would put one
    // where nobody looks, and it is not its place to speak for the whole host.
    if !site.config.has_sub_path() {
        files.push(OutputFile {
            path: "robots.txt".into(),
            bytes: format!(
                "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
                site.config.base_url
            )
            .into_bytes(),
        });
    }
    let taken: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let (redirects, d) = super::redirects::render(site, &taken);
    files.extend(redirects);
    (
        files,
        diags.into_iter().chain(feed_warnings).chain(d).collect(),
    )
}

/// The context every generated page starts from: its sidebar, URL and a small `page`.
fn base_context(site: &Site, sidebar: &str, title: String, url: String) -> Context {
    let mut cx = Context::new();
    cx.insert_value("sidebar_html", Value::safe_string(sidebar));
    cx.insert("current_url", &url);
    // Generated pages belong to no section: they link the site's feed only.
    cx.insert_value("feeds", super::feed_links(site, site.content.root, &[]));
    let permalink = format!(
        "{}/{}",
        site.config.base_url,
        url.strip_prefix(site.base.as_str()).unwrap_or(&url)
    );
    cx.insert_value(
        "page",
        obj([
            ("title", title.into()),
            ("url", url.into()),
            ("permalink", permalink.into()),
            ("kind", "generated".into()),
        ]),
    );
    cx
}

/// Renders `(template, output path, context)` jobs whose template exists, in parallel.
fn render_jobs(
    engine: &Engine,
    jobs: Vec<(String, String, Context)>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .into_par_iter()
        .filter(|(tpl, _, _)| engine.has(tpl))
        .map(|(tpl, path, mut cx)| {
            // A generated page is one of the views the top bar links to: its site-wide
            // fragments see its own `current_url`.
            let fragments = super::fragments(engine, &cx);
            super::insert_fragments(&mut cx, &fragments)?;
            engine.render(&tpl, &cx).map(|html| OutputFile {
                path,
                bytes: html.into_bytes(),
            })
        })
        .collect();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// The print books alone (see [`super::print`]): they show every page's body, so the dev
/// server renders them again after an edit that leaves the other generated pages standing.
pub fn render_print(
    site: &Site,
    engine: &Engine,
    values: &Values<'_>,
    sidebar: &str,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let jobs = super::print::jobs(site, values, |title, url| {
        base_context(site, sidebar, title, url)
    });
    render_jobs(engine, jobs)
}

/// A RACI part as `{ part, label, short }` (the matrix's cells and legend).
fn part_value(site: &Site, part: RaciRole) -> Value {
    obj([
        ("part", part.key().into()),
        ("label", raci_label(site, part, false).into()),
        ("short", raci_label(site, part, true).into()),
    ])
}

/// One ritual on the run sheet: `{ ritual, code, label, recurring, roles, duration }`, where
/// `roles` lists `{ part, label, short, pages }` by part.
fn calendar_entry(
    site: &Site,
    values: &Values<'_>,
    r: usize,
    sc: Schedule,
    parts: &[(usize, RaciRole)],
) -> Value {
    let zh = site.config.language == crate::config::Language::ZhCn;
    let (targets, parts): (Vec<usize>, Vec<RaciRole>) = parts.iter().copied().unzip();
    let roles = raci_value(site, &values.refs, &targets, &parts);
    let duration = site.graph.fields[r]
        .iter()
        .find_map(|(n, v)| match v {
            FieldValue::Str(d) if n == "duration" => Some(d.clone()),
            _ => None,
        })
        .unwrap_or_default();
    obj([
        ("ritual", values.refs[r].clone()),
        ("code", sc.code().into()),
        ("label", sc.label(zh).into()),
        ("recurring", sc.is_recurring().into()),
        ("roles", roles),
        ("duration", duration.into()),
    ])
}

/// The run sheet's `calendar`: `{ cohort_days, entries, weeks }`. `weeks` are the days that
/// have something, D0 taken as a Monday, grouped as 开营前 (before D0), 第 N 周 (D0–D6 is the
/// first) and 结营后 (after D`cohort_days`): `[{ key, label, days: [{ day, label, entries }] }]`.
fn calendar(site: &Site, cohort: i32, entries: &[(Schedule, Value)]) -> Value {
    let ui = |k: &str| site.config.ui.get(k).cloned().unwrap_or_default();
    let mut by_day: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
    for (sc, entry) in entries {
        for day in sc.days(cohort, 0) {
            by_day.entry(day).or_default().push(entry.clone());
        }
    }
    let week_of = |day: i32| -> (i32, String, String) {
        if day < 0 {
            (i32::MIN, "before".into(), ui("before_start"))
        } else if day > cohort {
            (i32::MAX, "after".into(), ui("after_end"))
        } else {
            let n = day / 7 + 1;
            (
                n,
                format!("w{n}"),
                ui("week_n").replace("{n}", &n.to_string()),
            )
        }
    };
    let mut weeks: Vec<(i32, String, String, Vec<Value>)> = Vec::new();
    for (day, list_of) in by_day {
        let (n, key, label) = week_of(day);
        let d = obj([
            ("day", day.into()),
            ("label", ui("day_n").replace("{n}", &day.to_string()).into()),
            ("entries", list(list_of)),
        ]);
        match weeks.last_mut() {
            Some(w) if w.0 == n => w.3.push(d),
            _ => weeks.push((n, key, label, vec![d])),
        }
    }
    obj([
        ("cohort_days", cohort.into()),
        ("entries", list(entries.iter().map(|(_, e)| e.clone()))),
        (
            "weeks",
            list(weeks.into_iter().map(|(_, key, label, days)| {
                obj([
                    ("key", key.into()),
                    ("label", label.into()),
                    ("days", list(days)),
                ])
            })),
        ),
    ])
}

/// Title, kind and summary of every page, keyed by URL, for hover previews.
///
/// Written straight out rather than through a `serde_json` map: with 10,000 pages the map's
/// tree and the 40,000 small strings put into it cost more than the rest of the generated
/// files. The bytes are the same: keys sorted, the last page of a URL winning, and each
/// entry's own keys in the order `k`, `s`, `t` that the map would sort them into.
fn previews(site: &Site, values: &Values<'_>) -> OutputFile {
    let mut order: Vec<(String, usize)> = values
        .refs
        .iter()
        .enumerate()
        .map(|(i, r)| (text(r, "url"), i))
        .collect();
    order.sort();
    // Of pages sharing a URL, the map kept the last one inserted.
    order.reverse();
    order.dedup_by(|later, earlier| later.0 == earlier.0);
    order.reverse();
    let mut out = Vec::with_capacity(site.content.pages.len() * 160);
    out.push(b'{');
    for (k, (url, i)) in order.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let r = &values.refs[*i];
        json_str(&mut out, url);
        for (sep, key) in [
            (&b":{\"k\":"[..], "kind_label"),
            (b",\"s\":", "summary"),
            (b",\"t\":", "title"),
        ] {
            out.extend_from_slice(sep);
            json_str(&mut out, &text(r, key));
        }
        out.push(b'}');
    }
    out.push(b'}');
    OutputFile {
        path: "previews.json".into(),
        bytes: out,
    }
}

/// A ref's field as the text a template would print (empty when missing).
fn text(r: &Value, key: &str) -> String {
    match r.get_from_path(key) {
        Some(v) => v.as_str().map_or_else(|| v.to_string(), str::to_string),
        None => String::new(),
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// The previews of an offline build as a classic script (file:// pages cannot fetch JSON), keyed
/// by the path below the site root, which is all a page opened from disk can compute.
fn offline_previews(site: &Site, values: &Values<'_>) -> OutputFile {
    let json = previews(site, values).bytes;
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&json).unwrap_or_default();
    let relative: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| (k.strip_prefix(&site.base).unwrap_or(&k).to_string(), v))
        .collect();
    OutputFile {
        path: "previews.js".into(),
        bytes: format!(
            "window.qunceSetPreviews&&qunceSetPreviews({});\n",
            serde_json::Value::Object(relative)
        )
        .into_bytes(),
    }
}

/// `s` as XML character data or attribute text: the five special characters escaped, and the
/// characters XML 1.0 forbids in a document (C0 controls other than tab and line breaks,
/// U+FFFE, U+FFFF) left out, so no value (a base URL, a title in a feed) makes a file no
/// parser reads.
pub fn escape_xml(s: &str) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if s.chars().all(allowed) {
        return escape(s);
    }
    escape(&s.chars().filter(|&c| allowed(c)).collect::<String>())
}

fn sitemap(site: &Site, tags: &BTreeMap<String, (String, Vec<usize>)>) -> OutputFile {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let base = &site.config.base_url;
    let mut push = |path: &str, date: Option<&str>| {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_xml(&format!("{base}/{path}")));
        xml.push_str("</loc>");
        // Front matter dates are checked when read; the day is what a sitemap needs, and a
        // time without an offset (which TOML allows) is not a W3C datetime.
        if let Some(day) = date.and_then(|d| d.get(..10)) {
            xml.push_str("<lastmod>");
            xml.push_str(&escape_xml(day));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    for i in site.content.in_order() {
        let p = &site.content.pages[i];
        push(&p.url, p.meta.date.as_deref());
    }
    for extra in ["matrix/", "lifecycle/", "calendar/", "coverage/"] {
        push(extra, None);
    }
    for slug in tags.keys() {
        push(&format!("tags/{slug}/"), None);
    }
    xml.push_str("</urlset>\n");
    OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    }
}
