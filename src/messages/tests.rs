use super::template::{Seg, Template};
use super::*;

/// (section, id, part) -> placeholder names, for every template of a language.
fn shapes(lang: Lang) -> BTreeMap<(String, String, &'static str), Vec<String>> {
    let cat = catalogue(lang);
    let mut out = BTreeMap::new();
    for (code, entries) in &cat.codes {
        for e in entries {
            for (part, t) in [("message", &e.message), ("help", &e.help)] {
                if let Some(t) = t {
                    let holes = t.holes().into_iter().map(String::from).collect();
                    out.insert((code.clone(), e.id.clone(), part), holes);
                }
            }
        }
    }
    for (id, text) in &cat.terms {
        let holes = Template::parse(text)
            .holes()
            .into_iter()
            .map(String::from)
            .collect();
        out.insert((TERMS.into(), id.clone(), "term"), holes);
    }
    for (id, text) in &cat.cli {
        let holes = Template::parse(text)
            .holes()
            .into_iter()
            .map(String::from)
            .collect();
        out.insert((CLI.into(), id.clone(), "cli"), holes);
    }
    for id in cat.help.keys() {
        out.insert((HELP.into(), id.clone(), "help"), Vec::new());
    }
    out
}

#[test]
fn both_tables_have_the_same_keys_and_placeholders() {
    let en = shapes(Lang::En);
    let zh = shapes(Lang::ZhCn);
    let only_en: Vec<_> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
    let only_zh: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(
        only_en.is_empty() && only_zh.is_empty(),
        "only in en.toml: {only_en:?}; only in zh-CN.toml: {only_zh:?}"
    );
    for (key, holes) in &en {
        assert_eq!(&zh[key], holes, "placeholders of {key:?} differ");
    }
    assert!(
        en.len() > 200,
        "the catalogue holds every message: {}",
        en.len()
    );
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x9FFF | 0xFF00..=0xFFEF)
}

#[test]
fn the_chinese_table_has_no_english_left() {
    let en = catalogue(Lang::En);
    let zh = catalogue(Lang::ZhCn);
    for (code, entries) in &zh.codes {
        for e in entries {
            let english = en.codes[code].iter().find(|x| x.id == e.id).unwrap();
            for (t, et) in [(&e.message, &english.message), (&e.help, &english.help)] {
                let (Some(t), Some(et)) = (t, et) else {
                    continue;
                };
                let fixed: String = t
                    .segs
                    .iter()
                    .filter_map(|s| match s {
                        Seg::Lit(l) => Some(l.as_str()),
                        Seg::Hole(_) => None,
                    })
                    .collect();
                assert_ne!(t, et, "{code}.{} is not translated", e.id);
                assert!(
                    fixed.chars().any(is_cjk),
                    "{code}.{} has no Chinese: {fixed}",
                    e.id
                );
            }
        }
    }
    for (id, text) in &zh.terms {
        let acronym = text.chars().all(|c| c.is_ascii_uppercase());
        assert!(acronym || text.chars().any(is_cjk), "term {id}: {text}");
    }
    for (id, text) in &zh.cli {
        assert!(text.chars().any(is_cjk), "cli {id}: {text}");
    }
    for (id, text) in &zh.help {
        // Examples are commands, the same in both languages.
        assert!(
            id.ends_with("example") || text.chars().any(is_cjk),
            "help {id}: {text}"
        );
    }
}

#[test]
fn templates_match_and_fill() {
    let t = Template::parse("the placeholder `{{{name}}}` is not declared");
    assert_eq!(
        t.matches("the placeholder `{群名}` is not declared"),
        Some(vec![("name".into(), "群名".into())])
    );
    let t = Template::parse("wrap it in `{% if ... %}` when {why}");
    assert_eq!(t.holes(), vec!["why"]);
    assert!(t.matches("wrap it in `{% if ... %}` when x").is_some());
    let t = Template::parse("write `{key}{sep} {value}`");
    let caps = t.matches("write `title = \"a b\"`").unwrap();
    assert_eq!(
        t.fill(|n| caps.iter().find(|c| c.0 == n).map(|c| c.1.clone())),
        "write `title = \"a b\"`"
    );
    assert_eq!(
        Template::parse("no page named `{target}`").matches("no page named x"),
        None
    );
    // Anchored at both ends.
    assert_eq!(
        Template::parse("nothing links to `{title}`").matches("nothing links to `a` here"),
        None
    );
}

