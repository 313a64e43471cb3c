//! Front-matter link fields (`roles`, `element`, `raci` …) resolved against the kinds' field
//! types, and the body links a `raci` field should have named.

use crate::config::{Config, FieldType};
use crate::content::{Page, SECTION_KIND};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::playbook::{RaciRole, Schedule};
use crate::spanned::Value;

use super::names::{Index, Miss};

use super::FieldValue;

/// Warns about a page linked from the body whose kind a `raci` field takes (a role linked
/// from a ritual's steps) but that the field does not name: the matrix would hide it. Only
/// when the field names someone; a ritual without roles has a warning of its own.
pub(super) fn unlisted_roles(
    index: &Index<'_>,
    config: &Config,
    body: &[(usize, usize)],
    i: usize,
    src: &SourceFile<'_>,
    fields: &[(String, FieldValue)],
    diags: &mut Vec<Diagnostic>,
) {
    let pages = &index.content.pages;
    let Some(kind) = config.kind(&pages[i].kind) else {
        return;
    };
    for field in kind
        .fields
        .iter()
        .filter(|f| f.ty == FieldType::Raci && !f.kinds.is_empty())
    {
        let Some(named) = fields
            .iter()
            .find(|(n, _)| n == &field.name)
            .map(|(_, v)| v.targets())
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let mut warned: Vec<usize> = Vec::new();
        for &(t, offset) in body {
            if named.contains(&t) || warned.contains(&t) || !field.kinds.contains(&pages[t].kind) {
                continue;
            }
            warned.push(t);
            let title = &pages[t].title;
            diags.push(
                Diagnostic::warning(
                    "unlisted-role",
                    format!(
                        "`{title}` is linked here but not listed in `{}`",
                        field.name
                    ),
                )
                .at(src, offset)
                .with_help(format!(
                    "add \"{title}\" to `{}` (lead, run, support or informed), so the matrix shows what it does",
                    field.name
                )),
            );
        }
    }
}

pub(super) fn resolve_fields(
    index: &Index<'_>,
    config: &Config,
    page: &Page,
    edges: &mut Vec<(usize, Option<String>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, FieldValue)> {
    let Some(kind) = config.kind(&page.kind) else {
        return Vec::new();
    };
    let src = page.src();
    let cx = FieldCx {
        index,
        config,
        page,
        src: &src,
    };
    let mut out = Vec::with_capacity(kind.fields.len());
    for field in &kind.fields {
        let Some((_, raw)) = page.meta.fields.iter().find(|(k, _)| k == &field.name) else {
            continue;
        };
        let value = match field.ty {
            FieldType::String => {
                FieldValue::Str(raw.value.as_str().unwrap_or_default().to_string())
            }
            // A label written for the value (`成长期`) means the value (`growth`) from here on.
            FieldType::Enum => {
                let written = raw.value.as_str().unwrap_or_default();
                FieldValue::Enum(field.enum_value(written).unwrap_or(written).to_string())
            }
            FieldType::Int => FieldValue::Int(match raw.value {
                Value::Integer(i) => i,
                _ => 0,
            }),
            FieldType::Bool => FieldValue::Bool(matches!(raw.value, Value::Bool(true))),
            FieldType::List => FieldValue::List(match &raw.value {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.value.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }),
            FieldType::Schedule => {
                FieldValue::Schedule(raw.value.as_str().and_then(Schedule::parse))
            }
            FieldType::Link | FieldType::Links => {
                // Empty strings are unset links (`qunce new` writes them as placeholders).
                let items: Vec<(&str, usize)> = match &raw.value {
                    Value::String(s) => vec![(s.as_str(), raw.span.start)],
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| v.value.as_str().map(|s| (s, v.span.start)))
                        .collect(),
                    _ => Vec::new(),
                };
                let targets = resolve_targets(&cx, field, items, edges, diags);
                if field.ty == FieldType::Link {
                    FieldValue::Link(targets.first().copied())
                } else {
                    FieldValue::Links(targets)
                }
            }
            FieldType::Raci => {
                let mut items: Vec<(RaciRole, &str, usize)> = Vec::new();
                fn push<'v>(
                    items: &mut Vec<(RaciRole, &'v str, usize)>,
                    part: RaciRole,
                    v: &'v crate::spanned::Spanned,
                ) {
                    match &v.value {
                        Value::String(s) => items.push((part, s.as_str(), v.span.start)),
                        Value::Array(a) => items.extend(
                            a.iter()
                                .filter_map(|x| x.value.as_str().map(|s| (part, s, x.span.start))),
                        ),
                        _ => {}
                    }
                }
                match &raw.value {
                    Value::Table(t) => {
                        for (k, _, v) in t {
                            if let Some(part) = RaciRole::from_key(k) {
                                push(&mut items, part, v);
                            }
                        }
                    }
                    _ => push(&mut items, RaciRole::Participant, raw),
                }
                // Listed by part (lead first), each page once, with its first part.
                items.sort_by_key(|(part, _, _)| *part);
                let mut targets = Vec::with_capacity(items.len());
                let mut parts = Vec::with_capacity(items.len());
                for (part, target, offset) in items {
                    let found = resolve_targets(&cx, field, vec![(target, offset)], edges, diags);
                    for t in found {
                        if !targets.contains(&t) {
                            targets.push(t);
                            parts.push(part);
                        }
                    }
                }
                FieldValue::Raci { targets, parts }
            }
        };
        out.push((field.name.clone(), value));
    }
    out
}

