//! What the index keeps of one page ([`PageDoc`]): its terms scored by field, from its title,
//! aliases and their pinyin, headings, kind, tags and fields, and body text by section, and
//! its result card.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::acc::{self, StreamedBuild};
use super::format::Card;
use super::{PageDoc, Segmenter, Token, Weights, pinyin, segment};
use crate::links::FieldValue;
use crate::markdown::plain::Step;
use crate::site::Site;

/// Calls `f` with the pinyin keys of the words of `name` (other than `name` itself) and the
/// full pinyin of its phrases of neighbouring words, so a reader who types the
/// sound of part of a title (`pinkunxian`) finds it: the words are the tokens no other token
/// of the name contains, in order. The words' initials (`bz`) too when `initials`.
pub(crate) fn phrase_keys(seg: &Segmenter, name: &str, initials: bool, f: &mut impl FnMut(&str)) {
    let base = name.as_ptr() as usize;
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    seg.tokens(name, &mut |t: Token<'_>| {
        if let Token::Cjk(w, _) = t {
            let a = (w.as_ptr() as usize).wrapping_sub(base);
            if a < name.len() && w.len() < name.len() {
                ranges.push((a, a + w.len()));
            }
            if w != name {
                if initials {
                    pinyin::for_each_key(w, f);
                } else {
                    full_keys(w, f);
                }
            }
        }
    });
    let mut words: Vec<(usize, usize)> = ranges
        .iter()
        .copied()
        .filter(|&(a, b)| {
            !ranges
                .iter()
                .any(|&(c, d)| c <= a && b <= d && (c, d) != (a, b))
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    // Phrases of two to four neighbouring words of at most six characters: a run of overlapping
    // bigrams (around characters no word covers) takes more than three to span a phrase.
    for n in 2..=4 {
        for w in words.windows(n) {
            if name[w[0].0..w[n - 1].1].chars().count() > 6 {
                continue;
            }
            // Neighbours only: touching or overlapping (the bigrams around a lone character).
            if w.windows(2).any(|p| p[1].0 > p[0].1) {
                continue;
            }
            let phrase = &name[w[0].0..w[n - 1].1];
            if phrase != name {
                // Full pinyin only: initials of phrases would add many short keys for little.
                full_keys(phrase, f);
            }
        }
    }
}

/// Distinct headings whose keys a thread remembers (see [`HEADINGS`]).
const HEADING_ENTRIES: usize = 1 << 12;

thread_local! {
    /// Pinyin keys of headings by heading text, each key followed by a newline, for the
    /// segmenter numbered first ([`Segmenter::id`]): a site's headings repeat (the benchmark's
    /// 30,000 are 20 distinct ones), and each took two segmentations and a dozen pinyin
    /// lookups.
    static HEADINGS: RefCell<(u64, FxHashMap<Box<str>, String>)> = RefCell::default();
}

/// Calls `f` with the pinyin keys of heading `title`, as [`full_keys`] and then
/// [`phrase_keys`] give them (repeats included: a repeated key scores again), remembered per
/// thread and segmenter.
pub(super) fn heading_keys(seg: &Segmenter, title: &str, f: &mut impl FnMut(&str)) {
    let replayed = HEADINGS.with(|cell| {
        let Ok(mut memo) = cell.try_borrow_mut() else {
            return false;
        };
        if memo.0 != seg.id() {
            memo.0 = seg.id();
            memo.1.clear();
        }
        let Some(keys) = memo.1.get(title) else {
            return false;
        };
        keys.lines().for_each(&mut *f);
        true
    });
    if replayed {
        return;
    }
    // Full pinyin only: a heading's initials would be many short keys for little.
    let mut keys = String::new();
    let mut key = |k: &str| {
        f(k);
        keys.push_str(k);
        keys.push('\n');
    };
    full_keys(title, &mut key);
    phrase_keys(seg, title, false, &mut key);
    HEADINGS.with(|cell| {
        if let Ok(mut memo) = cell.try_borrow_mut()
            && memo.0 == seg.id()
            && memo.1.len() < HEADING_ENTRIES
        {
            memo.1.insert(title.into(), keys);
        }
    });
}

/// Calls `f` with the full-pinyin keys of `text` (not its initials, which have one letter a
/// Chinese character).
pub(super) fn full_keys(text: &str, f: &mut impl FnMut(&str)) {
    let chars = text.chars().filter(|&c| segment::is_cjk(c)).count();
    pinyin::for_each_key(text, &mut |k| {
        if k.len() > chars {
            f(k)
        }
    });
}

/// A page's plain text by heading: every section's text in one buffer (one allocation a page,
/// where a string per section and its growth were thousands at 1,000 pages), and per section
/// its anchor and heading, borrowed from the scan, and its range of the buffer.
pub(super) struct Sections<'a> {
    text: String,
    list: Vec<(&'a str, &'a str, std::ops::Range<usize>)>,
}

