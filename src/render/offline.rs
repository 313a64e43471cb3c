//! The offline build (`qunce build --offline`, `offline = true`): a site that works opened
//! straight from disk (file://) or from a zip. After rendering, each HTML page's site-root
//! links (`href`, `src`, `action`, and the theme's `data-root`) are rewritten relative to the
//! page, and links to folders get an explicit `index.html`, since file:// serves no directory
//! index. One pass per page, pages in parallel; links elsewhere stay as written.

/// Attributes holding URLs the theme and Markdown bodies write.
const URL_ATTRS: [&str; 4] = [" href=\"", " src=\"", " action=\"", " data-root=\""];

/// One page's HTML with its internal links relative to `page_path` (its path in the output,
/// e.g. `roles/ban-zhang/index.html`).
pub(crate) fn relativize(html: &str, page_path: &str, base: &str, base_url: &str) -> String {
    let depth = page_path.matches('/').count();
    let up = "../".repeat(depth);
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    loop {
        let next = URL_ATTRS
            .iter()
            .filter_map(|a| rest.find(a).map(|p| (p, *a)))
            .min_by_key(|(p, _)| *p);
        let Some((pos, attr)) = next else {
            out.push_str(rest);
            return out;
        };
        let value_start = pos + attr.len();
        out.push_str(&rest[..value_start]);
        let value_end = rest[value_start..]
            .find('"')
            .map_or(rest.len(), |e| value_start + e);
        let value = &rest[value_start..value_end];
        match internal_path(value, base, base_url) {
            Some(_) if attr == " data-root=\"" => {
                out.push_str(if up.is_empty() { "./" } else { &up })
            }
            Some(rel) => out.push_str(&relative(rel, &up)),
            None => out.push_str(value),
        }
        rest = &rest[value_end..];
    }
}

/// The part of `value` below the site root, if it points into the site.
fn internal_path<'a>(value: &'a str, base: &str, base_url: &str) -> Option<&'a str> {
    let base_url = base_url.trim_end_matches('/');
    if !base_url.is_empty()
        && let Some(rest) = value.strip_prefix(base_url)
    {
        return match rest.strip_prefix('/') {
            Some(r) => Some(r),
            None if rest.is_empty() || rest.starts_with(['?', '#']) => Some(rest),
            None => None,
        };
    }
    if value.starts_with("//") {
        return None;
    }
    value.strip_prefix(base).or_else(|| {
        // The root itself written without its trailing slash (`/handbook`).
        (value == base.trim_end_matches('/') && base != "/").then_some("")
    })
}

/// `rel` (path below the root, maybe with `?query` or `#anchor`) as seen from a page `up`
/// folders deep; folders get `index.html`.
fn relative(rel: &str, up: &str) -> String {
    let cut = rel.find(['?', '#']).unwrap_or(rel.len());
    let (path, suffix) = rel.split_at(cut);
    let mut s = String::with_capacity(up.len() + rel.len() + 12);
    // On the home page a path whose first segment holds a colon (`javascript:x`, from a link
    // to `/javascript:x`) would read as a scheme: `./` keeps it a path, as RFC 3986 says.
    if up.is_empty() && path.split('/').next().is_some_and(|seg| seg.contains(':')) {
        s.push_str("./");
    }
    s.push_str(up);
    s.push_str(path);
    if path.is_empty() || path.ends_with('/') {
        s.push_str("index.html");
    }
    s.push_str(suffix);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_links_become_relative_with_index_html() {
        let html = r##"<a href="/handbook/">h</a><a href="/handbook/roles/ban-zhang/#zhi-ze">b</a><link href="/handbook/style.css?v=1"><body data-root="/handbook/"><a href="https://x.org/">x</a><a href="#top">t</a><form action="/handbook/search/">"##;
        assert_eq!(
            relativize(
                html,
                "rituals/kai-ying/index.html",
                "/handbook/",
                "https://example.org/handbook"
            ),
            r##"<a href="../../index.html">h</a><a href="../../roles/ban-zhang/index.html#zhi-ze">b</a><link href="../../style.css?v=1"><body data-root="../../"><a href="https://x.org/">x</a><a href="#top">t</a><form action="../../search/index.html">"##
        );
    }

    #[test]
    fn a_colon_in_the_first_segment_never_becomes_a_scheme() {
        let html = r#"<a href="/javascript:alert(1)">a</a><a href="https://example.org/javascript:alert(1)">b</a>"#;
        assert_eq!(
            relativize(html, "index.html", "/", "https://example.org"),
            r#"<a href="./javascript:alert(1)">a</a><a href="./javascript:alert(1)">b</a>"#
        );
    }

    #[test]
    fn home_page_and_absolute_site_urls() {
        let html = r#"<a href="/">h</a><a href="https://example.org/tags/">t</a><b data-root="/"></b><img src="/a/b.png"><a href="//cdn.org/x">c</a>"#;
        assert_eq!(
            relativize(html, "index.html", "/", "https://example.org"),
            r#"<a href="index.html">h</a><a href="tags/index.html">t</a><b data-root="./"></b><img src="a/b.png"><a href="//cdn.org/x">c</a>"#
        );
    }
}
