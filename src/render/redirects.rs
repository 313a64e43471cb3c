//! Redirect pages for links that outlive a rename: every front-matter alias that starts with `/`
//! is an old URL of its page, and every `[redirects]` entry of site.toml an old URL of a page or
//! of a whole section. Each old URL gets a small HTML page that sends the reader on with a meta
//! refresh (no script, so it works from disk too) and names the new URL as canonical.

use std::collections::HashMap;

use super::OutputFile;
use crate::config::RedirectRule;
use crate::content::Page;
use crate::diagnostics::{Diagnostic, did_you_mean, suggest};
use crate::site::Site;
use crate::text::{escape, percent_decode};

/// One old URL and the page it now points to.
struct Redirect<'a> {
    /// The output file the redirect is written to (`old/path/index.html`).
    file: String,
    /// The old URL as written, for messages.
    from: &'a str,
    /// Index of the target page.
    to: usize,
    /// Who asked for it, for messages: a page's alias or a site.toml entry.
    origin: Origin<'a>,
}

#[derive(Clone, Copy)]
enum Origin<'a> {
    Alias(usize),
    Rule(&'a RedirectRule),
}

impl Origin<'_> {
    fn describe(&self, site: &Site) -> String {
        match self {
            Origin::Alias(p) => format!("an alias of {}", file_of(&site.content.pages[*p])),
            Origin::Rule(r) => format!("[redirects] in site.toml:{}", r.line),
        }
    }

    /// A diagnostic located where the redirect was asked for.
    fn locate(&self, site: &Site, d: Diagnostic, from: &str) -> Diagnostic {
        match self {
            Origin::Alias(p) => {
                let page = &site.content.pages[*p];
                // Aliases keep no span: the first time the alias is written in the header is
                // where it is.
                let header = &page.source[..page.body_start];
                let at = header.find(&format!("\"{from}\"")).map_or(0, |i| i + 1);
                d.at(&page.src(), at)
            }
            Origin::Rule(r) => d.at_line(
                crate::config::CONFIG_FILE,
                r.line,
                r.column,
                Some(r.source_line.clone()),
            ),
        }
    }
}

fn file_of(p: &Page) -> String {
    if p.file.is_empty() {
        format!("content/{}", p.rel)
    } else {
        p.file.clone()
    }
}

/// The output file an old URL path is served from, or None when the path cannot be one
/// (`..`, empty segments, a query). `/old/` and `/old` → `old/index.html`; `/old.html` stays.
pub(crate) fn output_file(path: &str) -> Option<String> {
    let path = percent_decode(path.strip_prefix('/')?);
    if path.contains(['?', '#', '\\', '\0'])
        || path
            .trim_end_matches('/')
            .split('/')
            .any(|s| s == ".." || s == "." || (s.is_empty() && !path.is_empty()))
    {
        return None;
    }
    Some(if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else if path.ends_with(".html") || path.ends_with(".htm") {
        path
    } else {
        format!("{path}/index.html")
    })
}