/// What resolving one page's fields needs at hand.
#[derive(Clone, Copy)]
struct FieldCx<'a, 'i> {
    index: &'a Index<'i>,
    config: &'a Config,
    page: &'a Page,
    src: &'a SourceFile<'a>,
}

/// Resolves the targets of one link-typed field, checking each against the field's kinds.
/// Empty strings are unset links (`qunce new` writes them as placeholders).
fn resolve_targets(
    cx: &FieldCx<'_, '_>,
    field: &crate::config::FieldDef,
    items: Vec<(&str, usize)>,
    edges: &mut Vec<(usize, Option<String>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let FieldCx {
        index,
        config,
        page,
        src,
    } = *cx;
    let items: Vec<(&str, usize)> = items
        .into_iter()
        .filter(|(s, _)| !s.trim().is_empty())
        .collect();
    let mut targets = Vec::with_capacity(items.len());
    for (target, offset) in items {
        match index.lookup_kinds(target, page, &field.kinds) {
            Ok(t) => {
                let tp = &index.content.pages[t];
                // A page whose front matter did not parse has no known kind: the error about it
                // is enough.
                if !field.kinds.is_empty() && !field.kinds.contains(&tp.kind) && !tp.meta.broken {
                    let kind_label = |k: &str| {
                        config
                            .kind(k)
                            .map_or_else(|| k.to_string(), |kd| format!("{k} ({})", kd.label))
                    };
                    let wanted: Vec<String> = field.kinds.iter().map(|k| kind_label(k)).collect();
                    let same_name: Vec<String> = index
                        .by_name
                        .get(&target.to_lowercase())
                        .into_iter()
                        .flatten()
                        .filter(|&&c| field.kinds.contains(&index.content.pages[c].kind))
                        .map(|&c| index.content.pages[c].title.clone())
                        .collect();
                    let shown_kind = if tp.kind == SECTION_KIND {
                        "section".to_string()
                    } else {
                        kind_label(&tp.kind)
                    };
                    diags.push(
                        Diagnostic::error(
                            "wrong-kind",
                            format!(
                                "`{}` must link to {}, but `{target}` is a {shown_kind}",
                                field.name,
                                wanted.join(" or ")
                            ),
                        )
                        .at(src, offset)
                        .with_help(match same_name.first() {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => format!("link to a page with `kind = \"{}\"`", field.kinds[0]),
                        }),
                    );
                    continue;
                }
                edges.push((t, Some(field.name.clone())));
                targets.push(t);
            }
            Err(miss) => {
                let ambiguous = matches!(miss, Miss::Ambiguous(_));
                let mut d = index.miss_diagnostic(miss, target, src, offset, false);
                if !ambiguous && d.message.starts_with("no page named ") {
                    d.message = format!(
                        "`{}` links to {} (no such page)",
                        field.name,
                        d.message.trim_start_matches("no page named ")
                    );
                } else if ambiguous {
                    d.message = format!("`{}`: {}", field.name, d.message);
                }
                if let Some(h) = &d.help
                    && h.starts_with("did you mean")
                {
                    d.help = Some(h.replace('`', "\""));
                }
                diags.push(d);
            }
        }
    }
    targets
}

/// Whether a link field's value names nothing: empty strings, in a list or a RACI table (as
/// `qunce new` writes them).
pub(super) fn all_blank(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(|x| all_blank(&x.value)),
        Value::Table(t) => t.iter().all(|(_, _, x)| all_blank(&x.value)),
        _ => false,
    }
}
