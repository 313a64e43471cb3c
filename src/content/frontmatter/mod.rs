//! Front matter: splitting a Markdown file into its header (TOML between `+++` lines, or YAML
//! between `---` lines) and body, and checking the header's standard and kind-specific fields. Link fields are only shape-checked here; what
//! they point to is the links stage's business.
//!
//! Here the split and the standard keys; `kinds` checks a kind's declared fields, `values`
//! reads typed values with errors that show the fix in the header's own syntax.

mod kinds;
#[cfg(test)]
mod tests;
mod values;

pub(crate) use values::is_date;

use crate::spanned::TypedValues;
use kinds::check_kind_fields;
use values::Cx;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::{self, Spanned, Value};

/// Keys every page may have, whatever its kind.
pub(crate) const STANDARD_KEYS: &[&str] = &[
    "title",
    "description",
    "kind",
    "weight",
    "draft",
    "aliases",
    "tags",
    "date",
    "updated",
    "slug",
    "template",
    "allow",
];

/// Where the header and body are in a file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Split<'a> {
    /// The TOML (or YAML) text between the delimiters, if any.
    pub(crate) header: Option<&'a str>,
    /// The header is YAML (`---` delimiters) rather than TOML (`+++`).
    pub(crate) yaml: bool,
    /// Byte offset of `header` in the file.
    pub(crate) header_start: usize,
    /// Byte offset where the Markdown body starts.
    pub(crate) body_start: usize,
}

/// Splits front matter off a file: TOML between `+++` lines, or YAML between `---` lines. An
/// opening line without a closing one is an error pointing at the opening line.
pub(crate) fn split<'a>(src: &SourceFile<'a>) -> Result<Split<'a>, Diagnostic> {
    let text = src.text;
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end();
    let yaml = first == "---";
    // A `---` line is a thematic break unless a `key:` line (or a comment) follows it.
    if first != "+++" && !(yaml && looks_like_yaml(&text[first_end..])) {
        return Ok(Split::default());
    }
    let mut pos = first_end;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if text[pos..end].trim_end() == first {
            return Ok(Split {
                header: Some(&text[first_end..pos]),
                yaml,
                header_start: first_end,
                body_start: end,
            });
        }
        pos = end;
    }
    Err(Diagnostic::error(
        "unterminated-front-matter",
        format!("front matter opened with `{first}` is never closed"),
    )
    .at(src, 0)
    .with_help(format!(
        "add a line containing only `{first}` after the last front-matter field"
    )))
}

/// Whether the lines after a `---` line start YAML front matter: the first is `key:` (or a
/// comment, or the closing `---` of an empty header).
fn looks_like_yaml(rest: &str) -> bool {
    let Some(first) = rest.lines().next() else {
        return false;
    };
    let key_like = first.split_once(':').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    });
    key_like || first.starts_with('#') || first.trim_end() == "---"
}

/// The checked standard fields of a page, plus its kind-specific fields still in raw form.
#[derive(Debug, Clone, Default)]
pub(crate) struct FrontMatter {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) weight: Option<i64>,
    pub(crate) draft: bool,
    pub(crate) aliases: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) date: Option<String>,
    /// When the page last changed in substance (shown as "最后更新"; else `date`, else git).
    pub(crate) updated: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) template: Option<String>,
    /// Lints this page allows for itself (`allow = ["orphan-page"]`), see [`crate::lints`].
    pub(crate) allow: Vec<String>,
    /// Byte offset of the `kind` value, for errors about the kind.
    pub(crate) kind_offset: usize,
    /// Kind fields as written, with spans in file coordinates (only the well-typed ones).
    pub(crate) fields: Vec<(String, Spanned)>,
    /// Every top-level key written, valid or not, so shape warnings do not repeat an error.
    pub(crate) keys: Vec<String>,
    /// The keys whose value had the wrong type (already reported): checks that depend on
    /// them stay silent.
    pub(crate) bad_keys: Vec<String>,
    /// The header is not valid TOML (already reported). Title, aliases and kind are read from
    /// its lines that still parse, so links to the page resolve and nothing else is reported
    /// about it.
    pub(crate) broken: bool,
    /// Byte offsets of the `title` value and of each alias, to report a duplicate name there.
    pub(crate) title_offset: Option<usize>,
    pub(crate) alias_offsets: Vec<usize>,
}

