//! Reading `site.toml`: the top-level keys in one pass, then what depends on the language
//! (UI strings, kinds) once it is known.

use crate::spanned::TypedValues;
use std::path::{Path, PathBuf};

use super::read::Cx;
use super::{
    CONFIG_FILE, Config, Language, RawHtml, builtin_kinds, default_ui, is_placeholder_url,
};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::spanned::{self, Value};

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
pub(crate) fn parse(root: &Path, text: &str) -> Result<(Config, Vec<Diagnostic>), Vec<Diagnostic>> {
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
