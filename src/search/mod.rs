//! Build-time search index (DESIGN.md §4): every page's title, aliases, headings, body, tags,
//! kind and typed fields, segmented for Chinese and English, written as sharded classic scripts
//! under `search/` that the theme's `search.js` loads on demand, over http and from file://.
//!
//! Split so the dev server can rebuild incrementally: [`extract`] is a pure function of one page
//! (plus the shared [`Segmenter`], whose user dictionary is the site's titles and aliases) and
//! runs in parallel; [`assemble`] shards and serialises the extracted [`PageDoc`]s; [`Live`]
//! keeps an assembled index between rebuilds and patches only what an edited page touches.

mod acc;
pub mod dict;
pub mod index;
pub mod invert;
pub mod live;
pub mod memo;
pub mod pinyin;
pub mod segment;
pub mod suggest;

use rayon::prelude::*;

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::links::FieldValue;
use crate::markdown::plain::Step;
use crate::output::OutputFile;
use crate::site::Site;
pub use index::assemble;
pub use live::Live;
pub use segment::{Segmenter, Token};

/// A term of a page: where it is in [`PageDoc::text`], its [`bucket`] and its score (see
/// [`Weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// The term's [`bucket`], which decides its shard.
    pub bucket: u16,
    /// Its score on this page.
    pub score: u8,
    /// Its byte range in [`PageDoc::text`].
    pub start: u32,
    /// End of that range.
    pub end: u32,
    /// Its [`Segmenter::node`], or [`segment::NO_NODE`]: the streamed index finds a Chinese
    /// term's postings by this number instead of hashing its text.
    pub node: u32,
}

/// An English word of a page whose stem differs, as byte ranges of [`PageDoc::text`]: the
/// stem is one of the page's terms, the word is kept after them. Ranges, not strings: a page
/// has dozens, and two allocations each were a few percent of extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surface {
    /// The word's [`bucket`], which decides its shard.
    pub bucket: u16,
    /// The lowercased word.
    pub surface: (u32, u32),
    /// Its stem.
    pub stem: (u32, u32),
}

/// What the index keeps of one page.
#[derive(Debug, Clone, Default, Eq)]
pub struct PageDoc {
    /// The page's distinct terms end to end, in no order; [`Term`]s point into it. One string
    /// per page, not one per term: at 10,000 pages that is 3 million allocations fewer, which
    /// were a fifth of extraction with the page faults and frees they brought.
    pub text: String,
    /// The terms, sorted by bucket then term ([`extract`]), or by bucket alone
    /// ([`extract_to_invert`]).
    pub terms: Vec<Term>,
    /// English words whose stem differs from the word, sorted by bucket then word, so the
    /// browser can map a query word to the indexed stem without a stemmer of its own (from
    /// [`extract_to_invert`], only those the thread had not listed in that build yet).
    pub surfaces: Vec<Surface>,
    /// The kind filters group this page under (`page` for sections).
    pub kind: String,
    /// The page's result card as JSON: URL, title, kind label and its text by heading.
    pub fragment: Vec<u8>,
}

impl PageDoc {
    /// The text of one of this page's terms.
    pub fn term(&self, t: &Term) -> &str {
        &self.text[t.start as usize..t.end as usize]
    }

    /// `(bucket, surface, stem)` of a [`Surface`] of this page.
    pub fn surface(&self, s: &Surface) -> (u16, &str, &str) {
        let at = |(a, b): (u32, u32)| &self.text[a as usize..b as usize];
        (s.bucket, at(s.surface), at(s.stem))
    }

