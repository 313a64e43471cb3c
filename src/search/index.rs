//! Assembly: turns the per-page [`PageDoc`]s into the files `search.js` loads, each a classic
//! script calling a registration function (so one code path works over http and from file://):
//!
//! - `search/index.js`: `qunceSearch.manifest({...})`, the shard count, kinds and each
//!   document's kind (one character per page), loaded when search is first focused;
//! - `search/s<N>.js`: `qunceSearch.shard(N, terms, surfaces)`, the terms whose first character
//!   hashes into shard N, each with its postings; loaded only when a query needs that shard;
//! - `search/f/<doc>.js`: `qunceSearch.frag(doc, card)`, a page's result card, loaded only for
//!   the results on screen.
//!
//! Postings are a string: per page, the gap to the previous page id as a base-32 varint (the
//! last digit in `0`–`v`, earlier digits in `w`–`_`), then one character of score (0–63). Ids
//! ascend, so gaps are small and a posting is usually two characters.

use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{BUCKETS, PageDoc};
use crate::render::OutputFile;
use crate::site::Site;

/// The 64 characters of the postings encoding; none needs escaping in JSON or JS.
pub const ALPHABET: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Bytes a shard should stay around: small enough that a query on a large site fetches little,
/// large enough that a small site has a handful of files.
pub const SHARD_TARGET_BYTES: usize = 16 * 1024;

/// Shard count for an index of `postings` postings: a power of two up to [`BUCKETS`].
pub fn shard_count(postings: usize) -> usize {
    // Two or three bytes per posting once encoded, plus the terms themselves.
    let want = (postings * 4).div_ceil(SHARD_TARGET_BYTES);
    want.next_power_of_two().clamp(1, BUCKETS as usize)
}

/// Appends one posting: the id gap as a varint, then the score.
pub fn push_posting(out: &mut String, gap: u32, score: u8) {
    let mut digits = [0u8; 7];
    let mut n = 0;
    let mut v = gap;
    loop {
        digits[n] = (v & 31) as u8;
        n += 1;
        v >>= 5;
        if v == 0 {
            break;
        }
    }
    for k in (0..n).rev() {
        let d = digits[k] + if k > 0 { 32 } else { 0 };
        out.push(ALPHABET[d as usize] as char);
    }
    out.push(ALPHABET[usize::from(score.min(63))] as char);
}

/// Decodes a postings string into `(page id, score)` (tests; the browser has its own).
pub fn decode_postings(s: &str) -> Vec<(u32, u8)> {
    let value = |c: u8| ALPHABET.iter().position(|&a| a == c).unwrap_or(0) as u32;
    let mut out = Vec::new();
    let (mut prev, mut acc) = (0u32, 0u32);
    let mut bytes = s.bytes();
    while let Some(c) = bytes.next() {
        let d = value(c);
        acc = acc * 32 + (d & 31);
        if d < 32 {
            prev += acc;
            acc = 0;
            let score = bytes.next().map_or(0, value) as u8;
            out.push((prev, score));
        }
    }
    out
}

