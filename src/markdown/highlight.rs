//! Build-time syntax highlighting of fenced code blocks (syntect with its pure-Rust regex
//! engine). The output carries CSS classes only (`hl-keyword`, `hl-string`, …), so the theme's
//! style sheet colours them for light and dark mode and no script runs in the reader's browser.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The prefix of every class the highlighter writes, so they cannot clash with the theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Syntaxes are loaded once per process, on the first code block that names a language: a
/// site without code pays nothing, and a site with code pays the load once (about 20 ms), not
/// once per page.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The language named by a fence's info string: its first word (`rust` of `rust,ignore` or
/// `rust title="x"`), as GitHub reads it.
pub(crate) fn language(info: &str) -> &str {
    info.split(|c: char| c.is_whitespace() || c == ',' || c == '{')
        .next()
        .unwrap_or("")
}

/// A fenced block whose info string starts with the word `template` is a copyable message
/// template (the playbook's template cards), rendered by its own code, never highlighted.
pub(crate) fn is_template(info: &str) -> bool {
    language(info) == "template"
}

/// The HTML of a code block: highlighted when `info` names a language the highlighter knows,
/// else the code escaped as written. Either way a `language-…` class names what was asked for.
pub(crate) fn code_block(info: &str, code: &str) -> String {
    let lang = language(info);
    let mut out = String::with_capacity(code.len() * 2 + 64);
    let highlighted = (!lang.is_empty())
        .then(|| {
            let set = syntaxes();
            let syntax = set.find_syntax_by_token(lang)?;
            let mut generator =
                ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                generator
                    .parse_html_for_line_which_includes_newline(line)
                    .ok()?;
            }
            Some(generator.finalize())
        })
        .flatten();
    out.push_str(if highlighted.is_some() {
        "<pre class=\"hl\"><code"
    } else {
        "<pre><code"
    });
    if !lang.is_empty() {
        out.push_str(" class=\"language-");
        crate::text::push_escaped(&mut out, lang);
        out.push('"');
    }
    out.push('>');
    match highlighted {
        Some(html) => out.push_str(&html),
        None => crate::text::push_escaped(&mut out, code),
    }
    out.push_str("</code></pre>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_unknown_stay_plain() {
        let html = code_block("rust", "fn main() {}\n");
        assert!(
            html.starts_with("<pre class=\"hl\"><code class=\"language-rust\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-storage hl-type hl-function hl-rust\">fn</span>"),
            "{html}"
        );
        assert!(!html.contains("style="), "{html}");
        assert_eq!(
            code_block("klingon x", "a < b\n"),
            "<pre><code class=\"language-klingon\">a &lt; b\n</code></pre>\n"
        );
        assert_eq!(code_block("", "x\n"), "<pre><code>x\n</code></pre>\n");
        assert!(is_template("template 欢迎词 announcement"));
        assert!(!is_template("templates"));
        assert_eq!(language("rust,ignore"), "rust");
    }
}
