//! The terms of one page as [`super::extract`] gathers them: each distinct term once, with its
//! scores by field. This runs for each of the 15 million tokens of a 10,000-page site, so a
//! token costs an array lookup when it is a dictionary string (most Chinese tokens), a hash of a
//! number when it is a pair key (the bigrams around uncovered characters), a lookup among the
//! thread's known words when it is a Latin word, and one hash of its text otherwise (pinyin,
//! unknown characters); a page costs a few allocations, not one per term.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Weak};

use rustc_hash::FxHashMap;

use super::segment::{NO_NODE, Segmenter, Sink, Token, WORD_KEYS};
use super::{BUCKETS, Surface, Term, Weights, bucket};

mod interner;
#[cfg(test)]
mod tests;

use interner::Interner;

/// Per-term scores of one page, by field, summed when the page is done. Chinese terms the
/// dictionary has a node for are found through `seen`, the others (Latin words, pinyin,
/// bigrams of unknown characters) by their text. One per thread, kept from page to page (see
/// [`ACC`]).
#[derive(Default)]
pub(super) struct Acc {
    /// The page's distinct terms (the future [`super::PageDoc::text`]).
    terms: Interner,
    /// Per term: its [`bucket`], computed once per page, its scores by field (see
    /// [`Acc::add`]) and its dictionary node ([`NO_NODE`] for terms found by their text).
    scores: Vec<(u16, [u8; 3], u32)>,
    /// Latin words as written, remembered from page to page (see [`Known`]).
    known: Known,
    /// The page's English words whose stem differs: the word's bytes in `terms.text` (kept
    /// after the terms, in no span) and its stem's term number. A word can be listed twice
    /// (once through [`Known`], once the plain way): [`Acc::finish`] drops the repeats.
    surfaces: Vec<(u32, u32, u32)>,
    /// For each dictionary node, the page that last saw it (`stamp`) and its term there.
    /// Stamped rather than cleared, so a page does not pay for the whole dictionary.
    stamp: u32,
    seen: Vec<(u32, u32)>,
    /// The page's terms keyed by a pair key (see [`Segmenter::nodes`]), a third of a page's
    /// Chinese tokens: in a small table indexed by the key's hash and stamped like `seen`
    /// (`(key, stamp, term)`), and in `pairs` when its slot holds another key of the page. A
    /// hash map lookup for each of them was two percent of a build.
    pair_slots: Vec<(u32, u32, u32)>,
    pairs: FxHashMap<u32, u32>,
    /// The thread's number for the streamed build this page is part of, or 0 (see
    /// [`Acc::new`]): surfaces are marked with it in [`Known::surface_built`].
    build: u32,
    /// The streamed build the thread last numbered, and its number: a build is told from the
    /// next by its [`StreamedBuild`] token, whose allocation this reference keeps from being
    /// reused by a later token.
    last_build: Weak<()>,
    last_number: u32,
    /// The counting sort's bucket starts and next places (see [`Acc::finish`]).
    starts: Vec<u32>,
    next: Vec<u32>,
}

thread_local! {
    /// The thread's accumulator between pages: allocating its buffers for every page and
    /// freeing them after was a tenth of extraction, most of it in the allocator.
    static ACC: RefCell<Acc> = RefCell::default();
}

/// Words a [`Known`] remembers at most: a site's Latin vocabulary is a few thousand words;
/// past this, words are lowercased and stemmed at each occurrence.
const KNOWN_WORDS: usize = WORD_KEYS as usize;

/// Slots of [`Acc::pair_slots`]: a page has a few hundred pair keys, so few share a slot, and
/// the table (48 KiB) stays in the core's cache.
const PAIR_SLOT_BITS: u32 = 12;
const PAIR_SLOTS: usize = 1 << PAIR_SLOT_BITS;

/// The slot of pair key `key` in [`Acc::pair_slots`] (a Fibonacci hash).
fn pair_slot(key: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B1) >> (32 - PAIR_SLOT_BITS)) as usize
}

