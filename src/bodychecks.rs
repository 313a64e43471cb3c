//! Warnings about a page's Markdown that renders, but not as the writer meant: text that looks
//! like another generator's shortcode (printed as is), footnote references without a
//! definition (printed as `[^1]`), and raw HTML the sanitizer removes. Each is found at its
//! byte offset, so the warning points at the line to change.
//!
//! Most pages have none of these: a page is parsed again here only when its text holds `{{`
//! or `[^`, or it has raw HTML under the safe policy.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::config::RawHtml;
use crate::content::Page;
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::markdown::{Scan, options};

/// The warnings of one page.
pub(crate) fn warnings(page: &Page, scan: &Scan, raw_html: RawHtml) -> Vec<Diagnostic> {
    let body = page.body();
    let shortcodes = memchr::memmem::find(body.as_bytes(), b"{{").is_some();
    let footnotes = memchr::memmem::find(body.as_bytes(), b"[^").is_some();
    // Raw HTML nested too deep is shown as text, not sanitized (see `raw-html-too-deep`).
    let html = scan.has_raw_html
        && raw_html == RawHtml::Safe
        && scan.raw_html_depth <= crate::markdown::MAX_RAW_HTML_DEPTH;
    if !(shortcodes || footnotes || html) {
        return Vec::new();
    }
    let parsed = Parsed::new(body);
    let src = page.src();
    let base = page.body_start;
    let mut out = Vec::new();
    if shortcodes {
        shortcode_warnings(body, &parsed, &src, base, &mut out);
    }
    if footnotes {
        footnote_warnings(body, &parsed, &src, base, &mut out);
    }
    if html {
        for (range, text) in &parsed.html {
            removed_html(text, &src, base + range.start, &mut out);
        }
    }
    out
}

/// What the parser tells about a body: where code is, which `[^x]` are real references, and
/// the raw HTML.
struct Parsed {
    /// Byte ranges of code spans and blocks, sorted.
    code: Vec<Range<usize>>,
    /// Start offsets of footnote references that have a definition.
    refs: HashSet<usize>,
    /// Raw HTML fragments with their ranges.
    html: Vec<(Range<usize>, String)>,
}

impl Parsed {
    fn new(body: &str) -> Parsed {
        let mut p = Parsed {
            code: Vec::new(),
            refs: HashSet::new(),
            html: Vec::new(),
        };
        let mut block: Option<usize> = None;
        for (ev, range) in Parser::new_ext(body, options()).into_offset_iter() {
            match ev {
                Event::Start(Tag::CodeBlock(_)) => block = Some(range.start),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(s) = block.take() {
                        p.code.push(s..range.end);
                    }
                }
                Event::Code(_) => p.code.push(range),
                Event::FootnoteReference(_) => {
                    p.refs.insert(range.start);
                }
                Event::Html(h) | Event::InlineHtml(h) => p.html.push((range, h.to_string())),
                _ => {}
            }
        }
        p
    }

    fn in_code(&self, at: usize) -> bool {
        let i = self.code.partition_point(|r| r.end <= at);
        self.code.get(i).is_some_and(|r| r.start <= at)
    }
}

/// `{{< name ... >}}`, `{{% name ... %}}` (Hugo) and `{{ name(...) }}` (Zola) outside code.
fn shortcode_warnings(
    body: &str,
    parsed: &Parsed,
    src: &SourceFile<'_>,
    base: usize,
    out: &mut Vec<Diagnostic>,
) {
    for at in memchr::memmem::find_iter(body.as_bytes(), b"{{") {
        if parsed.in_code(at) {
            continue;
        }
        let rest = &body[at + 2..];
        let (generator, close) = if rest.starts_with('<') {
            ("Hugo", ">}}")
        } else if rest.starts_with('%') {
            ("Hugo", "%}}")
        } else {
            let t = rest.trim_start();
            let name_len = t
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(t.len());
            if name_len == 0 || !t[name_len..].starts_with('(') {
                continue;
            }
            ("Zola", "}}")
        };
        let Some(end) = rest.find(close).filter(|&e| !rest[..e].contains('\n')) else {
            continue;
        };
        let text = &body[at..at + 2 + end + close.len()];
        out.push(
            Diagnostic::warning(
                "shortcode",
                format!("`{text}` looks like a {generator} shortcode; it is printed as text"),
            )
            .at_span(src, base + at, base + at + text.len())
            .with_help(
                "qunce has no shortcodes: write the link, image or HTML itself, or put the text \
                 in `backticks` to show it as code",
            ),
        );
    }
}

