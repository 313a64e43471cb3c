//! The UI strings of the default theme, one data file per language (`zh-CN.toml`, `en.toml`)
//! compiled into the binary. Translators edit a flat TOML table instead of Rust code, and a test
//! keeps the tables' keys identical, so a string added in one language cannot be missing in the
//! other. `[ui]` in site.toml overrides any string on top (see `config`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// UI language of the generated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Language {
    ZhCn,
    En,
}

impl Language {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::En => "en",
        }
    }
}

const ZH_CN: &str = include_str!("zh-CN.toml");
const EN: &str = include_str!("en.toml");

/// The table of one language's UI strings, parsed once per process.
pub(crate) fn table(lang: Language) -> &'static BTreeMap<String, String> {
    static ZH: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    static ENGLISH: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    match lang {
        Language::ZhCn => ZH.get_or_init(|| parse(ZH_CN)),
        Language::En => ENGLISH.get_or_init(|| parse(EN)),
    }
}

/// A compiled-in table is part of the program: a syntax error in it is a bug the unit tests
/// catch, never a user's problem, hence the panic.
fn parse(text: &str) -> BTreeMap<String, String> {
    toml::from_str(text).expect("compiled-in UI table is a flat TOML table of strings")
}

/// Whether `key` is a UI string of the default theme.
pub(crate) fn is_known(key: &str) -> bool {
    table(Language::ZhCn).contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .match_indices('{')
            .filter_map(|(i, _)| s[i..].find('}').map(|j| &s[i..=i + j]))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_key_is_in_both_languages() {
        let zh = table(Language::ZhCn);
        let en = table(Language::En);
        let only_zh: Vec<&String> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        let only_en: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "keys only in zh-CN.toml: {only_zh:?}; keys only in en.toml: {only_en:?}"
        );
        assert!(zh.len() > 90, "the tables hold the theme's strings");
    }

    #[test]
    fn translations_keep_their_placeholders_and_are_not_empty() {
        let en = table(Language::En);
        for (k, zh) in table(Language::ZhCn) {
            let e = &en[k];
            assert!(!zh.is_empty() && !e.is_empty(), "`{k}` is empty");
            assert_eq!(placeholders(zh), placeholders(e), "placeholders of `{k}`");
        }
    }

    #[test]
    fn english_strings_have_no_chinese() {
        for (k, v) in table(Language::En) {
            let chinese = |c: char| {
                crate::text::is_cjk(c)
                    || ('\u{3000}'..='\u{303f}').contains(&c)
                    || ('\u{ff00}'..='\u{ffef}').contains(&c)
            };
            assert!(
                !v.chars().any(chinese),
                "en.toml `{k}` = {v:?} has Chinese characters or punctuation"
            );
        }
    }
}
