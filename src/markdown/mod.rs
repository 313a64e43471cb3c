//! Markdown: two passes over each page's body with pulldown-cmark.
//!
//! [`scan`] finds what other pages need to know before anything is rendered: heading ids (link
//! anchors are checked against them), outgoing links (for resolution, backlinks and relations),
//! task items, a plain-text summary and the plain text the search index reads ([`plain`]). [`render`] then writes HTML with the links the links
//! stage resolved, heading anchors and interactive checklist markup. Both passes are per page
//! and run in parallel.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag,
    TagEnd,
};

use crate::config::{Config, RawHtml};
use crate::content::slug::heading_id;
use crate::playbook::template;

mod autolink;
pub mod embed;
pub mod highlight;
pub mod plain;
pub use plain::{Piece, PlainText};

/// The Markdown dialect: GitHub-like (with its `> [!NOTE]` alerts), with wiki links and `{#id}`
/// heading attributes. Smart punctuation stays off: it would turn CJK text's straight quotes
/// into the wrong glyphs.
pub fn options() -> Options {
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
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link as written, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    pub wiki: bool,
    /// The destination as written (`班长#职责`, `../roles/班长.md`, `https://…`).
    pub target: String,
    /// Byte offset of the link in the whole file (for diagnostics).
    pub offset: usize,
}

/// What the first pass learns about a page.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub headings: Vec<Heading>,
    pub links: Vec<RawLink>,
    pub tasks: usize,
    pub tasks_done: usize,
    /// First paragraph as plain text, at most [`SUMMARY_CHARS`] characters.
    pub summary: String,
    pub word_count: usize,
    pub has_raw_html: bool,
    /// How deep raw HTML tags nest at most (an estimate from a tag scan), so pathological
    /// nesting can be kept away from the sanitizer.
    pub raw_html_depth: usize,
    /// The plain text the search index reads (see [`plain`]).
    pub plain: PlainText,
    /// How many events the parser gave, so [`render`] sizes its event list once (growing it
    /// was tens of kilobytes of reallocation a page).
    pub events: usize,
    /// The `<iframe>`s of raw HTML: (byte offset in the file, `src`), so the ones the safe
    /// policy removes are reported at their line.
    pub iframes: Vec<(usize, String)>,
    /// The first level-1 heading: (its index in `headings`, its byte offset in the body). A
    /// page whose title comes from it does not show it twice.
    pub first_h1: Option<(usize, usize)>,
    /// The `{name}` placeholders written in template blocks, with their byte offsets in the
    /// file (checked against site.toml's `[placeholders]`).
    pub placeholders: Vec<(String, usize)>,
}

/// The level of the [`Heading`] entries a template block adds: the template's own (its card's
/// id and title, so links and search reach it) and, after it, the heading it sits under again
/// (so the text that follows is searched as that heading's). Never in the table of contents.
pub const TEMPLATE_LEVEL: u8 = 0;

/// The words the Markdown stage writes itself.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    /// The heading anchors' `aria-label`.
    pub anchor: &'a str,
    /// UI strings, for the kinds of template blocks (`template_kind_<kind>`).
    pub ui: Option<&'a std::collections::BTreeMap<String, String>>,
}

/// Raw HTML nested deeper than this is rendered as text instead of being sanitized.
pub const MAX_RAW_HTML_DEPTH: usize = 512;

/// Tracks open minus closed tags across raw HTML fragments.
fn html_depth(fragment: &str, depth: &mut isize, max: &mut usize) {
    let b = fragment.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' && i + 1 < b.len() {
            let next = b[i + 1];
            if next == b'/' {
                *depth -= 1;
            } else if next.is_ascii_alphabetic() {
                let end = fragment[i..].find('>').map_or(b.len(), |e| i + e);
                let tag = &fragment[i + 1..end];
                let name: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let void = tag.ends_with('/')
                    || matches!(
                        name.as_str(),
                        "br" | "img"
                            | "hr"
                            | "input"
                            | "meta"
                            | "link"
                            | "area"
                            | "base"
                            | "col"
                            | "embed"
                            | "source"
                            | "track"
                            | "wbr"
                    );
                if !void {
                    *depth += 1;
                    *max = (*max).max((*depth).max(0) as usize);
                }
            }
        }
        i += 1;
    }
}

/// Length of summaries used in lists and hover previews.
pub const SUMMARY_CHARS: usize = 160;

