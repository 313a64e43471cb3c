//! What the segmenter counts as Chinese. `crate::text` has the same two functions for the
//! rest of qunce (word counts, the UI); this fenced copy keeps `search::text` free of qunce
//! modules, and a test in `search` checks that the two agree on every character.

/// Chinese, Japanese kanji and their extensions: the characters segmentation is about.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether the character at byte `i` of valid UTF-8 `bytes` (a character boundary) is one of
/// U+4000–U+9FFF but U+4DC0–U+4DFF, told by its first two bytes without decoding: most
/// Chinese text, all of it [`is_cjk`].
pub(crate) fn common_cjk(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    (0xE5..=0xE9).contains(&b) || (b == 0xE4 && bytes.get(i + 1) != Some(&0xB7))
}
