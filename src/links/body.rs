//! Links written in a page's Markdown body: wiki links, Markdown links to pages and files,
//! anchors, and URLs whose scheme is a typo or unsafe.

use crate::content::Page;
use crate::diagnostics::{Candidates, Diagnostic, SourceFile, did_you_mean, suggest};
use crate::markdown::{Resolved, Scan};
use crate::text::percent_decode;

use super::names::{Index, join, page_dir};

/// Schemes a link may rightly have; a scheme a typo away from http, https or mailto is not
/// one of them.
const KNOWN_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sftp", "ssh", "git", "irc", "ircs", "magnet", "sms",
    "file", "news", "xmpp", "geo", "webcal", "weixin", "alipays", "taobao", "bilibili", "zhihu",
];

/// File extensions that make `name.ext` a file rather than a domain.
const FILE_EXTENSIONS: &[&str] = &[
    "md", "html", "htm", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "pdf", "txt",
    "css", "js", "json", "zip", "mp3", "mp4", "csv", "xml", "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "toml", "yaml", "yml",
];

/// A link that is most likely a mistyped URL: the message and the URL meant.
fn scheme_typo(url: &str) -> Option<(String, String)> {
    // The same, percent-encoded (`%EF%BC%9Ahttps://…` is `：https://…`).
    if url.starts_with('%') {
        let decoded = percent_decode(url);
        if decoded != url {
            return scheme_typo(&decoded);
        }
    }
    // Stray punctuation or space copied in front of a URL (`：https://…`).
    let stripped = url.trim_start_matches(|c: char| !c.is_ascii() || c == ':');
    if stripped.len() < url.len() && has_scheme(stripped) {
        let lead = &url[..url.len() - stripped.len()];
        return Some((
            format!("`{lead}` before `{stripped}` makes it a relative link"),
            stripped.to_string(),
        ));
    }
    if let Some(i) = url.find(':').filter(|_| has_scheme(url)) {
        let scheme = url[..i].to_ascii_lowercase();
        let rest = &url[i + 1..];
        if (scheme == "http" || scheme == "https") && !rest.starts_with("//") {
            let fixed = format!("{scheme}://{}", rest.trim_start_matches('/'));
            return Some((
                format!("`{url}` is missing the `//` after `{scheme}:`"),
                fixed,
            ));
        }
        if KNOWN_SCHEMES.contains(&scheme.as_str()) {
            return None;
        }
        let meant = ["https", "http", "mailto"]
            .into_iter()
            .map(|m| (crate::diagnostics::levenshtein(&scheme, m), m))
            .filter(|&(d, m)| d > 0 && d <= if m == "mailto" { 2 } else { 1 })
            .min()?
            .1;
        let rest = if meant == "mailto" {
            rest.trim_start_matches('/').to_string()
        } else {
            format!("//{}", rest.trim_start_matches('/'))
        };
        return Some((
            format!("`{}:` looks like a typo of `{meant}:`", &url[..i]),
            format!("{meant}:{rest}"),
        ));
    }
    // `http//…`, or a bare domain written as a relative link: `example.com/path`.
    for (typo, meant) in [("https//", "https://"), ("http//", "http://")] {
        if let Some(rest) = url.strip_prefix(typo) {
            return Some((
                format!("`{url}` is missing the `:` of `{meant}`"),
                format!("{meant}{rest}"),
            ));
        }
    }
    let host = url.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    let domain_like = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (2..=6).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_lowercase())
        && !FILE_EXTENSIONS.contains(&tld);
    (domain_like || host.starts_with("www.")).then(|| {
        (
            format!("`{url}` looks like a web address written without `https://`"),
            format!("https://{url}"),
        )
    })
}

/// Schemes that run code when followed; `data:` can carry a whole HTML page with scripts. The
/// sanitizer refuses the same ones in raw HTML.
const UNSAFE_SCHEMES: [&str; 3] = ["javascript:", "vbscript:", "data:"];