/// `[^label]` references that the parser did not take as footnotes: no definition.
fn footnote_warnings(
    body: &str,
    parsed: &Parsed,
    src: &SourceFile<'_>,
    base: usize,
    out: &mut Vec<Diagnostic>,
) {
    // (offset, label, offset of the text after `]`) of every `[^label]` outside code.
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(body.as_bytes(), b"[^") {
        if parsed.in_code(at) {
            continue;
        }
        let rest = &body[at + 2..];
        let Some(len) = rest.find(']') else { continue };
        let label = &rest[..len];
        if label.is_empty() || label.contains(char::is_whitespace) || label.contains('[') {
            continue;
        }
        found.push((at, label, at + 2 + len + 1));
    }
    let line_start = |at: usize| at == 0 || body.as_bytes()[at - 1] == b'\n';
    // Definitions written with a full-width colon: the likely cause of a missing one.
    let wide: HashMap<&str, usize> = found
        .iter()
        .filter(|(at, _, after)| line_start(*at) && body[*after..].starts_with('：'))
        .map(|(_, label, after)| (*label, *after))
        .collect();
    for &(at, label, after) in &found {
        let is_definition =
            line_start(at) && (body[after..].starts_with(':') || body[after..].starts_with('：'));
        if is_definition || parsed.refs.contains(&at) {
            continue;
        }
        let mut d = Diagnostic::warning(
            "footnote-without-definition",
            format!("the footnote `[^{label}]` has no definition; it is printed as text"),
        )
        .at_span(src, base + at, base + after);
        d = match wide.get(label) {
            Some(&colon) => {
                let (line, _, _) = src.position(base + colon);
                d.with_help(format!(
                    "line {line} defines it with a full-width colon `[^{label}]：`; write an \
                     ASCII colon: `[^{label}]: ...`"
                ))
                .with_fix(src, base + colon, base + colon + '：'.len_utf8(), ":")
            }
            None => d.with_help(format!(
                "add its text on a line of its own, e.g. at the end of the page: `[^{label}]: ...`"
            )),
        };
        out.push(d);
    }
}

/// Tags the sanitizer keeps (its defaults and those qunce adds); any other is removed.
const KEPT_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "input",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Warnings for the removed tags and attributes of one raw HTML fragment at `offset`.
/// `<iframe>` is left to the embed check, which knows which players are kept.
fn removed_html(html: &str, src: &SourceFile<'_>, offset: usize, out: &mut Vec<Diagnostic>) {
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[i..]).map(|p| i + p) {
        let name_len = html[lt + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(html.len() - lt - 1);
        if name_len == 0 {
            i = lt + 1;
            continue;
        }
        let name = html[lt + 1..lt + 1 + name_len].to_ascii_lowercase();
        let end = crate::markdown::embed::tag_end(html, lt + 1 + name_len);
        let at = offset + lt;
        if name == "iframe" {
        } else if !KEPT_TAGS.contains(&name.as_str()) {
            let help = match name.as_str() {
                "script" => {
                    "pages cannot run scripts: put behaviour in the theme (templates/ or static/), or set `[markdown] raw_html = \"allow\"` if every writer is trusted"
                }
                "style" => {
                    "put styles in the theme's style sheet (static/style.css) and use a class"
                }
                "video" | "audio" | "source" => {
                    "link to the file instead, e.g. [录音](talk.mp3), or embed a player from an embed host"
                }
                _ => {
                    "write it in Markdown, or set `[markdown] raw_html = \"allow\"` if every writer is trusted"
                }
            };
            out.push(
                Diagnostic::warning("removed-html", format!("raw HTML `<{name}>` is removed"))
                    .at_span(src, at, offset + end)
                    .with_help(help),
            );
        } else {
            for (attr, pos) in attributes(&html[lt + 1 + name_len..end]) {
                let lower = attr.to_ascii_lowercase();
                let styled_cell = lower == "style" && (name == "td" || name == "th");
                let help = if lower.starts_with("on") && lower.len() > 2 {
                    "event handlers are removed: pages cannot run scripts"
                } else if lower == "style" && !styled_cell {
                    "inline styles are removed: use a class and the theme's style sheet"
                } else {
                    continue;
                };
                let a = offset + lt + 1 + name_len + pos;
                out.push(
                    Diagnostic::warning(
                        "removed-html",
                        format!("the `{attr}` attribute of `<{name}>` is removed"),
                    )
                    .at_span(src, a, a + attr.len())
                    .with_help(help),
                );
            }
        }
        i = end.max(lt + 1);
    }
}

