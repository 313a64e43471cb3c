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
            kinds: builtin_kinds(language),
            ui: default_ui(language),
            extra: serde_json::Value::Object(Default::default()),
            offline: false,
            search: true,
            embed_hosts: crate::markdown::embed::DEFAULT_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
            redirects: Vec::new(),
            placeholders: Vec::new(),
            playbook: Playbook::default(),
        }
    }
}

const TOP_KEYS: [&str; 15] = [
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
    // Only what `[ui]` sets goes on top of the language's strings, below.
    config.ui.clear();
    for (key, key_span, value) in &table {
        match key.as_str() {
            "title" => config.title = cx.string(key, value).unwrap_or_default(),
            "description" => config.description = cx.string(key, value).unwrap_or_default(),
            "base_url" => {
                config.base_url = cx
                    .string(key, value)
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string()
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
                    for (k, _, v) in t {
                        if let Some(s) = cx.string(k, v) {
                            config.ui.insert(k.clone(), s);
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
    let lang_ui = default_ui(config.language);
    let overrides = std::mem::take(&mut config.ui);
    config.ui = lang_ui;
    for (k, v) in overrides {
        if !default_ui(Language::ZhCn).contains_key(&k) {
            cx.warnings.push(
                Diagnostic::warning("config", format!("unknown UI string `{k}`"))
                    .in_file(CONFIG_FILE)
                    .with_help("it is passed to templates as site.ui, but the default theme does not use it"),
            );
        }
        config.ui.insert(k, v);
    }
    config.kinds = builtin_kinds(config.language);
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

/// The kinds every site has unless it declares its own of the same name (DESIGN.md §3).
pub fn builtin_kinds(lang: Language) -> Vec<KindDef> {
    let zh = lang == Language::ZhCn;
    let t = |zh_s: &str, en_s: &str| if zh { zh_s } else { en_s }.to_string();
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
        labels: if zh {
            ["导入期", "成长期", "成熟期", "衰退期"]
        } else {
            ["Intro", "Growth", "Maturity", "Decline"]
        }
        .map(String::from)
        .to_vec(),
        ..field("stage", &t("阶段", "Stage"), FieldType::Enum)
    };
    vec![
        kind(
            "element",
            t("要素", "Element"),
            Some("elements"),
            vec![
                field("letter", &t("字母", "Letter"), FieldType::String),
                field("order", &t("顺序", "Order"), FieldType::Int),
            ],
        ),
        kind(
            "ritual",
            t("仪式", "Ritual"),
            Some("rituals"),
            vec![
                link(
                    "element",
                    &t("要素", "Element"),
                    FieldType::Link,
                    &["element"],
                ),
                link("roles", &t("角色", "Roles"), FieldType::Raci, &["role"]),
                stage,
                field("schedule", &t("日程", "Schedule"), FieldType::Schedule),
                field("frequency", &t("频率", "Frequency"), FieldType::String),
                field("duration", &t("时长", "Duration"), FieldType::String),
                link(
                    "checklist",
                    &t("清单", "Checklist"),
                    FieldType::Link,
                    &["checklist"],
                ),
            ],
        ),
        kind(
            "role",
            t("角色", "Role"),
            Some("roles"),
            vec![
                field(
                    "responsibilities",
                    &t("职责", "Responsibilities"),
                    FieldType::List,
                ),
                link(
                    "reports_to",
                    &t("汇报给", "Reports to"),
                    FieldType::Link,
                    &["role"],
                ),
                link(
                    "element",
                    &t("要素", "Element"),
                    FieldType::Link,
                    &["element"],
                ),
            ],
        ),
        kind(
            "checklist",
            t("清单", "Checklist"),
            Some("checklists"),
            vec![link(
                "for",
                &t("适用于", "For"),
                FieldType::Links,
                &["ritual", "role", "element"],
            )],
        ),
        kind("page", t("页面", "Page"), None, Vec::new()),
    ]
}

/// A list entry as written when it is a string, else its type (for "found …" messages).
fn host_or_type(v: &Spanned) -> String {
    v.value
        .as_str()
        .map_or_else(|| v.value.type_name().to_string(), |s| format!("`{s}`"))
}

/// The UI strings of the default theme in each language; `[ui]` in site.toml overrides any.
pub fn default_ui(lang: Language) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str, &str)] = &[
        ("alert_caution", "当心", "Caution"),
        ("alert_important", "重要", "Important"),
        ("alert_note", "注意", "Note"),
        ("alert_tip", "提示", "Tip"),
        ("alert_warning", "警告", "Warning"),
        ("after_end", "结营后", "After closing"),
        ("back_home", "返回首页", "Back to home"),
        ("before_start", "开营前", "Before opening"),
        ("calendar", "运营日历", "Run sheet"),
        (
            "calendar_desc",
            "一期社群从开营前到结营后：每天做什么、谁来做、做多久。",
            "The cohort day by day: what to run, who runs it, for how long.",
        ),
        (
            "calendar_empty",
            "还没有设置了 schedule 的仪式。",
            "No ritual has a schedule yet.",
        ),
        ("clear", "清空", "Clear"),
        ("cohort_days", "营期天数", "Cohort length (days)"),
        ("community", "我们的社群", "Our community"),
        (
            "community_desc",
            "填写一次，本手册里所有话术、复制出的文字和运营日历都会用上。只保存在这台设备的浏览器里。",
            "Fill these in once: every template, every copied text and the run sheet use them. Kept in this browser only.",
        ),
        ("backlinks", "被以下页面引用", "Linked from"),
        ("breadcrumbs", "面包屑导航", "Breadcrumbs"),
        ("checklist", "配套清单", "Checklist"),
        ("checklists", "清单", "Checklists"),
        ("close", "关闭", "Close"),
        ("copied", "已复制", "Copied"),
        (
            "copy_announcement",
            "复制为群公告",
            "Copy as group announcement",
        ),
        (
            "copy_failed",
            "复制失败，请手动选择文字",
            "Copy failed; select the text by hand",
        ),
        ("coverage", "覆盖度", "Coverage"),
        (
            "coverage_desc",
            "要素 × 阶段，找出还没有仪式的空白。",
            "Elements × stages: find the gaps without rituals.",
        ),
        ("day_n", "D{n}", "D{n}"),
        ("details", "详情", "Details"),
        ("download_ics", "下载日历 .ics", "Download .ics"),
        ("duration", "时长", "Duration"),
        ("element", "要素", "Element"),
        ("element_rituals", "本要素的仪式", "Rituals of this element"),
        ("element_roles", "本要素的角色", "Roles of this element"),
        ("empty", "这里还没有内容。", "Nothing here yet."),
        ("frequency", "频率", "Frequency"),
        ("gap", "空白", "Gap"),
        ("generated_by", "由 群策 qunce 生成", "Built with qunce"),
        ("home", "首页", "Home"),
        ("isooc_overview", "ISOOC 五要素", "The five ISOOC elements"),
        ("lifecycle", "生命周期", "Lifecycle"),
        (
            "lifecycle_desc",
            "从导入期到衰退期，各阶段该做的仪式。",
            "Which rituals to run in each stage, from intro to decline.",
        ),
        ("matrix", "角色×仪式", "Roles × rituals"),
        (
            "matrix_desc",
            "谁参加哪些仪式，一表看清。",
            "Who takes part in which ritual, in one table.",
        ),
        ("menu", "目录", "Menu"),
        ("more_chapters", "更多章节", "More chapters"),
        ("next", "下一页", "Next"),
        ("no_results", "没有找到结果", "No results"),
        (
            "no_rituals",
            "这一阶段还没有仪式。",
            "No rituals in this stage yet.",
        ),
        ("not_found", "页面不存在", "Page not found"),
        (
            "not_found_help",
            "这个页面可能已被移动或删除。可以从首页或左侧目录重新找找。",
            "This page may have moved or been deleted. Start again from the home page or the menu.",
        ),
        ("open", "打开", "Open"),
        ("pager", "上一页与下一页", "Previous and next"),
        ("pages", "页", "pages"),
        ("prev", "上一页", "Previous"),
        ("print", "打印", "Print"),
        ("progress", "完成进度", "Progress"),
        ("raci_informed", "知会", "Informed"),
        ("raci_informed_short", "知", "I"),
        ("raci_lead", "主持", "Lead"),
        ("raci_lead_short", "主", "L"),
        ("raci_legend", "图例", "Legend"),
        ("raci_participant", "参与", "Takes part"),
        ("raci_participant_short", "✓", "✓"),
        ("raci_run", "执行", "Run"),
        ("raci_run_short", "执", "R"),
        ("raci_support", "配合", "Support"),
        ("raci_support_short", "配", "S"),
        ("reading_time", "分钟阅读", "min read"),
        ("redirect", "本页已移至", "This page has moved to"),
        ("recurring", "周期性", "Recurring"),
        ("relations", "关联", "Relations"),
        ("reported_by", "直接下属", "Direct reports"),
        ("reports_to", "向谁汇报", "Reports to"),
        ("reset", "重置", "Reset"),
        (
            "reset_confirm",
            "清空本页所有勾选？",
            "Clear all ticks on this page?",
        ),
        ("responsibilities", "职责", "Responsibilities"),
        (
            "role_duties",
            "在各仪式中的分工",
            "What it does in each ritual",
        ),
        ("runsheet", "团队执行单", "Team run sheet"),
        (
            "runsheet_copy",
            "复制团队执行单",
            "Copy the team's run sheet",
        ),
        (
            "runsheet_note",
            "团队内部用，不要发到群里",
            "For the team, not for members",
        ),
        ("rituals", "仪式", "Rituals"),
        ("roles", "角色", "Roles"),
        ("search", "搜索", "Search"),
        ("search_placeholder", "搜索手册…", "Search the handbook…"),
        ("search_all", "全部", "All"),
        ("search_filters", "按类型筛选", "Filter by kind"),
        ("search_loading", "正在加载索引…", "Loading the index…"),
        (
            "search_needs_js",
            "搜索需要启用 JavaScript。",
            "Search needs JavaScript.",
        ),
        ("search_results", "找到 {n} 个页面", "{n} pages found"),
        (
            "search_no_results",
            "没有找到与“{q}”相关的内容",
            "Nothing found for “{q}”",
        ),
        ("save", "保存", "Save"),
        ("schedule", "日程", "Schedule"),
        ("sections", "栏目", "Sections"),
        ("see_all", "查看全部", "See all"),
        ("serves", "用于", "For"),
        ("site_nav", "站点导航", "Site navigation"),
        ("skip_to_content", "跳到正文", "Skip to content"),
        ("stage", "阶段", "Stage"),
        ("start_date", "开营日期（D0）", "Opening day (D0)"),
        ("stage_decline", "衰退期", "Decline"),
        ("stage_growth", "成长期", "Growth"),
        ("stage_intro", "导入期", "Intro"),
        ("stage_maturity", "成熟期", "Maturity"),
        ("stage_other", "未分期", "No stage"),
        ("tag", "标签", "Tag"),
        ("tags", "标签", "Tags"),
        ("takes_part_in", "参与的仪式", "Takes part in"),
        ("template_copy", "复制话术", "Copy text"),
        ("template_kind_announcement", "群公告", "Announcement"),
        ("template_kind_group", "群消息", "Group message"),
        ("template_kind_poster", "海报", "Poster"),
        ("template_kind_private", "私聊", "Private message"),
        ("theme_auto", "跟随系统", "Follow system"),
        ("theme_dark", "深色", "Dark"),
        ("theme_light", "浅色", "Light"),
        ("theme_toggle", "切换深色模式", "Toggle dark mode"),
        ("toc", "本页目录", "On this page"),
        ("total", "合计", "Total"),
        ("unfilled", "未填写", "not filled in"),
        ("views", "总览视图", "Overviews"),
        // Reading aids, print, 404 and search suggestions (issue 23).
        ("back_to_top", "回到顶部", "Back to top"),
        ("checklist_label", "自检", "Checked"),
        ("did_you_mean", "你是不是要找", "Did you mean"),
        ("for_authors", "写作者视图", "For authors"),
        ("last_updated", "最后更新", "Last updated"),
        (
            "not_found_close",
            "你可能在找",
            "Perhaps you were looking for",
        ),
        ("print_all", "打印全册", "Print the handbook"),
        ("print_contents", "目录", "Contents"),
        (
            "print_help",
            "用浏览器的打印功能（Ctrl+P）打印或存为 PDF。",
            "Use the browser's print command (Ctrl+P) to print or save as PDF.",
        ),
        ("print_section", "打印本栏目", "Print this section"),
        ("search_partial", "部分匹配", "Partial matches"),
        (
            "search_partial_count",
            "没有页面包含全部词语，{n} 个页面包含其中大部分",
            "No page has every word; {n} pages have most of them",
        ),
        ("search_popular", "常被引用的页面", "Most linked pages"),
        ("week_n", "第 {n} 周", "Week {n}"),
    ];
    pairs
        .iter()
        .map(|(k, zh, en)| {
            let v = if lang == Language::ZhCn { zh } else { en };
            (k.to_string(), v.to_string())
        })
        .collect()
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
