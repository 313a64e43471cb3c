//! Pages arranged into sections: section pages from folders and `_index.md`, the reading order
//! (by schedule, weight and natural name order), and every page's URL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::frontmatter::FrontMatter;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::text::slug;

use super::{Content, Page, SECTION_KIND, SectionData, folder_title, natural, rel_path};

/// Builds the section tree, computes URLs and reading order, and reports URL collisions.
pub(super) fn arrange(
    config: &Config,
    content: &mut Content,
    content_dir: &Path,
    dirs: &[PathBuf],
    diags: &mut Vec<Diagnostic>,
) {
    // Every folder is a section even without _index.md, so pages are never orphaned from the
    // tree; a synthesized section has no file and takes its title from the folder name.
    let mut section_of_dir: HashMap<String, usize> = HashMap::new();
    for (i, p) in content.pages.iter().enumerate() {
        if let Some(s) = &p.section {
            section_of_dir.insert(s.dir.clone(), i);
        }
    }
    let mut dir_list: Vec<String> = dirs.iter().map(|d| rel_path(content_dir, d)).collect();
    dir_list.sort_by_key(|d| d.matches('/').count());
    if !section_of_dir.contains_key("") {
        dir_list.insert(0, String::new());
    }
    for dir in dir_list {
        if section_of_dir.contains_key(&dir) {
            continue;
        }
        let name = dir.rsplit('/').next().unwrap_or("").to_string();
        let title = if dir.is_empty() {
            config.title.clone()
        } else {
            folder_title(&name)
        };
        content.pages.push(Page {
            file: String::new(),
            rel: if dir.is_empty() {
                "_index.md".into()
            } else {
                format!("{dir}/_index.md")
            },
            source: String::new(),
            body_start: 0,
            meta: FrontMatter::default(),
            title,
            kind: SECTION_KIND.to_string(),
            slug: slug::slugify(&name),
            url: String::new(),
            parent: None,
            section: Some(SectionData {
                dir: dir.clone(),
                ..Default::default()
            }),
            title_heading: None,
        });
        section_of_dir.insert(dir, content.pages.len() - 1);
    }
    content.root = section_of_dir[""];

    // Parents: a page's parent is its folder's section; a section's is the folder above.
    for i in 0..content.pages.len() {
        let p = &content.pages[i];
        let parent = match &p.section {
            Some(s) if s.dir.is_empty() => None,
            Some(s) => Some(parent_dir(&s.dir)),
            None => Some(parent_dir(&p.rel)),
        }
        .map(|d| section_of_dir[d]);
        content.pages[i].parent = parent;
        if let Some(par) = parent {
            let is_section = content.pages[i].section.is_some();
            let sec = content.pages[par]
                .section
                .as_mut()
                .expect("parent is a section");
            if is_section {
                sec.subsections.push(i);
            } else {
                sec.pages.push(i);
            }
        }
    }

    // Reading order: weight first (unweighted last), then title and file name. The lists are taken out of
    // their sections to be sorted (in parallel) by keys borrowed from the pages.
    let mut lists: Vec<(usize, Vec<usize>, Vec<usize>)> = content
        .pages
        .iter_mut()
        .enumerate()
        .filter_map(|(i, p)| {
            let s = p.section.as_mut()?;
            Some((
                i,
                std::mem::take(&mut s.pages),
                std::mem::take(&mut s.subsections),
            ))
        })
        .collect();
    // Equal weights fall back to the title, then the file name, both in natural order (第 2 期
    // before 第 10 期): the sidebar, section lists and the matrix all follow this order.
    let pages = &content.pages;
    // Pages with a `schedule` come in cohort order, before the pages without one.
    let when: Vec<(i32, bool)> = pages.par_iter().map(|p| schedule_key(config, p)).collect();
    let order = |a: &usize, b: &usize| {
        let (p, q) = (&pages[*a], &pages[*b]);
        let weight = |p: &Page| p.meta.weight.unwrap_or(i64::MAX);
        when[*a]
            .cmp(&when[*b])
            .then_with(|| weight(p).cmp(&weight(q)))
            .then_with(|| natural::cmp(&p.title, &q.title))
            .then_with(|| natural::cmp(&p.rel, &q.rel))
    };
    lists.par_iter_mut().for_each(|(_, pages, subsections)| {
        pages.sort_by(order);
        subsections.sort_by(order);
    });
    for (i, pages, subsections) in lists {
        let s = content.pages[i].section.as_mut().expect("a section");
        s.pages = pages;
        s.subsections = subsections;
    }

    // URLs top-down, so each section's URL is known before its children's.
    let mut stack = vec![content.root];
    while let Some(s) = stack.pop() {
        let base = content.pages[s].url.clone();
        let sec = content.pages[s].section.clone().expect("section");
        for &c in sec.pages.iter().chain(sec.subsections.iter()) {
            let page = &mut content.pages[c];
            page.url = if page.slug.is_empty() {
                base.clone()
            } else {
                let mut url = String::with_capacity(base.len() + page.slug.len() + 1);
                url.push_str(&base);
                url.push_str(&page.slug);
                url.push('/');
                url
            };
        }
        stack.extend(sec.subsections.iter().copied());
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, p) in content.pages.iter().enumerate() {
        if let Some(&first) = seen.get(p.url.as_str()) {
            let other = &content.pages[first];
            diags.push(
                Diagnostic::error(
                    "url-collision",
                    format!(
                        "`{}` and `{}` would both be written to /{}",
                        other.file_name(),
                        p.file_name(),
                        p.url
                    ),
                )
                // Report at a real file: a synthesized section (a folder without _index.md)
                // has none.
                .at(&if p.file.is_empty() { other } else { p }.src(), 0)
                .with_help("give one of them a different `slug = \"...\"` in its front matter"),
            );
        } else {
            seen.insert(&p.url, i);
        }
    }
}

/// Where a page falls in a cohort, by the first `schedule`-typed field of its kind that it
/// sets; `(i32::MAX, true)` without one.
fn schedule_key(config: &Config, p: &Page) -> (i32, bool) {
    let none = (i32::MAX, true);
    let Some(kind) = config.kind(&p.kind) else {
        return none;
    };
    p.meta
        .fields
        .iter()
        .filter(|(k, _)| {
            kind.field(k)
                .is_some_and(|f| f.ty == crate::config::FieldType::Schedule)
        })
        .find_map(|(_, v)| v.value.as_str().and_then(crate::playbook::Schedule::parse))
        .map_or(none, |s| s.sort_key(config.playbook.cohort_days))
}

fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}
