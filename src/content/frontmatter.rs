//! Front matter: splitting a Markdown file into its header (TOML between `+++` lines, or YAML
//! between `---` lines) and body, and checking the header's standard and kind-specific fields. Link fields are only shape-checked here; what
//! they point to is the links stage's business.

use crate::config::{Config, FieldType, KindDef};
use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::{self, Spanned, Table, Value};

/// Keys every page may have, whatever its kind.
pub const STANDARD_KEYS: &[&str] = &[
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
pub struct Split<'a> {
    /// The TOML (or YAML) text between the delimiters, if any.
    pub header: Option<&'a str>,
    /// The header is YAML (`---` delimiters) rather than TOML (`+++`).
    pub yaml: bool,
    /// Byte offset of `header` in the file.
    pub header_start: usize,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Splits front matter off a file: TOML between `+++` lines, or YAML between `---` lines. An
/// opening line without a closing one is an error pointing at the opening line.
pub fn split<'a>(src: &SourceFile<'a>) -> Result<Split<'a>, Diagnostic> {
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
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub date: Option<String>,
    /// When the page last changed in substance (shown as "最后更新"; else `date`, else git).
    pub updated: Option<String>,
    pub slug: Option<String>,
    pub template: Option<String>,
    /// Lints this page allows for itself (`allow = ["orphan-page"]`), see [`crate::lints`].
    pub allow: Vec<String>,
    /// Byte offset of the `kind` value, for errors about the kind.
    pub kind_offset: usize,
    /// Kind fields as written, with spans in file coordinates (only the well-typed ones).
    pub fields: Vec<(String, Spanned)>,
    /// Every top-level key written, valid or not, so shape warnings do not repeat an error.
    pub keys: Vec<String>,
    /// The keys whose value had the wrong type (already reported): checks that depend on
    /// them stay silent.
    pub bad_keys: Vec<String>,
    /// The header is not valid TOML (already reported). Title, aliases and kind are read from
    /// its lines that still parse, so links to the page resolve and nothing else is reported
    /// about it.
    pub broken: bool,
    /// Byte offsets of the `title` value and of each alias, to report a duplicate name there.
    pub title_offset: Option<usize>,
    pub alias_offsets: Vec<usize>,
}