/// Attribute names of a start tag's attribute text, with their byte offsets in it.
fn attributes(attrs: &str) -> Vec<(&str, usize)> {
    let b = attrs.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        if i > start {
            out.push((&attrs[start..i], start));
        }
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
                i += 1;
            } else {
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
        } else if i == start {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str) -> Page {
        let source = format!("+++\ntitle = \"t\"\n+++\n{body}");
        Page {
            file: "content/t.md".into(),
            rel: "t.md".into(),
            body_start: source.len() - body.len(),
            source,
            meta: Default::default(),
            title: "t".into(),
            kind: "page".into(),
            slug: "t".into(),
            url: "t/".into(),
            parent: None,
            section: None,
            title_heading: None,
        }
    }

    fn run(body: &str) -> Vec<(&'static str, usize, usize, String)> {
        let p = page(body);
        let scan = crate::markdown::scan(p.body(), p.body_start);
        warnings(&p, &scan, RawHtml::Safe)
            .into_iter()
            .map(|d| (d.code, d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn shortcodes_outside_code_only() {
        let got = run(
            "看 {{< youtube abc >}} 和 {{ figure(src=\"a\") }}。\n\n`{{< x >}}`\n\n{{ page.title }}\n",
        );
        assert_eq!(
            got,
            [
                (
                    "shortcode",
                    4,
                    3,
                    "`{{< youtube abc >}}` looks like a Hugo shortcode; it is printed as text"
                        .to_string()
                ),
                (
                    "shortcode",
                    4,
                    25,
                    "`{{ figure(src=\"a\") }}` looks like a Zola shortcode; it is printed as text"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn footnotes_without_definition() {
        let got = run("甲[^1]乙[^2]丙[^3]。\n\n[^1]: 有定义\n[^2]：全角冒号\n");
        let codes: Vec<_> = got.iter().map(|g| (g.1, g.2)).collect();
        assert_eq!(codes, [(4, 7), (4, 12)], "{got:?}");
        let p = page("甲[^2]。\n\n[^2]：全角冒号\n");
        let scan = crate::markdown::scan(p.body(), p.body_start);
        let d = &warnings(&p, &scan, RawHtml::Safe)[0];
        assert_eq!(
            d.help.as_deref(),
            Some(
                "line 6 defines it with a full-width colon `[^2]：`; write an ASCII colon: `[^2]: ...`"
            )
        );
        assert_eq!((d.fixes[0].line, d.fixes[0].column), (6, 5));
    }

    #[test]
    fn removed_tags_and_attributes() {
        let got = run(
            "<div onclick=\"x()\" class=\"a\">hi</div>\n\n<script>alert(1)</script>\n\n<iframe src=\"https://x\"></iframe>\n",
        );
        let short: Vec<_> = got.iter().map(|g| (g.1, g.2, g.3.as_str())).collect();
        assert_eq!(
            short,
            [
                (4, 6, "the `onclick` attribute of `<div>` is removed"),
                (6, 1, "raw HTML `<script>` is removed"),
            ]
        );
    }
}
