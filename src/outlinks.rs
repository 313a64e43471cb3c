//! The output link check: after rendering, every internal `href` and `src` of every written
//! HTML file must name a file of the output, and every `#fragment` into a page an `id` of that
//! page. Source links were checked before rendering (see [`crate::links`]); this catches what
//! only the output shows: a theme linking to a page that is never written, raw HTML in
//! Markdown, a generated page's links.
//!
//! Each HTML file is scanned once as it is rendered ([`scan`], in parallel); [`check`] then
//! looks every distinct link up in hash sets. A dead link is reported where it was written: at
//! the line of the page's Markdown that holds it, else at the template line that makes it.

use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::text::percent_decode;

/// The links and ids of one written HTML file.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileLinks {
    /// The file's path below the output root.
    pub(crate) path: String,
    /// Internal links as written (still with the base path, query and fragment), each once,
    /// one a line: a single allocation per file, since a large site's output holds millions.
    pub(crate) links: String,
    /// Every `id` in the file, one a line, for fragments pointing into it.
    pub(crate) ids: String,
}

/// Finds the `href`, `src` and `id` attributes of an HTML file, outside `<script>` elements.
/// Links with a scheme (other than to the site's own `base_url`) and `//host` links are left
/// out: they leave the site. `base_url` is the site's absolute URL without trailing slash.
pub(crate) fn scan(path: &str, html: &[u8], base_url: &str) -> FileLinks {
    let mut out = FileLinks {
        path: path.to_string(),
        ..Default::default()
    };
    let scripts = script_ranges(html);
    // A page has a few dozen distinct links: room for them up front spares the set's growth.
    let mut seen: FxHashSet<&[u8]> = FxHashSet::with_capacity_and_hasher(64, Default::default());
    let mut in_script = scripts.iter().peekable();
    // Every `="`, where each quoted attribute value starts: found as each `=` followed by a
    // quote, which stops at each far more cheaply than a two-byte substring search.
    let value_starts = memchr::memchr_iter(b'=', html).filter(|&i| html.get(i + 1) == Some(&b'"'));
    for at in value_starts {
        // Only `href`, `src` and `id` after white space count (`data-href="..."` is not a
        // link): read the name backwards from `=` rather than find where it starts, since
        // most attributes of a page are none of the three.
        let Some(name) = attribute_name(html, at) else {
            continue;
        };
        while in_script.peek().is_some_and(|r| r.end <= at) {
            in_script.next();
        }
        if in_script.peek().is_some_and(|r| r.start <= at) {
            continue;
        }
        let is_link = name != Name::Id;
        let name_start = at - name.len();
        // The anchor qunce puts in every heading points at that heading's own id: a page
        // with 100,000 headings need not look up 100,000 of them.
        if is_link && html[..name_start].ends_with(b"class=\"anchor\" ") {
            continue;
        }
        let value_start = at + 2;
        let Some(len) = memchr::memchr(b'"', &html[value_start..]) else {
            break;
        };
        let raw = &html[value_start..value_start + len];
        if is_link && !seen.insert(raw) {
            continue;
        }
        // A value with a line break is no link qunce wrote; entities are rare, so most values
        // are used as they are, unescaped only when they hold a `&`.
        if memchr::memchr(b'\n', raw).is_some() {
            continue;
        }
        let Ok(value) = std::str::from_utf8(raw) else {
            continue;
        };
        let value = if memchr::memchr(b'&', raw).is_some() {
            unescape(value)
        } else {
            value.into()
        };
        let value: &str = &value;
        if !is_link {
            out.ids.push_str(value);
            out.ids.push('\n');
        } else if let Some(rest) = under_base_url(value, base_url) {
            // An absolute URL of the site itself (a canonical link): the rest is below the
            // base path, which `base_url`'s own path part is.
            out.links
                .push_str(base_path(base_url).trim_end_matches('/'));
            out.links.push('/');
            out.links.push_str(rest.trim_start_matches('/'));
            out.links.push('\n');
        } else if let Some(internal) = internal(value) {
            out.links.push_str(internal);
            out.links.push('\n');
        }
    }
    out
}

/// The attributes [`scan`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    Href,
    Src,
    Id,
}

impl Name {
    fn len(self) -> usize {
        match self {
            Name::Href => 4,
            Name::Src => 3,
            Name::Id => 2,
        }
    }
}

