//! Assembly: turns the per-page [`PageDoc`]s into the files `search.js` loads (their format
//! is [`super::format`]'s): the inverted index by shard, the manifest, the cards and the
//! suggestion files.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::PageDoc;
use super::format::{self, BUCKETS, Manifest, card_script, push_posting, shard_script};
use crate::output::OutputFile;
use crate::site::Site;

/// Bytes a shard should stay around: small enough that a query on a large site fetches little,
/// large enough that a small site has a handful of files.
pub(crate) const SHARD_TARGET_BYTES: usize = 16 * 1024;

/// Shard count for an index of `postings` postings: a power of two up to [`BUCKETS`].
pub(crate) fn shard_count(postings: usize) -> usize {
    // Two or three bytes per posting once encoded, plus the terms themselves.
    let want = (postings * 4).div_ceil(SHARD_TARGET_BYTES);
    want.next_power_of_two().clamp(1, BUCKETS as usize)
}

/// A shard's terms: term → postings `(page id, score)`, ids ascending.
pub(crate) type TermMap = FxHashMap<Box<str>, Vec<(u32, u8)>>;
/// A shard's English surface forms: surface → (stem, number of pages that have it).
pub(crate) type SurfaceMap = FxHashMap<Box<str>, (Box<str>, u32)>;

/// The inverted index by shard, the form both a full assembly and [`super::Live`]'s patches
/// serialise from, so the two cannot disagree on a byte.
#[derive(Debug, Default, Clone)]
pub(crate) struct Index {
    /// Number of shards (a power of two, see [`shard_count`]).
    pub(crate) shards: usize,
    /// A bucket's shard is `bucket >> shift`.
    pub(crate) shift: u32,
    /// Postings in all shards, which decides `shards`.
    pub(crate) postings: usize,
    /// Per shard.
    pub(crate) terms: Vec<TermMap>,
    /// Per shard.
    pub(crate) surfaces: Vec<SurfaceMap>,
}

impl Index {
    /// Inverts the pages' documents (`docs[i]` is page `i`) into the number of shards their
    /// postings call for ([`shard_count`]): by bucket first, then each shard the union of a run
    /// of buckets, whose terms are disjoint (a term has one bucket).
    pub(crate) fn build(docs: &[PageDoc]) -> Index {
        let mut buckets: Vec<(TermMap, SurfaceMap)> =
            (0..BUCKETS).map(|_| Default::default()).collect();
        super::invert::by_bucket(
            &mut buckets,
            0,
            docs,
            |(terms, _), d, t, id| add_posting(terms, d.term(t), id, t.score),
            |(_, surfaces), surface, stem| add_surface(surfaces, surface, stem),
        );
        let postings = docs.iter().map(|d| d.terms.len()).sum();
        let shards = shard_count(postings);
        let per = BUCKETS as usize / shards;
        let mut index = Index {
            shards,
            shift: per.trailing_zeros(),
            postings,
            terms: vec![TermMap::default(); shards],
            surfaces: vec![SurfaceMap::default(); shards],
        };
        for (b, (terms, surfaces)) in buckets.into_iter().enumerate() {
            index.terms[b / per].extend(terms);
            index.surfaces[b / per].extend(surfaces);
        }
        index
    }

    /// The shard of a bucket.
    pub(crate) fn shard_of(&self, bucket: u16) -> usize {
        usize::from(bucket) >> self.shift
    }

    /// Shard `s`'s script: its terms with postings, and its English surface forms, both sorted.
    pub(crate) fn shard_file(&self, s: usize) -> OutputFile {
        let map = &self.terms[s];
        let mut keys: Vec<&str> = map.keys().map(|k| &**k).collect();
        keys.sort_unstable();
        // Every term's postings encoded into one buffer, then cut into the pairs.
        let mut encoded = String::with_capacity(keys.len() * 8);
        let mut ends = Vec::with_capacity(keys.len());
        for k in &keys {
            let mut prev = 0;
            for &(id, score) in &map[*k] {
                push_posting(&mut encoded, id - prev, score);
                prev = id;
            }
            ends.push(encoded.len());
        }
        let terms: Vec<(&str, &str)> = keys
            .iter()
            .zip(&ends)
            .scan(0, |start, (k, &end)| {
                let list = &encoded[*start..end];
                *start = end;
                Some((*k, list))
            })
            .collect();
        let mut surfaces: Vec<(&str, &str)> = self.surfaces[s]
            .iter()
            .map(|(k, (v, _))| (&**k, &**v))
            .collect();
        surfaces.sort_unstable();
        shard_script(s, &terms, &surfaces)
    }