/// Lists `word`, an English word whose stem is term number `k`, in a page's `surfaces` (see
/// [`Acc::surfaces`]): its bytes go after the page's terms in `text`. Both ways a word reaches a
/// page ([`Acc::known_term`], [`Acc::list_surface`]) list it here.
fn list(text: &mut String, surfaces: &mut Vec<(u32, u32, u32)>, word: &str, k: usize) {
    let start = text.len() as u32;
    text.push_str(word);
    surfaces.push((start, text.len() as u32, k as u32));
}

/// No surface: the word's lowercased form is its stem.
const NO_SURFACE: u32 = u32::MAX;

/// The Latin words a thread has met as written, with their stems and surfaces numbered once
/// for all its pages. A page then finds a word's term through `stem_seen`, stamped like
/// [`Acc::seen`], instead of lowercasing, stemming and hashing it again: the 10,000-page
/// benchmark has 1.3 million first occurrences of a word in a page, but 10,000 distinct words.
#[derive(Default)]
struct Known {
    /// Words as written; a word's number indexes `entries`.
    words: Interner,
    /// Per word: its stem's number and its surface's (or [`NO_SURFACE`]).
    entries: Vec<(u32, u32)>,
    /// Distinct stems, with the hash the page's terms are filed under.
    stems: Interner,
    /// Per stem: the page that last had it (`Acc::stamp`) and its term there.
    stem_seen: Vec<(u32, u32)>,
    /// Per stem: its [`bucket`], computed once.
    stem_buckets: Vec<u16>,
    /// Distinct lowercased words whose stem differs.
    surfaces: Interner,
    /// Per surface: the page that last listed it.
    surface_seen: Vec<u32>,
    /// Per surface: the streamed build that last listed it (see [`Acc::new`]).
    surface_built: Vec<u32>,
    /// This keeper's number for [`Segmenter::word_key`] in the streamed build the thread is
    /// working for (see [`StreamedBuild::owner`]), with which that build's terms carry their
    /// stem's number as a key: the inverted index then finds their postings by it, not by
    /// hashing their text, a cache miss for each of the million English postings of 10,000
    /// pages.
    owner: u32,
}

impl Known {
    /// Remembers `word` (lowercased `surface`, stemmed `term`), unless full; its number.
    fn learn(&mut self, word: &str, term: &str, surface: &str) -> Option<usize> {
        if self.entries.len() >= KNOWN_WORDS {
            return None;
        }
        let (n, new) = self.words.intern(word);
        if new {
            let (stem, new_stem) = self.stems.intern(term);
            if new_stem {
                self.stem_seen.push((0, 0));
                self.stem_buckets.push(bucket(term));
            }
            let surface = if term == surface {
                NO_SURFACE
            } else {
                let (k, new_surface) = self.surfaces.intern(surface);
                if new_surface {
                    self.surface_seen.push(0);
                    self.surface_built.push(0);
                }
                k as u32
            };
            self.entries.push((stem as u32, surface));
        }
        Some(n)
    }

    /// Forgets which pages saw what (the stamps came round again).
    fn clear_stamps(&mut self) {
        self.stem_seen.iter_mut().for_each(|e| *e = (0, 0));
        self.surface_seen.iter_mut().for_each(|e| *e = 0);
        self.surface_built.iter_mut().for_each(|e| *e = 0);
    }
}

/// An [`Acc`] taking the tokens of one field at one weight.
struct Scoring<'a> {
    acc: &'a mut Acc,
    seg: &'a Segmenter,
    field: usize,
    weight: u8,
}

impl Sink for Scoring<'_> {
    fn token(&mut self, t: Token<'_>) {
        if let Token::Latin {
            term,
            surface,
            word,
        } = t
            && let Some(n) = self.acc.known.learn(word, term, surface)
        {
            let k = self.acc.known_term(self.seg, n);
            self.acc.score(k, self.field, self.weight);
            return;
        }
        self.acc.token(self.seg, t, self.field, self.weight);
    }

    #[inline(always)]
    fn cjk(&mut self, text: &str, a: usize, b: usize, node: u32) {
        let k = self.acc.node_term(self.seg, text, a, b, node);
        self.acc.score(k, self.field, self.weight);
    }

    fn word(&mut self, word: &str) -> bool {
        match self.acc.known.words.find(word) {
            Some(n) => {
                let k = self.acc.known_term(self.seg, n);
                self.acc.score(k, self.field, self.weight);
                true
            }
            None => false,
        }
    }
}

