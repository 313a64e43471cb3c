//! Text as the search index cuts it: the segmenter (jieba's dictionary and search mode, with
//! the site's titles as user words; Latin words stemmed), pinyin keys, and the term hash the
//! index is sharded by. Fenced from the rest of qunce: nothing in this folder names a qunce
//! module outside it (only std and crates), so it can be read, tested and changed as a library
//! of its own; `search` hands it strings and gets tokens, keys and hashes back.

mod cjk;
pub(crate) mod dict;
pub(crate) mod memo;
pub(crate) mod pinyin;
pub(crate) mod segment;

#[cfg(test)] // search's tests compare them with the shared ones in crate::text
pub(crate) use cjk::{common_cjk, is_cjk};

/// Number of hash buckets of first characters; shards are contiguous ranges of buckets, so
/// any power-of-two shard count up to this works with the same per-page sort.
pub(crate) const BUCKETS: u32 = 1024;

/// The bucket of a term: a Fibonacci hash of its first two characters (one for a
/// one-character term). Two, not one: the words starting with one common character (班长, 班级,
/// 班委 …) would make one shard far larger than the rest, while every word a query can match at
/// a position starts with the query's two characters there. `search.js` computes the same; the index format
/// (`search::format`, docs/search-index.md) is built on it.
#[inline]
pub fn bucket(term: &str) -> u16 {
    let (c1, rest) = first_char(term);
    let (c2, _) = first_char(rest);
    (c1.wrapping_mul(31)
        .wrapping_add(c2)
        .wrapping_mul(0x9E37_79B1)
        >> 22) as u16
}

/// The first character of `text` as a number (0 when empty) and the rest: a Chinese character
/// of the common planes (three bytes) or an ASCII one decoded from its bytes, as a term's
/// [`bucket`] needs for each of the index's terms.
#[inline(always)]
fn first_char(text: &str) -> (u32, &str) {
    match *text.as_bytes() {
        [a, ..] if a < 0x80 => (u32::from(a), text.get(1..).unwrap_or_default()),
        [a @ 0xE0..=0xEF, b, c, ..] => (
            u32::from(a & 0x0F) << 12 | u32::from(b & 0x3F) << 6 | u32::from(c & 0x3F),
            text.get(3..).unwrap_or_default(),
        ),
        _ => {
            let mut chars = text.chars();
            (chars.next().map_or(0, |c| c as u32), chars.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    /// The bucket as first written, over `chars`: the fast paths must not change it.
    fn reference(term: &str) -> u16 {
        let mut chars = term.chars();
        let c1 = chars.next().map_or(0, |c| c as u32);
        let c2 = chars.next().map_or(0, |c| c as u32);
        (c1.wrapping_mul(31)
            .wrapping_add(c2)
            .wrapping_mul(0x9E37_79B1)
            >> 22) as u16
    }

    #[test]
    fn buckets_equal_the_decoded_characters() {
        for t in [
            "",
            "a",
            "ab",
            "班",
            "班长",
            "a班",
            "班a",
            "é",
            "éa",
            "aé",
            "\u{2A6E0}",
            "\u{2A6E0}班",
            "班\u{2A6E0}",
            "ｋｏ",
            "run",
            "开营仪式",
        ] {
            assert_eq!(super::bucket(t), reference(t), "{t:?}");
        }
    }
}
