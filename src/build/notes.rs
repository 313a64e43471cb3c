//! The scan warnings of a page (stage 2, scan): what a page's Markdown says that a reader would
//! not see as its writer meant (undeclared placeholders, Chinese typography, removed HTML).
//! Kept by page in [`crate::site::PageNotes`], so a rebuild of a few pages redoes their share.

use crate::config::Config;
use crate::content;
use crate::diagnostics::{self, Diagnostic};
use crate::markdown::{self, Scan};

/// The scan warnings of one page.
pub(crate) fn scan_notes(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    let mut notes = undeclared_placeholders(config, page, scan);
    if crate::typography::checks(config) {
        notes.extend(typography_notes(page, scan));
    }
    notes.extend(crate::bodychecks::warnings(page, scan, config.raw_html));
    if config.raw_html != crate::config::RawHtml::Safe {
        return notes;
    }
    if scan.raw_html_depth > markdown::MAX_RAW_HTML_DEPTH {
        notes.push(
            Diagnostic::warning(
                "raw-html-too-deep",
                format!(
                    "raw HTML nested {} levels deep is shown as text",
                    scan.raw_html_depth
                ),
            )
            .in_file(&page.file)
            .with_help(format!(
                "keep raw HTML under {} levels of nesting",
                markdown::MAX_RAW_HTML_DEPTH
            )),
        );
    } else {
        notes.extend(removed_iframes(config, page, scan));
    }
    notes
}

/// The `zh-typography` warnings of a page of a Chinese site, one per text range to fix.
fn typography_notes(page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    let src = page.src();
    let fixes = match &scan.prose {
        Some(prose) => crate::typography::page_fixes_in(&page.source, page.body_start, prose),
        None => crate::typography::page_fixes(&page.source, page.body_start),
    };
    fixes
        .into_iter()
        .map(|f| {
            Diagnostic::warning(
                crate::typography::LINT,
                format!(
                    "Chinese typography: `{}` reads better as `{}`",
                    f.before, f.after
                ),
            )
            .at(&src, f.start)
            .with_help(
                "`qunce fmt` applies every typography fix in place; \
                 `[lints] zh-typography = \"allow\"` in site.toml turns this check off",
            )
        })
        .collect()
}

/// A warning at the first use on the page of each template placeholder that site.toml's
/// `[placeholders]` does not declare: no reader could fill it in.
fn undeclared_placeholders(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    if scan.placeholders.is_empty() {
        return Vec::new();
    }
    let src = page.src();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (name, offset) in &scan.placeholders {
        if seen.contains(&name.as_str()) || config.placeholders.iter().any(|p| &p.name == name) {
            continue;
        }
        seen.push(name);
        let declared = config.placeholders.iter().map(|p| p.name.as_str());
        let help = diagnostics::did_you_mean(&diagnostics::suggest(name, declared), |s| {
            format!("{{{s}}}")
        })
        .map_or_else(String::new, |d| format!("{d} Otherwise "))
            + &format!(
                "declare it in site.toml: [placeholders.\"{name}\"] with label = \"{name}\" and default = \"\""
            );
        out.push(
            Diagnostic::warning(
                "undeclared-placeholder",
                format!("the placeholder `{{{name}}}` is not declared"),
            )
            .at(&src, *offset)
            .with_help(help),
        );
    }
    out
}

/// A warning at each `<iframe>` the safe policy removes: its host is not an embed host.
fn removed_iframes(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    let src = page.src();
    scan.iframes
        .iter()
        .filter(|(_, url)| !markdown::embed::allowed(url, &config.embed_hosts))
        .map(|(at, url)| {
            let (what, help) = match markdown::embed::host(url) {
                Some(host) => (
                    format!("`<iframe>` from `{host}` removed: not an embed host"),
                    format!(
                        "if you trust it, add \"{host}\" to `embed_hosts` under [markdown] in site.toml"
                    ),
                ),
                None => (
                    "`<iframe>` removed: its `src` is not an https address".to_string(),
                    "embed a player from a host listed in `embed_hosts` under [markdown] in site.toml".to_string(),
                ),
            };
            Diagnostic::warning("removed-html", what)
                .at(&src, *at)
                .with_help(help)
        })
        .collect()
}
