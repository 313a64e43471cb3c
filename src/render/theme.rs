//! Theme files: the default theme is embedded in the binary (like mdBook's); a theme folder
//! under `themes/<name>/` overrides its files one by one, and the site's own `templates/` and
//! `static/` override both, again file by file. The result is one flat list of templates and
//! one of static files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::diagnostics::Diagnostic;

include!(concat!(env!("OUT_DIR"), "/embedded_theme.rs"));

/// The name an overridden template of the default theme keeps (`handbook/templates/base.html`),
/// for overrides that extend it.
pub(crate) const EMBEDDED_PREFIX: &str = "handbook/templates/";

/// Where a file's bytes come from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

impl Source {
    pub(crate) fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Source::Embedded(b) => Ok(b.to_vec()),
            Source::Disk(p) => std::fs::read(p),
        }
    }
}

/// A template with the name templates refer to it by and the path shown in errors.
#[derive(Debug, Clone)]
pub(crate) struct TemplateFile {
    pub(crate) name: String,
    pub(crate) display: String,
    pub(crate) text: String,
}

/// The merged theme.
#[derive(Debug, Clone, Default)]
pub(crate) struct Theme {
    pub(crate) templates: Vec<TemplateFile>,
    /// Destination below the output root → source.
    pub(crate) static_files: BTreeMap<String, Source>,
}

/// Loads the configured theme and applies the site's overrides.
pub(crate) fn load(config: &Config) -> Result<Theme, Vec<Diagnostic>> {
    let root = &config.root;
    let mut templates: BTreeMap<String, (String, Source)> = BTreeMap::new();
    let mut static_files = BTreeMap::new();
    // The embedded default theme is always underneath: a theme folder (even `themes/handbook`
    // from `qunce theme unpack`) overrides only the templates and static files it has, so a
    // theme of one `page.html` works and an unpacked theme whose files were deleted falls back.
    for (rel, bytes) in EMBEDDED_THEME {
        if let Some(name) = rel.strip_prefix("templates/") {
            templates.insert(
                name.to_string(),
                (
                    format!("(embedded theme)/templates/{name}"),
                    Source::Embedded(bytes),
                ),
            );
        } else if let Some(name) = rel.strip_prefix("static/") {
            static_files.insert(name.to_string(), Source::Embedded(bytes));
        }
    }
    let theme_dir = root.join("themes").join(&config.theme);
    let theme_static = Path::new("themes").join(&config.theme).join("static");
    // The theme's folder is only read when it is one; a link to a folder elsewhere is refused.
    let uses_theme_dir = theme_dir.is_dir();
    let linked: Vec<Diagnostic> = [theme_static.as_path(), Path::new("static")]
        .into_iter()
        .filter(|rel| uses_theme_dir || !rel.starts_with("themes"))
        .filter_map(|rel| crate::paths::symlink_on_the_way(root, rel))
        .map(|link| {
            let shown = crate::diagnostics::display_path(root, &link);
            Diagnostic::error(
                "symlink",
                format!("{shown} is a symbolic link: static files are never copied through one"),
            )
            .in_file(&shown)
            .with_help(
                "a link could publish any file the builder can read; \
                 replace it with a real folder holding the files",
            )
        })
        .collect();
    if !linked.is_empty() {
        return Err(linked);
    }
    if uses_theme_dir {
        add_dir(&theme_dir.join("templates"), root, &mut templates);
        add_static(&theme_dir.join("static"), &mut static_files);
    } else if config.theme != "handbook" {
        return Err(vec![
            Diagnostic::error("config", format!("theme `{}` not found", config.theme))
                .in_file("site.toml")
                .with_help(format!(
                    "create themes/{}/templates/ with the templates to change, or remove `theme` to use the built-in `handbook`",
                    config.theme
                )),
        ]);
    }
    add_dir(&root.join("templates"), root, &mut templates);
    add_static(&root.join("static"), &mut static_files);
    let mut out = Theme {
        templates: Vec::with_capacity(templates.len()),
        static_files,
    };
    let mut diags = Vec::new();
    for (name, (display, source)) in templates {
        match source.read().map(String::from_utf8) {
            Ok(Ok(text)) => out.templates.push(TemplateFile {
                name,
                display,
                text,
            }),
            Ok(Err(_)) => diags.push(
                Diagnostic::error("template", "template is not valid UTF-8")
                    .in_file(&display)
                    .with_help("save the template as UTF-8"),
            ),
            Err(e) => diags.push(
                Diagnostic::error("io", format!("cannot read template: {e}")).in_file(&display),
            ),
        }
    }
    add_named_defaults(&mut out.templates);
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// Makes the default theme's templates that other templates name as
/// `handbook/templates/<name>` reachable under that name, so an override can extend the
/// default it replaces and fill one block (`extra_head`, `extra_body`) instead of copying it.
/// Only the named ones are added: every template is compiled and checked, and an unused copy of
/// `kinds/ritual.html` would fail against an override of the `page.html` it extends.
fn add_named_defaults(templates: &mut Vec<TemplateFile>) {
    let named: Vec<TemplateFile> = EMBEDDED_THEME
        .iter()
        .filter_map(|(rel, bytes)| {
            let name = rel.strip_prefix("templates/")?;
            let key = format!("{EMBEDDED_PREFIX}{name}");
            let quoted = [format!("\"{key}\""), format!("'{key}'")];
            templates
                .iter()
                .any(|t| quoted.iter().any(|q| t.text.contains(q.as_str())))
                .then(|| TemplateFile {
                    name: key,
                    display: format!("(embedded theme)/templates/{name}"),
                    text: String::from_utf8_lossy(bytes).into_owned(),
                })
        })
        .collect();
    templates.extend(named);
}

/// The files under `dir` that are not editor leftovers, as (path relative to `dir`, path).
fn files_in(dir: &Path) -> impl Iterator<Item = (String, PathBuf)> + '_ {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| {
            e.file_type().is_file() && !crate::content::is_ignored(&e.file_name().to_string_lossy())
        })
        .map(move |e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            (rel, e.path().to_path_buf())
        })
}

fn add_dir(dir: &Path, root: &Path, into: &mut BTreeMap<String, (String, Source)>) {
    for (rel, path) in files_in(dir) {
        let display = crate::diagnostics::display_path(root, &path);
        into.insert(rel, (display, Source::Disk(path)));
    }
}

fn add_static(dir: &Path, into: &mut BTreeMap<String, Source>) {
    for (rel, path) in files_in(dir) {
        into.insert(rel, Source::Disk(path));
    }
}
