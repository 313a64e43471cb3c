//! What the search page offers when a query finds nothing: "did you mean" names and the most
//! linked pages. The browser has no dictionary, so the build writes what it needs, fetched only
//! after a miss:
//!
//! - `search/n/<L>.js`: `qunceSearch.names(L, [[name, card, readings…]…])`, every title and
//!   alias of `L` characters (a typo keeps a word's length give or take one, so a query loads
//!   three of these small files, never the list of every title), with the toneless pinyin of
//!   its Chinese characters, every heteronym reading up to `pinyin::MAX_READINGS`;
//! - `search/py.js`: `qunceSearch.py({syllable: characters…})`, the readings of every
//!   character of jieba's dictionary and of the site's names, so a typed homophone (班张 for
//!   班长, both `banzhang`) is recognised.
//!
//! The most linked pages go into the manifest (see [`most_linked`]).

use std::collections::BTreeMap;

use pinyin::ToPinyinMulti;

use super::format::{names_entry, names_script, names_start, pinyin_script};
use super::segment::{DICTIONARY, is_cjk};
use crate::output::OutputFile;
use crate::site::Site;

/// Names longer than this are left out: nobody retypes a whole long title with a slip in it.
pub(crate) const MAX_NAME_CHARS: usize = 16;

/// How many of the most linked pages an empty result suggests.
pub(crate) const TOP_PAGES: usize = 6;

/// The suggestion files of `site` (see the module documentation).
pub(crate) fn files(site: &Site) -> Vec<OutputFile> {
    // Every length has its file, empty or not, so a rebuild never leaves one behind.
    let mut by_len: BTreeMap<usize, Vec<u8>> = (2..=MAX_NAME_CHARS)
        .map(|len| (len, names_start(len)))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (i, page) in site.content.pages.iter().enumerate() {
        for name in std::iter::once(&page.title).chain(&page.meta.aliases) {
            let name = name.trim();
            let len = name.chars().count();
            if !(2..=MAX_NAME_CHARS).contains(&len) || !seen.insert((name.to_lowercase(), i)) {
                continue;
            }
            let Some(out) = by_len.get_mut(&len) else {
                continue;
            };
            names_entry(out, name, i, &readings(name));
        }
    }
    let mut files: Vec<OutputFile> = by_len
        .into_iter()
        .map(|(len, bytes)| names_script(len, bytes))
        .collect();
    files.push(syllables(site));
    files
}

/// Full toneless pinyin of `name`'s Chinese characters, one string per combination of
/// readings (at most [`super::pinyin::MAX_READINGS`]); empty without Chinese characters.
fn readings(name: &str) -> Vec<String> {
    let mut combos = vec![String::new()];
    for c in name.chars().filter(|&c| is_cjk(c)) {
        let Some(multi) = c.to_pinyin_multi() else {
            continue;
        };
        let mut plain: Vec<&str> = Vec::new();
        for p in multi {
            if !plain.contains(&p.plain()) {
                plain.push(p.plain());
            }
        }
        let mut next = Vec::new();
        for base in &combos {
            for p in &plain {
                if next.len() < super::pinyin::MAX_READINGS {
                    next.push(format!("{base}{p}"));
                }
            }
        }
        combos = next;
    }
    combos.retain(|c| !c.is_empty());
    combos
}

/// `search/py.js`: characters by toneless syllable.
fn syllables(site: &Site) -> OutputFile {
    // The dictionary's characters are the same in every build: gathered once per process
    // (its 350,000 lines took most of the time of making these files).
    static IN_DICTIONARY: std::sync::OnceLock<std::collections::BTreeSet<char>> =
        std::sync::OnceLock::new();
    let mut chars = IN_DICTIONARY
        .get_or_init(|| {
            DICTIONARY
                .lines()
                .filter_map(|l| l.split(' ').next())
                .flat_map(str::chars)
                .filter(|&c| is_cjk(c))
                .collect()
        })
        .clone();
    for page in &site.content.pages {
        for name in std::iter::once(&page.title).chain(&page.meta.aliases) {
            chars.extend(name.chars().filter(|&c| is_cjk(c)));
        }
    }
    let mut by: BTreeMap<&'static str, String> = BTreeMap::new();
    for c in chars {
        if let Some(multi) = c.to_pinyin_multi() {
            let mut done: Vec<&str> = Vec::new();
            for p in multi {
                if !done.contains(&p.plain()) {
                    done.push(p.plain());
                    by.entry(p.plain()).or_default().push(c);
                }
            }
        }
    }
    pinyin_script(by.iter().map(|(syl, cs)| (*syl, cs.as_str())))
}

/// The [`TOP_PAGES`] pages most linked to (backlinks), most first, ties in site order: what
/// an empty result offers instead of nothing.
pub(crate) fn most_linked(site: &Site) -> Vec<usize> {
    let mut ids: Vec<usize> = (0..site.content.pages.len())
        .filter(|&i| !site.graph.backlinks[i].is_empty())
        .collect();
    ids.sort_by_key(|&i| std::cmp::Reverse(site.graph.backlinks[i].len()));
    ids.truncate(TOP_PAGES);
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_cover_heteronyms() {
        let r = readings("班长");
        assert!(r.contains(&"banzhang".to_string()), "{r:?}");
        assert!(r.contains(&"banchang".to_string()), "{r:?}");
        assert!(readings("KOL").is_empty());
        assert_eq!(readings("社群+"), ["shequn"]);
    }
}
