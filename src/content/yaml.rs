//! YAML front matter (`---` lines, as Hugo, Jekyll and MkDocs write it) read into the same
//! spanned values as TOML ([`crate::spanned`]), so every field check, type error and line
//! number works the same for both. Read with `saphyr-parser`'s event stream, which gives each
//! value's position.

use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};

use crate::spanned::{ParseError, Spanned, Table, Value};

/// Parses a YAML front-matter header: a mapping of keys to values (or nothing at all). Keys
/// whose value is empty (`tags:`) are left out, as if not written.
pub(super) fn parse(text: &str) -> Result<Table, ParseError> {
    let bytes = ByteOffsets::new(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| ParseError {
            message: e.info().to_string(),
            span: Some(bytes.at(e.marker())..bytes.at(e.marker())),
        })?;
        let range = bytes.range(&span);
        let done = match event {
            Event::MappingStart(..) => {
                stack.push(Frame::Map {
                    start: range.start,
                    table: Vec::new(),
                    key: None,
                });
                continue;
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq {
                    start: range.start,
                    items: Vec::new(),
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Frame::Map { start, table, .. }) => Node::Value(Spanned {
                    value: Value::Table(table),
                    span: start..range.end.max(start),
                }),
                Some(Frame::Seq { start, items }) => Node::Value(Spanned {
                    value: Value::Array(items),
                    span: start..range.end.max(start),
                }),
                None => continue,
            },
            Event::Scalar(text, style, _, tag) => scalar(&text, style, tag.as_deref(), range),
            Event::Alias(_) => {
                return Err(ParseError {
                    message: "aliases (`*name`) are not supported in front matter".into(),
                    span: Some(range),
                });
            }
            _ => continue,
        };
        match stack.last_mut() {
            Some(frame) => frame.add(done)?,
            None => root = Some(done),
        }
    }
    match root {
        None | Some(Node::Null(_)) => Ok(Vec::new()),
        Some(Node::Value(Spanned {
            value: Value::Table(t),
            ..
        })) => Ok(t),
        Some(Node::Value(v)) => Err(ParseError {
            message: format!(
                "front matter must be `key: value` lines, found {}",
                v.value.type_name()
            ),
            span: Some(v.span),
        }),
    }
}

/// A value, or YAML's null (an empty value) with where it was.
enum Node {
    Null(Range<usize>),
    Value(Spanned),
}

/// A mapping or sequence being read.
enum Frame {
    Map {
        start: usize,
        table: Table,
        /// The key read, waiting for its value.
        key: Option<(String, Range<usize>)>,
    },
    Seq {
        start: usize,
        items: Vec<Spanned>,
    },
}

impl Frame {
    fn add(&mut self, node: Node) -> Result<(), ParseError> {
        match self {
            Frame::Map { table, key, .. } => match key.take() {
                None => {
                    let (name, span) = match node {
                        Node::Value(Spanned {
                            value: Value::Array(_) | Value::Table(_),
                            span,
                        }) => {
                            return Err(ParseError {
                                message: "a key must be a plain name, not a list or table".into(),
                                span: Some(span),
                            });
                        }
                        Node::Value(v) => (scalar_text(&v.value), v.span),
                        Node::Null(span) => (String::new(), span),
                    };
                    if table.iter().any(|(k, _, _)| *k == name) {
                        return Err(ParseError {
                            message: format!("duplicate key `{name}`"),
                            span: Some(span),
                        });
                    }
                    *key = Some((name, span));
                }
                Some((name, span)) => match node {
                    Node::Value(v) => table.push((name, span, v)),
                    // `tags:` with nothing after it: as if the key were not written.
                    Node::Null(_) => {}
                },
            },
            Frame::Seq { items, .. } => match node {
                Node::Value(v) => items.push(v),
                Node::Null(span) => {
                    return Err(ParseError {
                        message: "empty list item".into(),
                        span: Some(span),
                    });
                }
            },
        }
        Ok(())
    }
}

/// A key's text, whatever its scalar type (`1: x` has the key `1`).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) | Value::Datetime(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(_) | Value::Table(_) => String::new(),
    }
}

/// A scalar's value under YAML 1.2's core schema: quoted and block scalars are strings; plain
/// ones may be null, booleans, integers or floats. `!!str` keeps a plain scalar a string.
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    span: Range<usize>,
) -> Node {
    let string = |s: &str| {
        Node::Value(Spanned {
            // As for TOML: no NUL reaches the HTML.
            value: Value::String(s.replace('\0', "\u{fffd}")),
            span: span.clone(),
        })
    };
    let forced_string = tag.is_some_and(|t| t.suffix == "str");
    if style != ScalarStyle::Plain || forced_string {
        return string(text);
    }
    let value = match text {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null(span),
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        s => match integer(s) {
            Some(i) => Value::Integer(i),
            None => match float(s) {
                Some(f) => Value::Float(f),
                None => return string(s),
            },
        },
    };
    Node::Value(Spanned { value, span })
}

