//! Lean grammars for the data languages playbooks quote most: YAML (front matter, the check-in
//! forms of rituals), TOML (`site.toml`, which syntect's default set cannot highlight at all) and
//! JSON. Sublime's YAML grammar tells every corner of YAML 1.1 apart with a few hundred patterns
//! and spent about 140 µs on a seven-line block (1,243 such blocks were 5 % of a 10,000-page
//! build, BENCHMARKS.md); these know keys, strings, numbers, constants, comments and the
//! punctuation the theme colours, each in one pattern, and keep Sublime's scope names, so the
//! style sheet colours them alike.
//!
//! They are built in code rather than loaded from `.sublime-syntax` text: syntect reads that
//! text only through an unmaintained YAML crate.

use std::sync::OnceLock;

use syntect::parsing::syntax_definition::{
    CaptureMapping, Context, ContextReference, MatchOperation, MatchPattern, Pattern,
    SyntaxDefinition,
};
use syntect::parsing::{Regex, Scope, SyntaxSet, SyntaxSetBuilder};

/// The lean grammars, built once, on the first code block that names a language; `None` if
/// one failed to build, and then the default set highlights those languages as before.
pub(super) fn lean() -> Option<&'static SyntaxSet> {
    static SET: OnceLock<Option<SyntaxSet>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = SyntaxSetBuilder::new();
        builder.add(yaml()?);
        builder.add(toml()?);
        builder.add(json()?);
        Some(builder.build())
    })
    .as_ref()
}

/// A plain scalar outside flow collections: its first character (YAML's `ns-plain-first`) and
/// the characters after it up to a `: ` or ` #`, without trailing blanks. Commas and brackets
/// are text here (`roles: 群主, 班长` is one string).
const YAML_PLAIN: &str =
    r#"(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|[\-?:](?=\S))(?:[ \t]*(?:[^\s#:]|:(?=\S)|(?<=\S)#))*"#;
/// A plain scalar inside a flow collection (`[…]`, `{…}`), where flow punctuation ends it too.
const YAML_PLAIN_IN: &str = r#"(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|[\-?:](?=[^\s,\[\]{}]))(?:[ \t]*(?:[^\s#,\[\]{}:]|:(?=[^\s,\[\]{}])|(?<=\S)#))*"#;
/// What may follow a scalar that is a number, boolean or null rather than a longer string.
const YAML_END: &str = r"(?=[ \t]*$|[ \t]+#|[ \t]*[,\]}])";
/// A bare, basic or literal TOML key, dotted or not.
const TOML_KEY: &str = r#"(?:[A-Za-z0-9_\-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')(?:[ \t]*\.[ \t]*(?:[A-Za-z0-9_\-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'))*"#;
/// A TOML or JSON number (TOML's underscores, bases, `inf` and `nan` included).
const NUMBER: &str = r"[-+]?(?:0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|0o[0-7](?:_?[0-7])*|0b[01](?:_?[01])*|inf\b|nan\b|[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][-+]?[0-9](?:_?[0-9])*)?)";

