//! The message catalogue: qunce's diagnostics and command-line lines in the writer's language.
//!
//! Diagnostics are made in English where the problem is found (about a hundred call sites,
//! moved between files often); they are translated only where they are shown (terminal, JSON,
//! the dev server's overlay). `en.toml` holds every English text as a template with named
//! placeholders, keyed by the diagnostic's code and an id; `zh-CN.toml` holds the same keys in
//! Chinese. A message is matched against the English templates of its code, and the captured
//! parts are put into the other language's template. A text that matches no template is shown
//! as it is, so nothing the English said is ever lost.

pub mod help;
mod template;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use template::Template;

const EN: &str = include_str!("en.toml");
const ZH_CN: &str = include_str!("zh-CN.toml");

/// The language messages are shown in. Separate from the site's UI language type so that the
/// catalogue depends on nothing else in the crate (it is used by `diagnostics`, which everything
/// uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the language most sites qunce builds are written in.
    ZhCn,
    /// English, the catalogue's source language and the fallback.
    #[default]
    En,
}

impl Lang {
    /// The language a `--lang`, `QUNCE_LANG` or site.toml value names; the same spellings
    /// `language` in site.toml accepts.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim() {
            "zh-CN" | "zh" | "zh-Hans" | "zh_CN" => Some(Lang::ZhCn),
            "en" | "en-US" | "en-GB" | "en_US" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of a locale value (`LANG=zh_CN.UTF-8`): Chinese for any `zh…`.
    fn from_locale(value: &str) -> Option<Lang> {
        let v = value.trim();
        if v.is_empty() {
            None
        } else if v.to_ascii_lowercase().starts_with("zh") {
            Some(Lang::ZhCn)
        } else {
            Some(Lang::En)
        }
    }
}

/// The language asked for explicitly: `--lang` (passed in), else the `QUNCE_LANG` variable.
/// An unknown `QUNCE_LANG` value is ignored rather than failing every command.
pub(crate) fn requested(flag: Option<Lang>) -> Option<Lang> {
    flag.or_else(|| {
        std::env::var("QUNCE_LANG")
            .ok()
            .and_then(|v| Lang::parse(&v))
    })
}

/// The language of the user's locale: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set
/// (the order POSIX gives them), English when none is.
pub(crate) fn locale() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().and_then(|v| Lang::from_locale(&v)))
        .unwrap_or(Lang::En)
}

/// The language for messages about the site at `root`: `--lang`/`QUNCE_LANG`, else the site's
/// `language` (Chinese when site.toml names none, as a site's default language is zh-CN), else,
/// when there is no readable site.toml, the locale.
pub fn for_site(flag: Option<Lang>, root: &Path) -> Lang {
    if let Some(l) = requested(flag) {
        return l;
    }
    let text = std::fs::read_to_string(root.join("site.toml")).ok();
    let table = text.and_then(|t| t.parse::<toml::Table>().ok());
    match table {
        Some(t) => match t.get("language").and_then(|v| v.as_str()) {
            None => Lang::ZhCn,
            Some(v) => Lang::parse(v).unwrap_or_else(locale),
        },
        None => locale(),
    }
}

/// One language's catalogue: the templates of each code, the terms, the command-line lines.
struct Catalogue {
    /// code -> (id, message template, help template).
    codes: BTreeMap<String, Vec<Entry>>,
    /// id -> text of short phrases that stand inside messages (`a string`).
    terms: BTreeMap<String, String>,
    /// id -> text of the lines the command line prints around diagnostics.
    cli: BTreeMap<String, String>,
    /// command path (`build.output`) -> text of `--help`.
    help: BTreeMap<String, String>,
}

struct Entry {
    id: String,
    message: Option<Template>,
    help: Option<Template>,
}

/// Sections of a table that are not diagnostic codes.
const COMMON: &str = "common";
const TERMS: &str = "terms";
const CLI: &str = "cli";
const HELP: &str = "help";

fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static ENGLISH: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::ZhCn => ZH.get_or_init(|| parse(ZH_CN)),
        Lang::En => ENGLISH.get_or_init(|| parse(EN)),
    }
}

/// The tables are part of the program: a malformed one is a bug the unit tests catch on every
/// run, never a user's problem, hence the panics.
fn parse(text: &str) -> Catalogue {
    let table: toml::Table = text.parse().expect("compiled-in message table is TOML");
    let mut cat = Catalogue {
        codes: BTreeMap::new(),
        terms: BTreeMap::new(),
        cli: BTreeMap::new(),
        help: BTreeMap::new(),
    };
    for (section, value) in table {
        let value = value
            .as_table()
            .expect("every section of a message table is a table");
        if [TERMS, CLI, HELP].contains(&section.as_str()) {
            let map = match section.as_str() {
                TERMS => &mut cat.terms,
                CLI => &mut cat.cli,
                _ => &mut cat.help,
            };
            for (id, text) in value {
                let text = text
                    .as_str()
                    .expect("terms, cli and help lines are strings");
                map.insert(id.clone(), text.to_string());
            }
            continue;
        }
        let mut entries = Vec::new();
        for (id, entry) in value {
            let entry = entry.as_table().expect("a message entry is a table");
            let field = |name: &str| {
                entry
                    .get(name)
                    .map(|v| Template::parse(v.as_str().expect("templates are strings")))
            };
            entries.push(Entry {
                id: id.clone(),
                message: field("message"),
                help: field("help"),
            });
        }
        cat.codes.insert(section, entries);
    }
    cat
}

