//! Markdown: two passes over each page's body with pulldown-cmark.
//!
//! `scan` finds what other pages need to know before anything is rendered: heading ids (link
//! anchors are checked against them), outgoing links (for resolution, backlinks and relations),
//! task items, a plain-text summary and the plain text the search index reads (`plain`). `render` then writes HTML with the links the links
//! stage resolved, heading anchors and interactive checklist markup. Both passes are per page
//! and run in parallel.

//!
//! The passes live in `scan` and `html`; what both share (the dialect, the scan's types, task
//! ids, the table of contents, sanitizing) stays here.

use pulldown_cmark::Options;

mod autolink;
pub(crate) mod embed;
mod grammars;
pub(crate) mod highlight;
mod html;
pub(crate) mod plain;
mod prose;
mod scan;
mod tape;
#[cfg(test)]
mod tests;

pub(crate) use html::{RenderOptions, render};
pub(crate) use plain::{Piece, PlainText};
pub(crate) use prose::Prose;
pub(crate) use scan::scan;
pub(crate) use tape::Tape;

/// The Markdown dialect: GitHub-like (with its `> [!NOTE]` alerts), with wiki links and `{#id}`
/// heading attributes. Smart punctuation stays off: it would turn CJK text's straight quotes
/// into the wrong glyphs.
pub(crate) fn options() -> Options {
    Options::ENABLE_GFM
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// A heading with its final (unique) id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
}

/// A link as written, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawLink {
    pub(crate) wiki: bool,
    /// The destination as written (`班长#职责`, `../roles/班长.md`, `https://…`).
    pub(crate) target: String,
    /// Byte offset of the link in the whole file (for diagnostics).
    pub(crate) offset: usize,
}

/// What the first pass learns about a page.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    pub(crate) headings: Vec<Heading>,
    pub(crate) links: Vec<RawLink>,
    pub(crate) tasks: usize,
    pub(crate) tasks_done: usize,
    /// First paragraph as plain text, at most [`SUMMARY_CHARS`] characters.
    pub(crate) summary: String,
    pub(crate) word_count: usize,
    pub(crate) has_raw_html: bool,
    /// How deep raw HTML tags nest at most (an estimate from a tag scan), so pathological
    /// nesting can be kept away from the sanitizer.
    pub(crate) raw_html_depth: usize,
    /// The plain text the search index reads (see [`plain`]).
    pub(crate) plain: PlainText,
    /// How many events the parser gave, so [`render`] sizes its event list once (growing it
    /// was tens of kilobytes of reallocation a page).
    pub(crate) events: usize,
    /// The `<iframe>`s of raw HTML: (byte offset in the file, `src`), so the ones the safe
    /// policy removes are reported at their line.
    pub(crate) iframes: Vec<(usize, String)>,
    /// The first level-1 heading: (its index in `headings`, its byte offset in the body). A
    /// page whose title comes from it does not show it twice.
    pub(crate) first_h1: Option<(usize, usize)>,
    /// The `{name}` placeholders written in template blocks, with their byte offsets in the
    /// file (checked against site.toml's `[placeholders]`).
    pub(crate) placeholders: Vec<(String, usize)>,
    /// The text events the typography lint reads (see [`Prose`]) where
    /// Chinese meets ASCII ([`crate::text::Census::mixed`]: the others need no fix), as byte
    /// ranges of the body, so the lint does not parse the body again. None for a body too long
    /// for `u32` offsets: the lint parses that one itself.
    pub(crate) prose: Option<Vec<(u32, u32)>>,
    /// The parser's events, which [`render`] replays rather than parsing the body again.
    /// None for a body too long for the tape's offsets: render parses that one.
    pub(crate) tape: Option<Tape>,
}

/// The level of the [`Heading`] entries a template block adds: the template's own (its card's
/// id and title, so links and search reach it) and, after it, the heading it sits under again
/// (so the text that follows is searched as that heading's). Never in the table of contents.
pub(crate) const TEMPLATE_LEVEL: u8 = 0;

/// The words the Markdown stage writes itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Labels<'a> {
    /// UI strings, for the kinds of template blocks (`template_kind_<kind>`).
    pub(crate) ui: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Raw HTML nested deeper than this is rendered as text instead of being sanitized.
pub(crate) const MAX_RAW_HTML_DEPTH: usize = 512;

/// Length of summaries used in lists and hover previews.
pub(crate) const SUMMARY_CHARS: usize = 160;

/// Splits a trailing ` {#id}` off a task item's text; returns the text and the id if any.
pub(crate) fn strip_task_id(text: &str) -> (&str, Option<&str>) {
    let t = text.trim_end();
    if t.ends_with('}')
        && let Some(open) = t.rfind("{#")
    {
        let id = &t[open + 2..t.len() - 1];
        if !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return (t[..open].trim_end(), Some(id));
        }
    }
    (text, None)
}

/// A stable id for a checklist item from its text, so ticks survive reordering: FNV-1a over
/// the whitespace-normalised text.
pub(crate) fn task_id(text: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let mut last_space = true;
    for c in text.trim().chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    format!("t{h:08x}")
}

/// How the links stage resolved one [`RawLink`], in the same order as [`Scan::links`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A page of this site: its URL (root-prefixed, with `#anchor` if any) and its title.
    Internal { url: String, title: String },
    /// Anything else that is kept: external URLs, assets, in-page anchors.
    Url(String),
    /// Broken or forbidden (`javascript:`): the text stays, the link goes. Already reported.
    Drop,
    /// A link to a missing page, file or heading on a site that lowered `broken-link` to a
    /// warning: the text stays, marked as a broken link. Already reported.
    Broken,
}

/// An entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TocEntry {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) children: Vec<TocEntry>,
}

/// Builds the nested table of contents from h2 and deeper headings.
pub(crate) fn toc(headings: &[Heading]) -> Vec<TocEntry> {
    let mut root: Vec<TocEntry> = Vec::new();
    for h in headings.iter().filter(|h| h.level >= 2 && h.level <= 4) {
        let entry = TocEntry {
            level: h.level,
            id: h.id.clone(),
            title: h.title.clone(),
            children: Vec::new(),
        };
        let mut list = &mut root;
        // Descend while the last entry at this depth is shallower than the new heading.
        while list.last().is_some_and(|l| l.level < h.level) {
            list = &mut list.last_mut().expect("checked").children;
        }
        list.push(entry);
    }
    root
}

/// Removes scripts, iframes, event handlers, `javascript:` URLs and the like from a page that
/// contains raw HTML, keeping everything qunce itself writes.
pub fn sanitize(html: &str) -> String {
    use std::sync::OnceLock;
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER
        .get_or_init(|| {
            let mut b = ammonia::Builder::default();
            b.add_generic_attributes([
                "id",
                "class",
                "title",
                "aria-label",
                "aria-hidden",
                "lang",
                "dir",
            ])
            .add_tags([
                "input",
                "details",
                "summary",
                "mark",
                "figure",
                "figcaption",
                "section",
                "kbd",
                "sup",
                "sub",
            ])
            .add_tag_attributes("input", ["type", "disabled", "checked"])
            .add_tag_attributes("li", ["data-task-id"])
            .add_tag_attributes("span", ["data-qunce-embed"])
            .add_tag_attributes("figure", ["data-kind"])
            .add_tag_attributes("span", ["data-ph"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("th", ["style"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("a", ["href", "name"])
            .add_tag_attributes("img", ["src", "alt", "width", "height", "loading"])
            .filter_style_properties(["text-align"].into_iter().collect())
            .link_rel(None)
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
            b
        })
        .clean(html)
        .to_string()
}