impl Sections<'_> {
    /// `(anchor, heading, text)` of each section, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str, &str)> + '_ {
        self.list
            .iter()
            .map(|(id, title, range)| (*id, *title, &self.text[range.clone()]))
    }
}

/// Characters of one section kept for snippets; past this a match still ranks the page, the
/// snippet just shows the section's start.
pub(crate) const SECTION_CHARS: usize = 600;

/// Everything the index needs from page `i`. Pure in the page: other pages only matter
/// through `seg`'s user dictionary and link titles in typed fields.
pub(crate) fn extract(site: &Site, i: usize, seg: &Segmenter) -> PageDoc {
    extract_for(site, i, seg, None)
}

/// [`extract`] for the streamed build `build`, whose index needs less of a page: its
/// terms in bucket order but not in term order within a bucket (its shard writer sorts each
/// shard's terms; sorting them was a fiftieth of a build's instructions), and its English word
/// forms only when the thread has not listed them in this build yet (the shards hold their
/// union; see `acc::Acc::new`).
pub(crate) fn extract_to_invert(
    site: &Site,
    i: usize,
    seg: &Segmenter,
    build: &StreamedBuild,
) -> PageDoc {
    extract_for(site, i, seg, Some(build))
}

/// [`extract`] (`build` `None`) or [`extract_to_invert`].
fn extract_for(site: &Site, i: usize, seg: &Segmenter, build: Option<&StreamedBuild>) -> PageDoc {
    let page = &site.content.pages[i];
    let scan = &site.scans[i];
    let mut acc = acc::Acc::new(seg, build);

    acc.add(seg, &page.title, 0, Weights::TITLE);
    for a in &page.meta.aliases {
        acc.add(seg, a, 0, Weights::ALIAS);
    }
    for (name, full, part) in std::iter::once((&page.title, Weights::PINYIN, Weights::PINYIN_PART))
        .chain(
            page.meta
                .aliases
                .iter()
                .map(|a| (a, Weights::PINYIN - 4, Weights::PINYIN_PART - 4)),
        )
    {
        pinyin::for_each_key(name, &mut |k| acc.key(k, 0, full));
        // Pinyin of the words and phrases inside a title: `daka` finds 早晚问候与打卡,
        // `pinkunxian` a title with 贫困线 in it.
        phrase_keys(seg, name, true, &mut |k| acc.key(k, 0, part));
    }
    for h in &scan.headings {
        seg.tokens(&h.title, &mut |t: Token<'_>| {
            acc.heading_token(seg, t, Weights::HEADING, Weights::HEADING_MORE)
        });
        heading_keys(seg, &h.title, &mut |k| {
            acc.key(k, 1, Weights::HEADING_PINYIN)
        });
    }

    let kind_def = site.config.kind(&page.kind);
    let kind = if kind_def.is_some() {
        page.kind.as_str()
    } else {
        "page"
    };
    let kind_label = site
        .config
        .kind(kind)
        .map(|k| k.label.clone())
        .unwrap_or_default();
    let mut meta: Vec<String> = vec![kind_label.clone()];
    meta.extend(page.meta.tags.iter().cloned());
    if let Some(d) = &page.meta.description {
        meta.push(d.clone());
    }
    for (name, value) in &site.graph.fields[i] {
        let def = kind_def.and_then(|k| k.field(name));
        match value {
            FieldValue::Str(s) => meta.push(s.clone()),
            FieldValue::List(l) => meta.extend(l.iter().cloned()),
            FieldValue::Enum(v) => {
                meta.push(def.map_or(v.as_str(), |d| d.value_label(v)).to_string())
            }
            FieldValue::Link(Some(t)) => meta.push(site.content.pages[*t].title.clone()),
            FieldValue::Links(ts) | FieldValue::Raci { targets: ts, .. } => {
                meta.extend(ts.iter().map(|&t| site.content.pages[t].title.clone()))
            }
            FieldValue::Schedule(Some(s)) => {
                meta.push(s.label(site.config.language == crate::config::Language::ZhCn))
            }
            _ => {}
        }
    }
    for m in &meta {
        acc.add(seg, m, 1, Weights::META);
    }

    let sections = sections(page.body(), scan, page.meta.description.as_deref());
    for (_, _, text) in sections.iter() {
        acc.add(seg, text, 2, 1);
    }
    let (text, terms, surfaces) = acc.finish(build.is_none());
    let card = Card {
        a: &page.meta.aliases,
        h: sections
            .iter()
            .map(|(id, title, text)| (id, title, first_chars(text, SECTION_CHARS)))
            .collect(),
        k: &kind_label,
        t: &page.title,
        u: &page.url,
    };
    // Sized once: the card's strings, their JSON punctuation, and the room
    // [`super::format::card_script`] needs around it.
    let bytes: usize = card
        .h
        .iter()
        .map(|(a, b, c)| a.len() + b.len() + c.len() + 12)
        .sum();
    let mut fragment = Vec::with_capacity(bytes + page.title.len() + page.url.len() + 128);
    card.write(&mut fragment);
    PageDoc {
        text,
        terms,
        surfaces,
        kind: kind.to_string(),
        fragment,
    }
}

