//! Slugs and heading ids. URLs must be readable ASCII, so Chinese file names are transliterated
//! to pinyin syllables (`开营仪式` → `kai-ying-yi-shi`); heading ids keep their Chinese text
//! (GitHub style) because readers share `#流程` links and browsers show them as typed.

use pinyin::ToPinyin;

/// Turns a file name (or any title) into an ASCII URL slug.
pub(crate) fn slugify(input: &str) -> String {
    let mut out = String::with_capacity(input.len() * 2);
    // Whether the last thing written was a separator, to collapse runs of them.
    let mut sep = true;
    let push_sep = |out: &mut String, sep: &mut bool| {
        if !*sep {
            out.push('-');
            *sep = true;
        }
    };
    for c in input.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            sep = false;
        } else if let Some(p) = c.to_pinyin() {
            // Each Han character is its own syllable: separate it on both sides.
            push_sep(&mut out, &mut sep);
            // Plain pinyin still writes ü (绿 → lü); URLs stay ASCII with the usual `v`.
            out.extend(p.plain().chars().map(|c| if c == 'ü' { 'v' } else { c }));
            sep = false;
            push_sep(&mut out, &mut sep);
        } else if let Some(a) = latin_fold(c) {
            out.push(a);
            sep = false;
        } else {
            push_sep(&mut out, &mut sep);
        }
    }
    if out.len() > MAX_SLUG {
        // Output folders are named by slugs, and file systems refuse names over 255 bytes; a
        // long Chinese title triples in pinyin. Cut at a syllable boundary.
        let cut = out[..=MAX_SLUG].rfind('-').unwrap_or(MAX_SLUG);
        out.truncate(cut);
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The longest slug in bytes: well under the 255-byte file-name limit.
pub(crate) const MAX_SLUG: usize = 120;

/// Folds common accented Latin letters to ASCII so `café` becomes `cafe`, not `caf`.
fn latin_fold(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'È' | 'É' | 'Ê' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ō' | 'Ö' | 'Ó' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ǖ' | 'Ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        _ => return None,
    })
}

/// A heading id in GitHub's style: lowercase, spaces to `-`, punctuation dropped, CJK kept.
pub(crate) fn heading_id(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        // ASCII and the common ideographs first: the Unicode tables behind `is_alphanumeric`
        // and `to_lowercase` were most of the cost of a heading.
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if is_ideograph(c) {
            out.push(c);
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

/// The CJK Unified Ideographs block: letters without case, so a heading id keeps them as
/// they are.
fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_become_pinyin() {
        assert_eq!(slugify("开营仪式"), "kai-ying-yi-shi");
        assert_eq!(slugify("ISOOC 框架"), "isooc-kuang-jia");
        assert_eq!(slugify("KOL"), "kol");
        assert_eq!(slugify("早晚问候与打卡"), "zao-wan-wen-hou-yu-da-ka");
        assert_eq!(slugify("Office Hours 00013"), "office-hours-00013");
        assert_eq!(slugify("班长2号"), "ban-zhang-2-hao");
        assert_eq!(slugify("café!"), "cafe");
        assert_eq!(slugify("!!!"), "");
        // Found by fuzzing: pinyin's ü leaked into URLs.
        assert_eq!(slugify("绿色女生"), "lv-se-nv-sheng");
        let long = slugify(&"长".repeat(100));
        assert!(long.len() <= MAX_SLUG && long.ends_with("zhang"), "{long}");
        assert_eq!(slugify(&"a".repeat(300)).len(), MAX_SLUG);
    }

    #[test]
    fn heading_ids_keep_chinese() {
        assert_eq!(heading_id("流程"), "流程");
        assert_eq!(heading_id("常见坑 Pitfalls"), "常见坑-pitfalls");
        assert_eq!(heading_id("1. 准备（前一天）"), "1-准备前一天");
        assert_eq!(heading_id("？"), "section");
        assert_eq!(heading_id("Ünïcode ΣΑΣ_x\u{b}y"), "ünïcode-σασ_x-y");
    }

    /// The shortcut for ideographs gives what the Unicode tables give.
    #[test]
    fn ideographs_are_caseless_letters() {
        for c in ('\u{4e00}'..='\u{9fff}').filter(|&c| is_ideograph(c)) {
            assert!(c.is_alphanumeric(), "{c:?}");
            assert!(c.to_lowercase().eq([c]), "{c:?}");
        }
    }
}
