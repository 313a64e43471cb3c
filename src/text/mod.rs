//! Text utilities that several stages share and that know nothing of pages: what counts as
//! Chinese, word counts, HTML escaping, percent-decoding, and (in [`slug`]) URL slugs and
//! heading ids. Markdown, links, search, the dev server and the UI tables use them; this module
//! uses none of theirs.

pub(crate) mod slug;
#[cfg(test)]
mod tests;

/// Counts words the way readers of mixed text expect: every CJK character is a word, Latin
/// words are runs of letters and digits.
pub(crate) fn count_words(text: &str) -> usize {
    census(text).words
}

/// What one walk over a text tells: its [`count_words`], and whether Chinese meets ASCII
/// there the way the typography lint looks for ([`Census::mixed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Census {
    /// The number of words.
    pub(crate) words: usize,
    /// Whether a CJK character ([`is_cjk`]) stands next to an ASCII letter, digit or one of
    /// `,.:;!?()"'`, or one of `！？。，；：` is doubled: the only places a typography rule can
    /// change anything. Told in the same walk as the words, as both read every character of
    /// every page and the walk over a Chinese page is cheap only a run of characters at a time.
    pub(crate) mixed: bool,
}

/// Counts the words of `text` and tells whether it is [`Census::mixed`], in one walk.
pub(crate) fn census(text: &str) -> Census {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut in_word = false;
    let mut i = 0;
    // The character before `i`: CJK, an ASCII trigger, or which doubled-able mark (else 0).
    let (mut prev_cjk, mut prev_trigger, mut prev_mark) = (false, false, 0u32);
    let mut mixed = false;
    while i < bytes.len() {
        // Lead bytes E4–E9 start U+4000–U+9FFF, all [`common_cjk`] but U+4DC0–U+4DFF: most
        // Chinese text, counted a run at a time without decoding (valid UTF-8: two bytes
        // follow each lead). Tested first, in a loop of a few instructions a character:
        // Chinese characters are most of a typical page's characters.
        if (0xE4..=0xE9).contains(&bytes[i]) {
            mixed |= prev_trigger && common_cjk(bytes, i);
            let mut last = i;
            // Four characters a step while all four are CJK (decided without a branch each).
            while let Some(&[a, a1, _, b, b1, _, c, c1, _, d, d1, _]) = bytes.get(i..i + 12) {
                let cjk = |lead: u8, next: u8| {
                    (0xE5..=0xE9).contains(&lead) | (lead == 0xE4) & (next != 0xB7)
                };
                if !(cjk(a, a1) & cjk(b, b1) & cjk(c, c1) & cjk(d, d1)) {
                    break;
                }
                n += 4;
                last = i + 9;
                i += 12;
            }
            while bytes.get(i).is_some_and(|b| (0xE4..=0xE9).contains(b)) {
                n += usize::from(common_cjk(bytes, i));
                last = i;
                i += 3;
            }
            // U+4DC0–U+4DFF are symbols, neither CJK nor alphanumeric: they end a word too.
            in_word = false;
            (prev_cjk, prev_trigger, prev_mark) = (common_cjk(bytes, last), false, 0);
            continue;
        }
        // Eight ASCII bytes at once: English text is a third of a typical page's bytes.
        if let Some(block) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(block.try_into().unwrap_or_default());
            if w & HIGH == 0 {
                mixed |= prev_cjk && is_trigger(bytes[i]);
                let alnum = ascii_alnum(w);
                let before = alnum << 8 | u64::from(in_word) << 7;
                n += (alnum & !before).count_ones() as usize;
                in_word = alnum >> 63 != 0;
                (prev_cjk, prev_trigger, prev_mark) = (false, is_trigger(bytes[i + 7]), 0);
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        // The full-width punctuation of Chinese text, told by its bytes: a tenth of a Chinese
        // page's characters, none of them alphanumeric or CJK.
        if b >= 0xE0 && is_wide_punctuation(b, bytes[i + 1], bytes[i + 2]) {
            let mark = doubled_mark(b, bytes[i + 1], bytes[i + 2]);
            mixed |= mark != 0 && mark == prev_mark;
            in_word = false;
            (prev_cjk, prev_trigger, prev_mark) = (false, false, mark);
            i += 3;
            continue;
        }
        // ASCII first: most characters of mixed text, and `is_alphanumeric` on non-ASCII
        // goes through Unicode tables.
        if b < 0x80 {
            let trigger = is_trigger(b);
            mixed |= prev_cjk && trigger;
            // Without branches: word boundaries in English text are too frequent to predict.
            let alnum = b.is_ascii_alphanumeric();
            n += usize::from(alnum & !in_word);
            in_word = alnum;
            (prev_cjk, prev_trigger, prev_mark) = (false, trigger, 0);
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        i += c.len_utf8().max(1);
        let cjk = is_cjk(c);
        mixed |= cjk && prev_trigger;
        (prev_cjk, prev_trigger, prev_mark) = (cjk, false, 0);
        if cjk {
            n += 1;
            in_word = false;
        } else if is_cjk_punctuation(c) {
            // Common in Chinese text, and never alphanumeric: spares the Unicode tables.
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                n += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    Census { words: n, mixed }
}

/// The ASCII characters a typography rule acts on next to Chinese.
fn is_trigger(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b',' | b'.' | b':' | b';' | b'!' | b'?' | b'(' | b')' | b'"' | b'\''
        )
}

/// The bytes of a full-width mark whose doubling the typography lint fixes (`！？。，；：`),
/// else 0.
fn doubled_mark(b0: u8, b1: u8, b2: u8) -> u32 {
    let code = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
    match code {
        // ！ ？ ， ； ： and 。
        0xEF_BC_81 | 0xEF_BC_9F | 0xEF_BC_8C | 0xEF_BC_9B | 0xEF_BC_9A | 0xE3_80_82 => code,
        _ => 0,
    }
}

/// The high bit of each byte of a `u64`.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// For eight ASCII bytes, the high bit of each byte that is a letter or digit (SWAR: each byte
/// compared with the range bounds at once; with every high bit set first, subtracting a bound
/// below 0x80 never borrows from the next byte).
fn ascii_alnum(w: u64) -> u64 {
    let at_least = |c: u8| (w | HIGH).wrapping_sub(u64::from(c) * 0x0101_0101_0101_0101) & HIGH;
    let within = |lo: u8, hi: u8| at_least(lo) & !at_least(hi + 1);
    within(b'0', b'9') | within(b'A', b'Z') | within(b'a', b'z')
}

/// Chinese, Japanese kanji and their extensions: the characters that count as a word each here
/// and that the search index segments (`search::text` keeps a fenced copy; a test there
/// checks the two agree).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether the character at byte `i` of valid UTF-8 `bytes` (a character boundary) is one of
/// U+4000–U+9FFF but U+4DC0–U+4DFF, told by its first two bytes without decoding: most
/// Chinese text, all of it [`is_cjk`]. Word counting takes it.
pub(crate) fn common_cjk(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    (0xE5..=0xE9).contains(&b) || (b == 0xE4 && bytes.get(i + 1) != Some(&0xB7))
}

/// Whether the three-byte character `b0 b1 b2` is one of U+2010–U+2027 (dashes, curly
/// quotes, bullets, ellipses), U+3000–U+3004 (ideographic space, `、。〃〄`), U+3008–U+3011
/// (`〈〉《》「」『』【】`) or U+FF00–U+FF3F but the full-width digits and letters (`！（），：；？`
/// and the like): punctuation and symbols, neither alphanumeric nor CJK.
fn is_wide_punctuation(b0: u8, b1: u8, b2: u8) -> bool {
    match (b0, b1) {
        (0xE2, 0x80) => (0x90..=0xA7).contains(&b2),
        (0xE3, 0x80) => matches!(b2, 0x80..=0x84 | 0x88..=0x91),
        (0xEF, 0xBC) => !matches!(b2, 0x90..=0x99 | 0xA1..=0xBA),
        _ => false,
    }
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '：'
            | '；'
            | '！'
            | '？'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '（'
            | '）'
            | '《'
            | '》'
            | '「'
            | '」'
            | '【'
            | '】'
            | '·'
            | '—'
            | '…'
            | '\u{3000}'
    )
}

/// Escapes text for an HTML attribute or text node.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

/// [`escape`] onto the end of `out`. Copies the runs between special characters whole: the
/// five are ASCII, so they never occur inside a multi-byte character.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Decodes `%E7%8F%AD`-style escapes in link targets; invalid sequences stay as written.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}
