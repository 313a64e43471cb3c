//! Build-time search index (DESIGN.md §4): every page's title, aliases, headings, body, tags,
//! kind and typed fields, segmented for Chinese and English, written as sharded classic scripts
//! under `search/` that the theme's `search.js` loads on demand, over http and from file://.
//!
//! Split so the dev server can rebuild incrementally: `extract` is a pure function of one page
//! (plus the shared `Segmenter`, whose user dictionary is the site's titles and aliases) and
//! runs in parallel; `assemble` shards and serialises the extracted `PageDoc`s; `Live`
//! keeps an assembled index between rebuilds and patches only what an edited page touches.
//!
//! The extraction of one page is in `extract`; the files' format, which `search.js` reads, in
//! [`format`](mod@format); the segmenter and pinyin, fenced from the rest of qunce, in `text`.

mod acc;
mod extract;
pub mod format;
pub(crate) mod index;
pub(crate) mod invert;
pub(crate) mod live;
pub(crate) mod suggest;
#[cfg(test)]
mod tests;
pub(crate) mod text;

use rayon::prelude::*;

use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;
use crate::site::Site;
pub(crate) use acc::StreamedBuild;
pub(crate) use extract::{extract, extract_to_invert};
pub(crate) use format::BUCKETS;
pub use format::bucket;
pub(crate) use index::assemble;
pub(crate) use live::Live;
pub(crate) use segment::{Segmenter, Token};
pub(crate) use text::{pinyin, segment};

/// A term of a page: where it is in [`PageDoc::text`], its [`bucket`] and its score (see
/// [`Weights`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Term {
    /// The term's [`bucket`], which decides its shard.
    pub(crate) bucket: u16,
    /// Its score on this page.
    pub(crate) score: u8,
    /// Its byte range in [`PageDoc::text`].
    pub(crate) start: u32,
    /// End of that range.
    pub(crate) end: u32,
    /// Its [`Segmenter::node`], or in a streamed build an English word's
    /// [`Segmenter::word_key`], or [`segment::NO_NODE`]: the streamed index finds a term's
    /// postings by this number instead of hashing its text.
    pub(crate) node: u32,
}

/// An English word of a page whose stem differs, as byte ranges of [`PageDoc::text`]: the
/// stem is one of the page's terms, the word is kept after them. Ranges, not strings: a page
/// has dozens, and two allocations each were a few percent of extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Surface {
    /// The word's [`bucket`], which decides its shard.
    pub(crate) bucket: u16,
    /// The lowercased word.
    pub(crate) surface: (u32, u32),
    /// Its stem.
    pub(crate) stem: (u32, u32),
}

/// What the index keeps of one page.
#[derive(Debug, Clone, Default, Eq)]
pub(crate) struct PageDoc {
    /// The page's distinct terms end to end, in no order; [`Term`]s point into it. One string
    /// per page, not one per term: at 10,000 pages that is 3 million allocations fewer, which
    /// were a fifth of extraction with the page faults and frees they brought.
    pub(crate) text: String,
    /// The terms, sorted by bucket then term ([`extract`]), or by bucket alone
    /// ([`extract_to_invert`]).
    pub(crate) terms: Vec<Term>,
    /// English words whose stem differs from the word, sorted by bucket then word, so the
    /// browser can map a query word to the indexed stem without a stemmer of its own (from
    /// [`extract_to_invert`], only those the thread had not listed in that build yet).
    pub(crate) surfaces: Vec<Surface>,
    /// The kind filters group this page under (`page` for sections).
    pub(crate) kind: String,
    /// The page's result card as JSON: URL, title, kind label and its text by heading.
    pub(crate) fragment: Vec<u8>,
}

impl PageDoc {
    /// The text of one of this page's terms.
    pub(crate) fn term(&self, t: &Term) -> &str {
        &self.text[t.start as usize..t.end as usize]
    }

    /// `(bucket, surface, stem)` of a [`Surface`] of this page.
    pub(crate) fn surface(&self, s: &Surface) -> (u16, &str, &str) {
        let at = |(a, b): (u32, u32)| &self.text[a as usize..b as usize];
        (s.bucket, at(s.surface), at(s.stem))
    }

    /// `(bucket, surface, stem)` in order.
    pub(crate) fn surfaces(&self) -> impl Iterator<Item = (u16, &str, &str)> + '_ {
        self.surfaces.iter().map(|s| self.surface(s))
    }

    /// Adds a surface form (tests and tools); keep them sorted by bucket then word.
    #[cfg(test)]
    pub(crate) fn push_surface(&mut self, bucket: u16, surface: &str, stem: &str) {
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
    pub(crate) fn terms(&self) -> impl Iterator<Item = (u16, &str, u8)> + '_ {
        self.terms.iter().map(|t| (t.bucket, self.term(t), t.score))
    }

    /// A document with `terms` (`(bucket, term, score)` sorted by bucket then term) and nothing
    /// else, for tests and tools.
    #[cfg(test)]
    pub(crate) fn with_terms<'a>(terms: impl IntoIterator<Item = (u16, &'a str, u8)>) -> PageDoc {
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
    /// A hit in the page's title: the strongest signal that the page is the one sought.
    pub const TITLE: u8 = 40;
    pub(crate) const ALIAS: u8 = 36;
    pub(crate) const PINYIN: u8 = 34;
    pub(crate) const PINYIN_PART: u8 = 22;
    pub(crate) const HEADING: u8 = 12;
    pub(crate) const HEADING_MORE: u8 = 3;
    pub(crate) const HEADING_PINYIN: u8 = 4;
    pub(crate) const META: u8 = 6;
    pub(crate) const BODY_MAX: u8 = 10;
    pub(crate) const MAX: u8 = 63;
}

/// The user dictionary of a site: every title and alias of its pages.
pub(crate) fn user_words(pages: &[Page]) -> Vec<&str> {
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
pub(crate) fn build_streamed_with(
    site: &Site,
    seg: &Segmenter,
    batch: usize,
    put: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
) -> Result<usize, Diagnostic> {
    let pages = site.content.pages.len();
    let build = StreamedBuild::new();
    let mut index = invert::Inverted::new(seg.nodes());
    let mut kinds: Vec<String> = Vec::with_capacity(pages);
    for first in (0..pages).step_by(batch.max(1)) {
        let docs: Vec<PageDoc> = (first..(first + batch).min(pages))
            .into_par_iter()
            .map(|i| {
                let mut doc = extract_to_invert(site, i, seg, &build);
                put(format::card_script(i, std::mem::take(&mut doc.fragment)))?;
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