/// The first `max` characters of `text`. Counted by lead bytes, a block of 64 at a time (a loop
/// the compiler vectorises), not decoded one by one: every section of every card is cut.
pub(super) fn first_chars(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let bytes = text.as_bytes();
    let leads = |b: &[u8]| b.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    let (mut at, mut seen) = (0, 0);
    while let Some(block) = bytes.get(at..at + 64) {
        let n = leads(block);
        if seen + n > max {
            break;
        }
        seen += n;
        at += 64;
    }
    for (i, &b) in bytes.iter().enumerate().skip(at) {
        if b & 0xC0 != 0x80 {
            if seen == max {
                return &text[..i];
            }
            seen += 1;
        }
    }
    text
}

/// The body's plain text split at headings; the first section (anchor `""`) is the text before
/// the first heading, led by the description. Code blocks and raw HTML are left out: they are
/// rarely what a reader types, and would bloat every result card. The text comes from the
/// scan's record of it ([`crate::markdown::PlainText`]), not from parsing the body again.
pub(super) fn sections<'a>(
    body: &str,
    scan: &'a crate::markdown::Scan,
    description: Option<&str>,
) -> Sections<'a> {
    let mut text = String::with_capacity(body.len() + description.map_or(0, |d| d.len() + 1));
    if let Some(d) = description {
        text.push_str(d);
        text.push(' ');
    }
    let mut list = vec![("", "", 0..0)];
    let mut headings = scan.headings.iter();
    for step in scan.plain.steps(body) {
        match step {
            Step::Heading => {
                if let Some(last) = list.last_mut() {
                    last.2.end = text.len();
                }
                let h = headings.next();
                list.push((
                    h.map_or("", |h| h.id.as_str()),
                    h.map_or("", |h| h.title.as_str()),
                    text.len()..0,
                ));
            }
            Step::Text(t) => text.push_str(t),
            Step::Break => {
                let start = list.last().map_or(0, |l| l.2.start);
                if text.len() > start && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
        }
    }
    if let Some(last) = list.last_mut() {
        last.2.end = text.len();
    }
    for (_, _, range) in &mut list {
        range.end = range.start + text[range.clone()].trim_end().len();
    }
    Sections { text, list }
}
