//! Stage 5, the output link check: every link of every page written, against every file and id
//! the build wrote (see [`crate::outlinks`]): what templates link to as much as what writers do.

use crate::diagnostics::Diagnostic;
use crate::outlinks;
use crate::site::Site;

/// The output link check of a compiled site (see [`outlinks`]). Skipped after errors that
/// leave files unwritten (a template error, a URL collision): its findings would follow from
/// them.
pub(crate) fn check_output(
    site: &Site,
    scanned: &[outlinks::FileLinks],
    templates: &[(String, String)],
    search_built: bool,
    diags: &[Diagnostic],
) -> Vec<Diagnostic> {
    let upstream = diags
        .iter()
        .any(|d| d.is_error() && matches!(d.code, "template" | "io" | "url-collision" | "config"));
    if upstream || scanned.is_empty() {
        return Vec::new();
    }
    let sources = site
        .content
        .pages
        .iter()
        .filter(|p| !p.file.is_empty())
        .map(|p| {
            (
                format!("{}index.html", p.url),
                (p.file.as_str(), p.source.as_str()),
            )
        })
        .collect();
    let inputs = outlinks::Inputs {
        base: &site.base,
        other_files: site
            .content
            .assets
            .iter()
            .map(|a| a.dest.as_str())
            .collect(),
        // `check` does not build the search index that `build` writes.
        other_dirs: if site.config.search && !search_built {
            vec!["search"]
        } else {
            Vec::new()
        },
        sources,
        templates: templates
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect(),
    };
    outlinks::check(scanned, &inputs)
}
