//! The role × ritual matrix page (`matrix/`).

use std::collections::BTreeMap;

use tera::Value;

use super::facts::Facts;
use super::{Job, MATRIX_ROWS, list};
use crate::playbook::RaciRole;
use crate::render::context::{Values, obj, raci_label};
use crate::site::Site;

/// One table per section holding rituals, and per block of at most [`MATRIX_ROWS`] rituals of a
/// section. With several tables (a large site) each has only the roles its rituals name, so the
/// page grows with the number of rituals, not with rituals × roles: a flat site of 3,000
/// rituals and 1,000 roles would otherwise be a 27 MB table.
pub(super) fn job(f: &Facts<'_>, values: &Values<'_>, base_cx: &super::BaseCx<'_>) -> Job {
    let site = f.site;
    let roles = &f.roles;
    let role_pos: BTreeMap<usize, usize> = roles.iter().enumerate().map(|(k, &r)| (r, k)).collect();
    let mut by_parent: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    for &r in &f.rituals {
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
        let row_links: Vec<Vec<usize>> = rs.iter().map(|&r| f.links_of(r, "roles")).collect();
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
            for (t, part) in f.parts_of(r) {
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
    let mut cx = base_cx(f.ui("matrix"), format!("{}matrix/", site.base));
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
    ("matrix.html".into(), "matrix/index.html".into(), cx)
}

/// A RACI part as `{ part, label, short }` (the matrix's cells and legend).
fn part_value(site: &Site, part: RaciRole) -> Value {
    obj([
        ("part", part.key().into()),
        ("label", raci_label(site, part, false).into()),
        ("short", raci_label(site, part, true).into()),
    ])
}