    /// `(bucket, surface, stem)` in order.
    pub fn surfaces(&self) -> impl Iterator<Item = (u16, &str, &str)> + '_ {
        self.surfaces.iter().map(|s| self.surface(s))
    }

    /// Adds a surface form (tests and tools); keep them sorted by bucket then word.
    pub fn push_surface(&mut self, bucket: u16, surface: &str, stem: &str) {
        let mut put = |s: &str| {
            let start = self.text.len() as u32;
            self.text.push_str(s);
            (start, self.text.len() as u32)
        };
        let surface = put(surface);
        let stem = put(stem);
        self.surfaces.push(Surface {
            bucket,
            surface,
            stem,
        });
    }

    /// `(bucket, term, score)` in order.
    pub fn terms(&self) -> impl Iterator<Item = (u16, &str, u8)> + '_ {
        self.terms.iter().map(|t| (t.bucket, self.term(t), t.score))
    }

    /// A document with `terms` (`(bucket, term, score)` sorted by bucket then term) and nothing
    /// else, for tests and tools.
    pub fn with_terms<'a>(terms: impl IntoIterator<Item = (u16, &'a str, u8)>) -> PageDoc {
        let mut doc = PageDoc::default();
        for (bucket, term, score) in terms {
            let start = doc.text.len() as u32;
            doc.text.push_str(term);
            doc.terms.push(Term {
                bucket,
                score,
                start,
                end: doc.text.len() as u32,
                node: segment::NO_NODE,
            });
        }
        doc
    }
}

/// Equal when the terms are: where they sit in `text` does not matter.
impl PartialEq for PageDoc {
    fn eq(&self, other: &PageDoc) -> bool {
        self.terms.len() == other.terms.len()
            && self.terms().eq(other.terms())
            && self.surfaces.len() == other.surfaces.len()
            && self.surfaces().eq(other.surfaces())
            && self.kind == other.kind
            && self.fragment == other.fragment
    }
}

/// Field weights of a term's score (at most 63, one character in the index). Title and alias
/// hits outrank headings, which outrank body text, as readers expect.
pub struct Weights;

impl Weights {
    pub const TITLE: u8 = 40;
    pub const ALIAS: u8 = 36;
    pub const PINYIN: u8 = 34;
    pub const PINYIN_PART: u8 = 22;
    pub const HEADING: u8 = 12;
    pub const HEADING_MORE: u8 = 3;
    pub const HEADING_PINYIN: u8 = 4;
    pub const META: u8 = 6;
    pub const BODY_MAX: u8 = 10;
    pub const MAX: u8 = 63;
}

/// Number of hash buckets of first characters; shards are contiguous ranges of buckets, so
/// any power-of-two shard count up to this works with the same per-page sort.
pub const BUCKETS: u32 = 1024;

/// The bucket of a term: a Fibonacci hash of its first two characters (one for a
/// one-character term). Two, not one: the words starting with one common character (班长, 班级,
/// 班委 …) would make one shard far larger than the rest, while every word a query can match at
/// a position starts with the query's two characters there. `search.js` computes the same.
pub fn bucket(term: &str) -> u16 {
    let mut chars = term.chars();
    let c1 = chars.next().map_or(0, |c| c as u32);
    let c2 = chars.next().map_or(0, |c| c as u32);
    (c1.wrapping_mul(31)
        .wrapping_add(c2)
        .wrapping_mul(0x9E37_79B1)
        >> 22) as u16
}

/// The user dictionary of a site: every title and alias of its pages.
pub fn user_words(pages: &[Page]) -> Vec<&str> {
    pages
        .iter()
        .flat_map(|p| {
            std::iter::once(p.title.as_str()).chain(p.meta.aliases.iter().map(String::as_str))
        })
        .collect()
}

/// The search stage: segmenter, per-page extraction in parallel, assembly.
pub fn build(site: &Site) -> Vec<OutputFile> {
    let seg = Segmenter::new(user_words(&site.content.pages));
    let docs: Vec<PageDoc> = (0..site.content.pages.len())
        .into_par_iter()
        .map(|i| extract(site, i, &seg))
        .collect();
    assemble(site, &docs)
}