#[test]
fn an_unknown_text_stays_english() {
    let text = "a message no template knows";
    assert_eq!(translate("broken-link", text, false, Lang::ZhCn), text);
    assert_eq!(translate("no-such-code", text, true, Lang::ZhCn), text);
    assert!(!is_catalogued("broken-link", text, false));
}

#[test]
fn english_is_returned_as_it_is() {
    let text = "no page named `班常`";
    assert_eq!(translate("broken-link", text, false, Lang::En), text);
}

#[test]
fn locale_and_requested_language() {
    assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_locale("zh_TW"), Some(Lang::ZhCn));
    assert_eq!(Lang::from_locale("en_US.UTF-8"), Some(Lang::En));
    assert_eq!(Lang::from_locale("C"), Some(Lang::En));
    assert_eq!(Lang::from_locale(""), None);
    assert_eq!(Lang::parse("zh-CN"), Some(Lang::ZhCn));
    assert_eq!(Lang::parse("en"), Some(Lang::En));
    assert_eq!(Lang::parse("fr"), None);
    assert_eq!(requested(Some(Lang::En)), Some(Lang::En));
}

/// Every place in src/ that makes a diagnostic from a literal text (or a `format!` of one),
/// with the code it names when that is a literal too.
struct Site {
    at: String,
    code: Option<String>,
    help: bool,
    text: String,
}

/// The Rust string literal starting at `s[0] == '"'`: its value and the bytes it spans.
fn string_literal(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '\'' => out.push('\''),
                '\n' => {
                    while chars.peek().is_some_and(|(_, c)| c.is_whitespace()) {
                        chars.next();
                    }
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            },
            c => out.push(c),
        }
    }
    None
}

/// A stand-in for a value a `format!` puts in: no template's fixed text holds it.
const ANY: &str = "\u{E000}";

