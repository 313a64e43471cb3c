//! The search index's format: every file the build writes under `search/` and exactly what
//! `search.js` (themes/handbook/static/search.js) parses in it. One place, so the writer and
//! the reader have one thing to agree on; docs/search-index.md describes the same for people.
//!
//! Each file is a classic script calling a registration function of `window.qunceSearch`, so
//! one code path works over http and from file://:
//!
//! - `search/index.js`: `qunceSearch.manifest(M)`, the `Manifest`;
//! - `search/s<N>.js`: `qunceSearch.shard(N, terms, surfaces)` (`shard_script`): the terms
//!   whose [`bucket`] falls in shard N with their postings, and English word forms → stems;
//! - `search/f/<i>.js`: `qunceSearch.frag(i, card)` (`card_script`): page `i`'s `Card`;
//! - `search/n/<L>.js`: `qunceSearch.names(L, [[name, page, readings…]…])` (`names_script`);
//! - `search/py.js`: `qunceSearch.py({syllable: characters})` (`pinyin_script`).
//!
//! Postings are a string: per page, the gap to the previous page id as a base-32 varint (the
//! last digit in `0`–`v`, earlier digits in `w`–`_`), then one character of score (0–63). Ids
//! ascend, so gaps are small and a posting is usually two characters.

use serde::Serialize;

use crate::output::OutputFile;

pub(crate) use super::text::BUCKETS;
pub use super::text::bucket;

/// Where the manifest goes; `search.js` loads it first.
pub(crate) const MANIFEST_PATH: &str = "search/index.js";

/// Where the pinyin table of "did you mean" goes.
pub(crate) const PINYIN_PATH: &str = "search/py.js";

/// Where shard `s` goes.
pub(crate) fn shard_path(s: usize) -> String {
    format!("search/s{s}.js")
}

/// Where page `i`'s result card goes.
pub(crate) fn card_path(i: usize) -> String {
    format!("search/f/{i}.js")
}

/// Where the names of `len` characters go.
pub(crate) fn names_path(len: usize) -> String {
    format!("search/n/{len}.js")
}

/// What `search.js` learns first: its fields, one letter or two, in the order serde_json
/// writes a map's keys (sorted), which is the order the manifest always had.
#[derive(Serialize)]
pub(crate) struct Manifest<'a> {
    /// Number of pages (documents); page ids are `0..d`.
    pub(crate) d: usize,
    /// Each page's kind, one character a page: `'0'` + the kind's index in `k`.
    pub(crate) dk: String,
    /// The indexes in `k` of the kinds some page has: the kind filter's choices.
    pub(crate) f: Vec<usize>,
    /// Every kind as `[name, label]`, in declaration order.
    pub(crate) k: Vec<[&'a str; 2]>,
    /// Number of shards, a power of two up to [`BUCKETS`].
    pub(crate) n: usize,
    /// The most linked pages, most first: what an empty result offers.
    pub(crate) top: Vec<usize>,
    /// The build's id, which also versions the script URLs (`?v=`).
    pub(crate) v: &'a str,
}

/// The manifest script.
pub(crate) fn manifest_script(m: &Manifest<'_>) -> OutputFile {
    let json = serde_json::to_string(m).unwrap_or_else(|_| "{}".to_string());
    OutputFile {
        path: MANIFEST_PATH.into(),
        bytes: format!("qunceSearch.manifest({json});\n").into_bytes(),
    }
}

/// The 64 characters of the postings encoding; none needs escaping in JSON or JS.
pub(crate) const ALPHABET: &[u8; 64] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Appends one posting: the id gap as a varint, then the score.
pub(crate) fn push_posting(out: &mut String, gap: u32, score: u8) {
    let (bytes, at) = posting(gap, score);
    out.extend(bytes[at..].iter().map(|&b| char::from(b)));
}

/// [`push_posting`] to bytes: the streamed index keeps its postings lists as bytes, where a
/// `String` took a check and an encoding step per character, a third of inverting.
pub(crate) fn push_posting_bytes(out: &mut Vec<u8>, gap: u32, score: u8) {
    let score = ALPHABET[usize::from(score.min(63))];
    // Most gaps take one digit or two: copied as arrays of a known length, not as a slice.
    if gap < 32 {
        out.extend_from_slice(&[ALPHABET[gap as usize], score]);
    } else if gap < 32 * 32 {
        let (high, low) = (32 + (gap >> 5) as usize, (gap & 31) as usize);
        out.extend_from_slice(&[ALPHABET[high], ALPHABET[low], score]);
    } else {
        let (bytes, at) = posting(gap, 0);
        out.extend_from_slice(&bytes[at..7]);
        out.push(score);
    }
}

