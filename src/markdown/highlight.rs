//! Build-time syntax highlighting of fenced code blocks (syntect on Oniguruma: its patterns
//! compile in a fraction of the pure-Rust engine's time, which was 2 % of a 10,000-page build,
//! for the same output). The output carries CSS classes only (`hl-keyword`, `hl-string`, …),
//! so the theme's style sheet colours them for light and dark mode and no script runs in the
//! reader's browser.

use std::sync::OnceLock;

use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet,
};
use syntect::util::LinesWithEndings;

/// The prefix of every class the highlighter writes, so they cannot clash with the theme's own.
const CLASS_PREFIX: &str = "hl-";

/// Syntaxes are loaded once per process, on the first code block that names a language: a
/// site without code pays nothing, and a site with code pays the load once (about 20 ms), not
/// once per page.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The grammar that highlights `lang` and the set it belongs to: the lean grammars
/// (`super::grammars`) before syntect's defaults, whose load a site quoting only YAML, TOML and
/// JSON then never pays.
fn find(lang: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    // Names no grammar has, common in playbooks for chat logs and sample output: known plain
    // without loading the default set.
    if matches!(lang, "text" | "plain" | "plaintext") {
        return None;
    }
    if let Some(lean) = super::grammars::lean()
        && let Some(syntax) = lean.find_syntax_by_token(lang)
    {
        return Some((lean, syntax));
    }
    let set = syntaxes();
    Some((set, set.find_syntax_by_token(lang)?))
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
    open_block(&mut out, lang, true);
    if lang.is_empty() || !highlight(lang, code, &mut out) {
        out.clear();
        open_block(&mut out, lang, false);
        crate::text::push_escaped(&mut out, code);
    }
    out.push_str("</code></pre>\n");
    out
}

/// The block's opening tags: `hl` marks a highlighted block for the style sheet.
fn open_block(out: &mut String, lang: &str, highlighted: bool) {
    out.push_str(if highlighted {
        "<pre class=\"hl\"><code"
    } else {
        "<pre><code"
    });
    if !lang.is_empty() {
        out.push_str(" class=\"language-");
        crate::text::push_escaped(out, lang);
        out.push('"');
    }
    out.push('>');
}

/// Appends `code` highlighted as `lang` to `out`: each line's tokens in `<span>`s whose classes
/// name their scopes (`hl-` and each part of the scope's name), empty spans left out, and the
/// spans still open at the end closed. False (with `out` partly written) when `lang` is unknown
/// or the highlighter fails on the code.
///
/// This is what syntect's `ClassedHTMLGenerator` writes, byte for byte, written here so each
/// class string is built once per thread and scope (the generator builds it for every span,
/// under a process-wide lock) and the spans go straight into the page's buffer.
fn highlight(lang: &str, code: &str, out: &mut String) -> bool {
    let Some((set, syntax)) = find(lang) else {
        return false;
    };
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut open_spans: isize = 0;
    let highlighted = CLASSES.with_borrow_mut(|classes| {
        for line in LinesWithEndings::from(code) {
            let Ok(ops) = state.parse_line(line, set) else {
                return false;
            };
            // Per line, as the generator does: a span opened and closed on this line around
            // no text is taken back out.
            let mut at = 0;
            let mut span_empty = false;
            let mut span_start = 0;
            for (i, op) in &ops {
                let i = (*i).min(line.len());
                if i > at {
                    span_empty = false;
                    crate::text::push_escaped(out, &line[at..i]);
                    at = i;
                }
                let applied = stack.apply_with_hook(op, |basic, _| match basic {
                    BasicScopeStackOp::Push(scope) => {
                        span_start = out.len();
                        span_empty = true;
                        out.push_str("<span class=\"");
                        out.push_str(classes.entry(scope).or_insert_with(|| class_of(scope)));
                        out.push_str("\">");
                        open_spans += 1;
                    }
                    BasicScopeStackOp::Pop => {
                        if span_empty {
                            out.truncate(span_start);
                        } else {
                            out.push_str("</span>");
                        }
                        open_spans -= 1;
                        span_empty = false;
                    }
                });
                if applied.is_err() {
                    return false;
                }
            }
            crate::text::push_escaped(out, &line[at..]);
        }
        true
    });
    if highlighted {
        for _ in 0..open_spans {
            out.push_str("</span>");
        }
    }
    highlighted
}

thread_local! {
    /// The class attribute of each scope met so far on this thread (a grammar has a few
    /// hundred), so a span costs a lookup instead of a walk over the scope's name under a lock.
    static CLASSES: std::cell::RefCell<rustc_hash::FxHashMap<Scope, Box<str>>> =
        std::cell::RefCell::default();
}