/// Which text of a diagnostic a template is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Message,
    Help,
}

/// Placeholders whose captured text is itself a phrase qunce wrote (a reason, a type name, a
/// nested help), translated in turn; the others hold the writer's names and are kept as they are.
const PHRASES: [&str; 10] = [
    "why",
    "what",
    "expected",
    "found",
    "pages",
    "origin",
    "first_origin",
    "second_origin",
    "help",
    "kind",
];

/// `text`, a diagnostic's message (or help) of `code` as produced in English, in `lang`; the
/// English text itself when `lang` is English or no template of the code matches it.
pub(crate) fn translate(code: &str, text: &str, help: bool, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    let part = if help { Part::Help } else { Part::Message };
    translate_part(code, text, part, lang, 0).unwrap_or_else(|| text.to_string())
}

fn translate_part(code: &str, text: &str, part: Part, lang: Lang, depth: usize) -> Option<String> {
    let Match { section, id, caps } = best_match(code, text, part)?;
    let target = catalogue(lang)
        .codes
        .get(section)?
        .iter()
        .find(|e| e.id == id)?;
    let template = match part {
        Part::Message => target.message.as_ref()?,
        Part::Help => target.help.as_ref()?,
    };
    let filled = template.fill(|name| {
        let value = caps
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())?;
        Some(if PHRASES.contains(&name) && depth < 3 {
            translate_phrase(code, value, lang, depth)
        } else {
            value.to_string()
        })
    });
    Some(filled)
}

/// A captured phrase in `lang`: a term, or a text matching a template of the same code (the
/// reason inside an error, a help inside "while rendering …"), else as it was.
fn translate_phrase(code: &str, value: &str, lang: Lang, depth: usize) -> String {
    let en = catalogue(Lang::En);
    if let Some((id, _)) = en.terms.iter().find(|(_, t)| t.as_str() == value)
        && let Some(t) = catalogue(lang).terms.get(id)
    {
        return t.clone();
    }
    [Part::Message, Part::Help]
        .into_iter()
        .find_map(|p| translate_part(code, value, p, lang, depth + 1))
        .unwrap_or_else(|| value.to_string())
}

/// What a placeholder captured: (name, text).
type Captures = Vec<(String, String)>;

/// A matched entry: its section and id in the tables, and its captures.
struct Match<'c> {
    section: &'c str,
    id: &'c str,
    caps: Captures,
}

/// The English entry matching `text` best (the one with the most fixed text, so "did you mean
/// X? allowed values: …" wins over a bare "{help}"): its section, id and captures.
fn best_match<'c>(code: &str, text: &str, part: Part) -> Option<Match<'c>> {
    let en = catalogue(Lang::En);
    let sections = [code, COMMON];
    // (fixed text length, match) of the best so far.
    let mut best: Option<(usize, Match<'c>)> = None;
    for section in sections {
        let Some((name, entries)) = en.codes.get_key_value(section) else {
            continue;
        };
        for e in entries {
            let t = match part {
                Part::Message => e.message.as_ref(),
                Part::Help => e.help.as_ref(),
            };
            let Some(t) = t else { continue };
            if best.as_ref().is_some_and(|b| b.0 >= t.fixed_len()) {
                continue;
            }
            if let Some(caps) = t.matches(text) {
                let m = Match {
                    section: name.as_str(),
                    id: e.id.as_str(),
                    caps,
                };
                best = Some((t.fixed_len(), m));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// A command-line line (`[cli]` in the tables) in `lang`, with its placeholders filled.
pub fn cli(lang: Lang, id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let text = catalogue(lang)
        .cli
        .get(id)
        .or_else(|| catalogue(Lang::En).cli.get(id))
        .map_or(id, String::as_str);
    Template::parse(text).fill(|name| {
        args.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
}

/// A `--help` text (`[help]` in the tables) in `lang`, by command path and argument id.
pub(crate) fn help_text(lang: Lang, key: &str) -> Option<&'static str> {
    catalogue(lang).help.get(key).map(String::as_str)
}

/// Whether the English table has a template of `code` matching `text` (for tests that check
/// every diagnostic a fixture produces is in the catalogue).
pub fn is_catalogued(code: &str, text: &str, help: bool) -> bool {
    let part = if help { Part::Help } else { Part::Message };
    best_match(code, text, part).is_some()
}

#[cfg(test)]
mod cases;
#[cfg(test)]
mod tests;