/// One posting's characters, in `bytes[at..]`: the gap's base-32 digits, most significant
/// first and all but the last from the upper half of [`ALPHABET`], then the score.
fn posting(gap: u32, score: u8) -> ([u8; 8], usize) {
    let mut bytes = [0u8; 8];
    bytes[7] = ALPHABET[usize::from(score.min(63))];
    bytes[6] = ALPHABET[(gap & 31) as usize];
    let mut at = 6;
    let mut v = gap >> 5;
    while v != 0 {
        at -= 1;
        bytes[at] = ALPHABET[(32 + (v & 31)) as usize];
        v >>= 5;
    }
    (bytes, at)
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

/// Whether `s` has a byte JSON escapes (quote, backslash, control character). A fold without
/// an early exit, so it runs over whole vectors of bytes: card texts are kilobytes a page.
fn needs_escape(s: &str) -> bool {
    s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// The JSON string (a JS string literal) of `s`, exactly as serde_json writes it. Terms are
/// words and cards are prose, so escaping is rarely needed; when it is, serde_json does it (it
/// escapes only quotes, backslashes and control characters).
pub(crate) fn push_json(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s) {
        if serde_json::to_writer(&mut *out, s).is_err() {
            out.extend_from_slice(b"\"\"");
        }
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Shard `s`'s script from its terms with their encoded postings and its surface forms
/// (surface, stem), both sorted: the one writer of both the full and the streamed index.
pub(crate) fn shard_script(
    s: usize,
    terms: &[(&str, &str)],
    surfaces: &[(&str, &str)],
) -> OutputFile {
    let bytes: usize = terms.iter().map(|(t, l)| t.len() + l.len() + 6).sum();
    let mut out = Vec::with_capacity(bytes + surfaces.len() * 24 + 64);
    out.extend_from_slice(format!("qunceSearch.shard({s},{{").as_bytes());
    for (n, (term, list)) in terms.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_json(&mut out, term);
        out.extend_from_slice(b":\"");
        out.extend_from_slice(list.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b"},{");
    for (n, (k, v)) in surfaces.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_json(&mut out, k);
        out.push(b':');
        push_json(&mut out, v);
    }
    out.extend_from_slice(b"});\n");
    OutputFile {
        path: shard_path(s),
        bytes: out,
    }
}

/// Page `i`'s result card script, made of the card ([`Card::write`]) in its own buffer: a
/// streamed build has no further use for it, and copying 4 KiB a page was a needless
/// allocation.
pub(crate) fn card_script(i: usize, fragment: Vec<u8>) -> OutputFile {
    let mut out = fragment;
    let head = format!("qunceSearch.frag({i},");
    out.splice(0..0, head.bytes());
    out.extend_from_slice(b");\n");
    OutputFile {
        path: card_path(i),
        bytes: out,
    }
}

/// A page's result card as `search.js` reads it, written from borrowed strings by
/// [`Card::write`]; the fields are in the alphabetical order the cards always had. The serde
/// derive, in tests only, is the reference the writer is checked against.
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct Card<'a> {
    /// Aliases.
    pub(crate) a: &'a [String],
    /// Sections: anchor, heading, text (cut to [`super::SECTION_CHARS`]).
    pub(crate) h: Vec<(&'a str, &'a str, &'a str)>,
    /// Kind label.
    pub(crate) k: &'a str,
    /// Title.
    pub(crate) t: &'a str,
    /// URL.
    pub(crate) u: &'a str,
}

impl Card<'_> {
    /// The card as JSON, byte for byte what serde_json makes of it (the derive is the tests'
    /// reference), with the strings written by [`push_json`]: serde_json's escaping
    /// looks at every byte one at a time, a tenth of extraction's instructions on Chinese text.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"a\":[");
        for (n, a) in self.a.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            push_json(out, a);
        }
        out.extend_from_slice(b"],\"h\":[");
        for (n, (id, title, text)) in self.h.iter().enumerate() {
            out.extend_from_slice(if n > 0 { b",[" } else { b"[" });
            push_json(out, id);
            out.push(b',');
            push_json(out, title);
            out.push(b',');
            push_json(out, text);
            out.push(b']');
        }
        out.extend_from_slice(b"],\"k\":");
        push_json(out, self.k);
        out.extend_from_slice(b",\"t\":");
        push_json(out, self.t);
        out.extend_from_slice(b",\"u\":");
        push_json(out, self.u);
        out.push(b'}');
    }
}

/// The start of the names file of `len` characters; [`names_entry`] appends to it and
/// [`names_script`] closes it.
pub(crate) fn names_start(len: usize) -> Vec<u8> {
    format!("qunceSearch.names({len},[").into_bytes()
}

/// Appends one name (a title or alias of page `page`) with the toneless pinyin `readings` of
/// its Chinese characters.
pub(crate) fn names_entry(out: &mut Vec<u8>, name: &str, page: usize, readings: &[String]) {
    if !out.ends_with(b"[") {
        out.push(b',');
    }
    out.push(b'[');
    push_json(out, name);
    out.extend_from_slice(format!(",{page}").as_bytes());
    for r in readings {
        out.push(b',');
        push_json(out, r);
    }
    out.push(b']');
}

/// The names file of `len` characters, from [`names_start`] and its entries.
pub(crate) fn names_script(len: usize, mut bytes: Vec<u8>) -> OutputFile {
    bytes.extend_from_slice(b"]);\n");
    OutputFile {
        path: names_path(len),
        bytes,
    }
}

/// The pinyin table: characters by toneless syllable, syllables sorted.
pub(crate) fn pinyin_script<'a>(
    by_syllable: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> OutputFile {
    let mut bytes = b"qunceSearch.py({".to_vec();
    for (k, (syl, cs)) in by_syllable.into_iter().enumerate() {
        if k > 0 {
            bytes.push(b',');
        }
        push_json(&mut bytes, syl);
        bytes.push(b':');
        push_json(&mut bytes, cs);
    }
    bytes.extend_from_slice(b"});\n");
    OutputFile {
        path: PINYIN_PATH.into(),
        bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_as_bytes_equal_postings_as_text() {
        for gap in [0u32, 1, 31, 32, 1023, 1024, 40_000, u32::MAX] {
            for score in [0u8, 9, 63, 200] {
                let (mut text, mut bytes) = (String::new(), Vec::new());
                push_posting(&mut text, gap, score);
                push_posting_bytes(&mut bytes, gap, score);
                assert_eq!(text.as_bytes(), bytes, "{gap} {score}");
                assert_eq!(decode_postings(&text), [(gap, score.min(63))]);
            }
        }
    }

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
}