/// Parses and checks a front-matter header. Errors and warnings are pushed to `diags`; the
/// returned value holds whatever was valid so later stages can still run and report more.
pub fn parse(
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

fn check_kind_fields(
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

/// A string as a TOML basic string.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

struct Cx<'s, 'd> {
    src: &'s SourceFile<'s>,
    diags: &'d mut Vec<Diagnostic>,
    /// Keys whose value had the wrong type.
    bad_keys: Vec<String>,
    /// Helps show the fix in the header's own syntax.
    yaml: bool,
}

impl Cx<'_, '_> {
    fn wrong_type(&mut self, key: &str, expected: &str, v: &Spanned) {
        self.bad_keys.push(key.trim_end_matches("[]").to_string());
        let mut d = Diagnostic::error(
            "wrong-type",
            format!("`{key}` must be {expected}, found {}", v.value.type_name()),
        )
        .at_span(self.src, v.span.start, v.span.end);
        // The writer's own value, rewritten in the expected shape, where there is one.
        let fixed = match (expected, &v.value) {
            ("a list of strings", Value::String(s)) => Some(format!("[{}]", quote(s))),
            ("a string", Value::Array(items)) => match items.as_slice() {
                [one] => one.value.as_str().map(quote),
                _ => None,
            },
            ("a string", Value::Integer(i)) => Some(quote(&i.to_string())),
            ("an integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(|i| i.to_string()),
            ("a boolean (true or false)", Value::String(s)) => match s.trim() {
                "true" | "false" => Some(s.trim().to_string()),
                _ => None,
            },
            _ => None,
        };
        let is = if self.yaml { ":" } else { " =" };
        let help = match (&fixed, expected) {
            (Some(f), "a string") if matches!(v.value, Value::Array(_)) => {
                format!("write one value: `{key}{is} {f}`")
            }
            (Some(f), "a list of strings") => format!("write it as a list: `{key}{is} {f}`"),
            (Some(f), _) => format!("write `{key}{is} {f}`"),
            (None, "a list of strings") => format!("write it as a list: `{key}{is} [\"...\"]`"),
            (None, "a string") if matches!(v.value, Value::Array(_)) => {
                format!("write one value: `{key}{is} \"...\"`")
            }
            (None, "a string") => format!("quote it: `{key}{is} \"...\"`"),
            (None, "an integer") => format!("write a whole number without quotes: `{key}{is} 1`"),
            (None, _) => format!("write `{key}` as {expected}"),
        };
        d = d.with_help(help);
        if let Some(f) = fixed {
            d = d.with_fix(self.src, v.span.start, v.span.end, f);
        }
        self.diags.push(d);
    }

    /// A `date` string that is not a date.
    fn bad_date(&mut self, key: &str, s: &str, v: &Spanned) {
        self.bad_keys.push(key.to_string());
        let mut d = Diagnostic::error("invalid-date", format!("`{s}` is not a date")).at_span(
            self.src,
            v.span.start,
            v.span.end,
        );
        d = match normalize_date(s) {
            Some(n) => d
                .with_help(format!(
                    "write `{key}{} {n}` (year-month-day)",
                    if self.yaml { ":" } else { " =" }
                ))
                .with_fix(self.src, v.span.start, v.span.end, n),
            None => d.with_help(
                "write a date as 2026-01-31, optionally with a time: 2026-01-31T20:00:00+08:00",
            ),
        };
        self.diags.push(d);
    }

    fn string(&mut self, key: &str, v: &Spanned) -> Option<String> {
        match &v.value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(key, "a string", v);
                None
            }
        }
    }

    /// A `schedule` value: one of [`crate::playbook::schedule::FORMS`], or empty (unset, as
    /// `qunce new` writes it).
    fn schedule(&mut self, key: &str, v: &Spanned) -> bool {
        let Some(s) = self.string(key, v) else {
            return false;
        };
        if s.trim().is_empty() || crate::playbook::Schedule::parse(&s).is_some() {
            return true;
        }
        self.diags.push(
            Diagnostic::error("invalid-schedule", format!("`{s}` is not a schedule"))
                .at(self.src, v.span.start)
                .with_help(format!(
                    "accepted forms: {}",
                    crate::playbook::schedule::FORMS
                )),
        );
        false
    }

    /// A `raci` value: a list of links (participants) or a table of `lead`, `run`, `support`
    /// and `informed`, each a link or a list of links.
    fn raci(&mut self, key: &str, v: &Spanned) -> bool {
        use crate::playbook::RaciRole;
        let Value::Table(t) = &v.value else {
            if let Value::Array(_) = &v.value {
                return self.strings(key, v).is_some();
            }
            self.diags.push(
                Diagnostic::error(
                    "wrong-type",
                    format!(
                        "`{key}` must be a list or a table of roles, found {}",
                        v.value.type_name()
                    ),
                )
                .at(self.src, v.span.start)
                .with_help(format!(
                    "write `{key} = {{ lead = [\"群主\"], run = [\"班长\"] }}` or `{key} = [\"班长\"]`"
                )),
            );
            return false;
        };
        let mut ok = true;
        for (k, ks, item) in t {
            if RaciRole::from_key(k).is_none() {
                let help = did_you_mean(&suggest(k, RaciRole::KEYS), |s| format!("`{s}`"))
                    .map_or_else(String::new, |d| format!("{d} "))
                    + "the parts are lead (主持), run (执行), support (配合), informed (知会)";
                self.diags.push(
                    Diagnostic::error(
                        "unknown-raci-part",
                        format!("`{k}` is not a part of `{key}`"),
                    )
                    .at(self.src, ks.start)
                    .with_help(help),
                );
                ok = false;
                continue;
            }
            let name = format!("{key}.{k}");
            ok &= match &item.value {
                Value::String(_) => true,
                _ => self.strings(&name, item).is_some(),
            };
        }
        ok
    }

    fn int(&mut self, key: &str, v: &Spanned) -> Option<i64> {
        match &v.value {
            Value::Integer(i) => Some(*i),
            _ => {
                self.wrong_type(key, "an integer", v);
                None
            }
        }
    }

    fn bool(&mut self, key: &str, v: &Spanned) -> Option<bool> {
        match &v.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(key, "a boolean (true or false)", v);
                None
            }
        }
    }

    /// A page's `allow` list: lint names, each checked against the registry.
    fn lint_names(&mut self, key: &str, v: &Spanned) -> Vec<String> {
        if let Value::Array(items) = &v.value
            && items.iter().all(|i| matches!(i.value, Value::String(_)))
        {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(name) = &item.value else {
                    continue;
                };
                if crate::lints::find(name).is_some() {
                    out.push(name.clone());
                } else {
                    self.diags.push(crate::config::unknown_lint(
                        self.src,
                        name,
                        item.span.start,
                        item.span.end,
                    ));
                }
            }
            return out;
        }
        self.strings(key, v).unwrap_or_default()
    }

    fn strings(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
        match &v.value {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match &item.value {
                        Value::String(s) => out.push(s.clone()),
                        _ => {
                            self.wrong_type(&format!("{key}[]"), "a string", item);
                            return None;
                        }
                    }
                }
                Some(out)
            }
            _ => {
                self.wrong_type(key, "a list of strings", v);
                None
            }
        }
    }
}

