//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz). Each takes arbitrary bytes, runs
//! one stage of the pipeline on them the way a real build would, and panics only when an
//! invariant the rest of qunce relies on is broken, so libFuzzer reports it as a crash.
//!
//! They live in the library (not in `fuzz/`) so they use the stages' real wiring without the
//! stages exposing more than they need to; the module is hidden from the docs because it is
//! a test harness, not an API.

use std::path::Path;

use crate::config::Config;
use crate::content::{Content, Page, SECTION_KIND, SectionData, frontmatter};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::markdown::{self, RawLink, Resolved, Scan};
use crate::text::{self, slug};

/// The file name fuzzed pages are reported under.
const FILE: &str = "content/fuzz.md";

fn config() -> Config {
    Config::defaults(Path::new("/fuzz-site"))
}

/// Checks that a diagnostic points inside its file: a line and column that exist.
fn check_located(d: &Diagnostic, text: &str) {
    if d.line == 0 {
        return;
    }
    let lines = text.split('\n').count();
    assert!(d.line <= lines, "line {} of {lines}: {d:?}", d.line);
}

/// Front matter: split a file into header and body, then parse and check the header.
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let config = config();
    let src = SourceFile::new(FILE, text);
    match frontmatter::split(&src) {
        Err(d) => check_located(&d, text),
        Ok(split) => {
            assert!(split.body_start <= text.len());
            assert!(text.is_char_boundary(split.body_start));
            if let Some(h) = split.header {
                assert!(split.header_start + h.len() <= split.body_start);
            }
            let mut diags = Vec::new();
            let fm = frontmatter::parse(&src, &split, &config, &mut diags);
            for d in &diags {
                check_located(d, text);
            }
            for (_, v) in &fm.fields {
                assert!(v.span.end <= text.len(), "span past the end: {v:?}");
            }
        }
    }
}

/// Slugs, heading ids and task ids: the text-to-identifier functions used for URLs and anchors.
pub fn identifiers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let s = slug::slugify(&text);
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "slug not URL-safe ASCII: {s:?}"
    );
    assert!(
        !s.starts_with('-') && !s.ends_with('-') && !s.contains("--"),
        "{s:?}"
    );
    let id = slug::heading_id(&text);
    assert!(!id.is_empty());
    assert!(!id.contains(char::is_whitespace), "{id:?}");
    assert!(!id.contains(['<', '>', '"', '\'', '&', '#']), "{id:?}");
    let t = markdown::task_id(&text);
    assert_eq!(t.len(), 9);
    let (rest, explicit) = markdown::strip_task_id(&text);
    assert!(text.starts_with(rest));
    if let Some(e) = explicit {
        assert!(!e.is_empty());
    }
    let _ = text::percent_decode(&text);
    let _ = text::count_words(&text);
}

/// A tiny fixed site the link targets are resolved against: home, a role with headings and
/// an alias, and a ritual in its own section.
fn pages(extra: Page) -> Content {
    fn page(rel: &str, source: &str, title: &str, kind: &str, url: &str) -> Page {
        let src = SourceFile::new(rel, source);
        let split = frontmatter::split(&src).unwrap_or_default();
        Page {
            file: format!("content/{rel}"),
            rel: rel.to_string(),
            source: source.to_string(),
            body_start: split.body_start,
            meta: frontmatter::FrontMatter {
                aliases: vec!["monitor".to_string()],
                ..Default::default()
            },
            title: title.to_string(),
            kind: kind.to_string(),
            slug: slug::slugify(title),
            url: url.to_string(),
            parent: None,
            section: None,
            title_heading: None,
        }
    }
    let mut home = page(
        "_index.md",
        "+++\ntitle = \"首页\"\n+++\n",
        "首页",
        SECTION_KIND,
        "",
    );
    home.section = Some(SectionData {
        dir: String::new(),
        pages: vec![1, 2, 3],
        subsections: vec![],
    });
    let role = page(
        "roles/班长.md",
        "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n## 常见坑 Pitfalls\n",
        "班长",
        "role",
        "roles/ban-zhang/",
    );
    let ritual = page(
        "rituals/开营仪式.md",
        "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\n+++\n## 流程\n",
        "开营仪式",
        "ritual",
        "rituals/kai-ying-yi-shi/",
    );
    let mut extra = extra;
    extra.parent = Some(0);
    let mut content = Content {
        pages: vec![home, role, ritual, extra],
        root: 0,
        assets: vec![],
        drafts: vec![],
    };
    for p in &mut content.pages[1..3] {
        p.parent = Some(0);
    }
    content
}

