//! The tables of `site.toml` whose entries need more than a type check: `[lints]`, `[feeds]`,
//! `[placeholders]`, `[kinds]` and their fields.

use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::TypedValues;
use crate::spanned::{Spanned, Table, Value};

use super::read::Cx;
use std::path::Path;

use super::{
    CONFIG_FILE, Feeds, FieldDef, FieldType, KindDef, PLACEHOLDER_SOURCES, Placeholder,
    SectionFeeds,
};

impl Cx<'_> {
    /// The `[lints]` table: `name = "allow" | "warn" | "deny"`.
    pub(super) fn lints(&mut self, t: &Table) -> crate::lints::Levels {
        use crate::lints::{self, Level};
        let mut levels = lints::Levels::default();
        for (name, name_span, v) in t {
            let Some(word) = self.string(name, v) else {
                continue;
            };
            let Some(level) = Level::parse(&word) else {
                self.errors.push(
                    Diagnostic::error(
                        "config",
                        format!("unknown lint level `{word}` for `{name}`"),
                    )
                    .at_span(self.src, v.span.start, v.span.end)
                    .with_help(format!(
                        "write `{name} = \"allow\"`, `\"warn\"` or `\"deny\"`"
                    )),
                );
                continue;
            };
            if lints::find(name).is_none() {
                self.warnings
                    .push(unknown_lint(self.src, name, name_span.start, name_span.end));
                continue;
            }
            levels.set.insert(name.clone(), level);
        }
        levels
    }

    pub(super) fn feeds(&mut self, t: &Table) -> Feeds {
        let mut feeds = Feeds::default();
        for (k, ks, v) in t {
            match k.as_str() {
                "atom" => {
                    if let Some(b) = self.switch(k, v, "`atom = false` builds without /atom.xml") {
                        feeds.atom = b;
                    }
                }
                "sections" => match &v.value {
                    Value::Bool(true) => feeds.sections = SectionFeeds::All,
                    Value::Bool(false) => feeds.sections = SectionFeeds::None,
                    Value::Array(_) => {
                        if let Some(list) = self.strings(k, v) {
                            feeds.sections = SectionFeeds::Only(
                                list.iter()
                                    .map(|s| s.trim_matches('/').to_string())
                                    .collect(),
                            );
                        }
                    }
                    _ => self.errors.push(
                        Diagnostic::error(
                            "config",
                            "`sections` in [feeds] must be true, false or a list of section folders",
                        )
                        .at(self.src, v.span.start)
                        .with_help("e.g. `sections = true`, or `sections = [\"rituals\", \"news\"]`"),
                    ),
                },
                "limit" => match &v.value {
                    Value::Integer(n) if *n >= 0 => feeds.limit = *n as usize,
                    _ => self.errors.push(
                        Diagnostic::error("config", "`limit` in [feeds] must be a whole number")
                            .at(self.src, v.span.start)
                            .with_help("entries per feed, newest first; `limit = 0` keeps them all"),
                    ),
                },
                _ => self.unknown_key(k, ks.start, &["atom", "sections", "limit"], "[feeds]"),
            }
        }
        feeds
    }

    /// One `[placeholders.NAME]` table (or `NAME = "label"` for short).
    pub(super) fn placeholder(
        &mut self,
        name: &str,
        offset: usize,
        def: &Spanned,
    ) -> Option<Placeholder> {
        let mut p = Placeholder {
            name: name.to_string(),
            label: name.to_string(),
            default: String::new(),
            help: String::new(),
            from: String::new(),
        };
        if name.is_empty()
            || crate::playbook::template::placeholders(&format!("{{{name}}}")).len() != 1
        {
            self.errors.push(
                Diagnostic::error("config", format!("`{name}` cannot be a placeholder name"))
                    .at(self.src, offset)
                    .with_help("a placeholder name has no spaces, braces, quotes or `:,<>&`, e.g. `[placeholders.群名]`"),
            );
            return None;
        }
        match &def.value {
            Value::String(label) => p.label = label.clone(),
            _ => {
                let t = self.table(&format!("placeholders.{name}"), def)?;
                for (k, ks, v) in t {
                    match k.as_str() {
                        "label" => p.label = self.string(k, v).unwrap_or_default(),
                        "default" => p.default = self.string(k, v).unwrap_or_default(),
                        "help" => p.help = self.string(k, v).unwrap_or_default(),
                        "from" => match self.string(k, v) {
                            Some(f) if PLACEHOLDER_SOURCES.contains(&f.as_str()) => p.from = f,
                            Some(f) => self.errors.push(
                                Diagnostic::error(
                                    "config",
                                    format!("`{f}` is not a value a placeholder can come from"),
                                )
                                .at(self.src, v.span.start)
                                .with_help(format!(
                                    "`from` is one of: {}",
                                    PLACEHOLDER_SOURCES.join(", ")
                                )),
                            ),
                            None => {}
                        },
                        _ => self.unknown_key(
                            k,
                            ks.start,
                            &["label", "default", "help", "from"],
                            &format!("[placeholders.{name}]"),
                        ),
                    }
                }
            }
        }
        Some(p)
    }

    pub(super) fn kind(&mut self, name: &str, def: &Spanned) -> Option<KindDef> {
        let t = self.table(&format!("kinds.{name}"), def)?;
        let mut kind = KindDef {
            name: name.to_string(),
            label: name.to_string(),
            section: None,
            fields: Vec::new(),
        };
        for (k, ks, v) in t {
            match k.as_str() {
                "label" => kind.label = self.string(k, v).unwrap_or_default(),
                "section" => {
                    kind.section = self.string(k, v);
                    if let Some(section) = &kind.section
                        && !crate::paths::stays_inside(Path::new(section.trim_start_matches('/')))
                    {
                        self.errors.push(
                            Diagnostic::error(
                                "config",
                                format!("section `{section}` of kind `{name}` climbs out of content/"),
                            )
                            .at(self.src, v.span.start)
                            .with_help("a section is a folder under content/, e.g. `section = \"rituals\"`"),
                        );
                        kind.section = None;
                    }
                }
                "fields" => {
                    let Some(fields) = self.table(k, v) else {
                        continue;
                    };
                    for (fname, fspan, fdef) in fields {
                        if let Some(f) = self.field(name, fname, fspan.start, fdef) {
                            kind.fields.push(f);
                        }
                    }
                }
                _ => self.unknown_key(
                    k,
                    ks.start,
                    &["label", "section", "fields"],
                    &format!("[kinds.{name}]"),
                ),
            }
        }
        Some(kind)
    }

    fn field(&mut self, kind: &str, name: &str, offset: usize, def: &Spanned) -> Option<FieldDef> {
        let mut field = FieldDef {
            name: name.to_string(),
            label: name.to_string(),
            ty: FieldType::String,
            required: false,
            values: Vec::new(),
            labels: Vec::new(),
            kinds: Vec::new(),
        };
        // `stage = "enum"` is shorthand for `stage = { type = "enum" }`.
        let owned;
        let t: &Table = match &def.value {
            Value::String(_) => {
                owned = vec![("type".to_string(), def.span.clone(), def.clone())];
                &owned
            }
            _ => self.table(&format!("kinds.{kind}.fields.{name}"), def)?,
        };
        let mut has_type = false;
        for (k, ks, v) in t {
            match k.as_str() {
                "type" => {
                    let Some(s) = self.string(k, v) else { continue };
                    has_type = true;
                    match FieldType::parse(&s) {
                        Some(ty) => field.ty = ty,
                        None => {
                            let help =
                                did_you_mean(&suggest(&s, FieldType::NAMES), |s| format!("`{s}`"))
                                    .unwrap_or_else(|| {
                                        format!("allowed types: {}", FieldType::NAMES.join(", "))
                                    });
                            self.errors.push(
                                Diagnostic::error(
                                    "config",
                                    format!("unknown field type `{s}` for `{kind}.{name}`"),
                                )
                                .at(self.src, v.span.start)
                                .with_help(help),
                            );
                        }
                    }
                }
                "label" => field.label = self.string(k, v).unwrap_or_default(),
                "required" => field.required = self.bool(k, v).unwrap_or(false),
                "values" => field.values = self.strings(k, v).unwrap_or_default(),
                "labels" => field.labels = self.strings(k, v).unwrap_or_default(),
                "kinds" => field.kinds = self.strings(k, v).unwrap_or_default(),
                _ => self.unknown_key(
                    k,
                    ks.start,
                    &["type", "label", "required", "values", "labels", "kinds"],
                    &format!("field `{kind}.{name}`"),
                ),
            }
        }
        if !has_type {
            self.errors.push(
                Diagnostic::error("config", format!("field `{kind}.{name}` has no type"))
                    .at(self.src, offset)
                    .with_help(format!(
                        "add `type = \"...\"`, one of: {}",
                        FieldType::NAMES.join(", ")
                    )),
            );
        }
        if field.ty == FieldType::Enum && field.values.is_empty() {
            self.errors.push(
                Diagnostic::error(
                    "config",
                    format!("enum field `{kind}.{name}` has no values"),
                )
                .at(self.src, offset)
                .with_help("add `values = [\"a\", \"b\"]`"),
            );
        }
        Some(field)
    }

    pub(super) fn check_link_targets(&mut self, kinds: &[KindDef]) {
        for kind in kinds {
            for field in &kind.fields {
                for target in &field.kinds {
                    if !kinds.iter().any(|k| &k.name == target) {
                        let help = did_you_mean(
                            &suggest(target, kinds.iter().map(|k| k.name.as_str())),
                            |s| format!("`{s}`"),
                        );
                        let mut d = Diagnostic::error(
                            "config",
                            format!(
                                "field `{}.{}` links to unknown kind `{target}`",
                                kind.name, field.name
                            ),
                        )
                        .in_file(CONFIG_FILE);
                        if let Some(h) = help {
                            d = d.with_help(h);
                        }
                        self.errors.push(d);
                    }
                }
            }
        }
    }
}

/// The warning for a name in `[lints]` or a page's `allow` that is not a lint.
pub(crate) fn unknown_lint(
    src: &SourceFile<'_>,
    name: &str,
    start: usize,
    end: usize,
) -> Diagnostic {
    let help = did_you_mean(&suggest(name, crate::lints::names()), |s| format!("`{s}`"))
        .unwrap_or_else(|| "the lints are listed in the README's Checks section".to_string());
    Diagnostic::warning("unknown-lint", format!("unknown lint `{name}`"))
        .at_span(src, start, end)
        .with_help(help)
}