/// The unsafe scheme a link target would reach a reader with, however it is written: as is,
/// or once a rewrite takes off the site's root (`/javascript:…`, `/handbook/javascript:…`,
/// `https://<base_url>/javascript:…`, which an offline build makes relative to the home page
/// and so `javascript:…` again), percent-encoded, or with the tabs and line breaks browsers
/// drop from a URL inside it.
pub(crate) fn unsafe_scheme(target: &str, base: &str, base_url: &str) -> Option<&'static str> {
    let decoded = percent_decode(target);
    let mut forms = vec![target, decoded.as_str()];
    for i in 0..forms.len() {
        let form = forms[i];
        let base_url = base_url.trim_end_matches('/');
        if !base_url.is_empty()
            && let Some(rest) = form.strip_prefix(base_url)
        {
            forms.push(rest.trim_start_matches('/'));
        }
        if let Some(rest) = form.strip_prefix(base) {
            forms.push(rest);
        }
        if !form.starts_with("//")
            && let Some(rest) = form.strip_prefix('/')
        {
            forms.push(rest);
        }
    }
    forms.iter().find_map(|form| {
        let plain: String = form
            .trim_start_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .take(16)
            .collect::<String>()
            .to_ascii_lowercase();
        UNSAFE_SCHEMES.into_iter().find(|s| plain.starts_with(s))
    })
}