    /// Every shard's script, in parallel.
    pub(crate) fn shard_files(&self) -> Vec<OutputFile> {
        (0..self.shards)
            .into_par_iter()
            .map(|s| self.shard_file(s))
            .collect()
    }
}

/// Adds page `id`'s posting for `term`; ids must come in ascending order per term.
pub(crate) fn add_posting(map: &mut TermMap, term: &str, id: u32, score: u8) {
    match map.get_mut(term) {
        Some(list) => list.push((id, score)),
        None => {
            map.insert(term.into(), vec![(id, score)]);
        }
    }
}

/// Counts one more page with `surface`. A surface always has the same stem (one stemmer), so
/// the first one stands.
pub(crate) fn add_surface(map: &mut SurfaceMap, surface: &str, stem: &str) {
    match map.get_mut(surface) {
        Some((_, n)) => *n += 1,
        None => {
            map.insert(surface.into(), (stem.into(), 1));
        }
    }
}

/// The manifest script: shard count, kinds, and each document's kind.
pub(crate) fn manifest_file(site: &Site, docs: &[PageDoc], shards: usize) -> OutputFile {
    let kinds: Vec<&str> = docs.iter().map(|d| d.kind.as_str()).collect();
    manifest_of_kinds(site, &kinds, shards)
}

/// [`manifest_file`] from each page's kind alone ([`PageDoc::kind`]), for a build that has
/// dropped the documents by the time it knows the shard count.
pub(crate) fn manifest_of_kinds(site: &Site, page_kinds: &[&str], shards: usize) -> OutputFile {
    // Kinds in declaration order; a page's kind is one character (`0` + index).
    let kinds: Vec<(&str, &str)> = site
        .config
        .kinds
        .iter()
        .map(|k| (k.name.as_str(), k.label.as_str()))
        .collect();
    let kind_chars: String = page_kinds
        .iter()
        .map(|d| {
            let k = kinds.iter().position(|(n, _)| n == d).unwrap_or(0);
            char::from_u32(48 + k as u32).unwrap_or('0')
        })
        .collect();
    let present: Vec<usize> = (0..kinds.len())
        .filter(|&k| page_kinds.iter().any(|d| *d == kinds[k].0))
        .collect();
    format::manifest_script(&Manifest {
        d: page_kinds.len(),
        dk: kind_chars,
        f: present,
        k: kinds.iter().map(|&(n, l)| [n, l]).collect(),
        n: shards,
        top: super::suggest::most_linked(site),
        v: &site.build_id,
    })
}

/// Page `i`'s result card script.
pub(crate) fn card_file(i: usize, doc: &PageDoc) -> OutputFile {
    card_script(i, doc.fragment.clone())
}

/// Builds every file of the index from the pages' documents (`docs[i]` is page `i`).
pub(crate) fn assemble(site: &Site, docs: &[PageDoc]) -> Vec<OutputFile> {
    let index = Index::build(docs);
    let mut files = index.shard_files();
    files.push(manifest_file(site, docs, index.shards));
    files.extend(super::suggest::files(site));
    files.par_extend(docs.par_iter().enumerate().map(|(i, d)| card_file(i, d)));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_count_grows_with_the_index_in_powers_of_two() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(4_000), 1);
        assert_eq!(shard_count(20_000), 8);
        assert_eq!(shard_count(100_000_000), 1024);
        assert!(shard_count(5_000_000).is_power_of_two());
    }
}
