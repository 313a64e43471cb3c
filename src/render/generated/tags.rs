//! The tag pages: the index of tags (`tags/`) and one page per tag (`tags/<slug>/`).

use std::collections::BTreeMap;

use super::facts::Facts;
use super::{BaseCx, Job, list};
use crate::render::context::{Values, obj};
use crate::text::slug::slugify;

/// Every tag by its slug: the name first written, and its pages in reading order.
pub(super) type Tags = BTreeMap<String, (String, Vec<usize>)>;

pub(super) fn collect(f: &Facts<'_>) -> Tags {
    let mut tags: Tags = BTreeMap::new();
    for &i in &f.order {
        for t in &f.site.content.pages[i].meta.tags {
            tags.entry(slugify(t))
                .or_insert_with(|| (t.clone(), Vec::new()))
                .1
                .push(i);
        }
    }
    tags
}

/// The index and each tag's page; none for a site without tags.
pub(super) fn jobs(
    f: &Facts<'_>,
    tags: &Tags,
    values: &Values<'_>,
    base_cx: &BaseCx<'_>,
) -> Vec<Job> {
    let site = f.site;
    let mut jobs = Vec::new();
    let tag_url = |slug: &str| format!("{}tags/{slug}/", site.base);
    if !tags.is_empty() {
        let mut cx = base_cx(f.ui("tags"), format!("{}tags/", site.base));
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
        for (slug, (name, pages)) in tags {
            let mut cx = base_cx(format!("{}: {name}", f.ui("tags")), tag_url(slug));
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
    jobs
}