/// `123`, `-4`, `+5`, `0x1F`, `0o17` (the core schema's integers).
fn integer(s: &str) -> Option<i64> {
    let digits = |d: &str, radix: u32| {
        (!d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
            .then(|| i64::from_str_radix(d, radix).ok())
            .flatten()
    };
    if let Some(h) = s.strip_prefix("0x") {
        return digits(h, 16);
    }
    if let Some(o) = s.strip_prefix("0o") {
        return digits(o, 8);
    }
    let (sign, d) = match s.as_bytes().first() {
        Some(b'-') => (-1, &s[1..]),
        Some(b'+') => (1, &s[1..]),
        _ => (1, s),
    };
    digits(d, 10).map(|v| sign * v)
}

/// `1.5`, `-2e3`, `.5`, `.inf`, `.nan` (the core schema's floats).
fn float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let ok = (!int.is_empty() || !frac.is_empty())
        && all_digits(int)
        && all_digits(frac)
        && (mantissa.contains('.') || exponent.is_some())
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && all_digits(e)
        });
    ok.then(|| s.parse().ok()).flatten()
}

/// The parser counts characters; diagnostics need bytes.
struct ByteOffsets<'a> {
    text: &'a str,
    /// Byte offset of each character, when the text is not all ASCII.
    starts: Option<Vec<usize>>,
}

impl<'a> ByteOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let starts = (!text.is_ascii()).then(|| text.char_indices().map(|(b, _)| b).collect());
        ByteOffsets { text, starts }
    }

    fn at(&self, m: &Marker) -> usize {
        match &self.starts {
            Some(s) => s.get(m.index()).copied().unwrap_or(self.text.len()),
            None => m.index().min(self.text.len()),
        }
    }

    fn range(&self, span: &Span) -> Range<usize> {
        self.at(&span.start)..self.at(&span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'t>(t: &'t Table, key: &str) -> &'t Spanned {
        crate::spanned::get(t, key).unwrap_or_else(|| panic!("{key} missing"))
    }

    #[test]
    fn values_have_types_and_byte_spans() {
        let text = "title: \"开营\"\nweight: 3\ndraft: false\nratio: 1.5\ndate: 2026-01-31\ntags: [仪式, 破冰]\nroles:\n  - 班长\n  - '助教'\nempty:\nmeta: {a: 1}\n";
        let t = parse(text).expect("parses");
        assert_eq!(value(&t, "title").value, Value::String("开营".into()));
        assert_eq!(value(&t, "weight").value, Value::Integer(3));
        assert_eq!(value(&t, "draft").value, Value::Bool(false));
        assert_eq!(value(&t, "ratio").value, Value::Float(1.5));
        assert_eq!(value(&t, "date").value, Value::String("2026-01-31".into()));
        let Value::Array(roles) = &value(&t, "roles").value else {
            panic!("roles is a list")
        };
        assert_eq!(roles[1].value, Value::String("助教".into()));
        // Byte offsets, past the multi-byte characters before them.
        let at = text.find("'助教'").expect("in text");
        assert_eq!(roles[1].span.start, at);
        let tags = value(&t, "tags");
        assert_eq!(tags.span.start, text.find("[仪式").expect("in text"));
        assert!(crate::spanned::get(&t, "empty").is_none());
        let (_, key_span, _) = &t[1];
        assert_eq!(key_span.start, text.find("weight").expect("in text"));
        assert!(matches!(value(&t, "meta").value, Value::Table(_)));
    }

    #[test]
    fn errors_are_located() {
        let text = "title: 开营\ntags: [a, b\nx: 1\n";
        let e = parse(text).unwrap_err();
        assert!(e.span.is_some(), "{e:?}");
        let e = parse("title: a\ntitle: b\n").unwrap_err();
        assert_eq!(e.message, "duplicate key `title`");
        assert_eq!(e.span, Some(9..14));
        let e = parse("a: &x 1\nb: *x\n").unwrap_err();
        assert_eq!(e.span.map(|s| s.start), Some(11));
        assert!(parse("- a\n- b\n").is_err());
        assert!(parse("# only a comment\n").expect("empty").is_empty());
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(integer("0x1F"), Some(31));
        assert_eq!(integer("-12"), Some(-12));
        assert_eq!(integer("1_000"), None);
        assert_eq!(float("1.5e3"), Some(1500.0));
        assert_eq!(float("1"), None);
        assert_eq!(float("1.2.3"), None);
        assert_eq!(float("e5"), None);
    }
}