/// The class attribute of a scope: `hl-` before each dot-separated part of its name
/// (`hl-storage hl-type hl-rust`).
fn class_of(scope: Scope) -> Box<str> {
    let name = scope.build_string();
    let mut class = String::with_capacity(name.len() + 16);
    if !name.is_empty() {
        for (k, atom) in name.split('.').enumerate() {
            if k > 0 {
                class.push(' ');
            }
            class.push_str(CLASS_PREFIX);
            class.push_str(atom);
        }
    }
    class.into()
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
        for plain in ["text", "plain", "plaintext"] {
            assert!(syntaxes().find_syntax_by_token(plain).is_none(), "{plain}");
            assert_eq!(
                code_block(plain, "a\n"),
                format!("<pre><code class=\"language-{plain}\">a\n</code></pre>\n")
            );
        }
        assert!(is_template("template 欢迎词 announcement"));
        assert!(!is_template("templates"));
        assert_eq!(language("rust,ignore"), "rust");
    }

    /// What syntect's own generator writes for a block (what `code_block` wrote before it
    /// wrote the spans itself).
    fn generator_html(lang: &str, code: &str) -> Option<String> {
        use syntect::html::{ClassStyle, ClassedHTMLGenerator};
        let (set, syntax) = find(lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            set,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    }

    #[test]
    fn spans_are_the_generators_byte_for_byte() {
        let blocks = [
            (
                "yaml",
                "ritual:\n  name: 'a <b> & \"c\"'\n  owners:\n    - 讲师\n    - x # note\n",
            ),
            (
                "json",
                "{\"ritual\": \"it's\", \"n\": [1, 2.5e3, true, null], \"s\": \"<&>\"}\n",
            ),
            (
                "rust",
                "/// doc\nfn main() {\n    let s = r#\"raw\n\"#; // c\n    println!(\"{}\", s);\n}",
            ),
            (
                "python",
                "def f(x):\n    \"\"\"doc\n    more\"\"\"\n    return x < 1 and 'y'\n",
            ),
            (
                "html",
                "<div class=\"a\">\n<script>if (a < b && c) {}</script>\n<!-- c -->\n</div>\n",
            ),
            ("sh", "for f in *.md; do echo \"$f\" > /dev/null; done\n"),
            ("js", "const a = `x${1 + 2}`;\n/* open\ncomment */\n"),
            ("md", "# 标题\n\n```rust\nfn x() {}\n```\n"),
            ("yaml", ""),
            ("json", "{\n"),
        ];
        for (lang, code) in blocks {
            let mut out = String::new();
            assert!(highlight(lang, code, &mut out), "{lang}");
            assert_eq!(Some(out), generator_html(lang, code), "{lang}: {code}");
        }
    }
}

#[cfg(test)]
mod lean_tests {
    use super::*;

    fn html(lang: &str, code: &str) -> String {
        let mut out = String::new();
        assert!(highlight(lang, code, &mut out), "{lang}");
        out
    }

    /// The lean YAML grammar writes what Sublime's did for a typical block (captured from
    /// syntect's default set before the lean grammars), so the theme colours it alike.
    #[test]
    fn lean_yaml_writes_the_default_grammars_classes() {
        let code = "ritual:\n  name: replicating-chapters-faq # note\n  day: \"sunday\"\n  duration_min: 30\n  ok: true\n  owners:\n    - 贡献者\n    - 记录员\n";
        let sublime = r#"<span class="hl-source hl-yaml"><span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">ritual</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span>
  <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">name</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span> <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">replicating-chapters-faq</span> <span class="hl-comment hl-line hl-number-sign hl-yaml"><span class="hl-punctuation hl-definition hl-comment hl-line hl-number-sign hl-yaml">#</span> note
</span>  <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">day</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span> <span class="hl-string hl-quoted hl-double hl-yaml"><span class="hl-punctuation hl-definition hl-string hl-begin hl-yaml">&quot;</span>sunday<span class="hl-punctuation hl-definition hl-string hl-end hl-yaml">&quot;</span></span>
  <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">duration_min</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span> <span class="hl-constant hl-numeric hl-integer hl-yaml">30</span>
  <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">ok</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span> <span class="hl-constant hl-language hl-boolean hl-yaml">true</span>
  <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">owners</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span>
    <span class="hl-punctuation hl-definition hl-block hl-sequence hl-item hl-yaml">-</span> <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">贡献者</span>
    <span class="hl-punctuation hl-definition hl-block hl-sequence hl-item hl-yaml">-</span> <span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">记录员</span>
</span>"#;
        assert_eq!(html("yaml", code), sublime);
        assert_eq!(html("yml", code), sublime);
    }

