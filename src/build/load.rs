//! Stage 1, load: the site's pages and assets ([`crate::content`]) and its theme (templates
//! and static files). Nothing here depends on another page: what it finds wrong is reported at
//! the file, and the later stages run on what did load.

use crate::config::Config;
use crate::content::{self, Content, LoadOptions};
use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::render::{self, Theme};
use crate::timings::Timings;

use super::{BuildOptions, Cache};

/// The theme as the render stage needs it.
pub(crate) struct Themed {
    /// The templates and static files, or why they could not be loaded.
    pub(crate) theme: Result<Theme, Vec<Diagnostic>>,
    /// The theme's static files, read.
    pub(crate) statics: Vec<OutputFile>,
    /// Each template's display name and text, to name the template line a dead output link
    /// comes from.
    pub(crate) templates: Vec<(String, String)>,
}

/// Reads and parses every page of content/ (front matter, tree, sections); with a [`Cache`],
/// puts the pages together from the files it holds (read when they changed).
pub(crate) fn content(
    config: &Config,
    opts: &BuildOptions,
    cache: Option<&Cache>,
    t: &mut Timings,
    diags: &mut Vec<Diagnostic>,
) -> Content {
    let opts = LoadOptions {
        drafts: opts.drafts,
    };
    let (content, d) = t.time("load", || match cache {
        None => content::load(config, opts),
        Some(c) => {
            let parsed = (c.tree.markdown.iter()).filter_map(|p| c.parsed.get(p).cloned());
            content::assemble(config, opts, &c.tree, parsed)
        }
    });
    diags.extend(d);
    content
}

/// Loads the theme and reads its static files.
pub(crate) fn theme(config: &Config, t: &mut Timings, diags: &mut Vec<Diagnostic>) -> Themed {
    let theme = render::theme::load(config);
    let statics = match &theme {
        Ok(theme) => t.time("static", || read_static(theme, diags)),
        Err(_) => Vec::new(),
    };
    let templates = theme.as_ref().map_or_else(|_| Vec::new(), template_texts);
    Themed {
        theme,
        statics,
        templates,
    }
}

/// Each template's display name and text, for the output link check to name a template line.
pub(crate) fn template_texts(theme: &Theme) -> Vec<(String, String)> {
    (theme.templates.iter())
        .map(|f| (f.display.clone(), f.text.clone()))
        .collect()
}

/// Reads the theme's static files (its style sheets and scripts) into output files.
pub(crate) fn read_static(theme: &Theme, diags: &mut Vec<Diagnostic>) -> Vec<OutputFile> {
    let mut files = Vec::with_capacity(theme.static_files.len());
    for (dest, source) in &theme.static_files {
        match source.read() {
            Ok(bytes) => files.push(OutputFile {
                path: dest.clone(),
                bytes,
            }),
            Err(e) => diags.push(
                Diagnostic::error("io", format!("cannot read static file {dest}: {e}"))
                    .in_file(dest),
            ),
        }
    }
    files
}
