//! Lint levels: every warning (and the errors a site may choose to live with, such as a broken
//! link) has a kebab-case name, shown in each diagnostic as `warning[orphan-page]`. A site sets
//! a level per name in `[lints]` of site.toml, a page allows names for itself with
//! `allow = [...]` in its front matter, and [`apply`] turns those choices into the final list.
//!
//! To add a lint: add one line to [`LINTS`] and emit diagnostics whose code is its name.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostics::{Diagnostic, Severity};

/// What a lint does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    /// Not reported at all.
    Allow,
    /// Reported; fails only `check --deny-warnings`.
    Warn,
    /// Reported as an error: `build` and `check` fail.
    Deny,
}

impl Level {
    /// The word a writer types in `[lints]`.
    pub(crate) fn parse(s: &str) -> Option<Level> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// One named class of diagnostics whose level a site may change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lint {
    pub(crate) name: &'static str,
    /// The level when neither site.toml nor the page says otherwise.
    pub(crate) default: Level,
    /// One line for the README and for `unknown-lint`'s help.
    // Only the unit test that keeps it one line reads it: the table is the lints' reference.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) description: &'static str,
}

const fn lint(name: &'static str, default: Level, description: &'static str) -> Lint {
    Lint {
        name,
        default,
        description,
    }
}

/// Every lint, in the order the README lists them. The one place a new lint is declared.
pub(crate) const LINTS: &[Lint] = &[
    // Errors by default: the output would be wrong. A site may lower them to `warn`; the link
    // is then marked as broken in the page instead of failing the build.
    lint(
        "broken-link",
        Level::Deny,
        "a link to a page or file that does not exist",
    ),
    lint(
        "broken-anchor",
        Level::Deny,
        "a link to a heading (`#id`) the target page does not have",
    ),
    lint(
        "dead-output-link",
        Level::Deny,
        "an `href` or `src` in a written file that no output file answers",
    ),
    // Warnings.
    lint(
        "orphan-page",
        Level::Warn,
        "no page links to this page, and no section lists it",
    ),
    lint(
        "unused-role",
        Level::Warn,
        "a role that no ritual lists in its `roles`",
    ),
    lint(
        "ritual-without-roles",
        Level::Warn,
        "a ritual with no `roles`",
    ),
    lint(
        "unlisted-role",
        Level::Warn,
        "a ritual links a role in its text that its `roles` does not list",
    ),
    lint(
        "element-without-rituals",
        Level::Warn,
        "an element no ritual belongs to",
    ),
    lint(
        "unknown-key",
        Level::Warn,
        "a front-matter or site.toml key qunce does not know",
    ),
    lint(
        "unknown-lint",
        Level::Warn,
        "a lint name in `[lints]` or `allow` that does not exist",
    ),
    lint(
        "unsafe-link",
        Level::Warn,
        "a `javascript:`, `vbscript:` or `data:` link, which is dropped",
    ),
    lint(
        "scheme-typo",
        Level::Warn,
        "a link that looks like a mistyped URL (`htps:`, `mail:`, `example.com/x`)",
    ),
    lint(
        "removed-html",
        Level::Warn,
        "raw HTML the sanitizer removed (`<script>`, `<iframe>`, `on*=` attributes)",
    ),
    lint(
        "raw-html-too-deep",
        Level::Warn,
        "raw HTML nested too deep to sanitize, shown as text",
    ),
    lint(
        "shortcode",
        Level::Warn,
        "text that looks like a Hugo or Zola shortcode, printed as is",
    ),
    lint(
        "footnote-without-definition",
        Level::Warn,
        "a footnote reference `[^1]` with no `[^1]: ...` definition",
    ),
    lint(
        "symlink",
        Level::Warn,
        "a symbolic link in content/, which is not followed",
    ),
    lint(
        "special-file",
        Level::Warn,
        "a device, socket or pipe in content/, which is skipped",
    ),
    lint(
        "undeclared-placeholder",
        Level::Warn,
        "a `{placeholder}` in a template block that site.toml does not declare",
    ),
    lint(
        "zh-typography",
        Level::Warn,
        "Chinese typography: half-width punctuation between Chinese characters and the like",
    ),
    lint(
        "unknown-feed-section",
        Level::Warn,
        "a folder in `[feeds] sections` that is not a section",
    ),
    lint(
        "placeholder-base-url",
        Level::Warn,
        "`base_url` is still the placeholder `qunce init` wrote",
    ),
];

