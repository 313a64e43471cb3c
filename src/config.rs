//! Stage 0, config: reads `site.toml` into a [`Config`], with the built-in kinds (element,
//! ritual, role, checklist, page) filled in where the site does not declare its own. Kinds are
//! data, not code: everything later stages know about a kind comes from here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, SourceFile, did_you_mean, suggest};
use crate::spanned::{self, Spanned, Table, Value};

/// The name of the configuration file at the site root.
pub const CONFIG_FILE: &str = "site.toml";

/// UI language of the generated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

/// What happens to raw HTML in Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawHtml {
    /// Sanitized: scripts, iframes, event handlers and `javascript:` URLs are removed.
    Safe,
    /// Passed through as written (for single-author sites that need embeds).
    Allow,
}

/// The Atom feeds a build writes (`[feeds]` in site.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feeds {
    /// The site-wide `/atom.xml` (`atom = false` leaves it out).
    pub atom: bool,
    /// Sections that get a feed of their own at `<section>/atom.xml`.
    pub sections: SectionFeeds,
    /// Entries per feed, newest first; 0 keeps them all.
    pub limit: usize,
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
pub enum SectionFeeds {
    None,
    /// `sections = true`: every section with dated pages.
    All,
    /// `sections = ["rituals", "news/2026"]`: these folders under content/.
    Only(Vec<String>),
}

/// The type of a kind's field, which decides how its front-matter value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
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

    pub fn is_link(self) -> bool {
        matches!(self, FieldType::Link | FieldType::Links | FieldType::Raci)
    }
}

/// One typed field of a kind.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    pub ty: FieldType,
    pub required: bool,
    /// Allowed values of an `enum` field, in their meaningful order.
    pub values: Vec<String>,
    /// Display labels for `values` (same length), e.g. intro → 导入期.
    pub labels: Vec<String>,
    /// Kinds a `link`/`links` field may point to; empty means any.
    pub kinds: Vec<String>,
}

impl FieldDef {
    /// The value an enum field's written text means: the value itself, or the value whose label
    /// it is (`成长期` → `growth`), so writers can use the words the site shows them.
    pub fn enum_value(&self, written: &str) -> Option<&str> {
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
    pub fn enum_choices(&self) -> String {
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
    pub fn value_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| self.labels.get(i))
            .map_or(value, String::as_str)
    }
}

/// A kind of page: its label, default section and typed fields.
#[derive(Debug, Clone)]
pub struct KindDef {
    pub name: String,
    pub label: String,
    /// The section `qunce new` puts pages of this kind in.
    pub section: Option<String>,
    pub fields: Vec<FieldDef>,
}

impl KindDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The whole site configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub title: String,
    pub description: String,
    /// As configured, without a trailing slash.
    pub base_url: String,
    pub language: Language,
    pub theme: String,
    pub output_dir: PathBuf,
    pub raw_html: RawHtml,
    /// Kinds in declaration order; `page` is always present.
    pub kinds: Vec<KindDef>,
    /// UI strings for the theme: the language's defaults, overridden by `[ui]`.
    pub ui: BTreeMap<String, String>,
    /// The `[extra]` table, handed to templates untouched.
    pub extra: serde_json::Value,
    /// Write a site that works from file:// (relative links ending in `index.html`).
    pub offline: bool,
    /// Build the search index and show the search box (`search = false` leaves both out, for
    /// a handbook too small to need it or one searched by other means).
    pub search: bool,
    /// Lint levels from `[lints]` (see [`crate::lints`]).
    pub lints: crate::lints::Levels,
    /// The `placeholder-base-url` warning when `base_url` still names a documentation domain
    /// (example.org, as `qunce init` writes it): sitemap, robots.txt and feeds would point
    /// there. Kept here, not reported by `load`, because `--base-url` and `serve` replace the
    /// address and then nothing is wrong.
    pub placeholder_base_url: Option<Diagnostic>,
    /// The Atom feeds to write.
    pub feeds: Feeds,
    /// Hosts whose `<iframe>` players the safe raw-HTML policy keeps (`[markdown] embed_hosts`).
    pub embed_hosts: Vec<String>,
    /// `[redirects]`: old URL paths of moved pages or sections, in the order written.
    pub redirects: Vec<RedirectRule>,
    /// The `{name}` placeholders templates may use (`[placeholders.NAME]`), in declaration
    /// order: what the reader's settings panel asks for.
    pub placeholders: Vec<Placeholder>,
    /// `[playbook]`: the cohort the run sheet lays out.
    pub playbook: Playbook,
}