/// The redirect pages of a site, and the problems with them: an old URL that is a real page
/// (or a generated one), the same old URL sent two ways, a `[redirects]` target that is no
/// page. `taken` lists the generated files besides the pages.
pub(crate) fn render(site: &Site, taken: &[String]) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let pages = &site.content.pages;
    let mut diags = Vec::new();
    let mut wanted: Vec<Redirect<'_>> = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        for alias in p.meta.aliases.iter().filter(|a| a.starts_with('/')) {
            match output_file(alias) {
                Some(file) => wanted.push(Redirect {
                    file,
                    from: alias,
                    to: i,
                    origin: Origin::Alias(i),
                }),
                None => diags.push(
                    Origin::Alias(i).locate(
                        site,
                        Diagnostic::error(
                            "redirect",
                            format!("alias `{alias}` is not a URL path this site can serve"),
                        )
                        .with_help(
                            "write an old URL below the site root, e.g. \"/rituals/old-name/\"",
                        ),
                        alias,
                    ),
                ),
            }
        }
    }
    let by_url: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.url.as_str(), i))
        .collect();
    for rule in &site.config.redirects {
        let origin = Origin::Rule(rule);
        let to_url = percent_decode(rule.to.trim_start_matches('/'));
        let to_url = if to_url.is_empty() || to_url.ends_with('/') {
            to_url
        } else {
            format!("{to_url}/")
        };
        let Some(&target) = by_url.get(to_url.as_str()) else {
            let urls = pages.iter().map(|p| p.url.as_str());
            let help = did_you_mean(&suggest(&to_url, urls), |s| format!("\"/{s}\""))
                .unwrap_or_else(|| {
                    "the target must be the URL of a page or section of this site".into()
                });
            diags.push(
                origin.locate(
                    site,
                    Diagnostic::error(
                        "redirect",
                        format!("redirect target `{}` is not a page of this site", rule.to),
                    )
                    .with_help(help),
                    &rule.from,
                ),
            );
            continue;
        };
        let Some(file) = output_file(&rule.from) else {
            diags.push(
                origin.locate(
                    site,
                    Diagnostic::error(
                        "redirect",
                        format!("`{}` is not a URL path this site can serve", rule.from),
                    )
                    .with_help("write an old URL below the site root, e.g. \"/old-section/\""),
                    &rule.from,
                ),
            );
            continue;
        };
        wanted.push(Redirect {
            file: file.clone(),
            from: &rule.from,
            to: target,
            origin,
        });
        // A moved section: each page below the new place is also found at its old place.
        if rule.from.ends_with('/') && pages[target].is_section() {
            let old_dir = file.trim_end_matches("index.html");
            for (i, p) in pages.iter().enumerate() {
                if i != target && p.url.starts_with(to_url.as_str()) && !p.url.is_empty() {
                    wanted.push(Redirect {
                        file: format!("{old_dir}{}index.html", &p.url[to_url.len()..]),
                        from: &rule.from,
                        to: i,
                        origin,
                    });
                }
            }
        }
    }

    // Real pages and generated files own their paths.
    let mut owner: HashMap<String, Result<usize, &str>> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        owner.insert(format!("{}index.html", p.url), Ok(i));
    }
    for t in taken {
        owner.entry(t.clone()).or_insert(Err(t.as_str()));
    }
    let mut written: HashMap<String, usize> = HashMap::new();
    let mut files = Vec::new();
    for (k, r) in wanted.iter().enumerate() {
        if let Some(o) = owner.get(&r.file) {
            let what = match o {
                Ok(p) => format!("the page {}", file_of(&pages[*p])),
                Err(g) => format!("the generated file /{g}"),
            };
            let message = format!(
                "redirect from `{}` ({}) collides with {what}",
                display(&r.file),
                r.origin.describe(site)
            );
            diags.push(
                r.origin.locate(
                    site,
                    Diagnostic::error("redirect-collision", message)
                        .with_help("remove the redirect, or move the page that now has this URL"),
                    r.from,
                ),
            );
            continue;
        }
        match written.get(&r.file) {
            Some(&first) if wanted[first].to == r.to => continue,
            Some(&first) => {
                let other = &wanted[first];
                let message = format!(
                    "`{}` redirects both to {} ({}) and to {} ({})",
                    display(&r.file),
                    file_of(&pages[other.to]),
                    other.origin.describe(site),
                    file_of(&pages[r.to]),
                    r.origin.describe(site)
                );
                diags.push(
                    r.origin.locate(
                        site,
                        Diagnostic::error("redirect-collision", message)
                            .with_help("an old URL can lead to one page only: remove one of them"),
                        r.from,
                    ),
                );
                continue;
            }
            None => {}
        }
        written.insert(r.file.clone(), k);
        files.push(OutputFile {
            path: r.file.clone(),
            bytes: page(site, &r.file, &pages[r.to]).into_bytes(),
        });
    }
    (files, diags)
}

/// An output file as the URL path readers see (`old/index.html` → `/old/`).
fn display(file: &str) -> String {
    format!("/{}", file.strip_suffix("index.html").unwrap_or(file))
}

/// The redirect page written at `file`, sending the reader to `target`. Its links are relative
/// to `file`, so it works under any base path and from disk.
fn page(site: &Site, file: &str, target: &Page) -> String {
    let up = "../".repeat(file.matches('/').count());
    let mut rel = format!("{up}{}", target.url);
    if site.config.offline {
        rel.push_str("index.html");
    } else if rel.is_empty() {
        rel.push_str("./");
    }
    let rel = escape(&rel);
    let title = escape(&target.title);
    let canonical = escape(&format!("{}/{}", site.config.base_url, target.url));
    let moved = escape(site.config.ui.get("redirect").map_or("", String::as_str));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<link rel=\"canonical\" href=\"{canonical}\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <meta http-equiv=\"refresh\" content=\"0; url={rel}\">\n</head>\n\
         <body>\n<p>{moved} <a href=\"{rel}\">{title}</a></p>\n</body>\n</html>\n",
        lang = site.config.language.code(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_paths_map_to_files() {
        assert_eq!(output_file("/old/").as_deref(), Some("old/index.html"));
        assert_eq!(output_file("/old").as_deref(), Some("old/index.html"));
        assert_eq!(output_file("/a/b.html").as_deref(), Some("a/b.html"));
        assert_eq!(
            output_file("/%E5%BC%80%E8%90%A5/").as_deref(),
            Some("开营/index.html")
        );
        assert_eq!(output_file("/").as_deref(), Some("index.html"));
        for bad in ["old/", "/../x/", "/a//b/", "/a?b", "/a/./b"] {
            assert_eq!(output_file(bad), None, "{bad}");
        }
    }
}
