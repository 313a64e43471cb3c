//! Warnings about the handbook's shape once the graph is known: orphans, unused roles,
//! rituals without roles, elements without rituals, names that two pages share.

use crate::content::Content;
use crate::diagnostics::Diagnostic;

use super::Graph;
use super::fields::all_blank;
use super::names::display_file;

/// The error at the cause of an ambiguity: the page whose title or alias repeats another
/// page's name (an alias before a title; else the later file), naming every file.
pub(super) fn duplicate_name(
    content: &Content,
    name: &str,
    pages: &[usize],
) -> Option<(usize, Diagnostic)> {
    let place = |i: usize| -> Option<usize> {
        let m = &content.pages[i].meta;
        m.aliases
            .iter()
            .zip(&m.alias_offsets)
            .find(|(a, _)| a.to_lowercase() == name)
            .map(|(_, &o)| o)
    };
    let by_alias = pages.iter().copied().find(|&i| place(i).is_some());
    let cause = by_alias.or_else(|| {
        pages
            .iter()
            .copied()
            .filter(|&i| !content.pages[i].file.is_empty())
            .max_by(|&a, &b| content.pages[a].file.cmp(&content.pages[b].file))
    })?;
    let p = &content.pages[cause];
    let offset = place(cause)
        .or_else(|| {
            (p.title.to_lowercase() == name)
                .then_some(p.meta.title_offset)
                .flatten()
        })
        .unwrap_or(0);
    let mut files: Vec<String> = pages
        .iter()
        .map(|&i| display_file(&content.pages[i]))
        .collect();
    files.sort();
    let shown = &content.pages[cause].title;
    let name_shown = if shown.to_lowercase() == name {
        shown.as_str()
    } else {
        name
    };
    let d = Diagnostic::error(
        "duplicate-name",
        format!(
            "`{name_shown}` names {} pages: {}",
            files.len(),
            files.join(" and ")
        ),
    )
    .at(&p.src(), offset)
    .with_help(format!(
        "links by this name are ambiguous; give one page another title or alias, or link by path, e.g. [[{}]]",
        p.rel.trim_end_matches(".md")
    ))
    .with_candidates(files);
    Some((cause, d))
}

/// Warnings about the handbook's shape: orphans, unused roles, rituals without roles,
/// elements without rituals.
pub(crate) fn structure_warnings(content: &Content, graph: &Graph, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let has = |i: usize, key: &str| {
        graph.incoming[i]
            .iter()
            .any(|(k, v)| k == key && !v.is_empty())
    };
    let p = &content.pages[i];
    // A page whose front matter did not parse was reported; its shape is unknown.
    if p.is_section() || p.file.is_empty() || p.meta.broken {
        return out;
    }
    {
        let src = p.src();
        // A page in a section is reachable from the section's listing; the home page lists
        // sections, not the pages beside it, so those need a link.
        let listed = p.parent.is_some_and(|s| s != content.root);
        if graph.backlinks[i].is_empty() && !listed {
            out.push(
                Diagnostic::warning("orphan-page", format!("nothing links to `{}`", p.title))
                    .at(&src, 0)
                    .with_help(format!(
                        "link to it from a related page, e.g. [[{}]], or move it into a section's folder",
                        p.title
                    )),
            );
        }
        match p.kind.as_str() {
            "role" if !has(i, "ritual.roles") && !graph.unreadable.roles => out.push(
                Diagnostic::warning(
                    "unused-role",
                    format!("no ritual lists the role `{}`", p.title),
                )
                .at(&src, 0)
                .with_help(format!(
                    "add \"{}\" to the `roles` of the rituals it takes part in",
                    p.title
                )),
            ),
            "ritual" => {
                let roles = graph.fields[i]
                    .iter()
                    .any(|(k, v)| k == "roles" && !v.targets().is_empty());
                // Roles that were written but did not resolve (a type error, a broken link, a
                // link to another kind) were already reported; do not repeat it.
                let written = p.meta.keys.iter().any(|k| k == "roles")
                    && !p
                        .meta
                        .fields
                        .iter()
                        .any(|(k, v)| k == "roles" && all_blank(&v.value));
                if !roles && !written {
                    out.push(
                        Diagnostic::warning(
                            "ritual-without-roles",
                            format!("the ritual `{}` has no roles", p.title),
                        )
                        .at(&src, 0)
                        .with_help(
                            "add `roles = [\"群主\", \"班长\"]` (who runs it) to the front matter",
                        ),
                    );
                }
            }
            "element" if !has(i, "ritual.element") && !graph.unreadable.element => out.push(
                Diagnostic::warning(
                    "element-without-rituals",
                    format!("no ritual belongs to the element `{}`", p.title),
                )
                .at(&src, 0)
                .with_help(format!(
                    "set `element = \"{}\"` on the rituals that serve it",
                    p.title
                )),
            ),
            _ => {}
        }
    }
    out
}
