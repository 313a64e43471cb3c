//! The two views by ritual stage: the lifecycle page (`lifecycle/`, stage → rituals) and the
//! coverage page (`coverage/`, element × stage counts).

use tera::Value;

use super::facts::Facts;
use super::{BaseCx, Job, list};
use crate::render::context::{Values, obj};

pub(super) fn lifecycle(f: &Facts<'_>, values: &Values<'_>, base_cx: &BaseCx<'_>) -> Job {
    let stage_list = list(f.stages.iter().map(|(v, l)| {
        let mut rs: Vec<usize> = f
            .rituals
            .iter()
            .copied()
            .filter(|&r| f.stage_of(r).as_deref() == Some(v.as_str()))
            .collect();
        f.by_schedule(&mut rs);
        obj([
            ("value", v.as_str().into()),
            ("label", l.as_str().into()),
            ("rituals", list(rs.iter().map(|&r| values.refs[r].clone()))),
        ])
    }));
    let mut cx = base_cx(f.ui("lifecycle"), format!("{}lifecycle/", f.site.base));
    cx.insert_value("stages", stage_list);
    ("lifecycle.html".into(), "lifecycle/index.html".into(), cx)
}

pub(super) fn coverage(f: &Facts<'_>, values: &Values<'_>, base_cx: &BaseCx<'_>) -> Job {
    let cov_rows = list(f.elements.iter().map(|&e| {
        let mine: Vec<usize> = f
            .rituals
            .iter()
            .copied()
            .filter(|&r| f.links_of(r, "element").contains(&e))
            .collect();
        let counts: Vec<usize> = f
            .stages
            .iter()
            .map(|(v, _)| {
                mine.iter()
                    .filter(|&&r| f.stage_of(r).as_deref() == Some(v.as_str()))
                    .count()
            })
            .collect();
        obj([
            ("element", values.refs[e].clone()),
            ("counts", Value::from(counts)),
            ("total", mine.len().into()),
        ])
    }));
    let mut cx = base_cx(f.ui("coverage"), format!("{}coverage/", f.site.base));
    cx.insert_value(
        "coverage",
        obj([
            (
                "stages",
                list(f.stages.iter().map(|(v, l)| {
                    obj([("value", v.as_str().into()), ("label", l.as_str().into())])
                })),
            ),
            ("rows", cov_rows),
        ]),
    );
    ("coverage.html".into(), "coverage/index.html".into(), cx)
}
