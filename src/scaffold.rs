//! `qunce init` and `qunce new`: starting points a writer edits, never overwriting anything.

use std::path::{Path, PathBuf};

use crate::config::{Config, FieldType, KindDef, Language};
use crate::messages::{self, Lang};
use crate::render::theme::EMBEDDED_THEME;

/// Why a scaffold command could not run.
#[derive(Debug)]
pub struct ScaffoldError {
    pub(crate) message: String,
    pub(crate) help: String,
}

/// The section of the message catalogue holding these errors' texts.
const CODE: &str = "scaffold";

impl ScaffoldError {
    /// The error as the command line prints it, in `lang` (through the catalogue's `[new]`
    /// templates; a text without one stays English).
    pub fn render(&self, lang: Lang) -> String {
        use crate::diagnostics::terminal_safe;
        let message = messages::translate(CODE, &self.message, false, lang);
        let help = messages::translate(CODE, &self.help, true, lang);
        let (colon, space) = if lang == Lang::En {
            (":", " ")
        } else {
            ("：", "")
        };
        format!(
            "{}{colon}{space}{}\n  = {}{colon}{space}{}\n",
            messages::cli(lang, "error", &[]),
            terminal_safe(&message),
            messages::cli(lang, "help", &[]),
            terminal_safe(&help)
        )
    }
}

fn err(message: impl Into<String>, help: impl Into<String>) -> ScaffoldError {
    ScaffoldError {
        message: message.into(),
        help: help.into(),
    }
}

/// The site.toml of a new site; `{title}` and `{base_url}` are TOML strings.
const SITE_TOML: &str = r#"# 群策 qunce site configuration. Kinds (element, ritual, role, checklist, page) are built in;
# declare [kinds.NAME] tables to change them or add your own.
title = {title}
description = "用 ISOOC 框架运营社群的操作手册"
base_url = {base_url}   # where the site is published: sitemap, robots.txt and feeds use it
language = "zh-CN"      # or "en" for an English UI
"#;

/// The title and address of a new site when `init` is not given them.
pub(crate) const DEFAULT_TITLE: &str = "我的社群手册";
/// A documentation domain (RFC 2606): building warns until it is replaced (see
/// [`crate::config::is_placeholder_url`]).
pub(crate) const PLACEHOLDER_BASE_URL: &str = "https://example.org";

/// What `qunce init` was asked for; it asks nothing itself, so scripts and CI can run it.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The site's title (default `DEFAULT_TITLE`).
    pub title: Option<String>,
    /// Where the site will be published (default `PLACEHOLDER_BASE_URL`).
    pub base_url: Option<String>,
    /// Also unpack the default theme into `themes/handbook/`.
    pub theme_files: bool,
}

/// A string as a TOML basic string.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

const STARTER: &[(&str, &str)] = &[
    (
        "content/_index.md",
        "+++\ntitle = \"我的社群手册\"\n+++\n\n从 [[同好]] 开始，然后看看 [[开营仪式]] 和 [[入门指南]]。\n",
    ),
    (
        "content/elements/_index.md",
        "+++\ntitle = \"ISOOC 五要素\"\nweight = 1\n+++\n\n社群的五个要素。\n",
    ),
    (
        "content/elements/同好.md",
        "+++\ntitle = \"同好\"\nkind = \"element\"\nletter = \"I\"\norder = 1\naliases = [\"Interest\"]\n+++\n\n因为共同的爱好或目标聚在一起。第一个仪式是 [[开营仪式]]。\n",
    ),
    (
        "content/rituals/_index.md",
        "+++\ntitle = \"仪式\"\nweight = 2\n+++\n\n社群的固定动作。\n",
    ),
    (
        "content/rituals/开营仪式.md",
        "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"intro\"\nfrequency = \"每期一次\"\nduration = \"60 分钟\"\nchecklist = \"开营准备\"\n+++\n\n## 流程\n\n1. [[班长]] 发布欢迎词。\n2. 成员自我介绍。\n",
    ),
    (
        "content/roles/_index.md",
        "+++\ntitle = \"角色\"\nweight = 3\n+++\n\n谁来做什么。\n",
    ),
    (
        "content/roles/班长.md",
        "+++\ntitle = \"班长\"\nkind = \"role\"\nresponsibilities = [\"主持开营\", \"每日提醒\"]\n+++\n\n班长负责 [[开营仪式]]。\n",
    ),
    (
        "content/checklists/_index.md",
        "+++\ntitle = \"清单\"\nweight = 4\n+++\n",
    ),
    (
        "content/checklists/开营准备.md",
        "+++\ntitle = \"开营准备\"\nkind = \"checklist\"\nfor = [\"开营仪式\"]\n+++\n\n- [ ] 写好欢迎词 {#welcome}\n- [ ] 准备自我介绍模板\n",
    ),
    (
        "content/guides/_index.md",
        "+++\ntitle = \"指南\"\nweight = 5\n+++\n",
    ),
    (
        "content/guides/入门指南.md",
        "+++\ntitle = \"入门指南\"\n+++\n\n先读 [[同好]]，再按 [[开营准备]] 准备开营。\n",
    ),
];