fn yaml() -> Option<SyntaxDefinition> {
    let key = format!(r"({YAML_PLAIN})[ \t]*(:)(?=[ \t]|$)");
    let quoted_key = r#"("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*(:)(?=[ \t]|$)"#;
    // A key whose value is a block scalar (`|` or `>`): the lines after it, as far as they are
    // indented deeper than the key (or blank), are its text. The key's indentation is captured
    // for the context to end at (after `- `, two columns more).
    let block_key = |item: &str| {
        format!(
            r"^([ \t]*){item}({YAML_PLAIN})[ \t]*(:)[ \t]+([|>][1-9+\-]{{0,2}})(?=[ \t]*(?:$|#))"
        )
    };
    let block_scopes = [
        "string.unquoted.plain.out.yaml entity.name.tag.yaml",
        "punctuation.separator.key-value.mapping.yaml",
        "keyword.control.flow.block-scalar.yaml",
    ];
    let mut main = vec![
        comment("yaml")?,
        push(
            &block_key(""),
            "",
            &[
                (2, block_scopes[0]),
                (3, block_scopes[1]),
                (4, block_scopes[2]),
            ],
            "block_scalar",
        )?,
        push(
            &block_key(r"(-)[ \t]"),
            "",
            &[
                (2, "punctuation.definition.block.sequence.item.yaml"),
                (3, block_scopes[0]),
                (4, block_scopes[1]),
                (5, block_scopes[2]),
            ],
            "item_block_scalar",
        )?,
        rule(r"^---(?=[ \t]|$)", "entity.other.document.begin.yaml", &[])?,
        rule(r"^\.\.\.(?=[ \t]|$)", "entity.other.document.end.yaml", &[])?,
        rule(
            r"-(?=[ \t]|$)",
            "punctuation.definition.block.sequence.item.yaml",
            &[],
        )?,
        rule(
            &key,
            "",
            &[
                (1, "string.unquoted.plain.out.yaml entity.name.tag.yaml"),
                (2, "punctuation.separator.key-value.mapping.yaml"),
            ],
        )?,
        rule(
            quoted_key,
            "",
            &[
                (1, "entity.name.tag.yaml"),
                (2, "punctuation.separator.key-value.mapping.yaml"),
            ],
        )?,
    ];
    main.extend(values()?);
    main.extend([
        rule(
            r"[|>][1-9+\-]{0,2}(?=[ \t]*(?:$|#))",
            "keyword.control.flow.block-scalar.yaml",
            &[],
        )?,
        rule(YAML_PLAIN, "string.unquoted.plain.out.yaml", &[])?,
    ]);
    // Ends (taking nothing) at the first line that holds text and is indented no deeper than
    // the key; `\1` is the indentation of the key's line, `deeper` what the text has beyond it.
    let block = |deeper: &str| -> Option<Context> {
        let end = format!(r"^(?![ \t]*$)(?!\1{deeper})");
        let end = pattern(&end, "", &[], MatchOperation::Pop)?;
        context("", "string.unquoted.block.yaml", vec![end])
    };
    Some(syntax(
        "YAML",
        &["yaml", "yml"],
        "source.yaml",
        main,
        vec![
            ("block_scalar", block(r"[ \t]")?),
            ("item_block_scalar", block(r"[ \t]{3}")?),
            ("flow_sequence", flow("sequence", r"\]")?),
            ("flow_mapping", flow("mapping", r"\}")?),
        ],
    ))
}

/// What a YAML value can be, in a block or in a flow collection: a quoted string, a constant, an
/// anchor, alias or tag, or a flow collection.
fn values() -> Option<Vec<Pattern>> {
    Some(vec![
        push(
            r"\[",
            "punctuation.definition.sequence.begin.yaml",
            &[],
            "flow_sequence",
        )?,
        push(
            r"\{",
            "punctuation.definition.mapping.begin.yaml",
            &[],
            "flow_mapping",
        )?,
        quoted(DOUBLE_QUOTED, "double", "yaml")?,
        quoted(r"(')(?:[^']|'')*(')", "single", "yaml")?,
        rule(
            &format!(r"(?:null|Null|NULL|~){YAML_END}"),
            "constant.language.null.yaml",
            &[],
        )?,
        rule(
            &format!(r"(?:true|True|TRUE|false|False|FALSE){YAML_END}"),
            "constant.language.boolean.yaml",
            &[],
        )?,
        rule(
            &format!(r"[-+]?(?:0x[0-9A-Fa-f]+|0o[0-7]+|[0-9]+){YAML_END}"),
            "constant.numeric.integer.yaml",
            &[],
        )?,
        rule(
            &format!(
                r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)){YAML_END}"
            ),
            "constant.numeric.float.yaml",
            &[],
        )?,
        rule(
            r"(&)[^\s\[\]{},]+",
            "entity.name.other.anchor.yaml",
            &[(1, "punctuation.definition.anchor.yaml")],
        )?,
        rule(
            r"(\*)[^\s\[\]{},]+",
            "variable.other.alias.yaml",
            &[(1, "punctuation.definition.alias.yaml")],
        )?,
        rule(r"![^\s\[\]{},]*", "storage.type.tag-handle.yaml", &[])?,
    ])
}

