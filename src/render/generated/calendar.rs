//! The run sheet (`calendar/`): the cohort day by day, every page with a `schedule`.

use std::collections::BTreeMap;

use tera::Value;

use super::facts::Facts;
use super::{BaseCx, Job, list};
use crate::links::FieldValue;
use crate::playbook::{RaciRole, Schedule};
use crate::render::context::{Values, obj, raci_value};
use crate::site::Site;

/// Rituals and custom kinds alike, in schedule order.
pub(super) fn job(f: &Facts<'_>, values: &Values<'_>, base_cx: &BaseCx<'_>) -> Job {
    let site = f.site;
    let mut scheduled: Vec<usize> = f
        .order
        .iter()
        .copied()
        .filter(|&r| f.schedule_of(r).is_some())
        .collect();
    f.by_schedule(&mut scheduled);
    let entries: Vec<(Schedule, Value)> = scheduled
        .iter()
        .map(|&r| {
            let sc = f.schedule_of(r).expect("filtered on a schedule");
            (sc, calendar_entry(site, values, r, sc, &f.parts_of(r)))
        })
        .collect();
    let mut cx = base_cx(f.ui("calendar"), format!("{}calendar/", site.base));
    let cohort = site.config.playbook.cohort_days;
    cx.insert_value("calendar", calendar(site, cohort, &entries));
    ("calendar.html".into(), "calendar/index.html".into(), cx)
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
