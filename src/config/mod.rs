//! Stage 0, config: reads `site.toml` into a [`Config`], with the built-in kinds (element,
//! ritual, role, checklist, page) filled in where the site does not declare its own. Kinds are
//! data, not code: everything later stages know about a kind comes from here.
//!
//! This file is the schema (what a site can say); `parse` reads the file, with `read` for
//! typed values and `sections` for the tables that need more than a type check, and `builtin`
//! holds the kinds and UI strings a site gets without declaring them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

mod builtin;
mod parse;
mod read;
mod sections;
#[cfg(test)]
mod tests;

#[cfg(test)] // markdown::embed's tests use the built-in list
pub(crate) use builtin::DEFAULT_EMBED_HOSTS;
pub(crate) use builtin::{builtin_kinds, default_ui};
pub use parse::load;
pub(crate) use sections::unknown_lint;
// Defined below config, in the modules that need them without needing config.
pub(crate) use crate::paths::CONFIG_FILE;
pub(crate) use crate::ui::Language;

/// What happens to raw HTML in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawHtml {
    /// Sanitized: scripts, iframes, event handlers and `javascript:` URLs are removed.
    Safe,
    /// Passed through as written (for single-author sites that need embeds).
    Allow,
}

/// The Atom feeds a build writes (`[feeds]` in site.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feeds {
    /// The site-wide `/atom.xml` (`atom = false` leaves it out).
    pub(crate) atom: bool,
    /// Sections that get a feed of their own at `<section>/atom.xml`.
    pub(crate) sections: SectionFeeds,
    /// Entries per feed, newest first; 0 keeps them all.
    pub(crate) limit: usize,
}

impl Default for Feeds {
    fn default() -> Self {
        Feeds {
            atom: true,
            sections: SectionFeeds::None,
            limit: 50,
        }
    }
}

/// Which sections have a feed of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SectionFeeds {
    None,
    /// `sections = true`: every section with dated pages.
    All,
    /// `sections = ["rituals", "news/2026"]`: these folders under content/.
    Only(Vec<String>),
}

/// The type of a kind's field, which decides how its front-matter value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    String,
    Int,
    Bool,
    List,
    Link,
    Links,
    Enum,
    /// When in a cohort (`D-7`, `每周三`, `结营+3`; see [`crate::playbook::Schedule`]).
    Schedule,
    /// Who does what: a table `lead`/`run`/`support`/`informed` of links, or a plain list of
    /// links (participants).
    Raci,
}

impl FieldType {
    const NAMES: [&'static str; 9] = [
        "string", "int", "bool", "list", "link", "links", "enum", "schedule", "raci",
    ];

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => FieldType::String,
            "int" => FieldType::Int,
            "bool" => FieldType::Bool,
            "list" => FieldType::List,
            "link" => FieldType::Link,
            "links" => FieldType::Links,
            "enum" => FieldType::Enum,
            "schedule" => FieldType::Schedule,
            "raci" => FieldType::Raci,
            _ => return None,
        })
    }
}

/// One typed field of a kind.
#[derive(Debug, Clone)]
pub(crate) struct FieldDef {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) ty: FieldType,
    pub(crate) required: bool,
    /// Allowed values of an `enum` field, in their meaningful order.
    pub(crate) values: Vec<String>,
    /// Display labels for `values` (same length), e.g. intro → 导入期.
    pub(crate) labels: Vec<String>,
    /// Kinds a `link`/`links` field may point to; empty means any.
    pub(crate) kinds: Vec<String>,
}

impl FieldDef {
    /// The value an enum field's written text means: the value itself, or the value whose label
    /// it is (`成长期` → `growth`), so writers can use the words the site shows them.
    pub(crate) fn enum_value(&self, written: &str) -> Option<&str> {
        if let Some(v) = self.values.iter().find(|v| *v == written) {
            return Some(v);
        }
        self.labels
            .iter()
            .position(|l| l == written)
            .and_then(|i| self.values.get(i))
            .map(String::as_str)
    }