/// Runs resolve + render for the fixed site whose last page is `page` with `scan`; returns
/// that page's HTML.
fn resolve_and_render(config: &Config, content: &Content, last: Scan) -> String {
    let scans = resolve_scans(content, last);
    let (graph, diags, _) = crate::links::resolve(content, &scans, config, "/");
    let last = content.pages.len() - 1;
    let page = &content.pages[last];
    for d in diags.all().filter(|d| d.file == page.file) {
        check_located(d, &page.source);
    }
    assert_eq!(graph.resolved[last].len(), scans[last].links.len());
    for r in &graph.resolved[last] {
        if let Resolved::Url(u) | Resolved::Internal { url: u, .. } = r {
            let lower = u.trim().to_ascii_lowercase();
            assert!(!lower.starts_with("javascript:"), "kept {u:?}");
        }
    }
    let html = markdown::render(
        page.body(),
        &scans[last],
        &graph.resolved[last],
        &markdown::RenderOptions::new(config),
    );
    check_html(&html);
    html
}

/// What must never come out of the Markdown stage in the default (safe) raw-HTML mode: a
/// script element, an event-handler attribute, or a link or source with a script URL. Text
/// may say anything (it is escaped), so only tags are inspected: in qunce's output every
/// literal `<` opens a tag or a comment, and attribute values are double-quoted.
fn check_html(html: &str) {
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[end..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(name != "script", "script element survived:\n{html}");
        for (attr, value) in attributes(tag) {
            assert!(
                !attr.starts_with("on"),
                "{attr} survived on <{name}>:\n{html}"
            );
            if matches!(attr.as_str(), "href" | "src") {
                let v: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                assert!(
                    !["javascript:", "vbscript:", "data:text"]
                        .iter()
                        .any(|s| v.starts_with(s)),
                    "{attr}={value:?} survived on <{name}>:\n{html}"
                );
            }
        }
    }
}

/// Where a tag ends: the first `>` outside a double-quoted attribute value.
fn tag_end(tag: &str) -> usize {
    let mut quoted = false;
    for (i, c) in tag.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return i,
            _ => {}
        }
    }
    tag.len()
}

/// The `name="value"` attributes of a tag's text (names lowercased).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '/');
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let after = &rest[eq + 2..];
        let close = after.find('"').unwrap_or(after.len());
        out.push((name, after[..close].replace("&amp;", "&")));
        rest = &after[(close + 1).min(after.len())..];
    }
    out
}

/// Link targets: `data` is used as the target of a wiki link and of a Markdown link on a page of
/// a small fixed site, and resolved (paths, titles, aliases, anchors, percent-escapes).
pub fn link_targets(data: &[u8]) {
    let Ok(target) = std::str::from_utf8(data) else {
        return;
    };
    let config = config();
    let source = "+++\ntitle = \"链接\"\n+++\nx\n".to_string();
    let body_start = source.len() - 2;
    let page = Page {
        file: "content/links.md".into(),
        rel: "links.md".into(),
        source,
        body_start,
        meta: Default::default(),
        title: "链接".into(),
        kind: "page".into(),
        slug: "lian-jie".into(),
        url: "lian-jie/".into(),
        parent: None,
        section: None,
        title_heading: None,
    };
    let content = pages(page);
    let links = [true, false]
        .into_iter()
        .map(|wiki| RawLink {
            wiki,
            target: target.to_string(),
            offset: body_start,
        })
        .collect();
    let scan = Scan {
        links,
        ..Default::default()
    };
    let scans = resolve_scans(&content, scan);
    let (graph, _, _) = crate::links::resolve(&content, &scans, &config, "/");
    for r in graph.resolved.last().into_iter().flatten() {
        if let Resolved::Url(u) | Resolved::Internal { url: u, .. } = r {
            assert!(
                !u.trim().to_ascii_lowercase().starts_with("javascript:"),
                "kept {u:?}"
            );
        }
    }
}