/// One streamed build as the threads' accumulators tell it from others: made once by the
/// build ([`super::build_streamed`]) and handed to every page's extraction. Its token stands
/// for its identity (each thread numbers the builds it meets itself); it also numbers the
/// threads' keepers of words that work for it, whose word keys go into its one index.
#[derive(Debug, Default)]
pub(crate) struct StreamedBuild {
    token: Arc<()>,
    /// The last [`Known::owner`] handed out for this build (0: none yet).
    owners: AtomicU32,
}

impl StreamedBuild {
    /// A build no thread has seen yet.
    pub(crate) fn new() -> StreamedBuild {
        StreamedBuild::default()
    }

    /// A keeper's number (never 0) no other keeper has in this build: word keys of two
    /// keepers must differ within one index, and need not across builds, since an index
    /// holds the pages of one build only.
    fn owner(&self) -> u32 {
        self.owners.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }
}

impl Acc {
    /// This thread's number (never 0) for `build`: the last one while the build stays the
    /// same, else the next. Builds that interleave on a thread (two sites built at once) get a
    /// new number at each switch, so a word is at worst listed again, never left out.
    fn number(&mut self, build: &StreamedBuild) -> u32 {
        if !std::ptr::eq(self.last_build.as_ptr(), Arc::as_ptr(&build.token)) {
            self.last_build = Arc::downgrade(&build.token);
            self.known.owner = build.owner();
            self.last_number = self.last_number.wrapping_add(1);
            if self.last_number == 0 {
                // Once in four billion builds: old numbers could come round again.
                self.known.surface_built.iter_mut().for_each(|e| *e = 0);
                self.last_number = 1;
            }
        }
        self.last_number
    }

    /// The thread's accumulator, emptied, for a page cut by `seg`; hand it back with
    /// [`Acc::finish`]. Sized for a typical page's distinct terms: growing was a tenth of
    /// extraction.
    ///
    /// `build` is `None`, or the streamed build ([`super::build_streamed`]) the page is part
    /// of: then an English word this thread has listed in that build already is not listed
    /// again. The streamed index needs only the union of the pages' word forms, and listing
    /// them for each page (90 a page) was a hash lookup each in the inverted index.
    pub(super) fn new(seg: &Segmenter, build: Option<&StreamedBuild>) -> Acc {
        let mut acc = ACC
            .with(|cell| cell.try_borrow_mut().map(|mut a| std::mem::take(&mut *a)))
            .unwrap_or_default();
        acc.build = match build {
            None => 0,
            Some(b) => acc.number(b),
        };
        acc.stamp = acc.stamp.wrapping_add(1);
        if acc.stamp == 0 {
            // Once in four billion pages: old stamps could come round again.
            acc.seen.iter_mut().for_each(|e| *e = (0, 0));
            acc.pair_slots.iter_mut().for_each(|e| *e = (0, 0, 0));
            acc.known.clear_stamps();
            acc.stamp = 1;
        }
        if acc.pair_slots.is_empty() {
            acc.pair_slots = vec![(0, 0, 0); PAIR_SLOTS];
        }
        if acc.seen.len() < seg.nodes() {
            acc.seen.resize(seg.nodes(), (0, 0));
        }
        acc.terms.reset(4096, 1024);
        acc.scores.clear();
        acc.pairs.clear();
        acc.surfaces.clear();
        acc
    }

    /// Field 0: title-like (max of weights), 1: headings and meta (accumulated), 2: body.
    pub(super) fn add(&mut self, seg: &Segmenter, text: &str, field: usize, weight: u8) {
        seg.tokens(
            text,
            &mut Scoring {
                acc: self,
                seg,
                field,
                weight,
            },
        );
    }

    /// Scores one token; returns its term's number.
    #[inline(always)]
    pub(super) fn token(
        &mut self,
        seg: &Segmenter,
        t: Token<'_>,
        field: usize,
        weight: u8,
    ) -> usize {
        let k = self.term_of(seg, t);
        self.score(k, field, weight);
        k
    }