/// The inside of a flow `sequence` or `mapping`, which `close` ends: values, `key: value`
/// pairs and plain scalars that end at flow punctuation, under Sublime's scopes for them.
fn flow(kind: &str, close: &str) -> Option<Context> {
    let mut patterns = vec![
        comment("yaml")?,
        pattern(
            close,
            &format!("punctuation.definition.{kind}.end.yaml"),
            &[],
            MatchOperation::Pop,
        )?,
        rule(",", &format!("punctuation.separator.{kind}.yaml"), &[])?,
        rule(
            &format!(r"({YAML_PLAIN_IN})[ \t]*(:)(?=[ \t]|$|[,\]}}])"),
            "",
            &[
                (1, "string.unquoted.plain.in.yaml entity.name.tag.yaml"),
                (2, "punctuation.separator.key-value.mapping.yaml"),
            ],
        )?,
    ];
    patterns.extend(values()?);
    patterns.push(rule(YAML_PLAIN_IN, "string.unquoted.plain.in.yaml", &[])?);
    context(&format!("meta.flow-{kind}.yaml"), "", patterns)
}

fn toml() -> Option<SyntaxDefinition> {
    let table = format!(r"^[ \t]*(\[\[?)[ \t]*({TOML_KEY})[ \t]*(\]\]?)");
    let key = format!(r"(?:^|(?<=[{{,]))[ \t]*({TOML_KEY})[ \t]*(=)");
    let main = vec![
        comment("toml")?,
        rule(
            &table,
            "meta.tag.table.toml",
            &[
                (1, "punctuation.definition.table.begin.toml"),
                (2, "entity.name.table.toml"),
                (3, "punctuation.definition.table.end.toml"),
            ],
        )?,
        rule(
            &key,
            "",
            &[
                (1, "entity.name.tag.toml"),
                (2, "punctuation.separator.key-value.toml"),
            ],
        )?,
        push(
            r#"""""#,
            "punctuation.definition.string.begin.toml",
            &[],
            "basic_block",
        )?,
        push(
            "'''",
            "punctuation.definition.string.begin.toml",
            &[],
            "literal_block",
        )?,
        quoted(DOUBLE_QUOTED, "double", "toml")?,
        quoted(r"(')[^'\n]*(')", "single", "toml")?,
        rule(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?(?:[Zz]|[-+][0-9]{2}:[0-9]{2})?|[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?",
            "constant.other.datetime.toml",
            &[],
        )?,
        rule(r"\b(?:true|false)\b", "constant.language.boolean.toml", &[])?,
        rule(NUMBER, "constant.numeric.toml", &[])?,
    ];
    let block = |scope: &str, end: &str, escapes: bool| -> Option<Context> {
        let mut patterns = Vec::new();
        if escapes {
            patterns.push(rule(r"\\.", "constant.character.escape.toml", &[])?);
        }
        patterns.push(pattern(
            end,
            "punctuation.definition.string.end.toml",
            &[],
            MatchOperation::Pop,
        )?);
        context(scope, "", patterns)
    };
    let contexts = vec![
        (
            "basic_block",
            block("string.quoted.triple.double.toml", r#""""(?!")"#, true)?,
        ),
        (
            "literal_block",
            block("string.quoted.triple.single.toml", "'''(?!')", false)?,
        ),
    ];
    Some(syntax("TOML", &["toml"], "source.toml", main, contexts))
}

fn json() -> Option<SyntaxDefinition> {
    let main = vec![
        rule(
            r#"((")(?:[^"\\\n]|\\.)*("))[ \t]*(:)"#,
            "",
            &[
                (1, "meta.mapping.key.json string.quoted.double.json"),
                (2, "punctuation.definition.string.begin.json"),
                (3, "punctuation.definition.string.end.json"),
                (4, "punctuation.separator.mapping.key-value.json"),
            ],
        )?,
        quoted(DOUBLE_QUOTED, "double", "json")?,
        rule(r"\b(?:true|false|null)\b", "constant.language.json", &[])?,
        rule(NUMBER, "constant.numeric.json", &[])?,
        rule(r"//.*\n?|/\*.*?\*/", "comment.json", &[])?,
    ];
    Some(syntax("JSON", &["json"], "source.json", main, vec![]))
}

/// A `#` comment to the end of the line.
fn comment(lang: &str) -> Option<Pattern> {
    rule(
        r"(?:^|(?<=[ \t]))(#).*\n?",
        &format!("comment.line.number-sign.{lang}"),
        &[(
            1,
            &format!("punctuation.definition.comment.line.number-sign.{lang}"),
        )],
    )
}

/// A `"…"` string on one line, with backslash escapes.
const DOUBLE_QUOTED: &str = r#"(")(?:[^"\\\n]|\\.)*(")"#;

/// A string on one line matched by `regex`, whose groups 1 and 2 are its opening and closing
/// quote, scoped `string.quoted.<kind>.<lang>` as Sublime's grammars scope them.
fn quoted(regex: &str, kind: &str, lang: &str) -> Option<Pattern> {
    rule(
        regex,
        &format!("string.quoted.{kind}.{lang}"),
        &[
            (1, &format!("punctuation.definition.string.begin.{lang}")),
            (2, &format!("punctuation.definition.string.end.{lang}")),
        ],
    )
}

/// A syntax whose start context holds `main` (the parser starts in the context named
/// `__start`, under the syntax's own scope) and whose other contexts are `contexts`.
fn syntax(
    name: &str,
    extensions: &[&str],
    scope: &str,
    main: Vec<Pattern>,
    contexts: Vec<(&str, Context)>,
) -> SyntaxDefinition {
    let scope = Scope::new(scope).unwrap_or_default();
    let mut start = Context::new(false);
    start.meta_content_scope = vec![scope];
    start.patterns = main;
    let mut all: std::collections::HashMap<String, Context> = contexts
        .into_iter()
        .map(|(name, c)| (name.to_string(), c))
        .collect();
    all.insert("__start".to_string(), start);
    SyntaxDefinition {
        name: name.to_string(),
        file_extensions: extensions.iter().map(|e| e.to_string()).collect(),
        scope,
        first_line_match: None,
        hidden: false,
        variables: Default::default(),
        contexts: all,
    }
}

/// A context whose text, the match that entered it included, carries `scope`, and whose text
/// after that match carries `content_scope`.
fn context(scope: &str, content_scope: &str, patterns: Vec<Pattern>) -> Option<Context> {
    let mut c = Context::new(false);
    c.meta_scope = scopes(scope)?;
    c.meta_content_scope = scopes(content_scope)?;
    // The entering match's captures are kept for the context only when a pattern refers back.
    c.uses_backrefs = patterns
        .iter()
        .any(|p| matches!(p, Pattern::Match(m) if m.has_captures));
    c.patterns = patterns;
    Some(c)
}

/// A match that stays in its context.
fn rule(regex: &str, scope: &str, captures: &[(usize, &str)]) -> Option<Pattern> {
    pattern(regex, scope, captures, MatchOperation::None)
}

/// A match that enters the context named `to`.
fn push(regex: &str, scope: &str, captures: &[(usize, &str)], to: &str) -> Option<Pattern> {
    // syntect's references cannot be built outside it except through its serialized form.
    let to: ContextReference = serde_json::from_value(serde_json::json!({ "Named": to })).ok()?;
    pattern(regex, scope, captures, MatchOperation::Push(vec![to]))
}

/// A pattern, or `None` when the regex does not compile (syntect would panic on its first use).
/// A `\1` in a pattern refers back to the captures of the match that entered its context, as
/// in Sublime's grammars (checked with those references left out).
fn pattern(
    regex: &str,
    scope: &str,
    captures: &[(usize, &str)],
    operation: MatchOperation,
) -> Option<Pattern> {
    let backrefs = regex.contains("\\1");
    if Regex::try_compile(&regex.replace("\\1", "")).is_some() {
        return None;
    }
    let captures: CaptureMapping = captures
        .iter()
        .map(|(group, names)| Some((*group, scopes(names)?)))
        .collect::<Option<_>>()?;
    Some(Pattern::Match(MatchPattern {
        // syntect's name for "the regex refers back to the captures of the match that pushed
        // its context" (a `\1` filled in when the context is entered).
        has_captures: backrefs,
        regex: Regex::new(regex.to_string()),
        scope: scopes(scope)?,
        captures: (!captures.is_empty()).then_some(captures),
        operation,
        with_prototype: None,
    }))
}

/// Space-separated scope names.
fn scopes(names: &str) -> Option<Vec<Scope>> {
    names
        .split_whitespace()
        .map(|name| Scope::new(name).ok())
        .collect()
}