/// The scans of the fixed pages followed by the given scan of the last page.
fn resolve_scans(content: &Content, last: Scan) -> Vec<Scan> {
    let mut scans: Vec<Scan> = content.pages[..content.pages.len() - 1]
        .iter()
        .map(|p| markdown::scan(p.body(), p.body_start))
        .collect();
    scans.push(last);
    scans
}

/// The whole page pipeline on one file: front matter, scan, link resolution against a small
/// site, Markdown rendering and sanitizing.
pub fn page(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let config = config();
    let src = SourceFile::new(FILE, text);
    let split = match frontmatter::split(&src) {
        Ok(s) => s,
        Err(d) => {
            check_located(&d, text);
            return;
        }
    };
    let mut diags = Vec::new();
    let meta = frontmatter::parse(&src, &split, &config, &mut diags);
    let title = meta.title.clone().unwrap_or_else(|| "fuzz".to_string());
    let page = Page {
        file: FILE.into(),
        rel: "fuzz.md".into(),
        source: text.to_string(),
        body_start: split.body_start,
        slug: slug::slugify(&title),
        url: "fuzz/".into(),
        kind: meta.kind.clone().unwrap_or_else(|| "page".into()),
        title,
        meta,
        parent: None,
        section: None,
        title_heading: None,
    };
    let scan = markdown::scan(page.body(), page.body_start);
    for l in &scan.links {
        assert!(l.offset <= text.len());
    }
    let toc = markdown::toc(&scan.headings);
    assert!(toc.len() <= scan.headings.len());
    let content = pages(page);
    resolve_and_render(&config, &content, scan);
}

#[cfg(test)]
mod tests {
    /// The harnesses run in `cargo test` too, on the kinds of input that found bugs, so their
    /// invariants hold in CI and the entry points cannot rot between fuzzing sessions.
    #[test]
    fn entry_points_hold_on_sample_inputs() {
        let samples: &[&[u8]] = &[
            b"",
            b"+++\ntitle = \"\xe7\x8f\xad\xe9\x95\xbf\"\nkind = \"role\"\n+++\n## \xe8\x81\x8c\xe8\xb4\xa3\n",
            b"+++\ntitle = 3\nkind = \"ritual\"\nstage = \"x\"\n+++\n[[\xe7\x8f\xad\xe9\x95\xbf#\xe8\x81\x8c\xe8\xb4\xa3]]\n",
            b"---\ntitle: x\n---\n",
            b"+++\nunterminated",
            "绿色女生 lü nü".as_bytes(),
            b"[a](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror=alert(1)>",
            b"- [ ] task {#id}\n  - [x] nested\n> > quote [[roles/\xe7\x8f\xad\xe9\x95\xbf]]",
            b"[[../../x]] [[%E7%8F%AD]] [x](../a.md#b) ![i](data:image/png;base64,AA)",
            b"\xff\xfe\x00 invalid",
            // Found by fuzzing the old, text-blind check: such text is harmless.
            b"href=\"javascript:x\" src=\"vbscript:y\" onerror=z",
        ];
        for s in samples {
            super::front_matter(s);
            super::identifiers(s);
            super::link_targets(s);
            super::page(s);
        }
    }

    #[test]
    fn the_html_check_sees_tags_not_text() {
        super::check_html("<p>href=\"javascript:x\" &lt;script&gt;</p><a href=\"/a\">x</a>");
        for bad in [
            "<script>x</script>",
            "<a href=\" JavaScript:x\">x</a>",
            "<img src=\"x\" onerror=\"y\">",
            "<p title=\"a>b\" onclick=\"c\">",
        ] {
            assert!(
                std::panic::catch_unwind(|| super::check_html(bad)).is_err(),
                "{bad} passed"
            );
        }
    }
}
