//! Typed reads of front-matter values: a wrong type is an error at the value that shows the
//! fix in the header's own syntax (TOML or YAML).

use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::{Spanned, TypedValues, Value};

use super::normalize_date;

/// A string as a TOML basic string.
pub(super) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(super) struct Cx<'s, 'd> {
    pub(super) src: &'s SourceFile<'s>,
    pub(super) diags: &'d mut Vec<Diagnostic>,
    /// Keys whose value had the wrong type.
    pub(super) bad_keys: Vec<String>,
    /// Helps show the fix in the header's own syntax.
    pub(super) yaml: bool,
}

impl Cx<'_, '_> {
    /// A `date` string that is not a date.
    pub(super) fn bad_date(&mut self, key: &str, s: &str, v: &Spanned) {
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

    /// A `schedule` value: one of [`crate::playbook::schedule::FORMS`], or empty (unset, as
    /// `qunce new` writes it).
    pub(super) fn schedule(&mut self, key: &str, v: &Spanned) -> bool {
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
    pub(super) fn raci(&mut self, key: &str, v: &Spanned) -> bool {
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

    /// A page's `allow` list: lint names, each checked against the registry.
    pub(super) fn lint_names(&mut self, key: &str, v: &Spanned) -> Vec<String> {
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

    pub(super) fn strings(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
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
pub(crate) fn is_date(s: &str) -> bool {
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

impl TypedValues for Cx<'_, '_> {
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
}