/// The attribute whose `="` is at `at`, when it is `href`, `src` or `id` (any case) and white
/// space comes before it.
fn attribute_name(html: &[u8], at: usize) -> Option<Name> {
    let ends = |name: &[u8]| {
        at > name.len()
            && html[at - name.len()..at].eq_ignore_ascii_case(name)
            && html[at - name.len() - 1].is_ascii_whitespace()
    };
    match html[..at].last()?.to_ascii_lowercase() {
        b'f' if ends(b"href") => Some(Name::Href),
        b'c' if ends(b"src") => Some(Name::Src),
        b'd' if ends(b"id") => Some(Name::Id),
        _ => None,
    }
}

/// Byte ranges of `<script ...>...</script>` elements: their text is code, not markup.
fn script_ranges(html: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = memchr::memmem::find(&html[from..], b"<script").map(|i| from + i) {
        // Up to the end of the opening tag: its own `src` is a link.
        let Some(open_end) = memchr::memchr(b'>', &html[start..]).map(|i| start + i + 1) else {
            break;
        };
        let end = memchr::memmem::find(&html[open_end..], b"</script")
            .map_or(html.len(), |i| open_end + i);
        out.push(open_end..end);
        from = end;
    }
    out
}

fn unescape(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('&') {
        s.replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .into()
    } else {
        s.into()
    }
}

/// The rest of an absolute URL under the site's own `base_url` (`/search/` of
/// `https://x.org/handbook/search/`), or None for any other link.
fn under_base_url<'a>(url: &'a str, base_url: &str) -> Option<&'a str> {
    let rest = trim(url)
        .strip_prefix(base_url)
        .filter(|_| !base_url.is_empty())?;
    (rest.is_empty() || rest.starts_with(['/', '#', '?'])).then_some(rest)
}

/// The path part of `base_url` (`/handbook`, or `/`): where the site's files are on its host.
fn base_path(base_url: &str) -> &str {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    match after_scheme.find('/') {
        Some(i) => &after_scheme[i..],
        None => "/",
    }
}

/// The link as a path on this site (root-relative or relative), or None when it leaves the
/// site (a scheme, or `//host`). Absolute URLs of the site itself are [`under_base_url`].
fn internal(url: &str) -> Option<&str> {
    let url = trim(url);
    let bytes = url.as_bytes();
    match bytes {
        [] | [b'/', b'/', ..] => return None,
        // Nothing before a `:` can be a scheme then: the common case needs no search.
        [b'/' | b'#' | b'?', ..] => return Some(url),
        _ => {}
    }
    // A scheme is letters, digits, `+`, `-` and `.` before the first `:`.
    let scheme = bytes.iter().position(|&b| b == b':').is_some_and(|i| {
        i > 0
            && bytes[..i]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    (!scheme).then_some(url)
}

/// `s` without white space around it, as `str::trim`, sparing its work when the ends show
/// there is none (a value's usual case).
fn trim(s: &str) -> &str {
    // Printable ASCII other than the space is never white space; anything else asks `trim`.
    let plain = |b: u8| b > b' ' && b < 0x7f;
    match s.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => s,
        [only] if plain(*only) => s,
        _ => s.trim(),
    }
}

/// Resolves a link written in the file at `from` to an output path and a fragment. `base` is
/// the site's URL prefix (`/` or `/handbook/`). None when the path leaves the site.
fn target<'a>(link: &'a str, from: &str, base: &str) -> Option<(String, &'a str)> {
    let (path, frag) = link.split_once('#').unwrap_or((link, ""));
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let joined = if path.is_empty() {
        from.to_string()
    } else if let Some(abs) = path.strip_prefix('/') {
        let base_rest = base.trim_start_matches('/');
        if !base_rest.is_empty() && !abs.starts_with(base_rest) {
            // `/handbook` itself, without the slash, is the home page too.
            if format!("{abs}/") == base_rest {
                String::new()
            } else {
                return None;
            }
        } else {
            abs[base_rest.len()..].to_string()
        }
    } else {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{path}")
    };
    let decoded = percent_decode(&joined);
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut file = parts.join("/");
    if decoded.ends_with('/') || file.is_empty() {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Some((file, frag))
}

/// What [`check`] needs besides the scanned files.
pub(crate) struct Inputs<'a> {
    /// The site's URL prefix (`/` or `/handbook/`).
    pub(crate) base: &'a str,
    /// Every file the output will hold that was not scanned (static files, assets, the search
    /// index), below the output root.
    pub(crate) other_files: Vec<&'a str>,
    /// Output folders whose files exist but are not known here (the search index during
    /// `check`, which does not build it).
    pub(crate) other_dirs: Vec<&'a str>,
    /// Output path of each page's HTML → its Markdown source, to report a dead link that the
    /// page's own text holds at its line.
    /// (file, text) of each page's Markdown source.
    pub(crate) sources: HashMap<String, (&'a str, &'a str)>,
    /// The theme's templates: (file shown in diagnostics, text).
    pub(crate) templates: Vec<(&'a str, &'a str)>,
}