/// Creates a new site in `dir` that builds at once with the embedded theme. With
/// `theme_files`, also unpacks the default theme into `themes/handbook/` for editing.
pub fn init(dir: &Path, theme_files: bool) -> Result<Vec<PathBuf>, ScaffoldError> {
    init_with(
        dir,
        &InitOptions {
            theme_files,
            ..Default::default()
        },
    )
}

/// [`init`] with a title and base URL. Never overwrites: a folder that already has a
/// site.toml is an error (unpack the theme into it with [`unpack_theme`] instead).
pub fn init_with(dir: &Path, opts: &InitOptions) -> Result<Vec<PathBuf>, ScaffoldError> {
    if std::fs::symlink_metadata(dir.join("site.toml")).is_ok() {
        return Err(err(
            format!("{} already has a site.toml", dir.display()),
            "init never overwrites; choose an empty folder, e.g. `qunce init my-handbook`, or add the theme's files to this site with `qunce theme unpack`",
        ));
    }
    let title = opts.title.as_deref().unwrap_or(DEFAULT_TITLE).trim();
    if title.is_empty() {
        return Err(err(
            "the site's title is empty",
            "give a title, e.g. `qunce init my-handbook --title \"My handbook\"`",
        ));
    }
    let base_url = opts
        .base_url
        .as_deref()
        .unwrap_or(PLACEHOLDER_BASE_URL)
        .trim()
        .trim_end_matches('/');
    let host = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"))
        .map(|rest| rest.split('/').next().unwrap_or(""));
    if host.is_none_or(str::is_empty) || base_url.chars().any(char::is_whitespace) {
        return Err(err(
            format!("`{base_url}` is not an http(s) address"),
            "give the address the site is published at, e.g. `--base-url https://handbook.example.cn/docs`",
        ));
    }
    let site_toml = SITE_TOML
        .replace("{title}", &toml_str(title))
        .replace("{base_url}", &toml_str(base_url));
    let home = STARTER[0].1.replace(
        &format!("title = \"{DEFAULT_TITLE}\""),
        &format!("title = {}", toml_str(title)),
    );
    let mut written = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("site.toml".into(), site_toml.into_bytes()),
        (STARTER[0].0.into(), home.into_bytes()),
    ];
    files.extend(
        STARTER[1..]
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())),
    );
    let theme_files = opts.theme_files;
    if theme_files {
        files.extend(
            EMBEDDED_THEME
                .iter()
                .map(|(p, b)| (format!("themes/handbook/{p}"), b.to_vec())),
        );
    }
    for (rel, bytes) in files {
        if let Some(path) = write_new(dir, Path::new(&rel), &bytes)? {
            written.push(path);
        }
    }
    Ok(written)
}

/// Writes `bytes` to `base/rel` only if nothing is there yet, and never through a symbolic
/// link (a cloned site can hold one pointing anywhere, dangling or not): a link on the way is
/// an error, and the file itself is created exclusively, so a link put in its place is not
/// followed either. Returns the path written, or `None` when a file was already there.
fn write_new(base: &Path, rel: &Path, bytes: &[u8]) -> Result<Option<PathBuf>, ScaffoldError> {
    let path = base.join(rel);
    if let Some(link) = crate::paths::symlink_on_the_way(base, rel) {
        return Err(err(
            format!(
                "refusing to write {}: {} is a symbolic link",
                path.display(),
                link.display()
            ),
            "qunce never writes through a link; replace it with a real folder or remove it",
        ));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            err(
                format!("cannot create {}: {e}", parent.display()),
                "check permissions",
            )
        })?;
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => {
            return Err(err(
                format!("cannot write {}: {e}", path.display()),
                "check permissions",
            ));
        }
    };
    std::io::Write::write_all(&mut file, bytes).map_err(|e| {
        err(
            format!("cannot write {}: {e}", path.display()),
            "check permissions",
        )
    })?;
    Ok(Some(path))
}

