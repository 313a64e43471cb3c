//! Bare URLs and e-mail addresses in running text become links (GitHub's extended autolinks),
//! found by `linkify`. Never inside code, inside a link (Markdown, wiki or raw `<a>`), or in an
//! image's alternative text.

use linkify::{LinkFinder, LinkKind};
use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Rewrites `events` in place: adjacent text events are joined (the parser splits text at
/// characters that might have been markup, such as `_` inside a URL) and any URL found in them
/// is written as a link.
pub(crate) fn apply(events: &mut Vec<Event<'_>>) {
    // Most pages have no URL in their text: a cheap test first spares the rebuild.
    // One vectorised pass a text for `:`, `@` and the `.` of `www.` (the standard library's
    // `contains("www.")` cost more than the rest of this test).
    let maybe = events.iter().any(|e| match e {
        Event::Text(t) => {
            let b = t.as_bytes();
            memchr::memchr3_iter(b':', b'@', b'.', b)
                .any(|at| b[at] != b'.' || (at >= 3 && &b[at - 3..at] == b"www"))
        }
        _ => false,
    });
    if !maybe {
        return;
    }
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len() + 8);
    // Depth of links and images the text is inside; raw `<a>` counts too.
    let mut in_link = 0usize;
    let mut in_code = false;
    let mut run = String::new();
    let mut run_len = 0usize;
    let flush = |out: &mut Vec<Event<'_>>, run: &mut String, run_len: &mut usize| {
        if *run_len == 0 {
            return;
        }
        *run_len = 0;
        let text = std::mem::take(run);
        push_linked(out, &finder, text);
    };
    for ev in events.drain(..) {
        match &ev {
            Event::Text(t) if in_link == 0 && !in_code => {
                run.push_str(t);
                run_len += 1;
                continue;
            }
            _ => flush(&mut out, &mut run, &mut run_len),
        }
        match &ev {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::InlineHtml(h) | Event::Html(h) => {
                let tag = h.trim_start().as_bytes();
                if tag.len() >= 3 && tag[0] == b'<' && tag[1].eq_ignore_ascii_case(&b'a') {
                    if tag[2] == b'>' || tag[2].is_ascii_whitespace() {
                        in_link += 1;
                    }
                } else if tag.len() >= 4
                    && tag.starts_with(b"</")
                    && tag[2].eq_ignore_ascii_case(&b'a')
                    && tag[3] == b'>'
                {
                    in_link = in_link.saturating_sub(1);
                }
            }
            _ => {}
        }
        out.push(ev);
    }
    flush(&mut out, &mut run, &mut run_len);
    *events = out;
}

/// Pushes `text` as text events with every link found in it written as an `<a>`.
fn push_linked<'a>(out: &mut Vec<Event<'a>>, finder: &LinkFinder, text: String) {
    let mut links = finder.links(&text).peekable();
    if links.peek().is_none() {
        out.push(Event::Text(CowStr::from(text)));
        return;
    }
    let mut from = 0;
    for link in links {
        // Chinese punctuation right after a URL ends the sentence, not the URL.
        let end = link.start()
            + link
                .as_str()
                .find(is_fullwidth_punctuation)
                .unwrap_or(link.as_str().len());
        let shown = &text[link.start()..end];
        if from > link.start() || shown.is_empty() {
            continue;
        }
        let href = match link.kind() {
            LinkKind::Email => format!("mailto:{shown}"),
            LinkKind::Url if !shown.contains("://") => {
                // `www.example.org` without a scheme, as GitHub links it; other scheme-less
                // matches (`example.org`) stay text, as they do on GitHub.
                if !shown.starts_with("www.") {
                    continue;
                }
                format!("http://{shown}")
            }
            LinkKind::Url => {
                let scheme = shown.split(':').next().unwrap_or("");
                if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
                    continue;
                }
                shown.to_string()
            }
            _ => continue,
        };
        if link.start() > from {
            out.push(Event::Text(CowStr::from(
                text[from..link.start()].to_string(),
            )));
        }
        let mut a = String::with_capacity(href.len() * 2 + 16);
        a.push_str("<a href=\"");
        crate::text::push_escaped(&mut a, &href);
        a.push_str("\">");
        crate::text::push_escaped(&mut a, shown);
        a.push_str("</a>");
        out.push(Event::InlineHtml(CowStr::from(a)));
        from = end;
    }
    if from < text.len() {
        out.push(Event::Text(CowStr::from(text[from..].to_string())));
    }
}

/// CJK and fullwidth punctuation (`，。、；：？！“”（）` …), which no URL a writer types contains.
fn is_fullwidth_punctuation(c: char) -> bool {
    matches!(c as u32, 0x2018..=0x201F | 0x2026 | 0x3000..=0x303F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}
