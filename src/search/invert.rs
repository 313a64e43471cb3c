//! The inverted index of a streamed build ([`super::build_streamed`]): pages go in a batch at a
//! time and only their postings stay. A posting is encoded the moment it is added (two or three
//! bytes, where a `(page, score)` pair took eight and its vector kept growing), and a Chinese
//! term's postings are found by its dictionary node ([`super::Term::node`]) instead of by
//! hashing and comparing its text. The scripts it writes are byte for byte those of
//! [`Index::shard_file`](super::index::Index::shard_file), which the dev server patches.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::index::{self, SurfaceMap};
use super::segment::NO_NODE;
use super::{BUCKETS, PageDoc, Term, format};
use crate::output::OutputFile;

/// One term's postings so far.
struct Posted {
    term: Box<str>,
    /// Encoded as in the shard scripts (see [`format::push_posting_bytes`]).
    list: Vec<u8>,
    /// The last page id in `list`, which the next gap is counted from.
    last: u32,
}

/// The terms of one bucket.
#[derive(Default)]
struct Bucket {
    /// Terms with a pair key (a node past the dictionary's, see [`Inverted::new`]) or a word
    /// key ([`super::Segmenter::word_key`]) by key.
    by_node: FxHashMap<u32, u32>,
    /// Terms by text: those without a key, and those with a pair or word key too, since a
    /// word has a key per thread (and, rarely, none: a pinyin key spelt like it).
    by_text: FxHashMap<Box<str>, u32>,
    terms: Vec<Posted>,
    surfaces: SurfaceMap,
}

/// No term yet for a dictionary node (see [`Inverted::new`]).
const NO_TERM: u32 = u32::MAX;

impl Bucket {
    /// Adds page `id`'s posting of `doc`'s term `t`. The term's text is read only when it has
    /// no node or is new here: for most postings it is one more cache miss saved. A term that
    /// is a dictionary node is found in `nodes` (indexed by node, shared by all buckets: a
    /// node's string has one bucket, so each entry belongs to one bucket's task).
    fn post(&mut self, nodes: &[AtomicU32], doc: &PageDoc, t: &Term, id: u32) {
        let dense = nodes.get(t.node as usize);
        let k = match dense {
            Some(k) => Some(k.load(Ordering::Relaxed)).filter(|&k| k != NO_TERM),
            None if t.node != NO_NODE => self.by_node.get(&t.node).copied(),
            None => self.by_text.get(doc.term(t)).copied(),
        };
        let k = match k {
            Some(k) => k as usize,
            None => {
                let term = doc.term(t);
                let keyed = dense.is_none() && t.node != NO_NODE;
                // Keyed, it may be in under its text (another thread's key, or none).
                let filed = if keyed { self.by_text.get(term) } else { None };
                match filed {
                    Some(&k) => {
                        self.by_node.insert(t.node, k);
                        k as usize
                    }
                    None => {
                        let k = self.terms.len();
                        self.terms.push(Posted {
                            term: term.into(),
                            list: Vec::new(),
                            last: 0,
                        });
                        if let Some(slot) = dense {
                            slot.store(k as u32, Ordering::Relaxed);
                        } else {
                            if keyed {
                                self.by_node.insert(t.node, k as u32);
                            }
                            self.by_text.insert(term.into(), k as u32);
                        }
                        k
                    }
                }
            }
        };
        let p = &mut self.terms[k];
        format::push_posting_bytes(&mut p.list, id - p.last, t.score);
        p.last = id;
    }
}

/// A postings list as text: [`format::ALPHABET`]'s characters only, so always UTF-8.
fn postings(list: &[u8]) -> &str {
    std::str::from_utf8(list).unwrap_or_default()
}

/// Buckets per task of [`by_bucket`]: 64 tasks, enough for any thread count here.
const GROUP: usize = 16;
const GROUPS: usize = BUCKETS as usize / GROUP;

/// Where each group of buckets starts in a document's terms and surfaces (both sorted by
/// bucket), found in one pass: a binary search per document and group was a fifth of
/// inverting, nearly all of it cache misses.
fn bounds(doc: &PageDoc) -> ([u32; GROUPS + 1], [u32; GROUPS + 1]) {
    fn of(buckets: impl Iterator<Item = u16>, len: usize) -> [u32; GROUPS + 1] {
        let mut b = [len as u32; GROUPS + 1];
        let mut g = 0;
        for (n, bucket) in buckets.enumerate() {
            while g <= usize::from(bucket) / GROUP {
                b[g] = n as u32;
                g += 1;
            }
        }
        b
    }
    (
        of(doc.terms.iter().map(|t| t.bucket), doc.terms.len()),
        of(doc.surfaces.iter().map(|s| s.bucket), doc.surfaces.len()),
    )
}

/// Postings by bucket, for pages added in ascending id order.
pub(crate) struct Inverted {
    buckets: Vec<Bucket>,
    /// Per dictionary node (below [`super::Segmenter::nodes`]), its term's place in its
    /// bucket: an array read instead of a hash map for most Chinese postings.
    nodes: Vec<AtomicU32>,
    postings: usize,
}