/// What [`unpack_theme`] did.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files already there, left as they were.
    pub kept: Vec<PathBuf>,
}

/// Copies the embedded default theme into `root/themes/handbook/` for editing, file by file,
/// never overwriting one that exists (the writer's edits stay; a deleted file comes back) and
/// never writing through a symbolic link (see `write_new`). `root` must be a site: the theme
/// is unpacked next to its site.toml.
pub fn unpack_theme(root: &Path) -> Result<Unpacked, ScaffoldError> {
    if !root.join("site.toml").is_file() {
        return Err(err(
            format!("{} has no site.toml", root.display()),
            "run it in a site's folder or pass --root DIR; `qunce init DIR --theme-files` makes a new site with the theme",
        ));
    }
    let mut out = Unpacked::default();
    for (rel, bytes) in EMBEDDED_THEME {
        let rel = Path::new("themes/handbook").join(rel);
        match write_new(root, &rel, bytes)? {
            Some(path) => out.written.push(path),
            None => out.kept.push(root.join(rel)),
        }
    }
    Ok(out)
}

/// Creates a page of `kind` titled `title` with the kind's fields as placeholders. An
/// `archetypes/<kind>.md` file in the site, if present, is used instead (with `{{ title }}`
/// replaced).
pub fn new_page(
    config: &Config,
    kind: &str,
    title: &str,
    section: Option<&str>,
) -> Result<PathBuf, ScaffoldError> {
    let Some(def) = config.kind(kind) else {
        let names: Vec<&str> = config.kinds.iter().map(|k| k.name.as_str()).collect();
        let help = crate::diagnostics::did_you_mean(
            &crate::diagnostics::suggest(kind, names.iter().copied()),
            |s| format!("`{s}`"),
        )
        .unwrap_or_else(|| format!("declared kinds: {}", names.join(", ")));
        return Err(err(format!("unknown kind `{kind}`"), help));
    };
    let title = title.trim();
    if title.is_empty() || title.contains('/') || title.contains('\\') || title.starts_with('.') {
        return Err(err(
            format!("`{title}` cannot be a page title and file name"),
            "use a title without slashes, e.g. `qunce new ritual 开营仪式`",
        ));
    }
    if let Some(why) = windows_unsafe(title) {
        let safe = windows_safe(title);
        return Err(err(
            format!("`{title}` cannot be a file name on Windows: {why}"),
            format!(
                "create it as `qunce new {kind} {safe}`, then write the title you want in its front matter: `title = \"{title}\"`"
            ),
        ));
    }
    let section = section
        .map(str::to_string)
        .or_else(|| def.section.clone())
        .unwrap_or_else(|| "pages".into());
    let section = section.trim_matches('/');
    if !crate::paths::stays_inside(Path::new(section)) {
        return Err(err(
            format!("section `{section}` climbs out of content/"),
            "a section is a folder under content/, e.g. `--section rituals`",
        ));
    }
    // The page is the site's: its comments are in the site's language.
    let lang = match config.language {
        Language::ZhCn => Lang::ZhCn,
        Language::En => Lang::En,
    };
    let rel = Path::new("content")
        .join(section)
        .join(format!("{title}.md"));
    let archetype = config.root.join("archetypes").join(format!("{kind}.md"));
    let text = match std::fs::read_to_string(&archetype) {
        Ok(t) => t.replace("{{ title }}", title).replace("{{title}}", title),
        Err(_) => template(def, title, lang),
    };
    match write_new(&config.root, &rel, text.as_bytes())? {
        Some(path) => Ok(path),
        None => Err(err(
            format!("{} already exists", config.root.join(&rel).display()),
            "`new` never overwrites; pick another title or edit the existing page",
        )),
    }
}

