use super::*;

#[test]
fn word_counts() {
    assert_eq!(count_words("开营 ok go"), 4);
    // The byte-level shortcut against the plain per-character count, around every edge of
    // the ranges it and `is_cjk` cover.
    let plain = |text: &str| {
        let mut n = 0;
        let mut in_word = false;
        for c in text.chars() {
            let word_char = !is_cjk(c) && !is_cjk_punctuation(c) && c.is_alphanumeric();
            n += usize::from(is_cjk(c) || (word_char && !in_word));
            in_word = word_char;
        }
        n
    };
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
    assert_eq!(count_words("开营，ok。go·x（y）"), 6);
}

#[test]
fn percent_decoding() {
    assert_eq!(percent_decode("%E7%8F%AD%E9%95%BF.md"), "班长.md");
    assert_eq!(percent_decode("100%"), "100%");
}
