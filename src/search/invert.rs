//! The inverted index of a streamed build ([`super::build_streamed`]): pages go in a batch at a
//! time and only their postings stay. A posting is encoded the moment it is added (two or three
//! bytes, where a `(page, score)` pair took eight and its vector kept growing), and a Chinese
//! term's postings are found by its dictionary node ([`super::Term::node`]) instead of by
//! hashing and comparing its text. The scripts it writes are byte for byte those of
//! [`Index::shard_file`](super::index::Index::shard_file), which the dev server patches.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::index::{self, SurfaceMap};
use super::segment::NO_NODE;
use super::{BUCKETS, PageDoc};
use crate::render::OutputFile;

/// One term's postings so far.
struct Posted {
    term: Box<str>,
    /// Encoded as in the shard scripts (see [`index::push_posting`]).
    list: String,
    /// The last page id in `list`, which the next gap is counted from.
    last: u32,
}

/// The terms of one bucket.
#[derive(Default)]
struct Bucket {
    by_node: FxHashMap<u32, u32>,
    by_text: FxHashMap<Box<str>, u32>,
    terms: Vec<Posted>,
    surfaces: SurfaceMap,
}

impl Bucket {
    fn post(&mut self, term: &str, node: u32, id: u32, score: u8) {
        let k = if node != NO_NODE {
            self.by_node.get(&node).copied()
        } else {
            self.by_text.get(term).copied()
        };
        let k = match k {
            Some(k) => k as usize,
            None => {
                let k = self.terms.len();
                self.terms.push(Posted {
                    term: term.into(),
                    list: String::new(),
                    last: 0,
                });
                if node != NO_NODE {
                    self.by_node.insert(node, k as u32);
                } else {
                    self.by_text.insert(term.into(), k as u32);
                }
                k
            }
        };
        let p = &mut self.terms[k];
        index::push_posting(&mut p.list, id - p.last, score);
        p.last = id;
    }
}

/// Postings by bucket, for pages added in ascending id order.
pub struct Inverted {
    buckets: Vec<Bucket>,
    postings: usize,
}

impl Default for Inverted {
    fn default() -> Inverted {
        Inverted {
            buckets: (0..BUCKETS).map(|_| Bucket::default()).collect(),
            postings: 0,
        }
    }
}

impl Inverted {
    /// Inverts `docs` as pages `first`, `first + 1`, … after the pages already in. Every
    /// document must come from one segmenter (node ids are its own).
    pub fn add(&mut self, first: u32, docs: &[PageDoc]) {
        // Contiguous groups of buckets, one per task; each reads every page's terms of its
        // range once, in order (a pass over all pages per bucket was mostly cache misses).
        let groups = (rayon::current_num_threads() * 4).clamp(1, self.buckets.len());
        let per_group = self.buckets.len().div_ceil(groups);
        self.buckets
            .par_chunks_mut(per_group)
            .enumerate()
            .for_each(|(g, buckets)| {
                let lo = (g * per_group) as u16;
                let hi = lo as usize + buckets.len();
                for (k, d) in docs.iter().enumerate() {
                    let id = first + k as u32;
                    let start = d.terms.partition_point(|t| t.bucket < lo);
                    for t in &d.terms[start..] {
                        if usize::from(t.bucket) >= hi {
                            break;
                        }
                        buckets[usize::from(t.bucket - lo)].post(d.term(t), t.node, id, t.score);
                    }
                    let start = d.surfaces.partition_point(|t| t.0 < lo);
                    for (b, surface, stem) in &d.surfaces[start..] {
                        if usize::from(*b) >= hi {
                            break;
                        }
                        index::add_surface(
                            &mut buckets[usize::from(b - lo)].surfaces,
                            surface,
                            stem,
                        );
                    }
                }
            });
        self.postings += docs.iter().map(|d| d.terms.len()).sum::<usize>();
    }

    /// How many shards the postings call for ([`index::shard_count`]).
    pub fn shards(&self) -> usize {
        index::shard_count(self.postings).min(self.buckets.len())
    }

    /// Shard `s`'s script, when there are [`Inverted::shards`] shards: the union of a run of
    /// buckets, whose terms are disjoint (a term has one bucket).
    pub fn shard_file(&self, s: usize) -> OutputFile {
        let per = self.buckets.len() / self.shards();
        let buckets = &self.buckets[s * per..(s + 1) * per];
        let mut terms: Vec<(&str, &str)> = buckets
            .iter()
            .flat_map(|b| b.terms.iter().map(|p| (&*p.term, p.list.as_str())))
            .collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut surfaces: Vec<(&str, &str)> = buckets
            .iter()
            .flat_map(|b| b.surfaces.iter().map(|(k, (v, _))| (&**k, &**v)))
            .collect();
        surfaces.sort_unstable();
        index::shard_script(s, &terms, &surfaces)
    }
}