/// A declared template placeholder (`[placeholders.群名]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub name: String,
    /// What the settings panel calls it (defaults to the name).
    pub label: String,
    /// The value used until the reader gives one; empty leaves it visibly unfilled.
    pub default: String,
    /// A hint under the panel's field.
    pub help: String,
    /// Filled from the reader's cohort when left empty: `start` (the opening day), `end` (the
    /// closing day) or `cohort_days`; empty for none.
    pub from: String,
}

/// The values `from` may take in a `[placeholders.NAME]` table.
pub const PLACEHOLDER_SOURCES: [&str; 3] = ["start", "end", "cohort_days"];

/// The `[playbook]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    /// How many days a cohort runs after its opening day D0 (结营日 is D`cohort_days`); the
    /// reader can change it on the run sheet.
    pub cohort_days: i32,
}

impl Default for Playbook {
    fn default() -> Self {
        Playbook { cohort_days: 21 }
    }
}

/// One entry of `[redirects]`: `"/old/" = "/new/"`, both paths below the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRule {
    pub from: String,
    pub to: String,
    /// Where the entry is in site.toml (line, column, the line's text), for diagnostics about
    /// it found after the content is loaded.
    pub line: usize,
    pub column: usize,
    pub source_line: String,
}

impl Config {
    pub fn kind(&self, name: &str) -> Option<&KindDef> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// The path part of `base_url` with slashes on both ends (`/` or `/handbook/`): every
    /// site-relative URL starts with it so sub-path hosting works.
    pub fn base_path(&self) -> String {
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
    pub fn defaults(root: &Path) -> Config {
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
            embed_hosts: crate::markdown::embed::DEFAULT_HOSTS
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
    pub fn has_sub_path(&self) -> bool {
        self.base_path() != "/"
    }
}

/// Whether `url`'s host is one of the domains reserved for examples (RFC 2606), the placeholder
/// a new site starts with.
pub fn is_placeholder_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    ["example.org", "example.com", "example.net"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

const TOP_KEYS: [&str; 17] = [
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "output_dir",
    "markdown",
    "kinds",
    "ui",
    "extra",
    "offline",
    "search",
    "lints",
    "feeds",
    "redirects",
    "placeholders",
    "playbook",
];

/// Loads `site.toml` from `root`. A missing file is an error (a site needs one); every problem
/// found is returned together.
pub fn load(root: &Path) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    let bytes = std::fs::read(&path).map_err(|e| {
        vec![
            Diagnostic::error("config", format!("cannot read {CONFIG_FILE}: {e}"))
                .in_file(CONFIG_FILE)
                .with_help(format!(
                    "run `qunce init {}` to create a new site, or pass --root DIR to point at one",
                    root.display()
                )),
        ]
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let src = SourceFile::new(CONFIG_FILE, &lossy);
            return Err(vec![
                Diagnostic::error("invalid-utf8", "site.toml is not valid UTF-8")
                    .at(&src, good)
                    .with_help("save the file as UTF-8"),
            ]);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    parse(root, text)
}

/// Parses the text of `site.toml`.
pub fn parse(root: &Path, text: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
    let src = SourceFile::new(CONFIG_FILE, text);
    let table = spanned::parse(text).map_err(|e| {
        let at = e.span.map_or(0, |s| s.start);
        vec![
            Diagnostic::error("invalid-toml", format!("invalid TOML: {}", e.message))
                .at(&src, at)
                .with_help(unquoted_key_help(text, at).unwrap_or_else(|| {
                    "site.toml is TOML: `key = \"value\"`, tables as `[name]`".to_string()
                })),
        ]
    })?;
    let mut cx = Cx {
        src: &src,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut config = Config::defaults(root);
    // `[ui]` may come before `language`: its strings go over the language's table afterwards.
    let mut ui_overrides: Vec<(String, usize, String)> = Vec::new();
    for (key, key_span, value) in &table {
        match key.as_str() {
            "title" => config.title = cx.string(key, value).unwrap_or_default(),
            "description" => config.description = cx.string(key, value).unwrap_or_default(),
            "base_url" => {
                config.base_url = cx
                    .string(key, value)
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string();
                if is_placeholder_url(&config.base_url) {
                    config.placeholder_base_url = Some(
                        Diagnostic::warning(
                            "placeholder-base-url",
                            format!(
                                "base_url is still the placeholder `{}`: sitemap.xml, robots.txt and feeds point there",
                                config.base_url
                            ),
                        )
                        .at(&src, value.span.start)
                        .with_help("set base_url to the address the site is published at, or build with `--base-url URL`"),
                    );
                }
            }
            "language" => match cx.string(key, value).as_deref() {
                Some("zh-CN" | "zh" | "zh-Hans") => config.language = Language::ZhCn,
                Some("en" | "en-US" | "en-GB") => config.language = Language::En,
                Some(other) => cx.errors.push(
                    Diagnostic::error("config", format!("unknown language `{other}`"))
                        .at(&src, value.span.start)
                        .with_help("allowed values: zh-CN, en"),
                ),
                None => {}
            },
            "theme" => config.theme = cx.string(key, value).unwrap_or_default(),
            "output_dir" => {
                if let Some(dir) = cx.string(key, value) {
                    match output_dir(root, &dir) {
                        Ok(path) => config.output_dir = path,
                        Err(why) => cx.errors.push(
                            Diagnostic::error("config", format!("`output_dir = \"{dir}\"` {why}"))
                                .at(&src, value.span.start)
                                .with_help(
                                    "write a folder of its own inside the site, e.g. \
                                     `output_dir = \"public\"`; `build --output DIR` may point \
                                     anywhere else",
                                ),
                        ),
                    }
                }
            }
            "markdown" => {
                if let Some(t) = cx.table(key, value) {
                    for (k, ks, v) in t {
                        match k.as_str() {
                            "raw_html" => match cx.string(k, v).as_deref() {
                                Some("safe") => config.raw_html = RawHtml::Safe,
                                Some("allow") => config.raw_html = RawHtml::Allow,
                                Some(other) => cx.errors.push(
                                    Diagnostic::error(
                                        "config",
                                        format!("unknown raw_html policy `{other}`"),
                                    )
                                    .at(&src, v.span.start)
                                    .with_help("allowed values: safe, allow"),
                                ),
                                None => {}
                            },
                            "embed_hosts" => {
                                if let Some(hosts) = cx.hosts(k, v) {
                                    config.embed_hosts = hosts;
                                }
                            }
                            _ => cx.unknown_key(
                                k,
                                ks.start,
                                &["raw_html", "embed_hosts"],
                                "[markdown]",
                            ),
                        }
                    }
                }
            }
            "ui" => {
                if let Some(t) = cx.table(key, value) {
                    for (k, ks, v) in t {
                        if let Some(s) = cx.string(k, v) {
                            ui_overrides.push((k.clone(), ks.start, s));
                        }
                    }
                }
            }
            "extra" => config.extra = value.value.to_json(),
            "offline" => {
                let help = "write `offline = true` to build a site that works from file://";
                if let Some(b) = cx.switch(key, value, help) {
                    config.offline = b;
                }
            }
            "search" => {
                let help = "write `search = false` to build the site without a search index";
                if let Some(b) = cx.switch(key, value, help) {
                    config.search = b;
                }
            }
            "lints" => {
                if let Some(t) = cx.table(key, value) {
                    config.lints = cx.lints(t);
                }
            }
            "feeds" => {
                if let Some(t) = cx.table(key, value) {
                    config.feeds = cx.feeds(t);
                }
            }
            "redirects" => {
                if let Some(t) = cx.table(key, value) {
                    config.redirects = cx.redirects(t);
                }
            }
            "placeholders" => {
                if let Some(t) = cx.table(key, value) {
                    config.placeholders = t
                        .iter()
                        .filter_map(|(name, ks, def)| cx.placeholder(name, ks.start, def))
                        .collect();
                }
            }
            "playbook" => {
                if let Some(t) = cx.table(key, value) {
                    for (k, ks, v) in t {
                        match k.as_str() {
                            "cohort_days" => match v.value {
                                Value::Integer(n) if (1..=366).contains(&n) => {
                                    config.playbook.cohort_days = n as i32
                                }
                                _ => cx.errors.push(
                                    Diagnostic::error(
                                        "config",
                                        "`cohort_days` must be a whole number of days from 1 to 366",
                                    )
                                    .at(&src, v.span.start)
                                    .with_help("write e.g. `cohort_days = 21`"),
                                ),
                            },
                            _ => cx.unknown_key(k, ks.start, &["cohort_days"], "[playbook]"),
                        }
                    }
                }
            }
            "kinds" => {}
            _ => cx.unknown_key(key, key_span.start, &TOP_KEYS, "site.toml"),
        }
    }
    // Language decides defaults, so it is applied before kinds and ui overrides are merged.
    config.ui = default_ui(config.language);
    for (k, offset, v) in ui_overrides {
        if !crate::ui::is_known(&k) {
            cx.warnings.push(
                Diagnostic::warning("unknown-key", format!("unknown UI string `{k}`"))
                    .at(&src, offset)
                    .with_help("it is passed to templates as site.ui, but the default theme does not use it"),
            );
        }
        config.ui.insert(k, v);
    }
    config.kinds = builtin_kinds(&config.ui);
    if let Some(kinds) = spanned::get(&table, "kinds")
        && let Some(t) = cx.table("kinds", kinds)
    {
        for (name, _, def) in t {
            if let Some(kind) = cx.kind(name, def) {
                match config.kinds.iter_mut().find(|k| k.name == kind.name) {
                    Some(existing) => *existing = kind,
                    None => config.kinds.push(kind),
                }
            }
        }
    }
    cx.check_link_targets(&config.kinds);
    if cx.errors.is_empty() {
        Ok((config, cx.warnings))
    } else {
        let mut all = cx.errors;
        all.extend(cx.warnings);
        Err(all)
    }
}

/// The help for a TOML error at a bare key that is not ASCII (`[placeholders.群名]`): TOML
/// wants such keys quoted.
fn unquoted_key_help(text: &str, at: usize) -> Option<String> {
    let c = text.get(at..)?.chars().next()?;
    if c.is_ascii() {
        return None;
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[at..];
    let key_len = rest
        .find(|c: char| c.is_ascii_whitespace() || matches!(c, '.' | ']' | '='))
        .unwrap_or(rest.len());
    let key = &rest[..key_len];
    let fixed = format!(
        "{}\"{key}\"{}",
        &text[line_start..at],
        rest[key_len..].lines().next().unwrap_or("")
    );
    Some(format!(
        "a key that is not plain ASCII must be quoted in TOML: `{}`",
        fixed.trim()
    ))
}

/// Where `output_dir` from site.toml puts the output, or why it may not: site.toml comes with
/// cloned sites, so it may only name a folder inside the site and clear of its sources (the
/// command line's `--output` is the user's own choice and may point anywhere).
fn output_dir(root: &Path, dir: &str) -> Result<PathBuf, String> {
    let rel = Path::new(dir);
    if rel.is_absolute() || dir.starts_with(['/', '\\']) {
        return Err("is an absolute path; it must be a folder inside the site".into());
    }
    if !crate::paths::stays_inside(rel) {
        return Err("climbs out of the site; it must be a folder inside it".into());
    }
    let path = root.join(rel);
    if !crate::paths::resolve(&path).starts_with(crate::paths::resolve(root)) {
        return Err("leads out of the site through a symbolic link".into());
    }
    if let Some(what) = crate::paths::source_clash(&path, root) {
        return Err(format!("is {what}, which a build would replace"));
    }
    Ok(path)
}

struct Cx<'a> {
    src: &'a SourceFile<'a>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn wrong_type(&mut self, key: &str, expected: &str, v: &Spanned) {
        self.errors.push(
            Diagnostic::error(
                "config",
                format!("`{key}` must be {expected}, found {}", v.value.type_name()),
            )
            .at(self.src, v.span.start),
        );
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

    fn bool(&mut self, key: &str, v: &Spanned) -> Option<bool> {
        match &v.value {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(key, "a boolean (true or false)", v);
                None
            }
        }
    }

    /// A top-level on/off setting: its error says what writing it does.
    fn switch(&mut self, key: &str, v: &Spanned, help: &str) -> Option<bool> {
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

    fn strings(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
        match &v.value {
            Value::Array(items) => items.iter().map(|i| self.string(key, i)).collect(),
            _ => {
                self.wrong_type(key, "a list of strings", v);
                None
            }
        }
    }

    /// `embed_hosts`: a list of bare host names (`player.bilibili.com`), lowercased.
    fn hosts(&mut self, key: &str, v: &Spanned) -> Option<Vec<String>> {
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
    fn redirects(&mut self, t: &Table) -> Vec<RedirectRule> {
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

    fn table<'t>(&mut self, key: &str, v: &'t Spanned) -> Option<&'t Table> {
        match &v.value {
            Value::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, "a table", v);
                None
            }
        }
    }

    fn unknown_key(&mut self, key: &str, offset: usize, known: &[&str], place: &str) {
        let help = did_you_mean(&suggest(key, known.iter().copied()), |s| format!("`{s}`"))
            .unwrap_or_else(|| format!("known keys: {}", known.join(", ")));
        self.warnings.push(
            Diagnostic::warning("unknown-key", format!("unknown key `{key}` in {place}"))
                .at(self.src, offset)
                .with_help(help),
        );
    }

    /// The `[lints]` table: `name = "allow" | "warn" | "deny"`.
    fn lints(&mut self, t: &Table) -> crate::lints::Levels {
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

    fn feeds(&mut self, t: &Table) -> Feeds {
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
    fn placeholder(&mut self, name: &str, offset: usize, def: &Spanned) -> Option<Placeholder> {
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

    fn kind(&mut self, name: &str, def: &Spanned) -> Option<KindDef> {
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

    fn check_link_targets(&mut self, kinds: &[KindDef]) {
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

fn field(name: &str, label: &str, ty: FieldType) -> FieldDef {
    FieldDef {
        name: name.to_string(),
        label: label.to_string(),
        ty,
        required: false,
        values: Vec::new(),
        labels: Vec::new(),
        kinds: Vec::new(),
    }
}

fn link(name: &str, label: &str, ty: FieldType, kinds: &[&str]) -> FieldDef {
    FieldDef {
        kinds: kinds.iter().map(|s| s.to_string()).collect(),
        ..field(name, label, ty)
    }
}

/// The kinds every site has unless it declares its own of the same name (DESIGN.md §3). Their
/// labels are UI strings (`kind_ritual`, `field_stage`, `stage_intro`, …), so they follow the
/// site's language and its `[ui]` overrides.
pub fn builtin_kinds(ui: &BTreeMap<String, String>) -> Vec<KindDef> {
    let t = |key: &str| ui.get(key).cloned().unwrap_or_else(|| key.to_string());
    let kind = |name: &str, label: String, section: Option<&str>, fields: Vec<FieldDef>| KindDef {
        name: name.to_string(),
        label,
        section: section.map(str::to_string),
        fields,
    };
    let stage = FieldDef {
        values: ["intro", "growth", "maturity", "decline"]
            .map(String::from)
            .to_vec(),
        labels: [
            "stage_intro",
            "stage_growth",
            "stage_maturity",
            "stage_decline",
        ]
        .map(t)
        .to_vec(),
        ..field("stage", &t("field_stage"), FieldType::Enum)
    };
    vec![
        kind(
            "element",
            t("kind_element"),
            Some("elements"),
            vec![
                field("letter", &t("field_letter"), FieldType::String),
                field("order", &t("field_order"), FieldType::Int),
            ],
        ),
        kind(
            "ritual",
            t("kind_ritual"),
            Some("rituals"),
            vec![
                link(
                    "element",
                    &t("field_element"),
                    FieldType::Link,
                    &["element"],
                ),
                link("roles", &t("field_roles"), FieldType::Raci, &["role"]),
                stage,
                field("schedule", &t("field_schedule"), FieldType::Schedule),
                field("frequency", &t("field_frequency"), FieldType::String),
                field("duration", &t("field_duration"), FieldType::String),
                link(
                    "checklist",
                    &t("field_checklist"),
                    FieldType::Link,
                    &["checklist"],
                ),
            ],
        ),
        kind(
            "role",
            t("kind_role"),
            Some("roles"),
            vec![
                field(
                    "responsibilities",
                    &t("field_responsibilities"),
                    FieldType::List,
                ),
                link(
                    "reports_to",
                    &t("field_reports_to"),
                    FieldType::Link,
                    &["role"],
                ),
                link(
                    "element",
                    &t("field_element"),
                    FieldType::Link,
                    &["element"],
                ),
            ],
        ),
        kind(
            "checklist",
            t("kind_checklist"),
            Some("checklists"),
            vec![link(
                "for",
                &t("field_for"),
                FieldType::Links,
                &["ritual", "role", "element"],
            )],
        ),
        kind("page", t("kind_page"), None, Vec::new()),
    ]
}

/// A list entry as written when it is a string, else its type (for "found …" messages).
fn host_or_type(v: &Spanned) -> String {
    v.value
        .as_str()
        .map_or_else(|| v.value.type_name().to_string(), |s| format!("`{s}`"))
}

/// The UI strings of the default theme in `lang` (see [`crate::ui`]); `[ui]` in site.toml
/// overrides any.
pub fn default_ui(lang: Language) -> BTreeMap<String, String> {
    crate::ui::table(lang).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Config, Vec<Diagnostic>) {
        parse(Path::new("/site"), text).expect("config parses")
    }

    #[test]
    fn base_path_from_sub_path_url() {
        let (c, _) = parse_ok("base_url = \"https://example.org/handbook/\"");
        assert_eq!(c.base_path(), "/handbook/");
        let (c, _) = parse_ok("base_url = \"https://example.org\"");
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn builtin_kinds_without_declaration() {
        let (c, w) = parse_ok("title = \"x\"");
        assert!(w.is_empty());
        let names: Vec<_> = c.kinds.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["element", "ritual", "role", "checklist", "page"]);
        assert_eq!(
            c.kind("ritual")
                .unwrap()
                .field("stage")
                .unwrap()
                .value_label("intro"),
            "导入期"
        );
    }

    #[test]
    fn declared_kind_with_typed_fields() {
        let (c, _) = parse_ok(
            "[kinds.event]\nlabel = \"活动\"\n[kinds.event.fields.host]\ntype = \"link\"\nkinds = [\"role\"]\nrequired = true\n",
        );
        let f = c.kind("event").unwrap().field("host").unwrap();
        assert_eq!(f.ty, FieldType::Link);
        assert!(f.required);
    }

    #[test]
    fn unknown_keys_warn_with_suggestion() {
        let (_, w) = parse_ok("titel = \"x\"");
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 1);
        assert_eq!(w[0].help.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn wrong_types_and_bad_field_types_are_errors_at_their_line() {
        let e = parse(
            Path::new("/s"),
            "title = 3\n[kinds.x.fields.a]\ntype = \"lnk\"\n",
        )
        .unwrap_err();
        assert_eq!(e[0].line, 1);
        assert!(e[0].message.contains("`title` must be a string"));
        assert_eq!(e[1].line, 3);
        assert_eq!(e[1].help.as_deref(), Some("did you mean `link`?"));
    }

    #[test]
    fn an_unquoted_chinese_key_gets_the_quoted_form_as_help() {
        let e = parse(
            Path::new("/s"),
            "title = \"x\"\n[placeholders.群名]\nlabel = \"群名\"\n",
        )
        .unwrap_err();
        assert_eq!((e[0].code, e[0].line, e[0].column), ("invalid-toml", 2, 15));
        assert_eq!(
            e[0].help.as_deref(),
            Some("a key that is not plain ASCII must be quoted in TOML: `[placeholders.\"群名\"]`")
        );
    }

    #[test]
    fn invalid_toml_is_located() {
        let e = parse(Path::new("/s"), "title = \"x\"\nbase_url = \n").unwrap_err();
        assert_eq!(e[0].code, "invalid-toml");
        assert_eq!(e[0].line, 2);
    }
}