/// The lint of a name, if it is one.
pub(crate) fn find(name: &str) -> Option<&'static Lint> {
    LINTS.iter().find(|l| l.name == name)
}

/// Every lint name, for "did you mean" help lines.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    LINTS.iter().map(|l| l.name)
}

/// The `[lints]` table of site.toml: levels that differ from the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    pub(crate) set: BTreeMap<String, Level>,
}

/// Applies the site's levels and the pages' own `allow` lists to `diags`: allowed ones are
/// removed, the others take the level the site set for their lint as severity (else they keep
/// the one they were made with, their lint's default). Diagnostics whose code is not a lint (a
/// TOML syntax error) are left as they are. Applying twice gives the same result.
///
/// `allows` maps a page's file (as diagnostics name it) to the lints it allows.
pub(crate) fn apply(
    diags: &mut Vec<Diagnostic>,
    levels: &Levels,
    allows: &HashMap<&str, &[String]>,
) {
    diags.retain_mut(|d| {
        let Some(lint) = find(d.code) else {
            return true;
        };
        // An error that shares its name with a warning lint (a symbolic link where one is a
        // security risk) is not that warning: no level lowers it.
        if d.is_error() && lint.default != Level::Deny {
            return true;
        }
        let level = levels.set.get(d.code).copied().unwrap_or(if d.is_error() {
            Level::Deny
        } else {
            Level::Warn
        });
        let page_allows = allows
            .get(d.file.as_str())
            .is_some_and(|a| a.iter().any(|n| n == d.code));
        match level {
            _ if page_allows => false,
            Level::Allow => false,
            Level::Warn => {
                d.severity = Severity::Warning;
                true
            }
            Level::Deny => {
                d.severity = Severity::Error;
                true
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_described() {
        let mut seen = std::collections::HashSet::new();
        for l in LINTS {
            assert!(seen.insert(l.name), "{} twice", l.name);
            assert!(
                l.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                l.name
            );
            assert!(!l.description.is_empty() && !l.description.contains('\n'));
        }
    }

    #[test]
    fn levels_and_page_allows_apply_and_are_idempotent() {
        let w = |code: &'static str, file: &str| Diagnostic::warning(code, "m").in_file(file);
        let mut diags = vec![
            w("orphan-page", "content/a.md"),
            w("orphan-page", "content/b.md"),
            w("unused-role", "content/a.md"),
            Diagnostic::error("broken-link", "m").in_file("content/a.md"),
            Diagnostic::error("invalid-toml", "m").in_file("content/a.md"),
            Diagnostic::error("symlink", "m").in_file("static"),
        ];
        let mut levels = Levels::default();
        levels.set.insert("unused-role".into(), Level::Deny);
        levels.set.insert("broken-link".into(), Level::Warn);
        levels.set.insert("symlink".into(), Level::Allow);
        let allow = vec!["orphan-page".to_string()];
        let allows = HashMap::from([("content/a.md", allow.as_slice())]);
        apply(&mut diags, &levels, &allows);
        let once = diags.clone();
        apply(&mut diags, &levels, &allows);
        assert_eq!(diags, once);
        let got: Vec<_> = diags
            .iter()
            .map(|d| (d.code, d.file.as_str(), d.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("orphan-page", "content/b.md", Severity::Warning),
                ("unused-role", "content/a.md", Severity::Error),
                ("broken-link", "content/a.md", Severity::Warning),
                ("invalid-toml", "content/a.md", Severity::Error),
                ("symlink", "static", Severity::Error),
            ]
        );
    }
}
