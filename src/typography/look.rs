//! The cheap test that spares most text the rule set: [`needs_look`], read on UTF-8 bytes.
//!
//! It runs over the text of every page of a Chinese site, so it never decodes a character it
//! does not have to: the triggers are ASCII, and a Chinese character is told by its first two
//! bytes (three for the few of extension B–F near their end).

/// Whether `text` has Chinese next to an ASCII letter, digit, punctuation mark or straight
/// quote, or a doubled full-width mark: the only places a rule can change anything.
pub(super) fn needs_look(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    // What the character before `i` was: Chinese, a trigger, or which doubled-able mark.
    let (mut prev_han, mut prev_trigger, mut prev_mark) = (false, false, 0u32);
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            let trigger = is_trigger(x);
            if trigger && prev_han {
                return true;
            }
            i += 1;
            // The rest of an ASCII run matters only by its last byte: skip it eight at a time.
            while let Some(block) = b.get(i..i + 8) {
                let w = u64::from_le_bytes(block.try_into().unwrap_or([0x80; 8]));
                if w & 0x8080_8080_8080_8080 != 0 {
                    break;
                }
                i += 8;
            }
            while i < b.len() && b[i] < 0x80 {
                i += 1;
            }
            (prev_han, prev_trigger, prev_mark) = (false, is_trigger(b[i - 1]), 0);
            continue;
        }
        if (0xE5..=0xE9).contains(&x) || (x == 0xE4 && b[i + 1] != 0xB7) {
            // Most of a Chinese page: a run of U+4E00–U+9FFF (and U+4000–U+4DBF), all Chinese,
            // that only its first character can join to a trigger.
            if prev_trigger {
                return true;
            }
            i += 3;
            while let Some(&y) = b.get(i) {
                if (0xE5..=0xE9).contains(&y) || (y == 0xE4 && b[i + 1] != 0xB7) {
                    i += 3;
                } else {
                    break;
                }
            }
            (prev_han, prev_trigger, prev_mark) = (true, false, 0);
            continue;
        }
        let len = match x {
            ..0xE0 => 2,
            ..0xF0 => 3,
            _ => 4,
        };
        let han = is_han_at(b, i);
        if han && prev_trigger {
            return true;
        }
        let mark = if len == 3 { doubled_mark(b, i) } else { 0 };
        if mark != 0 && mark == prev_mark {
            return true;
        }
        (prev_han, prev_trigger, prev_mark) = (han, false, mark);
        i += len;
    }
    false
}

/// The ASCII characters a rule acts on next to Chinese.
fn is_trigger(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b',' | b'.' | b':' | b';' | b'!' | b'?' | b'(' | b')' | b'"' | b'\''
        )
}

/// Whether the character starting at byte `i` (a boundary of valid UTF-8) is Chinese: the
/// unified ideographs and their extensions A–F, U+3400–U+4DBF, U+4E00–U+9FFF, U+F900–U+FAFF
/// and U+20000–U+2FA1F, as `super::is_han` says of a `char`.
fn is_han_at(b: &[u8], i: usize) -> bool {
    match b[i] {
        // U+3400 is E3 90 80.
        0xE3 => b[i + 1] >= 0x90,
        // U+4DC0–U+4DFF (E4 B7 xx) are the hexagram symbols.
        0xE4 => b[i + 1] != 0xB7,
        0xE5..=0xE9 => true,
        0xEF => (0xA4..=0xAB).contains(&b[i + 1]),
        // U+20000 is F0 A0 80 80; U+2FA1F is F0 AF A8 9F.
        0xF0 => match b[i + 1] {
            0xA0..=0xAE => true,
            0xAF => b[i + 2] < 0xA8 || (b[i + 2] == 0xA8 && b[i + 3] <= 0x9F),
            _ => false,
        },
        _ => false,
    }
}

/// The three bytes of the three-byte character at `i` when it is a full-width mark whose
/// doubling is a fix (`！？。，；：`), else 0.
fn doubled_mark(b: &[u8], i: usize) -> u32 {
    let code = u32::from(b[i]) << 16 | u32::from(b[i + 1]) << 8 | u32::from(b[i + 2]);
    match code {
        // ！ ？ ， ； ： and 。
        0xEF_BC_81 | 0xEF_BC_9F | 0xEF_BC_8C | 0xEF_BC_9B | 0xEF_BC_9A | 0xE3_80_82 => code,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition the byte test replaced, character by character.
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
            let (ph, ch) = (super::super::is_han(p), super::super::is_han(c));
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
    fn agrees_with_the_character_rule() {
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
                    assert_eq!(needs_look(&text), by_chars(&text), "{text:?}");
                    let text = format!("{c}{a}{b}");
                    assert_eq!(needs_look(&text), by_chars(&text), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn han_by_bytes_is_han_by_char() {
        let mut buf = [0u8; 4];
        for c in (0x3000..=0xFFFF)
            .chain(0x1F000..=0x30000)
            .filter_map(char::from_u32)
        {
            let b = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(is_han_at(b, 0), super::super::is_han(c), "{c:?}");
        }
    }
}