    /// A token of a heading: weighs `first` the first time its term is in a heading of the
    /// page, `more` after. Headings are the first text scored in field 1, so a term's field-1
    /// score is 0 exactly until then (no set of the terms seen is needed).
    pub(super) fn heading_token(&mut self, seg: &Segmenter, t: Token<'_>, first: u8, more: u8) {
        let k = self.term_of(seg, t);
        let weight = if self.scores[k].1[1] == 0 {
            first
        } else {
            more
        };
        self.score(k, 1, weight);
    }

    /// The number of a token's term, entered if new.
    #[inline(always)]
    fn term_of(&mut self, seg: &Segmenter, t: Token<'_>) -> usize {
        match t {
            Token::Cjk(w, node) => self.node_term(seg, w, 0, w.len(), node),
            Token::Latin { term, surface, .. } => {
                let k = self.text_term(term);
                if term != surface {
                    self.list_surface(surface, k);
                }
                k
            }
        }
    }

    /// The term of the [`Known`] word number `n` on this page, entered if new, its surface
    /// listed if new: what [`Acc::term_of`] does for its token, without its lookups. In a
    /// streamed build the term carries its stem's [`Segmenter::word_key`].
    fn known_term(&mut self, seg: &Segmenter, n: usize) -> usize {
        let known = &mut self.known;
        let (stem, surface) = known.entries[n];
        let (stamp, k) = known.stem_seen[stem as usize];
        let k = if stamp == self.stamp {
            k as usize
        } else {
            let term = known.stems.get(stem as usize);
            let (k, new) = self
                .terms
                .intern_hashed(term, known.stems.spans[stem as usize].2);
            if new {
                let bucket = known.stem_buckets[stem as usize];
                let key = match self.build {
                    0 => NO_NODE,
                    _ => seg.word_key(known.owner, stem),
                };
                self.scores.push((bucket, [0; 3], key));
            }
            known.stem_seen[stem as usize] = (self.stamp, k as u32);
            k
        };
        if surface != NO_SURFACE
            && known.surface_seen[surface as usize] != self.stamp
            && (self.build == 0 || known.surface_built[surface as usize] != self.build)
        {
            known.surface_seen[surface as usize] = self.stamp;
            known.surface_built[surface as usize] = self.build;
            let word = known.surfaces.get(surface as usize);
            list(&mut self.terms.text, &mut self.surfaces, word, k);
        }
        k
    }

    /// Lists `surface`, an English word whose stem is term number `k`.
    fn list_surface(&mut self, surface: &str, k: usize) {
        list(&mut self.terms.text, &mut self.surfaces, surface, k);
    }

    /// A Chinese term, `text[a..b]`, and its [`Segmenter::node`]; the text is read only when
    /// the term is new to the page or has no node.
    #[inline(always)]
    fn node_term(&mut self, seg: &Segmenter, text: &str, a: usize, b: usize, node: u32) -> usize {
        if node == NO_NODE {
            return self.text_term(&text[a..b]);
        }
        let Some(&(stamp, k)) = self.seen.get(node as usize) else {
            return self.pair_term_at(text, a, b, node);
        };
        if stamp == self.stamp {
            return k as usize;
        }
        let k = self.terms.push(&text[a..b], 0);
        self.scores.push((seg.bucket(node), [0; 3], node));
        self.seen[node as usize] = (self.stamp, k as u32);
        k
    }

    /// A bigram off the trie and its pair key (see `Segmenter::nodes`): too many keys to stamp
    /// each, so a page's are found through `pair_slots`.
    #[cfg(test)]
    fn pair_term(&mut self, term: &str, key: u32) -> usize {
        self.pair_term_at(term, 0, term.len(), key)
    }

    /// [`Acc::pair_term`] of `text[a..b]`, read only when new to the page.
    #[inline(always)]
    fn pair_term_at(&mut self, text: &str, a: usize, b: usize, key: u32) -> usize {
        let at = pair_slot(key);
        let (slot_key, slot_stamp, slot_term) = self.pair_slots[at];
        let free = slot_stamp != self.stamp;
        if !free && slot_key == key {
            return slot_term as usize;
        }
        if !free && let Some(&k) = self.pairs.get(&key) {
            return k as usize;
        }
        let k = self.scores.len();
        let term = &text[a..b];
        self.terms.push(term, 0);
        self.scores.push((bucket(term), [0; 3], key));
        if free {
            self.pair_slots[at] = (key, self.stamp, k as u32);
        } else {
            self.pairs.insert(key, k as u32);
        }
        k
    }

