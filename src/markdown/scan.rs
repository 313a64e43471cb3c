//! The first pass over a page's body: what other pages need before anything is rendered.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use super::{
    Heading, Piece, Prose, RawLink, SUMMARY_CHARS, Scan, TEMPLATE_LEVEL, Tape, embed, options,
    strip_task_id,
};
use crate::playbook::template;
use crate::text::{census, slug::heading_id};

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

/// First pass: headings, links, tasks, summary. `offset` is where `body` starts in its file.
pub(crate) fn scan(body: &str, offset: usize) -> Scan {
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
    let mut prose = Prose::default();
    let mut prose_ranges = Some(Vec::new()).filter(|_| u32::try_from(body.len()).is_ok());
    let mut tape = Tape::new(body);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        s.events += 1;
        if let Some(tape) = &mut tape {
            tape.push(&event, body);
        }
        // Prose the typography lint reads: kept if its census, taken below with the word
        // count, finds Chinese meeting ASCII in it.
        let mut prose_here = prose_ranges.is_some() && prose.is_prose(&event, &range, body);
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
                let c = census(&t);
                s.word_count += c.words;
                if prose_here && c.mixed {
                    push_range(&mut prose_ranges, &range);
                }
                prose_here = false;
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
                    let c = census(&t);
                    s.word_count += c.words;
                    if prose_here && c.mixed {
                        push_range(&mut prose_ranges, &range);
                    }
                    prose_here = false;
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
        // Prose the word count did not read (none, as code blocks are told apart alike).
        if prose_here && census(&body[range.clone()]).mixed {
            push_range(&mut prose_ranges, &range);
        }
    }
    if let Some((at, run)) = html_run.take() {
        find_iframes(&mut s, &run, offset + at);
    }
    s.summary = s.summary.trim().to_string();
    s.prose = prose_ranges;
    s.tape = tape;
    s
}

/// Records the prose range `range` of the body (whose length fits in a `u32`, or nothing is
/// recorded).
fn push_range(ranges: &mut Option<Vec<(u32, u32)>>, range: &std::ops::Range<usize>) {
    if let Some(ranges) = ranges {
        ranges.push((range.start as u32, range.end as u32));
    }
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

pub(super) fn level_num(level: HeadingLevel) -> u8 {
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