/// Calls `f` with the pinyin keys of the words of `name` (other than `name` itself) and the
/// full pinyin of its phrases of neighbouring words, so a reader who types the
/// sound of part of a title (`pinkunxian`) finds it: the words are the tokens no other token
/// of the name contains, in order. The words' initials (`bz`) too when `initials`.
pub fn phrase_keys(seg: &Segmenter, name: &str, initials: bool, f: &mut impl FnMut(&str)) {
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

/// Calls `f` with the full-pinyin keys of `text` (not its initials, which have one letter a
/// Chinese character).
fn full_keys(text: &str, f: &mut impl FnMut(&str)) {
    let chars = text.chars().filter(|&c| segment::is_cjk(c)).count();
    pinyin::for_each_key(text, &mut |k| {
        if k.len() > chars {
            f(k)
        }
    });
}

/// Pages a streamed search stage extracts and inverts at a time ([`build_streamed`]'s `batch`):
/// enough to keep every thread busy between the batches' joins, few enough that their
/// documents weigh little.
pub const BATCH: usize = 1024;

/// The search stage of a streamed build: the files of [`build`], each handed to `put` as soon
/// as it is made, returning how many there were. Held all at once, every page's document and
/// card and every shard's script took more memory at 50,000 pages than the rest of the build;
/// here a page's card goes out as soon as it is extracted, its terms are inverted `batch` pages
/// at a time (see [`BATCH`]), and only the inverted index stays until the shards are written.
pub fn build_streamed(
    site: &Site,
    batch: usize,
    put: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
) -> Result<usize, Diagnostic> {
    build_streamed_with(
        site,
        &Segmenter::new(user_words(&site.content.pages)),
        batch,
        put,
    )
}

/// [`build_streamed`] with the site's segmenter made beforehand ([`Segmenter::new`] of
/// [`user_words`]): loading the dictionary is serial, so a build makes it while other stages
/// leave a core idle.
pub fn build_streamed_with(
    site: &Site,
    seg: &Segmenter,
    batch: usize,
    put: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
) -> Result<usize, Diagnostic> {
    let pages = site.content.pages.len();
    let build = BUILDS
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .wrapping_add(1)
        .max(1);
    let mut index = invert::Inverted::new(seg.nodes());
    let mut kinds: Vec<String> = Vec::with_capacity(pages);
    for first in (0..pages).step_by(batch.max(1)) {
        let docs: Vec<PageDoc> = (first..(first + batch).min(pages))
            .into_par_iter()
            .map(|i| {
                let mut doc = extract_to_invert(site, i, seg, build);
                put(index::card_script(i, std::mem::take(&mut doc.fragment)))?;
                Ok(doc)
            })
            .collect::<Result<_, Diagnostic>>()?;
        index.add(first as u32, &docs);
        kinds.extend(docs.into_iter().map(|d| d.kind));
    }
    let shards = index.shards();
    (0..shards)
        .into_par_iter()
        .try_for_each(|s| put(index.shard_file(s)))?;
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    put(index::manifest_of_kinds(site, &kinds, shards))?;
    let suggestions = suggest::files(site);
    let n = suggestions.len();
    suggestions.into_iter().try_for_each(put)?;
    Ok(pages + shards + 1 + n)
}

/// A page's plain text by heading: every section's text in one buffer (one allocation a page,
/// where a string per section and its growth were thousands at 1,000 pages), and per section
/// its anchor and heading, borrowed from the scan, and its range of the buffer.
struct Sections<'a> {
    text: String,
    list: Vec<(&'a str, &'a str, std::ops::Range<usize>)>,
}

impl Sections<'_> {
    /// `(anchor, heading, text)` of each section, in order.
    fn iter(&self) -> impl Iterator<Item = (&str, &str, &str)> + '_ {
        self.list
            .iter()
            .map(|(id, title, range)| (*id, *title, &self.text[range.clone()]))
    }
}

/// Characters of one section kept for snippets; past this a match still ranks the page, the
/// snippet just shows the section's start.
pub const SECTION_CHARS: usize = 600;

/// Everything the index needs from page `i`. Pure in the page: other pages only matter
/// through `seg`'s user dictionary and link titles in typed fields.
pub fn extract(site: &Site, i: usize, seg: &Segmenter) -> PageDoc {
    extract_for(site, i, seg, 0)
}

/// [`extract`] for streamed build number `build` (not 0), whose index needs less of a page: its
/// terms in bucket order but not in term order within a bucket (its shard writer sorts each
/// shard's terms; sorting them was a fiftieth of a build's instructions), and its English word
/// forms only when the thread has not listed them in this build yet (the shards hold their
/// union; see `acc::Acc::new`).
pub fn extract_to_invert(site: &Site, i: usize, seg: &Segmenter, build: u32) -> PageDoc {
    extract_for(site, i, seg, build)
}