/// Parses and checks a front-matter header. Errors and warnings are pushed to `diags`; the
/// returned value holds whatever was valid so later stages can still run and report more.
pub(crate) fn parse(
    src: &SourceFile<'_>,
    split: &Split<'_>,
    config: &Config,
    diags: &mut Vec<Diagnostic>,
) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let Some(header) = split.header else {
        return fm;
    };
    let parsed = if split.yaml {
        super::yaml::parse(header)
    } else {
        spanned::parse(header)
    };
    let mut table = match parsed {
        Ok(t) => t,
        Err(e) => {
            let (code, language, help) = if split.yaml {
                (
                    "invalid-yaml",
                    "YAML",
                    "front matter between `---` lines is YAML: `key: value`, lists as `[a, b]` or `- a` lines",
                )
            } else {
                (
                    "invalid-toml",
                    "TOML",
                    "front matter is TOML: `key = \"value\"`, strings in double quotes, lists as `[\"a\", \"b\"]`",
                )
            };
            diags.push(
                Diagnostic::error(
                    code,
                    format!("invalid {language} in front matter: {}", e.message),
                )
                .at(src, split.header_start + e.span.map_or(0, |s| s.start))
                .with_help(help),
            );
            salvage(header, &mut fm);
            return fm;
        }
    };
    spanned::shift(&mut table, split.header_start);
    fm.keys = table.iter().map(|(k, _, _)| k.clone()).collect();
    let mut cx = Cx {
        src,
        diags,
        bad_keys: Vec::new(),
        yaml: split.yaml,
    };

    for (key, _, value) in &table {
        match key.as_str() {
            "title" => {
                fm.title = cx.string(key, value);
                fm.title_offset = Some(value.span.start);
            }
            "description" => fm.description = cx.string(key, value),
            "kind" => {
                fm.kind = cx.string(key, value);
                fm.kind_offset = value.span.start;
            }
            "weight" => fm.weight = cx.int(key, value),
            "draft" => fm.draft = cx.bool(key, value).unwrap_or(false),
            "aliases" => {
                fm.aliases = cx.strings(key, value).unwrap_or_default();
                if let Value::Array(items) = &value.value {
                    fm.alias_offsets = items.iter().map(|i| i.span.start).collect();
                }
            }
            "tags" => fm.tags = cx.strings(key, value).unwrap_or_default(),
            "date" | "updated" => {
                let v = match &value.value {
                    Value::Datetime(s) | Value::String(s) if is_date(s) => Some(s.clone()),
                    Value::Datetime(s) | Value::String(s) => {
                        cx.bad_date(key, s, value);
                        None
                    }
                    _ => {
                        cx.wrong_type(key, "a date (2026-01-31) or a string", value);
                        None
                    }
                };
                if key == "date" {
                    fm.date = v;
                } else {
                    fm.updated = v;
                }
            }
            "slug" => fm.slug = cx.string(key, value),
            "template" => fm.template = cx.string(key, value),
            "allow" => fm.allow = cx.lint_names(key, value),
            _ => {}
        }
    }

    let kind_name = fm.kind.clone().unwrap_or_else(|| "page".to_string());
    let kind = match config.kind(&kind_name) {
        Some(k) => Some(k),
        None => {
            let help = did_you_mean(
                &suggest(&kind_name, config.kinds.iter().map(|k| k.name.as_str())),
                |s| format!("`{s}`"),
            )
            .unwrap_or_else(|| {
                format!(
                    "declared kinds: {}",
                    config
                        .kinds
                        .iter()
                        .map(|k| k.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
            cx.diags.push(
                Diagnostic::error("unknown-kind", format!("unknown kind `{kind_name}`"))
                    .at(src, fm.kind_offset)
                    .with_help(help),
            );
            None
        }
    };

    if let Some(kind) = kind {
        check_kind_fields(&mut cx, kind, &table, split, &mut fm);
    }
    fm.bad_keys = std::mem::take(&mut cx.bad_keys);
    fm
}

/// What can still be read from a header that is not valid TOML: `title`, `kind` and
/// `aliases` lines that parse on their own.
fn salvage(header: &str, fm: &mut FrontMatter) {
    fm.broken = true;
    for line in header.lines() {
        let Ok(t) = spanned::parse(line) else {
            continue;
        };
        for (key, _, value) in &t {
            match (key.as_str(), &value.value) {
                ("title", Value::String(s)) => fm.title = Some(s.clone()),
                ("kind", Value::String(s)) => fm.kind = Some(s.clone()),
                ("aliases", Value::Array(items)) => {
                    fm.aliases = items
                        .iter()
                        .filter_map(|i| i.value.as_str().map(str::to_string))
                        .collect()
                }
                _ => {}
            }
        }
    }
}

/// `2026/1/5`, `2026.1.5` or `2026年1月5日` as `2026-01-05`, for the help line of a date that
/// does not parse.
fn normalize_date(s: &str) -> Option<String> {
    let parts: Vec<&str> = s
        .trim()
        .trim_end_matches('日')
        .split(['/', '.', '-', '年', '月'])
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let out = format!("{y:04}-{m:02}-{d:02}");
    is_date(&out).then_some(out)
}