pub(super) fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn resolve_link(
    index: &Index<'_>,
    scans: &[Scan],
    page: &Page,
    src: &SourceFile<'_>,
    me: usize,
    wiki: bool,
    target: &str,
    offset: usize,
    (base, base_url): (&str, &str),
    diags: &mut Vec<Diagnostic>,
) -> (Resolved, Option<usize>) {
    let trimmed = target.trim();
    if !wiki {
        if let Some(scheme) = unsafe_scheme(trimmed, base, base_url) {
            diags.push(
                Diagnostic::warning("unsafe-link", format!("`{scheme}` links are dropped"))
                    .at(src, offset)
                    .with_help("link to a page or an http(s) URL instead"),
            );
            return (Resolved::Drop, None);
        }
        if let Some((message, fixed)) = scheme_typo(trimmed) {
            let start = src.text[offset..]
                .find(trimmed)
                .filter(|&i| !src.text[offset..offset + i].contains('\n'))
                .map(|i| offset + i);
            let mut d = Diagnostic::warning("scheme-typo", message)
                .at(src, start.unwrap_or(offset))
                .with_help(format!("write `{fixed}`"));
            if let Some(st) = start {
                d = d.with_fix(src, st, st + trimmed.len(), fixed.clone());
            }
            diags.push(d);
            return (Resolved::Url(fixed), None);
        }
        if has_scheme(trimmed) || trimmed.starts_with("//") {
            return (Resolved::Url(trimmed.to_string()), None);
        }
    }
    let (path_part, anchor) = match trimmed.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a))),
        None => (trimmed, None),
    };
    let path_part = path_part.split_once('?').map_or(path_part, |(p, _)| p);
    let path_part = percent_decode(path_part);

    // A pure in-page anchor.
    let target_page = if path_part.is_empty() {
        Some(me)
    } else if wiki {
        match index.lookup(&path_part, page) {
            Ok(i) => Some(i),
            Err(miss) => {
                diags.push(index.miss_diagnostic(miss, &path_part, src, offset, true));
                return (Resolved::Broken, None);
            }
        }
    } else if path_part.ends_with(".md") {
        let joined = join(page_dir(page), &path_part);
        match joined
            .as_deref()
            .and_then(|j| index.by_path.get(j.trim_end_matches(".md")))
        {
            Some(&i) => Some(i),
            None => {
                let files = index.files.get_or_init(|| {
                    Candidates::new(index.content.pages.iter().map(|p| p.rel.as_str()))
                });
                let wanted = joined.clone().unwrap_or_else(|| path_part.clone());
                let sugg: Vec<&str> = files.suggest(&wanted).into_iter().copied().collect();
                let help = did_you_mean(&sugg, |s| format!("`{s}`")).unwrap_or_else(|| {
                    "Markdown links to pages are relative to this file, e.g. `../roles/班长.md`"
                        .to_string()
                });
                diags.push(
                    Diagnostic::error(
                        "broken-link",
                        format!("link to a missing file `{path_part}`"),
                    )
                    .at(src, offset)
                    .with_help(help),
                );
                return (Resolved::Broken, None);
            }
        }
    } else {
        // A site-absolute link: a page's URL or path, an asset, or something only the output
        // has (the matrix page, the style sheet), which the output link check then verifies.
        if let Some(rest) = path_part.strip_prefix('/') {
            let key = rest.trim_matches('/');
            let key = key.strip_suffix("/index.html").unwrap_or(key);
            if let Some(&i) = index.by_path.get(key) {
                Some(i)
            } else if index.asset_dest.values().any(|d| d == key) {
                return (
                    Resolved::Url(format!("{base}{}", rest) + &anchor_suffix(&anchor)),
                    None,
                );
            } else if key
                .split('/')
                .next()
                .is_some_and(|first| key.contains('/') && index.by_path.contains_key(first))
            {
                let paths = index
                    .paths
                    .get_or_init(|| Candidates::new(index.by_path.keys().cloned()));
                let sugg: Vec<String> = paths
                    .suggest(key)
                    .into_iter()
                    .map(|s| format!("/{s}/"))
                    .collect();
                let sugg: Vec<&str> = sugg.iter().map(String::as_str).collect();
                let help = did_you_mean(&sugg, |s| format!("`{s}`")).unwrap_or_else(|| {
                    "link by title with [[...]], which is checked and follows renames".to_string()
                });
                diags.push(
                    Diagnostic::error("broken-link", format!("no page or file at `/{}`", rest))
                        .at(src, offset)
                        .with_help(help),
                );
                return (Resolved::Broken, None);
            } else {
                return (
                    Resolved::Url(format!("{base}{}", rest) + &anchor_suffix(&anchor)),
                    None,
                );
            }
        } else {
            let joined = join(page_dir(page), &path_part).unwrap_or_default();
            if let Some(dest) = index.asset_dest.get(&joined) {
                return (Resolved::Url(format!("{base}{dest}")), None);
            }
            let (dir, file) = joined.rsplit_once('/').unwrap_or(("", joined.as_str()));
            diags.push(
                Diagnostic::error(
                    "broken-link",
                    format!("link to a missing file `{path_part}`"),
                )
                .at(src, offset)
                .with_help(format!(
                    "put `{file}` beside the page in content/{dir}, or link to an http(s) URL"
                )),
            );
            return (Resolved::Broken, None);
        }
    };
    let t = target_page.expect("resolved");
    let tp = &index.content.pages[t];
    if let Some(a) = &anchor
        && !a.is_empty()
        && !index.has_anchor(scans, t, a)
    {
        let ids = scans[t].headings.iter().map(|h| h.id.as_str());
        let help = did_you_mean(&suggest(a, ids), |s| format!("`#{s}`")).unwrap_or_else(|| {
            let all: Vec<_> = scans[t]
                .headings
                .iter()
                .map(|h| format!("#{}", h.id))
                .collect();
            if all.is_empty() {
                format!("`{}` has no headings", tp.title)
            } else {
                format!("headings of `{}`: {}", tp.title, all.join(", "))
            }
        });
        diags.push(
            Diagnostic::error(
                "broken-anchor",
                format!("`{}` has no heading `#{a}`", tp.title),
            )
            .at(src, offset)
            .with_help(help),
        );
        return (Resolved::Broken, None);
    }
    let url = format!("{base}{}{}", tp.url, anchor_suffix(&anchor));
    (
        Resolved::Internal {
            url,
            title: tp.title.clone(),
        },
        (t != me).then_some(t),
    )
}

fn anchor_suffix(anchor: &Option<String>) -> String {
    match anchor {
        Some(a) if !a.is_empty() => format!("#{a}"),
        _ => String::new(),
    }
}