/// Numbers the streamed builds for [`extract_to_invert`]; never 0.
static BUILDS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// [`extract`] (`build` 0) or [`extract_to_invert`].
fn extract_for(site: &Site, i: usize, seg: &Segmenter, build: u32) -> PageDoc {
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
        // Full pinyin only: a heading's initials would be many short keys for little.
        let mut key = |k: &str| acc.key(k, 1, Weights::HEADING_PINYIN);
        full_keys(&h.title, &mut key);
        phrase_keys(seg, &h.title, false, &mut key);
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
    let (text, terms, surfaces) = acc.finish(build == 0);
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
    // [`index::card_script`] needs around it.
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
fn first_chars(text: &str, max: usize) -> &str {
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

/// A page's result card as `search.js` reads it, written from borrowed strings by
/// [`Card::write`]; the fields are in the alphabetical order the cards always had. The serde
/// derive, in tests only, is the reference the writer is checked against.
#[cfg_attr(test, derive(serde::Serialize))]
struct Card<'a> {
    /// Aliases.
    a: &'a [String],
    /// Sections: anchor, heading, text (cut to [`SECTION_CHARS`]).
    h: Vec<(&'a str, &'a str, &'a str)>,
    /// Kind label.
    k: &'a str,
    /// Title.
    t: &'a str,
    /// URL.
    u: &'a str,
}

impl Card<'_> {
    /// The card as JSON, byte for byte what serde_json makes of it (the derive is the tests'
    /// reference), with the strings written by [`index::push_json`]: serde_json's escaping
    /// looks at every byte one at a time, a tenth of extraction's instructions on Chinese text.
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"a\":[");
        for (n, a) in self.a.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            index::push_json(out, a);
        }
        out.extend_from_slice(b"],\"h\":[");
        for (n, (id, title, text)) in self.h.iter().enumerate() {
            out.extend_from_slice(if n > 0 { b",[" } else { b"[" });
            index::push_json(out, id);
            out.push(b',');
            index::push_json(out, title);
            out.push(b',');
            index::push_json(out, text);
            out.push(b']');
        }
        out.extend_from_slice(b"],\"k\":");
        index::push_json(out, self.k);
        out.extend_from_slice(b",\"t\":");
        index::push_json(out, self.t);
        out.extend_from_slice(b",\"u\":");
        index::push_json(out, self.u);
        out.push(b'}');
    }
}

/// The body's plain text split at headings; the first section (anchor `""`) is the text before
/// the first heading, led by the description. Code blocks and raw HTML are left out: they are
/// rarely what a reader types, and would bloat every result card. The text comes from the
/// scan's record of it ([`crate::markdown::PlainText`]), not from parsing the body again.
fn sections<'a>(
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