    /// The allowed values of an enum field for a help line, each with its label when it has
    /// one: `intro (导入期), growth (成长期)`.
    pub(crate) fn enum_choices(&self) -> String {
        self.values
            .iter()
            .map(|v| match self.value_label(v) {
                l if l != v => format!("{v} ({l})"),
                _ => v.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The display label of an enum value.
    pub(crate) fn value_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| self.labels.get(i))
            .map_or(value, String::as_str)
    }
}

/// A kind of page: its label, default section and typed fields.
#[derive(Debug, Clone)]
pub(crate) struct KindDef {
    pub(crate) name: String,
    pub(crate) label: String,
    /// The section `qunce new` puts pages of this kind in.
    pub(crate) section: Option<String>,
    pub(crate) fields: Vec<FieldDef>,
}

impl KindDef {
    pub(crate) fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The whole site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) root: PathBuf,
    pub(crate) title: String,
    pub(crate) description: String,
    /// As configured, without a trailing slash.
    pub(crate) base_url: String,
    pub(crate) language: Language,
    pub(crate) theme: String,
    pub(crate) output_dir: PathBuf,
    pub(crate) raw_html: RawHtml,
    /// Kinds in declaration order; `page` is always present.
    pub(crate) kinds: Vec<KindDef>,
    /// UI strings for the theme: the language's defaults, overridden by `[ui]`.
    pub(crate) ui: BTreeMap<String, String>,
    /// The `[extra]` table, handed to templates untouched.
    pub(crate) extra: serde_json::Value,
    /// Write a site that works from file:// (relative links ending in `index.html`).
    pub(crate) offline: bool,
    /// Build the search index and show the search box (`search = false` leaves both out, for
    /// a handbook too small to need it or one searched by other means).
    pub(crate) search: bool,
    /// Lint levels from `[lints]` (see [`crate::lints`]).
    pub(crate) lints: crate::lints::Levels,
    /// The `placeholder-base-url` warning when `base_url` still names a documentation domain
    /// (example.org, as `qunce init` writes it): sitemap, robots.txt and feeds would point
    /// there. Kept here, not reported by `load`, because `--base-url` and `serve` replace the
    /// address and then nothing is wrong.
    pub(crate) placeholder_base_url: Option<Diagnostic>,
    /// The Atom feeds to write.
    pub(crate) feeds: Feeds,
    /// Hosts whose `<iframe>` players the safe raw-HTML policy keeps (`[markdown] embed_hosts`).
    pub(crate) embed_hosts: Vec<String>,
    /// `[redirects]`: old URL paths of moved pages or sections, in the order written.
    pub(crate) redirects: Vec<RedirectRule>,
    /// The `{name}` placeholders templates may use (`[placeholders.NAME]`), in declaration
    /// order: what the reader's settings panel asks for.
    pub(crate) placeholders: Vec<Placeholder>,
    /// `[playbook]`: the cohort the run sheet lays out.
    pub(crate) playbook: Playbook,
}

/// A declared template placeholder (`[placeholders.群名]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placeholder {
    pub(crate) name: String,
    /// What the settings panel calls it (defaults to the name).
    pub(crate) label: String,
    /// The value used until the reader gives one; empty leaves it visibly unfilled.
    pub(crate) default: String,
    /// A hint under the panel's field.
    pub(crate) help: String,
    /// Filled from the reader's cohort when left empty: `start` (the opening day), `end` (the
    /// closing day) or `cohort_days`; empty for none.
    pub(crate) from: String,
}

/// The values `from` may take in a `[placeholders.NAME]` table.
pub(crate) const PLACEHOLDER_SOURCES: [&str; 3] = ["start", "end", "cohort_days"];

/// The `[playbook]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Playbook {
    /// How many days a cohort runs after its opening day D0 (结营日 is D`cohort_days`); the
    /// reader can change it on the run sheet.
    pub(crate) cohort_days: i32,
}

impl Default for Playbook {
    fn default() -> Self {
        Playbook { cohort_days: 21 }
    }
}

/// One entry of `[redirects]`: `"/old/" = "/new/"`, both paths below the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RedirectRule {
    pub(crate) from: String,
    pub(crate) to: String,
    /// Where the entry is in site.toml (line, column, the line's text), for diagnostics about
    /// it found after the content is loaded.
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) source_line: String,
}

impl Config {
    pub(crate) fn kind(&self, name: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// The path part of `base_url` with slashes on both ends (`/` or `/handbook/`): every
    /// site-relative URL starts with it so sub-path hosting works.
    pub(crate) fn base_path(&self) -> String {
        let after_scheme = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
        let trimmed = path.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        }
    }

    /// A config for a site without site.toml values (used by tests and `init`).
    pub(crate) fn defaults(root: &Path) -> Config {
        let language = Language::ZhCn;
        Config {
            root: root.to_path_buf(),
            title: "群策手册".to_string(),
            description: String::new(),
            base_url: "http://127.0.0.1".to_string(),
            language,
            theme: "handbook".to_string(),
            output_dir: root.join("public"),
            raw_html: RawHtml::Safe,
            kinds: builtin_kinds(crate::ui::table(language)),
            ui: default_ui(language),
            extra: serde_json::Value::Object(Default::default()),
            offline: false,
            search: true,
            lints: crate::lints::Levels::default(),
            placeholder_base_url: None,
            feeds: Feeds::default(),
            embed_hosts: builtin::DEFAULT_EMBED_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
            redirects: Vec::new(),
            placeholders: Vec::new(),
            playbook: Playbook::default(),
        }
    }

    /// Whether the base URL has a path below its host (`https://x.org/handbook`): such a site
    /// does not own the host's `/robots.txt`.
    pub(crate) fn has_sub_path(&self) -> bool {
        self.base_path() != "/"
    }
}

/// Whether `url`'s host is one of the domains reserved for examples (RFC 2606), the placeholder
/// a new site starts with.
pub(crate) fn is_placeholder_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    ["example.org", "example.com", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}
