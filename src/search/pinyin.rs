//! Pinyin keys of titles and aliases, so readers without a Chinese keyboard at hand find 班长
//! by `banzhang` or `bz`. Characters with several readings (长: chang/zhang) yield every
//! combination, up to [`MAX_READINGS`], since the crate's first reading is often not the one a
//! title uses.

use pinyin::ToPinyinMulti;

use super::segment::is_cjk;

/// Bound on combinations of heteronym readings per word (a title of many heteronyms would
/// otherwise explode).
pub const MAX_READINGS: usize = 8;

/// Full pinyin and initials of a Chinese word (`班长` → `banzhang`, `banchang`, `bz`, `bc`),
/// deduplicated; empty unless the word has at least two Chinese characters. Non-Chinese
/// characters are skipped.
pub fn keys(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().filter(|&c| is_cjk(c)).collect();
    if chars.len() < 2 {
        return Vec::new();
    }
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
    fn single_characters_and_latin_have_no_keys() {
        assert!(keys("群").is_empty());
        assert!(keys("KOL").is_empty());
        assert_eq!(keys("社群+")[..2], ["shequn".to_string(), "sq".to_string()]);
    }
}