#[cfg(test)]
mod tests {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};

    use super::*;

    /// A heading's section of a page: its anchor, its title and its text.
    #[derive(Debug, Clone, Default)]
    struct Section(String, String, String);

    /// [`sections`] as it was before the scan recorded the text: a parse of its own.
    fn parsed(body: &str, scan: &crate::markdown::Scan, description: Option<&str>) -> Vec<Section> {
        let mut out = vec![Section(
            String::new(),
            String::new(),
            description.map(|d| format!("{d} ")).unwrap_or_default(),
        )];
        let (mut heading_ix, mut in_heading, mut in_code) = (0, false, false);
        let mut in_template = false;
        let section = |heading_ix: &mut usize, out: &mut Vec<Section>| {
            let h = scan.headings.get(*heading_ix);
            *heading_ix += 1;
            out.push(Section(
                h.map(|h| h.id.clone()).unwrap_or_default(),
                h.map(|h| h.title.clone()).unwrap_or_default(),
                String::new(),
            ));
        };
        for event in Parser::new_ext(body, crate::markdown::options()) {
            match event {
                // A template block is a section of its own, and the heading it sits under
                // resumes after it.
                Event::Start(Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(info)))
                    if crate::playbook::template::info(&info).is_some() =>
                {
                    section(&mut heading_ix, &mut out);
                    in_template = true;
                }
                Event::End(TagEnd::CodeBlock) if in_template => {
                    section(&mut heading_ix, &mut out);
                    in_template = false;
                }
                Event::Text(t) if in_template => {
                    if let Some(s) = out.last_mut() {
                        s.2.push_str(&t);
                        if !s.2.ends_with(' ') && !s.2.is_empty() {
                            s.2.push(' ');
                        }
                    }
                }
                Event::Start(Tag::Heading { .. }) => {
                    in_heading = true;
                    section(&mut heading_ix, &mut out);
                }
                Event::End(TagEnd::Heading(_)) => in_heading = false,
                Event::Start(Tag::CodeBlock(_)) => in_code = true,
                Event::End(TagEnd::CodeBlock) => in_code = false,
                Event::Text(t) | Event::Code(t) if !in_heading && !in_code => {
                    if let Some(s) = out.last_mut() {
                        s.2.push_str(crate::markdown::strip_task_id(&t).0);
                    }
                }
                Event::SoftBreak
                | Event::HardBreak
                | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
                    if let Some(s) = out.last_mut()
                        && !s.2.ends_with(' ')
                        && !s.2.is_empty()
                    {
                        s.2.push(' ');
                    }
                }
                _ => {}
            }
        }
        for s in &mut out {
            let n = s.2.trim_end().len();
            s.2.truncate(n);
        }
        out
    }

    fn flat(sections: &[Section]) -> Vec<(String, String, String)> {
        sections
            .iter()
            .map(|Section(a, b, c)| (a.clone(), b.clone(), c.clone()))
            .collect()
    }

    #[test]
    fn first_chars_cuts_where_char_indices_would() {
        let texts = [
            String::new(),
            "短".into(),
            "班长".repeat(400),
            "ab班长é😀".repeat(150),
            "x".repeat(64 * 9 + 3),
            format!("{}班", "y".repeat(SECTION_CHARS - 1)),
        ];
        for text in &texts {
            for max in [0, 1, 63, 64, 65, 599, SECTION_CHARS, 601, 2000] {
                let end = text
                    .char_indices()
                    .nth(max)
                    .map_or(text.len(), |(at, _)| at);
                assert_eq!(first_chars(text, max), &text[..end], "{max} of {text}");
            }
        }
    }

    #[test]
    fn cards_are_written_as_serde_json_writes_them() {
        let aliases = vec!["别名 \"引号\"".to_string(), "tab\there\\".to_string()];
        let none: Vec<String> = Vec::new();
        let cards = [
            Card {
                a: &aliases,
                h: vec![
                    ("", "", "前言 \u{1} \u{1f} \u{7f} \n 换行 </script>"),
                    ("id-1", "标题 \"q\"", "正文 😀 \\ \r"),
                ],
                k: "仪式",
                t: "开营仪式 \u{8}",
                u: "/rituals/kaiying/",
            },
            Card {
                a: &none,
                h: Vec::new(),
                k: "",
                t: "",
                u: "",
            },
        ];
        for card in &cards {
            let mut mine = Vec::new();
            card.write(&mut mine);
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                serde_json::to_string(card).unwrap()
            );
        }
    }

    #[test]
    fn sections_from_the_scan_equal_a_parse_of_their_own() {
        let mut bodies: Vec<String> = vec![
            "前言 \\*不是强调\\* &amp; &#x73ED; 班长\n第二行  \n硬换行\n\n# 标题 `code` {#t}\n\n正文".into(),
            "- [ ] 准备物料 {#prep}\n- [x] 发通知\n  续行\n\n| 角色 | 职责 |\n|---|---|\n| 班长 | 带队 |\n".into(),
            "```yaml\nritual: x\n```\n\n    缩进代码\n\n<div>原始 HTML</div>\n\n[[roles/班长|班长]] 和 [链接](x.md)\n".into(),
            "## 空\n\n## 两个\n文本\n> 引用 **粗体** ~~删除~~[^1]\n\n[^1]: 脚注\n".into(),
            "前言\n\n```template 欢迎词 announcement\n欢迎 {群名}\n第二行\n```\n\n之后\n\n## 流程\n\n```template\n末尾\n```\n".into(),
            String::new(),
        ];
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        for entry in walkdir::WalkDir::new(content) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "md") {
                bodies.push(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        assert!(bodies.len() > 20, "the handbook's pages were not found");
        for body in &bodies {
            let scan = crate::markdown::scan(body, 0);
            for description in [None, Some("描述")] {
                assert_eq!(
                    sections(body, &scan, description)
                        .iter()
                        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                        .collect::<Vec<_>>(),
                    flat(&parsed(body, &scan, description)),
                    "{body}"
                );
            }
        }
    }
}
