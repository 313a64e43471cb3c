//! Pinyin keys of titles and aliases, so readers without a Chinese keyboard at hand find 班长
//! by `banzhang` or `bz`. Characters with several readings (长: chang/zhang) yield every
//! combination, up to [`MAX_READINGS`], since the crate's first reading is often not the one a
//! title uses.

use std::cell::RefCell;

use pinyin::ToPinyinMulti;

use super::memo::{self, Memo};

use super::segment::is_cjk;

/// Bound on combinations of heteronym readings per word (a title of many heteronyms would
/// otherwise explode).
pub(crate) const MAX_READINGS: usize = 8;

/// Full pinyin and initials of a Chinese word (`班长` → `banzhang`, `banchang`, `bz`, `bc`),
/// deduplicated; empty unless the word has at least two Chinese characters. Non-Chinese
/// characters are skipped.
pub(crate) fn keys(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().filter(|&c| is_cjk(c)).collect();
    if chars.len() < 2 {
        return Vec::new();
    }
    keys_of(chars)
}

/// Distinct Chinese words whose keys a thread remembers.
const CACHE_ENTRIES: usize = 1 << 16;

thread_local! {
    /// Chinese characters of a word → its keys. Titles share their words (打卡, 班长 …), and
    /// building the combinations allocates for every reading: uncached, pinyin was a sixteenth
    /// of extracting a page.
    static CACHE: memo::Cell<Box<[String]>> = RefCell::default();
}

const KEYS: Memo<Box<[String]>> = Memo {
    cell: &CACHE,
    max_entries: CACHE_ENTRIES,
};

/// Calls `f` with each of [`keys`]`(word)`, remembered per thread.
pub(crate) fn for_each_key(word: &str, f: &mut impl FnMut(&str)) {
    let mut small = [0u8; 48];
    let mut len = 0;
    let mut count = 0;
    for c in word.chars().filter(|&c| is_cjk(c)) {
        count += 1;
        if len + 4 <= small.len() {
            len += c.encode_utf8(&mut small[len..]).len();
        } else {
            len = usize::MAX - 4;
        }
    }
    if count < 2 {
        return;
    }
    let Some(cjk) = small.get(..len).and_then(|b| std::str::from_utf8(b).ok()) else {
        // A word too long to remember.
        keys(word).iter().for_each(|k| f(k));
        return;
    };
    if KEYS.get(cjk, |keys| keys.iter().for_each(|k| f(k))) {
        return;
    }
    let keys = keys_of(cjk.chars().collect());
    keys.iter().for_each(|k| f(k));
    KEYS.put(cjk, || keys.into_boxed_slice());
}

/// [`keys`] of a word's Chinese characters.
fn keys_of(chars: Vec<char>) -> Vec<String> {
    // Each combination is (full, initials).
    let mut combos: Vec<(String, String)> = vec![(String::new(), String::new())];
    for c in chars {
        let mut readings: Vec<(&str, &str)> = Vec::new();
        if let Some(multi) = c.to_pinyin_multi() {
            for p in multi {
                let r = (p.plain(), p.first_letter());
                if !readings.contains(&r) {
                    readings.push(r);
                }
            }
        }
        if readings.is_empty() {
            continue;
        }
        let mut next = Vec::with_capacity(combos.len() * readings.len());
        for (full, init) in &combos {
            for (plain, first) in &readings {
                if next.len() < MAX_READINGS {
                    next.push((format!("{full}{plain}"), format!("{init}{first}")));
                }
            }
        }
        combos = next;
    }
    let mut out: Vec<String> = Vec::new();
    for (full, init) in combos {
        for k in [full, init] {
            if k.len() >= 2 && !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_pinyin_and_initials_with_heteronyms() {
        let k = keys("班长");
        for want in ["banzhang", "bz", "banchang", "bc"] {
            assert!(k.contains(&want.to_string()), "{want} in {k:?}");
        }
        let k = keys("开营仪式");
        assert!(k.contains(&"kaiyingyishi".to_string()), "{k:?}");
        assert!(k.contains(&"kyys".to_string()), "{k:?}");
    }

    #[test]
    fn remembered_keys_equal_fresh_ones() {
        for w in [
            "班长",
            "开营仪式 Kickoff",
            "早晚问候与打卡",
            "群",
            "KOL",
            "社群+",
        ] {
            for _ in 0..2 {
                let mut got = Vec::new();
                for_each_key(w, &mut |k| got.push(k.to_string()));
                assert_eq!(got, keys(w), "{w}");
            }
        }
        // Longer than the remembered words: computed each time, the same.
        let long = "社群运营者".repeat(4);
        let mut got = Vec::new();
        for_each_key(&long, &mut |k| got.push(k.to_string()));
        assert_eq!(got, keys(&long));
    }

    #[test]
    fn single_characters_and_latin_have_no_keys() {
        assert!(keys("群").is_empty());
        assert!(keys("KOL").is_empty());
        assert_eq!(keys("社群+")[..2], ["shequn".to_string(), "sq".to_string()]);
    }
}