/// JS string literal (JSON) of `s`.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Builds every file of the index from the pages' documents (`docs[i]` is page `i`).
pub fn assemble(site: &Site, docs: &[PageDoc]) -> Vec<OutputFile> {
    let postings: usize = docs.iter().map(|d| d.terms.len()).sum();
    let shards = shard_count(postings);
    let shift = (BUCKETS as usize / shards).trailing_zeros();

    // Shards are filled in contiguous groups, one group per task: within a group each page's
    // terms are read in order through a cursor, so every page is visited once per shard without
    // a search, and the pages' term lists are read sequentially (a search per page and shard
    // was 17 s of cache misses at 10,000 pages).
    let groups = (rayon::current_num_threads() * 4).clamp(1, shards);
    let per_group = shards.div_ceil(groups);
    let mut files: Vec<OutputFile> = (0..groups)
        .into_par_iter()
        .flat_map_iter(|g| {
            let first = g * per_group;
            let last = ((g + 1) * per_group).min(shards);
            let lo = (first << shift) as u16;
            let mut cursors: Vec<(usize, usize)> = docs
                .iter()
                .map(|d| {
                    (
                        d.terms.partition_point(|t| t.0 < lo),
                        d.surfaces.partition_point(|t| t.0 < lo),
                    )
                })
                .collect();
            (first..last)
                .map(|s| shard_file(docs, s, shift, &mut cursors))
                .collect::<Vec<_>>()
        })
        .collect();

    // Kinds in declaration order; a page's kind is one character (`0` + index).
    let kinds: Vec<(&str, &str)> = site
        .config
        .kinds
        .iter()
        .map(|k| (k.name.as_str(), k.label.as_str()))
        .collect();
    let kind_chars: String = docs
        .iter()
        .map(|d| {
            let k = kinds.iter().position(|(n, _)| *n == d.kind).unwrap_or(0);
            char::from_u32(48 + k as u32).unwrap_or('0')
        })
        .collect();
    let present: Vec<usize> = (0..kinds.len())
        .filter(|&k| docs.iter().any(|d| d.kind == kinds[k].0))
        .collect();
    let manifest = serde_json::json!({
        "v": site.build_id,
        "n": shards,
        "d": docs.len(),
        "k": kinds.iter().map(|(n, l)| [n, l]).collect::<Vec<_>>(),
        "f": present,
        "dk": kind_chars,
    });
    files.push(OutputFile {
        path: "search/index.js".into(),
        bytes: format!("qunceSearch.manifest({manifest});\n").into_bytes(),
    });
    files.par_extend(docs.par_iter().enumerate().map(|(i, d)| OutputFile {
        path: format!("search/f/{i}.js"),
        bytes: format!("qunceSearch.frag({i},{});\n", d.fragment).into_bytes(),
    }));
    files
}

/// One shard's script: its terms with postings, and its English surface forms. `cursors` is,
/// per page, where its terms and surfaces of this shard start; it is left at the next shard's.
fn shard_file<'a>(
    docs: &'a [PageDoc],
    s: usize,
    shift: u32,
    cursors: &mut [(usize, usize)],
) -> OutputFile {
    let hi = ((s + 1) << shift) as u32;
    let in_range = |b: u16| u32::from(b) < hi;
    let mut terms: FxHashMap<&'a str, (u32, String)> = FxHashMap::default();
    let mut surfaces: FxHashMap<&'a str, &'a str> = FxHashMap::default();
    for (id, (d, cur)) in docs.iter().zip(cursors.iter_mut()).enumerate() {
        let id = id as u32;
        while let Some((b, term, score)) = d.terms.get(cur.0)
            && in_range(*b)
        {
            let (prev, list) = terms.entry(term.as_str()).or_insert((0, String::new()));
            push_posting(list, id - *prev, *score);
            *prev = id;
            cur.0 += 1;
        }
        while let Some((b, surface, stem)) = d.surfaces.get(cur.1)
            && in_range(*b)
        {
            surfaces.entry(surface.as_str()).or_insert(stem.as_str());
            cur.1 += 1;
        }
    }
    let mut keys: Vec<&&str> = terms.keys().collect();
    keys.sort_unstable();
    let mut out = String::with_capacity(keys.len() * 16);
    let _ = write!(out, "qunceSearch.shard({s},{{");
    for (n, k) in keys.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&js(k));
        out.push_str(":\"");
        out.push_str(&terms[**k].1);
        out.push('"');
    }
    out.push_str("},{");
    let mut sk: Vec<(&&str, &&str)> = surfaces.iter().collect();
    sk.sort_unstable();
    for (n, (k, v)) in sk.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:{}", js(k), js(v));
    }
    out.push_str("});\n");
    OutputFile {
        path: format!("search/s{s}.js"),
        bytes: out.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let mut s = String::new();
        let ids = [0u32, 1, 31, 32, 1000, 40_000];
        let mut prev = 0;
        for (k, &id) in ids.iter().enumerate() {
            push_posting(&mut s, id - prev, k as u8 * 10);
            prev = id;
        }
        assert_eq!(&s[..4], "001a");
        assert_eq!(
            decode_postings(&s),
            vec![
                (0, 0),
                (1, 10),
                (31, 20),
                (32, 30),
                (1000, 40),
                (40_000, 50)
            ]
        );
    }

    #[test]
    fn shard_count_grows_with_the_index_in_powers_of_two() {
        assert_eq!(shard_count(0), 1);
        assert_eq!(shard_count(4_000), 1);
        assert_eq!(shard_count(20_000), 8);
        assert_eq!(shard_count(100_000_000), 1024);
        assert!(shard_count(5_000_000).is_power_of_two());
    }
}