/// Checks every link of `files`; returns the dead ones as `dead-output-link` diagnostics: one
/// per place it is written (a page line, or a template line with the number of pages).
pub(crate) fn check(files: &[FileLinks], inputs: &Inputs<'_>) -> Vec<Diagnostic> {
    let by_path: FxHashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let other_files: FxHashSet<&str> = inputs.other_files.iter().copied().collect();
    let exists = |p: &str| {
        by_path.contains_key(p)
            || other_files.contains(p)
            || inputs
                .other_dirs
                .iter()
                .any(|d| p.starts_with(d) && p[d.len()..].starts_with('/'))
    };
    // The id set of each file, made the first time a fragment points into it.
    let ids: Vec<std::sync::OnceLock<FxHashSet<&str>>> =
        files.iter().map(|_| std::sync::OnceLock::new()).collect();
    let has_id = |i: usize, frag: &str| -> bool {
        let set = ids[i].get_or_init(|| files[i].ids.lines().collect());
        set.contains(frag) || set.contains(percent_decode(frag).as_str())
    };
    // Why `link`, written in file `from`, leads nowhere; None when it resolves.
    let dead_why = |link: &str, from: usize| -> Option<String> {
        if let Some(frag) = link.strip_prefix('#') {
            // In-page anchors (every heading has one): no path to resolve.
            return (!frag.is_empty() && !has_id(from, frag))
                .then(|| format!("this page has no id `{}`", percent_decode(frag)));
        }
        let Some((file, frag)) = target(link, &files[from].path, inputs.base) else {
            return Some("it points outside the site".to_string());
        };
        if !exists(&file) {
            return Some(format!("no file `{file}` is written"));
        }
        match by_path.get(file.as_str()) {
            Some(&t) if !frag.is_empty() && file.ends_with(".html") && !has_id(t, frag) => {
                Some(format!("`{file}` has no id `{}`", percent_decode(frag)))
            }
            _ => None,
        }
    };
    // (file, link, why) of the dead links, found in parallel, in file order. Root-relative
    // links mean the same from every file: each thread checks one (a sidebar's) only once.
    let dead: Vec<(&FileLinks, &str, String)> = files
        .par_iter()
        .enumerate()
        .map_init(FxHashMap::<&str, bool>::default, |known, (i, f)| {
            let mut out = Vec::new();
            for link in f.links.lines() {
                let shared = link.starts_with('/');
                if shared && known.get(link) == Some(&true) {
                    continue;
                }
                match dead_why(link, i) {
                    Some(why) => out.push((f, link, why)),
                    None if shared => {
                        known.insert(link, true);
                    }
                    None => {}
                }
            }
            out
        })
        .flatten_iter()
        .collect();
    let mut diags = Vec::new();
    // Template lines, with the pages their dead link appears on.
    let mut from_templates: Vec<(TemplateSpot, Spread)> = Vec::new();
    let mut template_index: HashMap<TemplateSpot, usize> = HashMap::new();
    // A page's body is also in the print books: a dead link there is the page's, reported
    // once at its Markdown line, not again as a template's.
    let mut from_pages: FxHashSet<&str> = FxHashSet::default();
    let mut rest = Vec::new();
    for (f, link, why) in dead {
        if let Some(&(name, text)) = inputs.sources.get(&f.path)
            && let Some(at) = find_in_body(text, link)
        {
            from_pages.insert(link);
            let src = &SourceFile::new(name, text);
            diags.push(
                Diagnostic::error(
                    "dead-output-link",
                    format!("the link `{link}` leads nowhere in the output: {why}"),
                )
                .at_span(src, at, at + link.len())
                .with_help(
                    "link to a page with [[title]] or a relative `.md` path, which qunce checks \
                     and rewrites",
                ),
            );
            continue;
        }
        rest.push((f, link, why));
    }
    for (f, link, why) in rest {
        if from_pages.contains(link) {
            continue;
        }
        let (file, line) = find_in_templates(&inputs.templates, link, inputs.base)
            .unwrap_or_else(|| ("templates".to_string(), 0));
        let key = (file, line, link.to_string());
        match template_index.get(&key) {
            Some(&k) => from_templates[k].1.0 += 1,
            None => {
                template_index.insert(key.clone(), from_templates.len());
                from_templates.push((key, (1, f.path.clone(), why)));
            }
        }
    }
    for ((file, line, link), (count, example, why)) in from_templates {
        let pages = if count == 1 {
            format!("in {example}")
        } else {
            format!("in {count} files, e.g. {example}")
        };
        let text = inputs
            .templates
            .iter()
            .find(|(f, _)| *f == file)
            .and_then(|(_, t)| t.lines().nth(line.saturating_sub(1)))
            .filter(|_| line > 0)
            .map(str::to_string);
        let col = text
            .as_deref()
            .and_then(|t| link_column(t, &link, inputs.base))
            .unwrap_or(1);
        diags.push(
            Diagnostic::error(
                "dead-output-link",
                format!("the template links to `{link}`, which leads nowhere: {why} ({pages})"),
            )
            .at_line(&file, line, if line > 0 { col } else { 0 }, text)
            .with_help(
                "link only to pages the site writes, or wrap the link in `{% if ... %}` so it is \
                 left out when its target is not made",
            ),
        );
    }
    diags
}

