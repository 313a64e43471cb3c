use super::*;

/// [`count_words`] character by character.
fn words_by_chars(text: &str) -> usize {
    let mut n = 0;
    let mut in_word = false;
    for c in text.chars() {
        let word_char = !is_cjk(c) && !is_cjk_punctuation(c) && c.is_alphanumeric();
        n += usize::from(is_cjk(c) || (word_char && !in_word));
        in_word = word_char;
    }
    n
}

#[test]
fn word_counts() {
    assert_eq!(count_words("开营 ok go"), 4);
    // The byte-level shortcut against the plain per-character count, around every edge of
    // the ranges it and `is_cjk` cover.
    let plain = words_by_chars;
    for text in [
        "\u{33FF}\u{3400}\u{4DBF}\u{4DC0}\u{4DFF}\u{4E00}\u{4FFF}\u{5000}\u{9FFF}\u{A000}",
        "x\u{5000}y\u{9FFF}z é\u{E9}ñ3 \u{20000}\u{2FA1F}\u{F900}ab，cd。e",
        "值月生 Rituals ritual 3.5 T恤 ＡＢＣ １２３ ——“开营”",
        "The host welcomes the friendly backlog every sprint, 9to5 @[`{/:z0ZaA9 x",
        "a\u{7f}b/c:d@e[f`g{h9i0jZkAlz.When the streak slows down, 班长 nudges",
        "abcdefgh ijklmnop qrstuvwx yz012345 6789ABCD EFGHIJKL MNOPQRST UVWXYZ!!",
        // Symbols inside and at the ends of a run of Chinese characters.
        "开\u{4DC0}x\u{4DFF}营y\u{4DC0}\u{4E00}\u{4DFF}开营\u{4DC0}a\u{4DBF}b\u{4000}",
    ] {
        // Every suffix, so the eight-byte blocks start at every offset.
        for (at, _) in text.char_indices() {
            assert_eq!(
                count_words(&text[at..]),
                plain(&text[at..]),
                "{}",
                &text[at..]
            );
        }
    }
    // Every character of the blocks the punctuation shortcut reads, between letters and
    // side by side.
    let wide = || {
        (0x2000..0x2030)
            .chain(0x3000..0x3040)
            .chain(0xFF00..0xFF40)
            .filter_map(char::from_u32)
    };
    let spaced: String = wide().flat_map(|c| [c, 'a']).collect();
    let packed: String = wide().collect();
    for text in [spaced, packed] {
        assert_eq!(count_words(&text), plain(&text), "{text}");
    }
    assert_eq!(count_words("开营，ok。go·x（y）"), 6);
}

/// [`Census::mixed`] as the typography lint defines it, character by character.
fn by_chars(text: &str) -> bool {
    let trigger = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                ',' | '.' | ':' | ';' | '!' | '?' | '(' | ')' | '"' | '\''
            )
    };
    let mut chars = text.chars();
    let Some(mut p) = chars.next() else {
        return false;
    };
    for c in chars {
        let (ph, ch) = (is_cjk(p), is_cjk(c));
        if (ph && trigger(c)) || (trigger(p) && ch) {
            return true;
        }
        if p == c && matches!(c, '！' | '？' | '。' | '，' | '；' | '：') {
            return true;
        }
        p = c;
    }
    false
}

#[test]
fn mixed_agrees_with_the_character_rule() {
    // Every boundary character class, next to every other, at both ends of ASCII runs
    // longer and shorter than a block of eight.
    let pieces = [
        "中",
        "㐀",
        "䶿",
        "䷀",
        "䷿",
        "一",
        "鿿",
        "豈",
        "﫿",
        "𠀀",
        "𯨟",
        "𯨠",
        "ꀀ",
        "가",
        "é",
        "！",
        "？",
        "。",
        "，",
        "；",
        "：",
        "、",
        "…",
        "a",
        "Z",
        "7",
        ",",
        ".",
        ":",
        ";",
        "!",
        "?",
        "(",
        ")",
        "\"",
        "'",
        " ",
        "-",
        "\n",
        "abcdefghij",
        "a b c d e f g h",
        "      x",
        "~~~~~~~~~~~",
    ];
    for a in pieces {
        for b in pieces {
            for c in ["", "中", "a", "！", " "] {
                let text = format!("{a}{b}{c}");
                assert_eq!(census(&text).mixed, by_chars(&text), "{text:?}");
                let text = format!("{c}{a}{b}");
                assert_eq!(census(&text).mixed, by_chars(&text), "{text:?}");
            }
        }
    }
}

#[test]
fn mixed_agrees_on_long_texts() {
    // Every piece at every alignment, inside and at the ends of eight-byte ASCII blocks.
    // The pieces after the first 16 are triggers: texts without them are mostly clean.
    let pieces = [
        "中",
        "文",
        "一",
        "䷀",
        "𠀀",
        "𯨠",
        "가",
        "é",
        "！",
        "？",
        "。",
        "，",
        "、",
        "（",
        " ",
        "-",
        "a",
        "Z",
        "7",
        ",",
        ".",
        "(",
        "\"",
        "word",
        "Longer words,",
        "；",
        "：",
        "\n",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (mut flagged, mut clean) = (0, 0);
    for _ in 0..40_000 {
        let len = next(40);
        let kinds = if next(2) == 0 { 16 } else { pieces.len() };
        let text: String = (0..len).map(|_| pieces[next(kinds)]).collect();
        let want = by_chars(&text);
        assert_eq!(census(&text).mixed, want, "{text:?}");
        assert_eq!(census(&text).words, words_by_chars(&text), "{text:?}");
        if want { flagged += 1 } else { clean += 1 }
    }
    // Both answers were tried, many times over.
    assert!(flagged > 1000 && clean > 1000, "{flagged} {clean}");
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("%E7%8F%AD%E9%95%BF.md"), "班长.md");
    assert_eq!(percent_decode("100%"), "100%");
}