/// Whether `s` is a date the sitemap and feeds can carry: `YYYY-MM-DD` (a real day of a real
/// month), optionally followed by `T` or a space and `HH:MM[:SS[.frac]]` with an optional `Z` or
/// `±HH:MM` offset (RFC 3339, as TOML writes dates).
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let Some(time) = s.get(10..) else {
        return false;
    };
    if time.is_empty() {
        return true;
    }
    let Some(time) = time.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let t = time.as_bytes();
    let two = |i: usize, max: u32| {
        time.get(i..i + 2)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|n| n <= max)
    };
    if !(two(0, 23) && t.get(2) == Some(&b':') && two(3, 59)) {
        return false;
    }
    let mut rest = &time[5..];
    if let Some(r) = rest.strip_prefix(':') {
        if !(r.len() >= 2 && two(6, 60)) {
            return false;
        }
        rest = &r[2..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            rest = &frac[digits..];
        }
    }
    match rest {
        "" | "Z" | "z" => true,
        offset => {
            let o = offset.as_bytes();
            offset.len() == 6
                && matches!(o[0], b'+' | b'-')
                && o[3] == b':'
                && offset[1..3].bytes().all(|c| c.is_ascii_digit())
                && offset[4..6].bytes().all(|c| c.is_ascii_digit())
                && offset[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                && offset[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn dates_the_sitemap_can_carry() {
        for good in [
            "2026-01-31",
            "2024-02-29",
            "2026-01-31T20:00:00+08:00",
            "2026-01-31 20:00",
            "2026-01-31T20:00:00.123Z",
        ] {
            assert!(is_date(good), "{good}");
        }
        for bad in [
            "",
            "2023-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-1-31",
            "yesterday",
            "2026-01-31]]></lastmod><x>",
            "2026-01-31T25:00",
            "2026-01-31T20:00+8",
            "20:00:00",
            "２０２６-01-31",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }

    use super::*;
    use std::path::Path;

    fn run(text: &str) -> (FrontMatter, Vec<Diagnostic>) {
        let config = Config::defaults(Path::new("/s"));
        let src = SourceFile::new("content/a.md", text);
        let mut diags = Vec::new();
        let split = split(&src).unwrap();
        (parse(&src, &split, &config, &mut diags), diags)
    }

    #[test]
    fn splits_and_reads_standard_fields() {
        let (fm, d) =
            run("+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nstage = \"intro\"\n+++\n# body\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(fm.title.as_deref(), Some("开营仪式"));
        assert_eq!(fm.fields.len(), 1);
    }

    #[test]
    fn unterminated_front_matter() {
        let src = SourceFile::new("content/a.md", "+++\ntitle = \"x\"\n# body\n");
        let e = split(&src).unwrap_err();
        assert_eq!(
            (e.code, e.line, e.column),
            ("unterminated-front-matter", 1, 1)
        );
    }

    #[test]
    fn enum_and_type_errors_are_located() {
        let (_, d) = run("+++\nkind = \"ritual\"\nstage = \"grow\"\nroles = \"班长\"\n+++\n");
        assert_eq!(d.len(), 2);
        assert_eq!(
            (d[0].code, d[0].line, d[0].column),
            ("unknown-enum-value", 3, 9)
        );
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("did you mean `growth`?")
        );
        assert_eq!((d[1].code, d[1].line), ("wrong-type", 4));
    }

    #[test]
    fn unknown_kind_and_key_suggest() {
        let (_, d) = run("+++\nkind = \"ritul\"\n+++\n");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `ritual`?"));
        let (_, d) = run("+++\nkind = \"ritual\"\nstag = \"intro\"\n+++\n");
        assert_eq!((d[0].code, d[0].line), ("unknown-key", 3));
        assert_eq!(d[0].help.as_deref(), Some("did you mean `stage`?"));
    }
}
