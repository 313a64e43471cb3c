//! A page's fields checked against its kind's declaration: types, required fields, enum
//! values, with an example of the expected shape.

use crate::config::{FieldType, KindDef};
use crate::diagnostics::{Diagnostic, did_you_mean, suggest};
use crate::spanned::TypedValues;
use crate::spanned::{self, Table};

use super::values::Cx;
use super::{FrontMatter, STANDARD_KEYS, Split};

pub(super) fn check_kind_fields(
    cx: &mut Cx<'_, '_>,
    kind: &KindDef,
    table: &Table,
    split: &Split<'_>,
    fm: &mut FrontMatter,
) {
    for (key, key_span, value) in table {
        if STANDARD_KEYS.contains(&key.as_str()) {
            continue;
        }
        let Some(field) = kind.field(key) else {
            let known = STANDARD_KEYS
                .iter()
                .copied()
                .chain(kind.fields.iter().map(|f| f.name.as_str()));
            let help =
                did_you_mean(&suggest(key, known), |s| format!("`{s}`")).unwrap_or_else(|| {
                    format!(
                        "kind `{}` has the fields: {}",
                        kind.name,
                        if kind.fields.is_empty() {
                            "(none besides the standard ones)".to_string()
                        } else {
                            kind.fields
                                .iter()
                                .map(|f| f.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    )
                });
            cx.diags.push(
                Diagnostic::warning(
                    "unknown-key",
                    format!("unknown front-matter key `{key}` for kind `{}`", kind.name),
                )
                .at(cx.src, key_span.start)
                .with_help(help),
            );
            continue;
        };
        let ok = match field.ty {
            FieldType::String | FieldType::Link => cx.string(key, value).is_some(),
            FieldType::Int => cx.int(key, value).is_some(),
            FieldType::Bool => cx.bool(key, value).is_some(),
            FieldType::List | FieldType::Links => cx.strings(key, value).is_some(),
            FieldType::Schedule => cx.schedule(key, value),
            FieldType::Raci => cx.raci(key, value),
            FieldType::Enum => match cx.string(key, value) {
                Some(v) if field.enum_value(&v).is_some() => true,
                Some(v) => {
                    // A label is as good as its value, so a near miss of either is suggested.
                    let names = field.values.iter().chain(
                        field
                            .labels
                            .iter()
                            .filter(|l| !field.values.iter().any(|v| v.eq_ignore_ascii_case(l))),
                    );
                    let help = match did_you_mean(&suggest(&v, names.map(String::as_str)), |s| {
                        format!("`{s}`")
                    }) {
                        Some(d) => format!("{d} allowed values: {}", field.enum_choices()),
                        None => format!("allowed values: {}", field.enum_choices()),
                    };
                    cx.diags.push(
                        Diagnostic::error(
                            "unknown-enum-value",
                            format!("`{v}` is not an allowed value of `{}`", field.name),
                        )
                        .at(cx.src, value.span.start)
                        .with_help(help),
                    );
                    false
                }
                None => false,
            },
        };
        if ok {
            fm.fields.push((key.clone(), value.clone()));
        } else {
            cx.bad_keys.push(key.clone());
        }
    }
    for field in kind.fields.iter().filter(|f| f.required) {
        if spanned::get(table, &field.name).is_none() {
            cx.diags.push(
                Diagnostic::error(
                    "missing-field",
                    format!(
                        "missing required field `{}` for kind `{}`",
                        field.name, kind.name
                    ),
                )
                .at(cx.src, missing_field_place(cx.src.text, split, fm))
                .with_help(format!(
                    "add `{} = {}` to the front matter",
                    field.name,
                    example(field.ty, &field.values)
                )),
            );
        }
    }
}

/// Where a missing field goes: the start of the `kind` line, or the closing `+++` line.
fn missing_field_place(text: &str, split: &Split<'_>, fm: &FrontMatter) -> usize {
    if fm.kind.is_some() && fm.kind_offset > 0 {
        text[..fm.kind_offset].rfind('\n').map_or(0, |i| i + 1)
    } else {
        let header_end = split.header_start + split.header.map_or(0, str::len);
        header_end.min(text.len())
    }
}

fn example(ty: FieldType, values: &[String]) -> String {
    match ty {
        FieldType::String | FieldType::Link => "\"...\"".to_string(),
        FieldType::Schedule => "\"D0\"".to_string(),
        FieldType::Raci => "{ lead = [\"...\"] }".to_string(),
        FieldType::Int => "1".to_string(),
        FieldType::Bool => "true".to_string(),
        FieldType::List | FieldType::Links => "[\"...\"]".to_string(),
        FieldType::Enum => format!("\"{}\"", values.first().map_or("", String::as_str)),
    }
}