/// A format string's text with every `{…}` argument replaced by [`ANY`].
fn format_text(f: &str) -> String {
    let mut out = String::new();
    let mut rest = f;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("{{") {
            out.push('{');
            rest = r;
        } else if let Some(r) = rest.strip_prefix("}}") {
            out.push('}');
            rest = r;
        } else if c == '{' {
            let end = rest.find('}').expect("a format argument is closed");
            out.push_str(ANY);
            rest = &rest[end + 1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The text of an argument starting at `s`: a literal, or `format!(literal, …)`; None for
/// anything computed.
fn argument_text(s: &str) -> Option<String> {
    let s = s.trim_start();
    if s.starts_with('"') {
        return string_literal(s).map(|(v, _)| v);
    }
    let f = s.strip_prefix("format!(")?.trim_start();
    string_literal(f).map(|(v, _)| format_text(&v))
}

/// The codes named by constants rather than literals at call sites.
fn code_constant(name: &str) -> Option<&'static str> {
    match name {
        "CODE" | "guard::CODE" => Some("output-dir"),
        "crate::typography::LINT" | "LINT" => Some("zh-typography"),
        _ => None,
    }
}

/// Where the argument starting at `s` ends: the first `,` or `)` outside brackets and strings.
fn argument_end(s: &str) -> usize {
    let mut depth = 0usize;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let (_, len) = string_literal(&s[i..]).expect("a closed string");
                for _ in 1..s[i..i + len].chars().count() {
                    chars.next();
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return i,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// The `err(message, help)` calls of the scaffolding commands (`qunce init`, `new`, `theme
/// unpack`), whose errors are shown through the catalogue's `[scaffold]` section.
fn scaffold_sites(root: &Path) -> Vec<Site> {
    let text = std::fs::read_to_string(root.join("scaffold.rs")).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap();
    let mut sites = Vec::new();
    for (at, _) in text.match_indices("err(") {
        let before = text[..at].chars().next_back().unwrap_or(' ');
        if before.is_alphanumeric() || before == '_' || text[..at].ends_with("fn ") {
            continue;
        }
        let line = text[..at].lines().count();
        let args = &text[at + 4..];
        let end = argument_end(args);
        for (help, arg) in [(false, &args[..end]), (true, args[end + 1..].trim_start())] {
            if let Some(t) = argument_text(arg) {
                sites.push(Site {
                    at: format!("scaffold.rs:{line}"),
                    code: Some("scaffold".into()),
                    help,
                    text: t,
                });
            }
        }
    }
    sites
}

fn call_sites() -> Vec<Site> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sites = Vec::new();
    for entry in walkdir::WalkDir::new(&root) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.starts_with(root.join("messages")) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        if path.ends_with("scaffold.rs") {
            sites.extend(scaffold_sites(&root));
        }
        // Unit tests make diagnostics with made-up texts.
        let text = text.split("#[cfg(test)]").next().unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        // A message handed back in a tuple with its fix, `Some((format!("`…"), fixed))`, is
        // made into a diagnostic by the caller (scheme typos): its code is not known here.
        for (at, _) in text.match_indices("format!(\"`") {
            let before = text[..at].trim_end();
            let tuple = before.strip_suffix('(').is_some_and(|b| {
                !b.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '!')
            });
            if tuple {
                sites.push(Site {
                    at: format!("{name}:{}", text[..at].lines().count()),
                    code: None,
                    help: false,
                    text: argument_text(&text[at..]).unwrap_or_default(),
                });
            }
        }
        // The calls in source order; a help belongs to the diagnostic made before it.
        let mut calls: Vec<(usize, &str)> =
            ["Diagnostic::error(", "Diagnostic::warning(", ".with_help("]
                .iter()
                .flat_map(|p| text.match_indices(p))
                .collect();
        calls.sort_unstable();
        let mut code: Option<String> = None;
        for (at, call) in calls {
            let line = text[..at].lines().count();
            let args = &text[at + call.len()..];
            if call == ".with_help(" {
                if let Some(t) = argument_text(args) {
                    sites.push(Site {
                        at: format!("{name}:{line}"),
                        code: code.clone(),
                        help: true,
                        text: t,
                    });
                }
                continue;
            }
            let args = args.trim_start();
            let (first, rest) = if args.starts_with('"') {
                let (v, end) = string_literal(args).unwrap();
                (Some(v), &args[end..])
            } else {
                let end = args.find(',').unwrap_or(args.len());
                (
                    code_constant(args[..end].trim()).map(String::from),
                    &args[end..],
                )
            };
            code = first;
            let rest = rest.trim_start().trim_start_matches(',');
            if let Some(t) = argument_text(rest) {
                sites.push(Site {
                    at: format!("{name}:{line}"),
                    code: code.clone(),
                    help: false,
                    text: t,
                });
            }
        }
    }
    sites
}

/// Whether a template of `code` with at least a few words of fixed text matches `text`.
fn specific_match(code: &str, text: &str, help: bool) -> bool {
    let part = if help { Part::Help } else { Part::Message };
    best_match(code, text, part).is_some_and(|m| {
        let entry = catalogue(Lang::En).codes[m.section]
            .iter()
            .find(|e| e.id == m.id)
            .unwrap();
        let t = if help { &entry.help } else { &entry.message };
        t.as_ref().is_some_and(|t| t.fixed_len() >= 12)
    })
}

/// (b): a diagnostic text written at a call site that the English table does not hold would be
/// shown untranslated; this fails first.
#[test]
fn every_literal_message_and_help_in_src_has_a_template() {
    let sites = call_sites();
    assert!(
        sites.len() > 150,
        "the scan finds the call sites: {}",
        sites.len()
    );
    let en = catalogue(Lang::En);
    let missing: Vec<String> = sites
        .iter()
        .filter(|s| match &s.code {
            Some(code) => !is_catalogued(code, &s.text, s.help),
            // Without its code, only a template with real text counts (not `{what}: {error}`).
            None => !en.codes.keys().any(|c| specific_match(c, &s.text, s.help)),
        })
        .map(|s| format!("{} [{:?}] {}", s.at, s.code, s.text.replace(ANY, "{…}")))
        .collect();
    assert!(
        missing.is_empty(),
        "no template for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn command_line_lines() {
    assert_eq!(
        cli(
            Lang::En,
            "checked",
            &[("pages", &3), ("errors", &0), ("warnings", &1)]
        ),
        "checked 3 pages: 0 errors, 1 warnings"
    );
    assert_eq!(
        cli(
            Lang::ZhCn,
            "checked",
            &[("pages", &3), ("errors", &0), ("warnings", &1)]
        ),
        "已检查 3 个页面：0 个错误，1 个警告"
    );
}