    #[test]
    fn toml_is_highlighted() {
        let code = "# 站点\ntitle = \"群策\" # x\n[playbook]\ncohort_days = 21\nstart = 2026-03-01\n[[kinds.ritual.fields]]\nname = 'day'\ninline = { a = true, b.c = 1.5 }\ntext = \"\"\"\n多行 \\\" 文本\n\"\"\"\n";
        let want = concat!(
            r#"<span class="hl-source hl-toml"><span class="hl-comment hl-line hl-number-sign hl-toml"><span class="hl-punctuation hl-definition hl-comment hl-line hl-number-sign hl-toml">#</span> 站点"#,
            "\n",
            r#"</span><span class="hl-entity hl-name hl-tag hl-toml">title</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-string hl-quoted hl-double hl-toml"><span class="hl-punctuation hl-definition hl-string hl-begin hl-toml">&quot;</span>群策<span class="hl-punctuation hl-definition hl-string hl-end hl-toml">&quot;</span></span> <span class="hl-comment hl-line hl-number-sign hl-toml"><span class="hl-punctuation hl-definition hl-comment hl-line hl-number-sign hl-toml">#</span> x"#,
            "\n",
            r#"</span><span class="hl-meta hl-tag hl-table hl-toml"><span class="hl-punctuation hl-definition hl-table hl-begin hl-toml">[</span><span class="hl-entity hl-name hl-table hl-toml">playbook</span><span class="hl-punctuation hl-definition hl-table hl-end hl-toml">]</span></span>"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">cohort_days</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-constant hl-numeric hl-toml">21</span>"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">start</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-constant hl-other hl-datetime hl-toml">2026-03-01</span>"#,
            "\n",
            r#"<span class="hl-meta hl-tag hl-table hl-toml"><span class="hl-punctuation hl-definition hl-table hl-begin hl-toml">[[</span><span class="hl-entity hl-name hl-table hl-toml">kinds.ritual.fields</span><span class="hl-punctuation hl-definition hl-table hl-end hl-toml">]]</span></span>"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">name</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-string hl-quoted hl-single hl-toml"><span class="hl-punctuation hl-definition hl-string hl-begin hl-toml">&#39;</span>day<span class="hl-punctuation hl-definition hl-string hl-end hl-toml">&#39;</span></span>"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">inline</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> { <span class="hl-entity hl-name hl-tag hl-toml">a</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-constant hl-language hl-boolean hl-toml">true</span>, <span class="hl-entity hl-name hl-tag hl-toml">b.c</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-constant hl-numeric hl-toml">1.5</span> }"#,
            "\n",
            r#"<span class="hl-entity hl-name hl-tag hl-toml">text</span> <span class="hl-punctuation hl-separator hl-key-value hl-toml">=</span> <span class="hl-string hl-quoted hl-triple hl-double hl-toml"><span class="hl-punctuation hl-definition hl-string hl-begin hl-toml">&quot;&quot;&quot;</span>"#,
            "\n",
            r#"多行 <span class="hl-constant hl-character hl-escape hl-toml">\&quot;</span> 文本"#,
            "\n",
            r#"<span class="hl-punctuation hl-definition hl-string hl-end hl-toml">&quot;&quot;&quot;</span></span>"#,
            "\n",
            "</span>"
        );
        assert_eq!(html("toml", code), want);
    }

    #[test]
    fn lean_json_marks_keys_strings_numbers_and_constants() {
        let got = html("json", "{\"a\": [1, -2.5e3, {\"b\": \"c\\\"d\"}, null]}\n");
        let want = concat!(
            r#"<span class="hl-source hl-json">{<span class="hl-meta hl-mapping hl-key hl-json"><span class="hl-string hl-quoted hl-double hl-json"><span class="hl-punctuation hl-definition hl-string hl-begin hl-json">&quot;</span>a<span class="hl-punctuation hl-definition hl-string hl-end hl-json">&quot;</span></span></span><span class="hl-punctuation hl-separator hl-mapping hl-key-value hl-json">:</span> ["#,
            r#"<span class="hl-constant hl-numeric hl-json">1</span>, <span class="hl-constant hl-numeric hl-json">-2.5e3</span>, "#,
            r#"{<span class="hl-meta hl-mapping hl-key hl-json"><span class="hl-string hl-quoted hl-double hl-json"><span class="hl-punctuation hl-definition hl-string hl-begin hl-json">&quot;</span>b<span class="hl-punctuation hl-definition hl-string hl-end hl-json">&quot;</span></span></span><span class="hl-punctuation hl-separator hl-mapping hl-key-value hl-json">:</span> "#,
            r#"<span class="hl-string hl-quoted hl-double hl-json"><span class="hl-punctuation hl-definition hl-string hl-begin hl-json">&quot;</span>c\&quot;d<span class="hl-punctuation hl-definition hl-string hl-end hl-json">&quot;</span></span>}, "#,
            r#"<span class="hl-constant hl-language hl-json">null</span>]}"#,
            "\n</span>"
        );
        assert_eq!(got, want);
    }