/// Names Windows reserves for devices, whatever the extension (`CON.md` is the console).
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Characters a Windows file name cannot hold. Full-width `：？＊` are ordinary characters there.
const WINDOWS_FORBIDDEN: [char; 7] = [':', '?', '*', '"', '<', '>', '|'];

/// Why `title` cannot be a file name on Windows (a site is often cloned there), if it cannot.
fn windows_unsafe(title: &str) -> Option<String> {
    if let Some(c) = title
        .chars()
        .find(|c| WINDOWS_FORBIDDEN.contains(c) || c.is_control())
    {
        return Some(format!(
            "`{}` is not allowed in a file name",
            c.escape_default()
        ));
    }
    if title.ends_with(['.', ' ']) {
        return Some("it ends with a dot or a space".into());
    }
    let stem = title.split('.').next().unwrap_or(title).trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return Some(format!("`{stem}` is a name Windows reserves for a device"));
    }
    None
}

/// `title` made into a file name Windows can hold: each run of forbidden characters becomes
/// one `-` (`周会:复盘` → `周会-复盘`), trailing dots and spaces go, a reserved name gets `-1`.
pub(crate) fn windows_safe(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if WINDOWS_FORBIDDEN.contains(&c) || c.is_control() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    let mut out = out
        .trim_matches('-')
        .trim_end_matches(['.', ' '])
        .to_string();
    let stem = out.split('.').next().unwrap_or("").trim_end().to_string();
    if out.is_empty() {
        out = "page".into();
    } else if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(&stem)) {
        out.insert_str(stem.len(), "-1");
    }
    out
}

fn template(def: &KindDef, title: &str, lang: Lang) -> String {
    let line = |id: &str, args: &[(&str, &dyn std::fmt::Display)]| messages::cli(lang, id, args);
    let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut s = format!("+++\ntitle = {}\n", q(title));
    if def.name != "page" {
        s.push_str(&format!("kind = {}\n", q(&def.name)));
    }
    // A new page has no relations yet: the warnings about them would fail
    // `check --deny-warnings` the moment the page exists. The writer removes this line once the
    // page is linked (check then warns again if it still is not).
    let pending = match def.name.as_str() {
        "role" => Some(("unused-role", "new-allow-role")),
        "ritual" => Some(("ritual-without-roles", "new-allow-ritual")),
        "element" => Some(("element-without-rituals", "new-allow-element")),
        _ => None,
    };
    if let Some((lint, until)) = pending {
        s.push_str(&format!("allow = [\"{lint}\"]  # {}\n", line(until, &[])));
    }
    for f in &def.fields {
        let placeholder = match f.ty {
            FieldType::String | FieldType::Link | FieldType::Schedule => "\"\"".to_string(),
            FieldType::Raci => "{ lead = [], run = [], support = [], informed = [] }".to_string(),
            FieldType::Int => "0".to_string(),
            FieldType::Bool => "false".to_string(),
            FieldType::List | FieldType::Links => "[]".to_string(),
            FieldType::Enum => q(f.values.first().map_or("", String::as_str)),
        };
        let label: &dyn std::fmt::Display = &f.label;
        let kinds = f.kinds.join(" / ");
        let note = match f.ty {
            FieldType::Schedule => line("new-schedule", &[("label", label)]),
            FieldType::Raci if !f.kinds.is_empty() => {
                line("new-raci", &[("label", label), ("kinds", &kinds)])
            }
            FieldType::Link | FieldType::Links if !f.kinds.is_empty() => {
                line("new-link", &[("label", label), ("kinds", &kinds)])
            }
            FieldType::Enum => line(
                "new-enum",
                &[("label", label), ("values", &f.values.join(" | "))],
            ),
            _ => f.label.clone(),
        };
        let note = format!("  # {note}");
        s.push_str(&format!("{} = {placeholder}{note}\n", f.name));
    }
    s.push_str("+++\n\n");
    match def.name.as_str() {
        "ritual" => s.push_str(&line("new-body-ritual", &[])),
        "role" => s.push_str(&line("new-body-role", &[])),
        "checklist" => s.push_str("- [ ] \n"),
        "element" => s.push_str(&line("new-body-element", &[])),
        _ => {}
    }
    s
}