/// A dead link written by a template: (template file, line, link).
type TemplateSpot = (String, usize, String);

/// How many files a template's dead link is in, one of them, and why it is dead.
type Spread = (usize, String, String);

/// Where the Markdown body holds `link` (as written, or without the base path).
fn find_in_body(text: &str, link: &str) -> Option<usize> {
    text.find(link)
}

/// The template file and 1-based line that writes `link`: the first line with a link
/// attribute (or a `set` of a variable) that holds the link's path below the base, or its last
/// segment; the templates every page shares are searched first.
fn find_in_templates(
    templates: &[(&str, &str)],
    link: &str,
    base: &str,
) -> Option<(String, usize)> {
    let path = link.split(['#', '?']).next().unwrap_or(link);
    let below = path
        .strip_prefix(base)
        .unwrap_or(path.trim_start_matches('/'));
    let mut needles = vec![below.to_string()];
    if let Some(last) = below.trim_end_matches('/').rsplit('/').next()
        && !last.is_empty()
    {
        needles.push(last.to_string());
    }
    // Templates every page shares first: a link found on many pages most likely comes from
    // one of them, not from a listing template that happens to hold the same path.
    let shared = |f: &str| {
        let name = f.rsplit('/').next().unwrap_or(f);
        !(f.contains("partials/")
            || ["base.html", "header.html", "footer.html", "sidebar.html"].contains(&name))
    };
    let mut ordered: Vec<&(&str, &str)> = templates.iter().collect();
    ordered.sort_by_key(|(f, _)| shared(f));
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        for (file, text) in &ordered {
            for (n, line) in text.lines().enumerate() {
                // A URL is written in a link attribute, or kept in a variable for one.
                let builds_url =
                    line.contains("href=") || line.contains("src=") || line.contains("set ");
                if builds_url && line.contains(needle.as_str()) {
                    return Some((file.to_string(), n + 1));
                }
            }
        }
    }
    None
}

/// The 1-based character column of the link's path in a template line.
fn link_column(line: &str, link: &str, base: &str) -> Option<usize> {
    let path = link.split(['#', '?']).next().unwrap_or(link);
    let below = path
        .strip_prefix(base)
        .unwrap_or(path.trim_start_matches('/'));
    let at = line.find(below).or_else(|| {
        let last = below.trim_end_matches('/').rsplit('/').next()?;
        line.find(last)
    })?;
    // Back to the start of the attribute value.
    let start = line[..at].rfind('"').map_or(at, |q| q + 1);
    Some(line[..start].chars().count() + 1)
}

#[cfg(test)]
mod tests;