/// First pass: headings, links, tasks, summary. `offset` is where `body` starts in its file.
pub fn scan(body: &str, offset: usize) -> Scan {
    let mut s = Scan::default();
    let mut ids = IdAllocator::default();
    let mut heading: Option<(u8, Option<String>, String)> = None;
    let mut in_para = false;
    let mut summary_done = false;
    let mut summary_chars = 0;
    let mut in_code = false;
    let mut in_template = false;
    let mut html_open: isize = 0;
    // Consecutive raw HTML events (the lines of an HTML block), joined so a tag written over
    // several lines is read whole: (offset in the body, text).
    let mut html_run: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        s.events += 1;
        if !matches!(event, Event::Html(_) | Event::InlineHtml(_))
            && let Some((at, run)) = html_run.take()
        {
            find_iframes(&mut s, &run, offset + at);
        }
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                if level == HeadingLevel::H1 && s.first_h1.is_none() {
                    s.first_h1 = Some((s.headings.len(), range.start));
                }
                heading = Some((level_num(level), id.map(|i| i.to_string()), String::new()));
                s.plain.pieces.push(Piece::Heading);
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, title)) = heading.take() {
                    let id = ids.allocate(explicit.unwrap_or_else(|| heading_id(&title)));
                    s.headings.push(Heading {
                        level,
                        id,
                        title: title.trim().to_string(),
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => s.links.push(RawLink {
                wiki: matches!(link_type, LinkType::WikiLink { .. }),
                target: dest_url.to_string(),
                offset: offset + range.start,
            }),
            Event::Start(Tag::Image { dest_url, .. }) => s.links.push(RawLink {
                wiki: false,
                target: dest_url.to_string(),
                offset: offset + range.start,
            }),
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) => {
                s.plain.pieces.push(Piece::Break);
                in_para = false;
                if !s.summary.is_empty() {
                    summary_done = true;
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if template::info(&info).is_some() =>
            {
                let (title, _) = template::info(&info).unwrap_or_default();
                let id = ids.allocate(template_id(title));
                s.headings.push(Heading {
                    level: TEMPLATE_LEVEL,
                    id,
                    title: title.to_string(),
                });
                s.plain.pieces.push(Piece::Heading);
                in_template = true;
            }
            Event::End(TagEnd::CodeBlock) if in_template => {
                in_template = false;
                let (id, title) = s
                    .headings
                    .iter()
                    .rev()
                    .find(|h| h.level != TEMPLATE_LEVEL)
                    .map(|h| (h.id.clone(), h.title.clone()))
                    .unwrap_or_default();
                s.headings.push(Heading {
                    level: TEMPLATE_LEVEL,
                    id,
                    title,
                });
                s.plain.pieces.push(Piece::Heading);
            }
            Event::Text(t) if in_template => {
                s.word_count += count_words(&t);
                s.plain.push_text(body, &t);
                s.plain.pieces.push(Piece::Break);
                for (name, at) in template::placeholders(&t) {
                    s.placeholders
                        .push((name.to_string(), offset + range.start + at));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, title)) = &mut heading {
                    title.push_str(&t);
                }
                if !in_code {
                    s.word_count += count_words(&t);
                    if heading.is_none() {
                        s.plain.push_text(body, strip_task_id(&t).0);
                    }
                }
                if in_para && !summary_done && heading.is_none() {
                    push_summary(&mut s.summary, &mut summary_chars, strip_task_id(&t).0);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                s.plain.pieces.push(Piece::Break);
                if in_para && !summary_done {
                    push_summary(&mut s.summary, &mut summary_chars, " ")
                }
            }
            Event::End(TagEnd::Item | TagEnd::TableCell) => s.plain.pieces.push(Piece::Break),
            Event::TaskListMarker(done) => {
                s.tasks += 1;
                s.tasks_done += usize::from(done);
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                s.has_raw_html = true;
                html_depth(&h, &mut html_open, &mut s.raw_html_depth);
                html_run
                    .get_or_insert_with(|| (range.start, String::new()))
                    .1
                    .push_str(&h);
            }
            _ => {}
        }
    }
    if let Some((at, run)) = html_run.take() {
        find_iframes(&mut s, &run, offset + at);
    }
    s.summary = s.summary.trim().to_string();
    s
}

/// Records the iframes of a run of raw HTML starting at byte `at` of the file.
fn find_iframes(s: &mut Scan, run: &str, at: usize) {
    if run.len() < 8 || !run.to_ascii_lowercase().contains("<iframe") {
        return;
    }
    for f in embed::iframes(run) {
        s.iframes.push((at + f.at, f.src));
    }
}

/// The base id of a template's card: `tpl-` and its title as a heading id (`tpl-欢迎词`).
fn template_id(title: &str) -> String {
    if title.is_empty() {
        "tpl".to_string()
    } else {
        format!("tpl-{}", heading_id(title))
    }
}

/// Appends `text` to the summary while it has room; `have` is how many characters it holds
/// (counted once here rather than recounted for every text event of every page).
fn push_summary(summary: &mut String, have: &mut usize, text: &str) {
    if *have >= SUMMARY_CHARS {
        return;
    }
    let room = SUMMARY_CHARS - *have;
    let mut taken = 0;
    for (at, _) in text.char_indices() {
        if taken == room {
            summary.push_str(&text[..at]);
            summary.push('…');
            *have += room + 1;
            return;
        }
        taken += 1;
    }
    summary.push_str(text);
    *have += taken;
}

/// Counts words the way readers of mixed text expect: every CJK character is a word, Latin
/// words are runs of letters and digits.
pub fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        // Lead bytes E4–E9 start U+4000–U+9FFF, all [`common_cjk`] but U+4DC0–U+4DFF: most
        // Chinese text, counted a run at a time without decoding (valid UTF-8: two bytes
        // follow each lead). Tested first, in a loop of a few instructions a character:
        // Chinese characters are most of a typical page's characters.
        if (0xE4..=0xE9).contains(&bytes[i]) {
            while bytes.get(i).is_some_and(|b| (0xE4..=0xE9).contains(b)) {
                n += usize::from(common_cjk(bytes, i));
                i += 3;
            }
            // U+4DC0–U+4DFF are symbols, neither CJK nor alphanumeric: they end a word too.
            in_word = false;
            continue;
        }
        // Eight ASCII bytes at once: English text is a third of a typical page's bytes.
        if let Some(block) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(block.try_into().unwrap_or_default());
            if w & HIGH == 0 {
                let alnum = ascii_alnum(w);
                let before = alnum << 8 | u64::from(in_word) << 7;
                n += (alnum & !before).count_ones() as usize;
                in_word = alnum >> 63 != 0;
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        // ASCII first: most characters of mixed text, and `is_alphanumeric` on non-ASCII
        // goes through Unicode tables.
        if b < 0x80 {
            // Without branches: word boundaries in English text are too frequent to predict.
            let alnum = b.is_ascii_alphanumeric();
            n += usize::from(alnum & !in_word);
            in_word = alnum;
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        i += c.len_utf8().max(1);
        if is_cjk(c) {
            n += 1;
            in_word = false;
        } else if is_cjk_punctuation(c) {
            // Common in Chinese text, and never alphanumeric: spares the Unicode tables.
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    n
}

/// The high bit of each byte of a `u64`.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// For eight ASCII bytes, the high bit of each byte that is a letter or digit (SWAR: each byte
/// compared with the range bounds at once; with every high bit set first, subtracting a bound
/// below 0x80 never borrows from the next byte).
fn ascii_alnum(w: u64) -> u64 {
    let at_least = |c: u8| (w | HIGH).wrapping_sub(u64::from(c) * 0x0101_0101_0101_0101) & HIGH;
    let within = |lo: u8, hi: u8| at_least(lo) & !at_least(hi + 1);
    within(b'0', b'9') | within(b'A', b'Z') | within(b'a', b'z')
}

/// Chinese, Japanese kanji and their extensions: the characters that count as a word each here
/// and that the search index segments (`search::segment` uses this one definition).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether the character at byte `i` of valid UTF-8 `bytes` (a character boundary) is one of
/// U+4000–U+9FFF but U+4DC0–U+4DFF, told by its first two bytes without decoding: most
/// Chinese text, all of it [`is_cjk`]. Word counting and the search tokenizer both take it.
pub fn common_cjk(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    (0xE5..=0xE9).contains(&b) || (b == 0xE4 && bytes.get(i + 1) != Some(&0xB7))
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '：'
            | '；'
            | '！'
            | '？'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '「'
            | '」'
            | '【'
            | '】'
            | '·'
            | '—'
            | '…'
            | '\u{3000}'
    )
}

fn level_num(level: HeadingLevel) -> u8 {
    level as u8
}

/// Hands out unique heading ids in document order: the second `流程` becomes `流程-1`.
/// Remembers the next free suffix per base id, so a page with thousands of equal headings
/// stays linear instead of retrying every suffix from 1 each time.
#[derive(Default)]
struct IdAllocator {
    used: std::collections::HashSet<String>,
    next: std::collections::HashMap<String, usize>,
}

impl IdAllocator {
    fn allocate(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Splits a trailing ` {#id}` off a task item's text; returns the text and the id if any.
pub fn strip_task_id(text: &str) -> (&str, Option<&str>) {
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
pub fn task_id(text: &str) -> String {
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
pub enum Resolved {
    /// A page of this site: its URL (root-prefixed, with `#anchor` if any) and its title.
    Internal { url: String, title: String },
    /// Anything else that is kept: external URLs, assets, in-page anchors.
    Url(String),
    /// Broken or forbidden (`javascript:`): the text stays, the link goes. Already reported.
    Drop,
}

/// An entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Builds the nested table of contents from h2 and deeper headings.
pub fn toc(headings: &[Heading]) -> Vec<TocEntry> {
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

/// What [`render`] takes from the site's configuration and the page.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    pub raw_html: RawHtml,
    /// The anchor links' accessible name.
    pub anchor_label: &'a str,
    /// UI strings, for the kinds of template blocks (see [`Labels::ui`]).
    pub ui: Option<&'a std::collections::BTreeMap<String, String>>,
    /// Hosts whose `<iframe>`s the safe policy keeps.
    pub embed_hosts: &'a [String],
    /// Alert titles by kind: note, tip, important, warning, caution.
    pub alert_titles: [&'a str; 5],
    /// The body offset of the `#` heading the page's title was taken from: the theme shows
    /// the title already, so the heading is not rendered a second time.
    pub title_heading: Option<usize>,
}

impl<'a> RenderOptions<'a> {
    /// The options of a page of a site configured by `config`.
    pub fn new(config: &'a Config) -> Self {
        let ui = |k: &str| config.ui.get(k).map_or("", String::as_str);
        RenderOptions {
            raw_html: config.raw_html,
            anchor_label: config.ui.get("anchor").map_or("#", String::as_str),
            ui: Some(&config.ui),
            embed_hosts: &config.embed_hosts,
            alert_titles: [
                ui("alert_note"),
                ui("alert_tip"),
                ui("alert_important"),
                ui("alert_warning"),
                ui("alert_caution"),
            ],
            title_heading: None,
        }
    }
}

/// The CSS class and title index of a GitHub alert kind.
fn alert(kind: BlockQuoteKind) -> (&'static str, usize) {
    match kind {
        BlockQuoteKind::Note => ("note", 0),
        BlockQuoteKind::Tip => ("tip", 1),
        BlockQuoteKind::Important => ("important", 2),
        BlockQuoteKind::Warning => ("warning", 3),
        BlockQuoteKind::Caution => ("caution", 4),
    }
}

/// Second pass: HTML for the body, with links replaced by their resolutions.
pub fn render(body: &str, scan: &Scan, resolved: &[Resolved], opts: &RenderOptions<'_>) -> String {
    let raw_html = opts.raw_html;
    let anchor_label = opts.anchor_label;
    let labels = Labels {
        anchor: opts.anchor_label,
        ui: opts.ui,
    };
    let mut events: Vec<Event<'_>> = Vec::with_capacity(scan.events);
    events.extend(Parser::new_ext(body, options()));
    if scan.has_raw_html {
        join_html(&mut events);
    }
    // The heading the title came from is left out (see [`RenderOptions::title_heading`]).
    let skip_heading = match (opts.title_heading, scan.first_h1) {
        (Some(at), Some((ix, h1_at))) if at == h1_at => Some(ix),
        _ => None,
    };
    // Allowed embeds, kept away from the sanitizer and put back after it.
    let mut embeds: Vec<String> = Vec::new();
    let checklists = lists_with_tasks(&events);
    // Raw HTML nested deeper than the sanitizer handles in reasonable time is shown as text:
    // safe by construction, and reported as a warning by the caller.
    let escape_raw = raw_html == RawHtml::Safe && scan.raw_html_depth > MAX_RAW_HTML_DEPTH;
    let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut heading_ix = 0;
    let mut link_ix = 0;
    // For each open list: whether we rewrote it as a checklist.
    let mut lists: Vec<bool> = Vec::new();
    // Inside a wiki link without display text: its inner text is replaced by the page title.
    let mut skip_text = false;
    let mut link_open = false;
    let mut i = 0;
    while i < events.len() {
        let ev = &events[i];
        match ev {
            Event::Start(Tag::Heading { .. }) if skip_heading == Some(heading_ix) => {
                while i < events.len() && !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                    // Its links still own their place in `resolved`.
                    if matches!(
                        events[i],
                        Event::Start(Tag::Link { .. } | Tag::Image { .. })
                    ) {
                        link_ix += 1;
                    }
                    i += 1;
                }
                heading_ix += 1;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if !highlight::is_template(info) =>
            {
                let mut code = String::new();
                i += 1;
                while let Some(Event::Text(t)) = events.get(i) {
                    code.push_str(t);
                    i += 1;
                }
                // `events[i]` is the block's end.
                out_events.push(Event::Html(highlight::code_block(info, &code).into()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = alert(*kind);
                let mut h = String::with_capacity(80);
                h.push_str("<div class=\"callout callout-");
                h.push_str(class);
                h.push_str("\">\n<p class=\"callout-title\">");
                push_escaped(&mut h, opts.alert_titles[title]);
                h.push_str("</p>\n");
                out_events.push(Event::Html(h.into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                out_events.push(Event::Html("</div>\n".into()));
            }
            Event::Html(h) | Event::InlineHtml(h)
                if raw_html == RawHtml::Safe
                    && !escape_raw
                    && h.len() > 7
                    && h.to_ascii_lowercase().contains("<iframe") =>
            {
                let kept = keep_embeds(h, opts.embed_hosts, &mut embeds);
                out_events.push(match ev {
                    Event::Html(_) => Event::Html(kept.into()),
                    _ => Event::InlineHtml(kept.into()),
                });
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                let mut h = String::with_capacity(id.len() + 12);
                h.push('<');
                h.push_str(tag_of(*level));
                h.push_str(" id=\"");
                push_escaped(&mut h, id);
                h.push_str("\">");
                out_events.push(Event::Html(h.into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                heading_ix += 1;
                let mut h = String::with_capacity(id.len() + anchor_label.len() + 50);
                h.push_str("<a class=\"anchor\" href=\"#");
                push_escaped(&mut h, id);
                h.push_str("\" aria-label=\"");
                push_escaped(&mut h, anchor_label);
                h.push_str("\">#</a></");
                h.push_str(tag_of(*level));
                h.push_str(">\n");
                out_events.push(Event::Html(h.into()));
            }
            Event::Start(Tag::List(None)) => {
                let is_checklist = checklists.contains(&i);
                lists.push(is_checklist);
                if is_checklist {
                    out_events.push(Event::Html("<ul class=\"checklist\">\n".into()));
                } else {
                    out_events.push(ev.clone());
                }
            }
            Event::Start(Tag::List(Some(_))) => {
                lists.push(false);
                out_events.push(ev.clone());
            }
            Event::End(TagEnd::List(false)) => {
                if lists.pop() == Some(true) {
                    out_events.push(Event::Html("</ul>\n".into()));
                } else {
                    out_events.push(ev.clone());
                }
            }
            Event::End(TagEnd::List(true)) => {
                lists.pop();
                out_events.push(ev.clone());
            }
            Event::Start(Tag::Item) if lists.last() == Some(&true) => {
                match task_item_text(&events, i) {
                    Some(text) => {
                        let (clean, explicit) = strip_task_id(&text);
                        let id = explicit.map_or_else(|| task_id(clean), str::to_string);
                        out_events.push(Event::Html(
                            format!("<li class=\"task\" data-task-id=\"{}\">", escape(&id)).into(),
                        ));
                    }
                    None => out_events.push(ev.clone()),
                }
            }
            Event::TaskListMarker(done) => {
                out_events.push(Event::Html(
                    if *done {
                        "<input type=\"checkbox\" disabled checked> "
                    } else {
                        "<input type=\"checkbox\" disabled> "
                    }
                    .into(),
                ));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if template::info(info).is_some() =>
            {
                let (title, kind) = template::info(info).unwrap_or_default();
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                // The template's entry and the one resuming the heading it sits under.
                heading_ix += 2;
                let mut text = String::new();
                while let Some(Event::Text(t)) = events.get(i + 1) {
                    text.push_str(t);
                    i += 1;
                }
                if matches!(events.get(i + 1), Some(Event::End(TagEnd::CodeBlock))) {
                    i += 1;
                }
                out_events.push(Event::Html(
                    template_card(id, title, kind, text.trim_end_matches('\n'), labels).into(),
                ));
            }
            Event::Html(h) | Event::InlineHtml(h) if escape_raw => {
                out_events.push(Event::Text(h.clone()));
            }
            // The wiki link's target text, already replaced by the page title.
            Event::Text(_) if skip_text => {}
            Event::Text(t) => {
                // A trailing `{#id}` on a task item is markup, not text.
                let next_closes_item = matches!(
                    events.get(i + 1),
                    Some(Event::End(TagEnd::Item | TagEnd::Paragraph))
                        | Some(Event::Start(Tag::List(_)))
                );
                // Cheap tests first: this runs for every text event of every page.
                let stripped = (next_closes_item && lists.last() == Some(&true))
                    .then(|| strip_task_id(t))
                    .filter(|(_, id)| id.is_some());
                match stripped {
                    Some((text, _)) => out_events.push(Event::Text(CowStr::from(text.to_string()))),
                    None => out_events.push(ev.clone()),
                }
            }
            Event::Start(Tag::Link {
                link_type, title, ..
            }) => {
                let res = resolved.get(link_ix).unwrap_or(&Resolved::Drop);
                link_ix += 1;
                let wiki_plain = matches!(link_type, LinkType::WikiLink { has_pothole: false });
                // Built by hand rather than with `format!`: one or two of these per link.
                let open_link = |class: &str, url: &str| {
                    let mut a = String::with_capacity(url.len() + title.len() + 40);
                    a.push_str("<a ");
                    a.push_str(class);
                    a.push_str("href=\"");
                    push_escaped(&mut a, url);
                    a.push('"');
                    if !title.is_empty() {
                        a.push_str(" title=\"");
                        push_escaped(&mut a, title);
                        a.push('"');
                    }
                    a.push('>');
                    Event::Html(a.into())
                };
                match res {
                    Resolved::Internal { url, title } => {
                        out_events.push(open_link("class=\"internal\" ", url));
                        if wiki_plain {
                            out_events.push(Event::Text(CowStr::from(wiki_text(title, url))));
                            skip_text = true;
                        }
                        link_open = true;
                    }
                    Resolved::Url(url) => {
                        out_events.push(open_link("", url));
                        link_open = true;
                    }
                    Resolved::Drop => link_open = false,
                }
            }
            Event::End(TagEnd::Link) => {
                skip_text = false;
                if link_open {
                    out_events.push(Event::Html("</a>".into()));
                }
                link_open = false;
            }
            Event::Start(Tag::Image {
                link_type,
                title,
                id,
                ..
            }) => {
                let res = resolved.get(link_ix).cloned().unwrap_or(Resolved::Drop);
                link_ix += 1;
                let url = match res {
                    Resolved::Internal { url, .. } | Resolved::Url(url) => url,
                    Resolved::Drop => String::new(),
                };
                out_events.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: url.into(),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            _ => out_events.push(ev.clone()),
        }
        i += 1;
    }
    autolink::apply(&mut out_events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
    if scan.has_raw_html && raw_html == RawHtml::Safe && !escape_raw {
        html = sanitize(&html);
        if !embeds.is_empty() {
            html = restore_embeds(&html, &embeds);
        }
    }
    html
}

/// Joins the lines of each HTML block into one event, so a tag written over several lines
/// (an `<iframe` with one attribute a line) is read whole.
fn join_html(events: &mut Vec<Event<'_>>) {
    if !events
        .windows(2)
        .any(|w| matches!(w, [Event::Html(_), Event::Html(_)]))
    {
        return;
    }
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for ev in events.drain(..) {
        match (out.last_mut(), ev) {
            (Some(Event::Html(prev)), Event::Html(next)) => {
                let mut joined = prev.to_string();
                joined.push_str(&next);
                *prev = joined.into();
            }
            (_, ev) => out.push(ev),
        }
    }
    *events = out;
}

/// The element that stands for allowed embed `n` while the sanitizer runs. A writer who types
/// it only repeats an embed already allowed, or gets nothing.
const EMBED_MARK: &str = "<span data-qunce-embed=\"";

/// Replaces the start tags of allowed iframes in `html` with numbered marks, keeping their
/// markup in `embeds`; other iframes are left for the sanitizer to remove.
fn keep_embeds(html: &str, hosts: &[String], embeds: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for frame in embed::iframes(html) {
        if !embed::allowed(&frame.src, hosts) {
            continue;
        }
        out.push_str(&html[from..frame.at]);
        out.push_str(EMBED_MARK);
        out.push_str(&embeds.len().to_string());
        out.push_str("\"></span>");
        embeds.push(embed::markup(&frame));
        from = frame.at + frame.len;
    }
    out.push_str(&html[from..]);
    out
}

/// Puts the embeds kept by [`keep_embeds`] back where their marks survived the sanitizer.
fn restore_embeds(html: &str, embeds: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + embeds.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(p) = rest.find(EMBED_MARK) {
        out.push_str(&rest[..p]);
        let after = &rest[p + EMBED_MARK.len()..];
        let close = "\"></span>";
        match after.split_once(close) {
            Some((n, tail)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                if let Some(e) = n.parse::<usize>().ok().and_then(|n| embeds.get(n)) {
                    out.push_str(e);
                }
                rest = tail;
            }
            _ => {
                out.push_str(EMBED_MARK);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A template block as a card: a `<figure>` that carries everything it shows, so it reads
/// and prints the same wherever it is put (a page, the print-all page). Placeholders become
/// `<span class="ph" data-ph="NAME">{NAME}</span>` for the theme to fill in; the theme's
/// script adds the copy button.
fn template_card(
    id: &str,
    title: &str,
    kind: Option<&str>,
    text: &str,
    labels: Labels<'_>,
) -> String {
    let mut h = String::with_capacity(text.len() * 2 + 200);
    h.push_str("<figure class=\"template\" id=\"");
    push_escaped(&mut h, id);
    h.push('"');
    if let Some(k) = kind {
        h.push_str(" data-kind=\"");
        push_escaped(&mut h, k);
        h.push('"');
    }
    h.push_str(">\n<figcaption><span class=\"template-title\">");
    push_escaped(&mut h, title);
    h.push_str("</span>");
    if let Some(k) = kind {
        let label = labels
            .ui
            .and_then(|ui| ui.get(&format!("template_kind_{k}")))
            .map_or(k, String::as_str);
        h.push_str(" <span class=\"template-kind\">");
        push_escaped(&mut h, label);
        h.push_str("</span>");
    }
    h.push_str("</figcaption>\n<div class=\"template-text\">");
    let mut from = 0;
    for (name, at) in template::placeholders(text) {
        push_escaped(&mut h, &text[from..at]);
        h.push_str("<span class=\"ph\" data-ph=\"");
        push_escaped(&mut h, name);
        h.push_str("\">{");
        push_escaped(&mut h, name);
        h.push_str("}</span>");
        from = at + name.len() + 2;
    }
    push_escaped(&mut h, &text[from..]);
    h.push_str("</div>\n</figure>\n");
    h
}

/// The shown text of `[[target]]` / `[[target#heading]]`: the page's title, plus the heading.
fn wiki_text(title: &str, url: &str) -> String {
    match url.split_once('#') {
        Some((_, anchor)) if !anchor.is_empty() => format!("{title} › {}", percent_decode(anchor)),
        _ => title.to_string(),
    }
}

fn tag_of(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// For every event index that starts a list, whether that list's own items have task markers.
/// One pass with a stack of open lists, so deeply nested lists stay linear.
fn lists_with_tasks(events: &[Event<'_>]) -> std::collections::HashSet<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut with_tasks = std::collections::HashSet::new();
    for (i, ev) in events.iter().enumerate() {
        match ev {
            Event::Start(Tag::List(_)) => open.push(i),
            Event::End(TagEnd::List(_)) => {
                open.pop();
            }
            Event::TaskListMarker(_) => {
                if let Some(&l) = open.last() {
                    with_tasks.insert(l);
                }
            }
            _ => {}
        }
    }
    with_tasks
}

/// The text of the task item starting at `start` (up to a nested list), or None if the item
/// has no task marker.
fn task_item_text(events: &[Event<'_>], start: usize) -> Option<String> {
    let mut text = String::new();
    let mut is_task = false;
    for ev in &events[start + 1..] {
        match ev {
            Event::TaskListMarker(_) => is_task = true,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Item) | Event::Start(Tag::List(_)) | Event::Start(Tag::Item) => {
                break;
            }
            _ => {}
        }
    }
    is_task.then_some(text)
}

/// Escapes text for an HTML attribute or text node.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// [`escape`] onto the end of `out`. Copies the runs between special characters whole: the
/// five are ASCII, so they never occur inside a multi-byte character.
fn push_escaped(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Decodes `%E7%8F%AD`-style escapes in link targets; invalid sequences stay as written.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str, resolved: &[Resolved]) -> String {
        let s = scan(md, 0);
        let config = Config::defaults(std::path::Path::new("."));
        let mut opts = RenderOptions::new(&config);
        opts.anchor_label = "link";
        render(md, &s, resolved, &opts)
    }

    #[test]
    fn heading_ids_keep_chinese_are_unique_and_overridable() {
        let s = scan("## 流程\n\n## 流程\n\n## 准备 {#prep}\n", 0);
        let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["流程", "流程-1", "prep"]);
        let out = html("## 流程\n", &[]);
        assert!(
            out.contains("<h2 id=\"流程\">流程<a class=\"anchor\" href=\"#流程\""),
            "{out}"
        );
    }

    #[test]
    fn links_in_code_are_not_links() {
        let s = scan("`[[班长]]`\n\n```\n[[群主]]\n```\n\n[[组长]]\n", 0);
        assert_eq!(s.links.len(), 1);
        assert_eq!(s.links[0].target, "组长");
        assert!(s.links[0].wiki);
    }

    #[test]
    fn wiki_links_render_with_title_or_given_text() {
        let r = Resolved::Internal {
            url: "/roles/ban-zhang/#职责".into(),
            title: "班长".into(),
        };
        let out = html("见 [[班长#职责]]。", std::slice::from_ref(&r));
        assert!(
            out.contains("<a class=\"internal\" href=\"/roles/ban-zhang/#职责\">班长 › 职责</a>"),
            "{out}"
        );
        let out = html("见 [[班长|我们的班长]]。", &[r]);
        assert!(out.contains(">我们的班长</a>"), "{out}");
    }

    #[test]
    fn task_items_get_stable_ids() {
        let md = "- [ ] 发欢迎词 {#welcome}\n- [x] 发红包\n";
        let out = html(md, &[]);
        assert!(out.contains("<ul class=\"checklist\">"), "{out}");
        assert!(out.contains("<li class=\"task\" data-task-id=\"welcome\"><input type=\"checkbox\" disabled> 发欢迎词</li>"), "{out}");
        let id = task_id("发红包");
        assert!(
            out.contains(&format!(
                "data-task-id=\"{id}\"><input type=\"checkbox\" disabled checked> 发红包"
            )),
            "{out}"
        );
        // Moving an item does not change its id.
        let moved = html("- [x] 发红包\n- [ ] 发欢迎词 {#welcome}\n", &[]);
        assert!(moved.contains(&format!("data-task-id=\"{id}\"")));
        let s = scan(md, 0);
        assert_eq!((s.tasks, s.tasks_done), (2, 1));
    }

    #[test]
    fn raw_html_is_sanitized() {
        let out = html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">x</a>\n\n## 标题\n",
            &[],
        );
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(out.contains("<h2 id=\"标题\">"), "{out}");
    }

    #[test]
    fn toc_nests() {
        let s = scan("## a\n### b\n## c\n", 0);
        let t = toc(&s.headings);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].children[0].title, "b");
    }

    #[test]
    fn summary_and_words() {
        let s = scan("# 标题\n\n第一段 text here。\n\n第二段\n", 0);
        assert_eq!(s.summary, "第一段 text here。");
        assert_eq!(count_words("开营 ok go"), 4);
        // The byte-level shortcut against the plain per-character count, around every edge of
        // the ranges it and `is_cjk` cover.
        let plain = |text: &str| {
            let mut n = 0;
            let mut in_word = false;
            for c in text.chars() {
                let word_char = !is_cjk(c) && !is_cjk_punctuation(c) && c.is_alphanumeric();
                n += usize::from(is_cjk(c) || (word_char && !in_word));
                in_word = word_char;
            }
            n
        };
        for text in [
            "\u{33FF}\u{3400}\u{4DBF}\u{4DC0}\u{4DFF}\u{4E00}\u{4FFF}\u{5000}\u{9FFF}\u{A000}",
            "x\u{5000}y\u{9FFF}z é\u{E9}ñ3 \u{20000}\u{2FA1F}\u{F900}ab，cd。e",
            "值月生 Rituals ritual 3.5 T恤 ＡＢＣ １２３ ——“开营”",
            "The host welcomes the friendly backlog every sprint, 9to5 @[`{/:z0ZaA9 x",
            "a\u{7f}b/c:d@e[f`g{h9i0jZkAlz.When the streak slows down, 班长 nudges",
            "abcdefgh ijklmnop qrstuvwx yz012345 6789ABCD EFGHIJKL MNOPQRST UVWXYZ!!",
            // Symbols inside and at the ends of a run of Chinese characters.
            "开\u{4DC0}x\u{4DFF}营y\u{4DC0}\u{4E00}\u{4DFF}开营\u{4DC0}a\u{4DBF}b\u{4000}",
        ] {
            // Every suffix, so the eight-byte blocks start at every offset.
            for (at, _) in text.char_indices() {
                assert_eq!(
                    count_words(&text[at..]),
                    plain(&text[at..]),
                    "{}",
                    &text[at..]
                );
            }
        }
        assert_eq!(count_words("开营，ok。go·x（y）"), 6);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%E7%8F%AD%E9%95%BF.md"), "班长.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