    /// The text of a block scalar is one string up to the first line indented no deeper than
    /// its key, whatever it holds; a block under a sequence item or a nested key ends alike.
    #[test]
    fn yaml_block_scalars_are_strings_to_their_indentation() {
        let got = html(
            "yaml",
            "a:\n  text: |\n    two: x # y\n\n    - z\n  next: 1\nlast: >-\n  q\n",
        );
        let block = r#"<span class="hl-keyword hl-control hl-flow hl-block-scalar hl-yaml">|</span><span class="hl-string hl-unquoted hl-block hl-yaml">"#;
        assert!(got.contains(block), "{got}");
        assert!(
            got.contains("\n    two: x # y\n\n    - z\n</span>  <span class=\"hl-string hl-unquoted hl-plain hl-out hl-yaml\"><span class=\"hl-entity hl-name hl-tag hl-yaml\">next</span>"),
            "{got}"
        );
        assert!(
            got.contains(r#"<span class="hl-keyword hl-control hl-flow hl-block-scalar hl-yaml">&gt;-</span><span class="hl-string hl-unquoted hl-block hl-yaml">"#),
            "{got}"
        );
        assert!(got.ends_with("\n  q\n</span></span>"), "{got}");
        // Under `- `, the key is two columns in: `k` is the item's next key, not block text.
        let got = html("yaml", "- item: >\n    folded\n  k: v\n");
        assert!(
            got.contains("<span class=\"hl-string hl-unquoted hl-block hl-yaml\">\n    folded\n</span>  <span class=\"hl-string hl-unquoted hl-plain hl-out hl-yaml\"><span class=\"hl-entity hl-name hl-tag hl-yaml\">k</span>"),
            "{got}"
        );
    }

    /// Flow collections end plain scalars at their punctuation, nested or not, as Sublime's
    /// grammar scopes them; outside one, commas and brackets are text; a colon or `#` inside a
    /// scalar does not end it.
    #[test]
    fn yaml_scalars_end_where_yaml_ends_them() {
        let got = html(
            "yaml",
            "tags: [a, [b c]]\nroles: 群主, 班长 [x]\nm: {k: 1}\nat: 10:30\nurl: http://x.org/a#b # c\n",
        );
        let (seq, plain_in) = (
            r#"<span class="hl-meta hl-flow-sequence hl-yaml">"#,
            r#"<span class="hl-string hl-unquoted hl-plain hl-in hl-yaml">"#,
        );
        let (open, comma, close) = (
            r#"<span class="hl-punctuation hl-definition hl-sequence hl-begin hl-yaml">[</span>"#,
            r#"<span class="hl-punctuation hl-separator hl-sequence hl-yaml">,</span>"#,
            r#"<span class="hl-punctuation hl-definition hl-sequence hl-end hl-yaml">]</span>"#,
        );
        let flow = format!(
            "{seq}{open}{plain_in}a</span>{comma} {seq}{open}{plain_in}b c</span>{close}</span>{close}</span>"
        );
        assert!(got.contains(&flow), "{got}");
        assert!(got.contains(r#"<span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">群主, 班长 [x]</span>"#), "{got}");
        assert!(got.contains(r#"<span class="hl-meta hl-flow-mapping hl-yaml"><span class="hl-punctuation hl-definition hl-mapping hl-begin hl-yaml">{</span><span class="hl-string hl-unquoted hl-plain hl-in hl-yaml"><span class="hl-entity hl-name hl-tag hl-yaml">k</span></span><span class="hl-punctuation hl-separator hl-key-value hl-mapping hl-yaml">:</span> <span class="hl-constant hl-numeric hl-integer hl-yaml">1</span><span class="hl-punctuation hl-definition hl-mapping hl-end hl-yaml">}</span></span>"#), "{got}");
        assert!(
            got.contains(
                r#"<span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">10:30</span>"#
            ),
            "{got}"
        );
        assert!(got.contains(r#"<span class="hl-string hl-unquoted hl-plain hl-out hl-yaml">http://x.org/a#b</span> <span class="hl-comment"#), "{got}");
    }
}