impl Inverted {
    /// An empty index for documents of a segmenter with `nodes` dictionary nodes.
    pub(crate) fn new(nodes: usize) -> Inverted {
        Inverted {
            buckets: (0..BUCKETS).map(|_| Bucket::default()).collect(),
            nodes: (0..nodes).map(|_| AtomicU32::new(NO_TERM)).collect(),
            postings: 0,
        }
    }

    /// Inverts `docs` as pages `first`, `first + 1`, … after the pages already in. Every
    /// document must come from one segmenter (node ids are its own).
    pub(crate) fn add(&mut self, first: u32, docs: &[PageDoc]) {
        let nodes = &self.nodes;
        by_bucket(
            &mut self.buckets,
            first,
            docs,
            |b, d, t, id| b.post(nodes, d, t, id),
            |b, surface, stem| index::add_surface(&mut b.surfaces, surface, stem),
        );
        self.postings += docs.iter().map(|d| d.terms.len()).sum::<usize>();
    }

    /// How many shards the postings call for ([`index::shard_count`]).
    pub(crate) fn shards(&self) -> usize {
        index::shard_count(self.postings).min(self.buckets.len())
    }

    /// Shard `s`'s script, when there are [`Inverted::shards`] shards: the union of a run of
    /// buckets, whose terms are disjoint (a term has one bucket).
    pub(crate) fn shard_file(&self, s: usize) -> OutputFile {
        let per = self.buckets.len() / self.shards();
        let buckets = &self.buckets[s * per..(s + 1) * per];
        let mut terms: Vec<(&str, &str)> = buckets
            .iter()
            .flat_map(|b| b.terms.iter().map(|p| (&*p.term, postings(&p.list))))
            .collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut surfaces: Vec<(&str, &str)> = buckets
            .iter()
            .flat_map(|b| b.surfaces.iter().map(|(k, (v, _))| (&**k, &**v)))
            .collect();
        surfaces.sort_unstable();
        format::shard_script(s, &terms, &surfaces)
    }
}

/// Hands every term of `docs` (pages `first`, `first + 1`, …) to `post` and every surface form
/// to `surface`, each with the state of its bucket in `buckets` (one per bucket). Both indexes
/// invert through this: 64 parallel tasks each own [`GROUP`] consecutive buckets and read each
/// document's terms of those buckets once, in order (a pass over all pages per bucket was mostly
/// cache misses).
pub(super) fn by_bucket<B: Send>(
    buckets: &mut [B],
    first: u32,
    docs: &[PageDoc],
    post: impl Fn(&mut B, &PageDoc, &Term, u32) + Sync,
    surface: impl Fn(&mut B, &str, &str) + Sync,
) {
    debug_assert_eq!(buckets.len(), BUCKETS as usize);
    let bounds: Vec<_> = docs.par_iter().map(bounds).collect();
    buckets
        .par_chunks_mut(GROUP)
        .enumerate()
        .for_each(|(g, buckets)| {
            let lo = g * GROUP;
            for (k, (d, (terms, surfaces))) in docs.iter().zip(&bounds).enumerate() {
                let id = first + k as u32;
                for t in &d.terms[terms[g] as usize..terms[g + 1] as usize] {
                    post(&mut buckets[usize::from(t.bucket) - lo], d, t, id);
                }
                for s in &d.surfaces[surfaces[g] as usize..surfaces[g + 1] as usize] {
                    let (b, s, stem) = d.surface(s);
                    surface(&mut buckets[usize::from(b) - lo], s, stem);
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{Segmenter, bucket};

    /// A word reaches the index under one thread's key, another's, or none (a pinyin key spelt
    /// like it): it is one term, its postings in page order.
    #[test]
    fn a_word_under_several_keys_is_one_term() {
        let seg = Segmenter::new(Vec::<&str>::new());
        let (one, two) = (seg.word_key(1, 0), seg.word_key(2, 7));
        assert!(one != NO_NODE && two != NO_NODE && one != two);
        let page = |node: u32, score: u8| {
            let mut doc = PageDoc::with_terms([(bucket("ritual"), "ritual", score)]);
            doc.terms[0].node = node;
            doc
        };
        let docs = [
            page(one, 5),
            page(NO_NODE, 6),
            page(two, 7),
            page(one, 8),
            page(NO_NODE, 9),
        ];
        let mut index = Inverted::new(seg.nodes());
        index.add(0, &docs[..2]);
        index.add(2, &docs[2..]);
        let scripts: String = (0..index.shards())
            .map(|s| String::from_utf8(index.shard_file(s).bytes).unwrap())
            .collect();
        assert_eq!(scripts.matches("\"ritual\"").count(), 1, "{scripts}");
        assert!(scripts.contains("\"ritual\":\"0516171819\""), "{scripts}");
    }
}
