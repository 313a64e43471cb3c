//! Typed reads of `site.toml` values: a wrong type is an error at the value, an unknown key a
//! warning with the closest known one, and reading goes on so every problem is reported at once.

use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::{Spanned, Table, TypedValues, Value};

use super::RedirectRule;

/// The reading of one `site.toml`: what was found wrong so far, kept apart by severity.
pub(super) struct Cx<'a> {
    pub(super) src: &'a SourceFile<'a>,
    pub(super) errors: Vec<Diagnostic>,
    pub(super) warnings: Vec<Diagnostic>,
}

impl Cx<'_> {
    /// A top-level on/off setting: its error says what writing it does.
    pub(super) fn switch(&mut self, key: &str, v: &Spanned, help: &str) -> Option<bool> {
        match &v.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.errors.push(
                    Diagnostic::error("config", format!("`{key}` must be true or false"))
                        .at(self.src, v.span.start)
                        .with_help(help),
                );
                None
            }
        }
    }

    pub(super) fn strings(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
        match &v.value {
            Value::Array(items) => items.iter().map(|i| self.string(key, i)).collect(),
            _ => {
                self.wrong_type(key, "a list of strings", v);
                None
            }
        }
    }

    /// `embed_hosts`: a list of bare host names (`player.bilibili.com`), lowercased.
    pub(super) fn hosts(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
        let Value::Array(items) = &v.value else {
            self.wrong_type(key, "a list of host names", v);
            return None;
        };
        let mut hosts = Vec::new();
        for item in items {
            let host = item.value.as_str().unwrap_or("");
            let bare = !host.is_empty()
                && host
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-');
            if bare {
                hosts.push(host.to_ascii_lowercase());
            } else {
                self.errors.push(
                    Diagnostic::error(
                        "config",
                        format!(
                            "`{key}` entries are host names, found {}",
                            host_or_type(item)
                        ),
                    )
                    .at(self.src, item.span.start)
                    .with_help(
                        "write the host alone, e.g. \"player.bilibili.com\" (no https://, no path)",
                    ),
                );
            }
        }
        Some(hosts)
    }

    /// `[redirects]`: every key and value a URL path starting with `/`.
    pub(super) fn redirects(&mut self, t: &Table) -> Vec<RedirectRule> {
        let mut rules = Vec::new();
        for (from, key_span, v) in t {
            let Some(to) = self.string(from, v) else {
                continue;
            };
            let bad = [(from.as_str(), key_span.start), (to.as_str(), v.span.start)]
                .into_iter()
                .find(|(p, _)| {
                    !p.starts_with('/') || p.starts_with("//") || p.contains(['?', '#', '\\'])
                });
            if let Some((path, at)) = bad {
                self.errors.push(
                    Diagnostic::error(
                        "config",
                        format!("`{path}` in [redirects] is not a path of this site"),
                    )
                    .at(self.src, at)
                    .with_help(
                        "write paths below the site root: \"/old-section/\" = \"/rituals/\"",
                    ),
                );
                continue;
            }
            let (line, column, text) = self.src.position(key_span.start);
            rules.push(RedirectRule {
                from: from.clone(),
                to,
                line,
                column,
                source_line: text.to_string(),
            });
        }
        rules
    }

    pub(super) fn table<'t>(&mut self, key: &str, v: &'t Spanned) -> Option<&'t Table> {
        match &v.value {
            Value::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, "a table", v);
                None
            }
        }
    }

    pub(super) fn unknown_key(&mut self, key: &str, offset: usize, known: &[&str], place: &str) {
        let help = did_you_mean(&suggest(key, known.iter().copied()), |s| format!("`{s}`"))
            .unwrap_or_else(|| format!("known keys: {}", known.join(", ")));
        self.warnings.push(
            Diagnostic::warning("unknown-key", format!("unknown key `{key}` in {place}"))
                .at(self.src, offset)
                .with_help(help),
        );
    }
}

/// A list entry as written when it is a string, else its type (for "found …" messages).
pub(super) fn host_or_type(v: &Spanned) -> String {
    v.value
        .as_str()
        .map_or_else(|| v.value.type_name().to_string(), |s| format!("`{s}`"))
}

impl TypedValues for Cx<'_> {
    fn wrong_type(&mut self, key: &str, expected: &str, v: &Spanned) {
        self.errors.push(
            Diagnostic::error(
                "config",
                format!("`{key}` must be {expected}, found {}", v.value.type_name()),
            )
            .at(self.src, v.span.start),
        );
    }
}