    /// A term that is not a dictionary string: Latin words, pinyin keys, bigrams of unknown
    /// characters.
    fn text_term(&mut self, term: &str) -> usize {
        let (k, new) = self.terms.intern(term);
        if new {
            self.scores.push((bucket(term), [0; 3], NO_NODE));
        }
        k
    }

    /// Scores a term that is not a dictionary string (pinyin keys).
    pub(super) fn key(&mut self, term: &str, field: usize, weight: u8) {
        let k = self.text_term(term);
        self.score(k, field, weight);
    }

    #[inline(always)]
    fn score(&mut self, k: usize, field: usize, weight: u8) {
        let slot = &mut self.scores[k].1[field];
        *slot = match field {
            0 => (*slot).max(weight),
            _ => slot.saturating_add(weight),
        };
    }

    /// The page's text, terms sorted by bucket (then by term when `by_term`), and surfaces;
    /// the accumulator goes back to the thread for its next page.
    pub(super) fn finish(mut self, by_term: bool) -> (String, Vec<Term>, Vec<Surface>) {
        let text = std::mem::take(&mut self.terms.text);
        // Sorted by bucket with a counting sort (a page's few hundred terms spread over 1,024
        // buckets, so most buckets hold one term or none), then by term within a bucket:
        // a comparison sort of the whole page was a seventh of extraction.
        let mut starts = std::mem::take(&mut self.starts);
        starts.clear();
        starts.resize(BUCKETS as usize + 1, 0);
        for &(bucket, _, _) in &self.scores {
            starts[usize::from(bucket) + 1] += 1;
        }
        for b in 0..BUCKETS as usize {
            starts[b + 1] += starts[b];
        }
        let mut next = std::mem::take(&mut self.next);
        next.clone_from(&starts);
        let mut terms = vec![
            Term {
                bucket: 0,
                score: 0,
                start: 0,
                end: 0,
                node: NO_NODE,
            };
            self.scores.len()
        ];
        for (&(bucket, [title, head, body], node), &(start, end, _)) in
            self.scores.iter().zip(&self.terms.spans)
        {
            let s = u32::from(title)
                + u32::from(head.min(Weights::HEADING * 2))
                + u32::from(body.min(Weights::BODY_MAX));
            let at = &mut next[usize::from(bucket)];
            terms[*at as usize] = Term {
                bucket,
                score: s.min(u32::from(Weights::MAX)) as u8,
                start,
                end,
                node,
            };
            *at += 1;
        }
        let term = |t: &Term| &text[t.start as usize..t.end as usize];
        for b in (0..BUCKETS as usize).filter(|_| by_term) {
            let run = &mut terms[starts[b] as usize..starts[b + 1] as usize];
            if run.len() > 1 {
                run.sort_unstable_by(|x, y| term(x).cmp(term(y)));
            }
        }
        let at = |(a, b): (u32, u32)| &text[a as usize..b as usize];
        let mut surfaces: Vec<Surface> = self
            .surfaces
            .drain(..)
            .map(|(a, b, k)| {
                let (start, end, _) = self.terms.spans[k as usize];
                Surface {
                    bucket: bucket(at((a, b))),
                    surface: (a, b),
                    stem: (start, end),
                }
            })
            .collect();
        surfaces.sort_unstable_by(|x, y| (x.bucket, at(x.surface)).cmp(&(y.bucket, at(y.surface))));
        // A word has one stem, so equal words are equal entries.
        surfaces.dedup_by(|x, y| at(x.surface) == at(y.surface));
        (self.starts, self.next) = (starts, next);
        ACC.with(|cell| {
            if let Ok(mut kept) = cell.try_borrow_mut() {
                *kept = self;
            }
        });
        (text, terms, surfaces)
    }
}
