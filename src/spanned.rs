//! TOML values that remember their byte span, so that a wrong type in front matter or in
//! site.toml is reported at its own line and column rather than at "somewhere in the file".

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// A parsed TOML value with the byte range (in the parsed text) it came from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spanned {
    pub(crate) value: Value,
    pub(crate) span: Range<usize>,
}

/// The value itself. Tables keep their key spans and their order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Datetime(String),
    Array(Vec<Spanned>),
    Table(Table),
}

/// An ordered table: `(key, key span, value)`.
pub(crate) type Table = Vec<(String, Range<usize>, Spanned)>;

/// A TOML syntax error with its byte span in the parsed text.
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) span: Option<Range<usize>>,
}

/// Parses a whole TOML document.
pub(crate) fn parse(text: &str) -> Result<Table, ParseError> {
    match DeTable::parse(text) {
        Ok(table) => Ok(convert_table(table.get_ref())),
        Err(e) => Err(ParseError {
            // The first line of toml's message is the explanation; the rest is its own
            // source excerpt, which we print ourselves.
            message: e.message().trim().to_string(),
            span: e.span(),
        }),
    }
}

fn convert_table(t: &DeTable<'_>) -> Table {
    t.iter()
        .map(|(k, v)| (k.get_ref().to_string(), k.span(), convert(v)))
        .collect()
}

fn convert(v: &toml::Spanned<DeValue<'_>>) -> Spanned {
    let value = match v.get_ref() {
        // A `\u0000` escape must not put NUL into the HTML (CommonMark replaces it too).
        DeValue::String(s) => Value::String(s.replace('\0', "\u{fffd}")),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map(Value::Integer)
            .unwrap_or_else(|_| Value::String(i.as_str().to_string())),
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(convert).collect()),
        DeValue::Table(t) => Value::Table(convert_table(t)),
    };
    Spanned {
        value,
        span: v.span(),
    }
}

impl Value {
    /// The TOML type name, for "expected a list, found a string" messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "a list",
            Value::Table(_) => "a table",
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Datetime(s) => Some(s),
            _ => None,
        }
    }

    /// Converts to JSON for template contexts.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            Value::String(s) | Value::Datetime(s) => serde_json::Value::String(s.clone()),
            Value::Integer(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Bool(b) => (*b).into(),
            Value::Array(a) => a.iter().map(|v| v.value.to_json()).collect(),
            Value::Table(t) => t
                .iter()
                .map(|(k, _, v)| (k.clone(), v.value.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// Looks a key up in a table.
pub(crate) fn get<'t>(table: &'t Table, key: &str) -> Option<&'t Spanned> {
    table.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v)
}

/// Shifts every span by `by` bytes: front matter is parsed on its own, but reported in the
/// coordinates of the whole file.
pub(crate) fn shift(table: &mut Table, by: usize) {
    fn shift_value(v: &mut Spanned, by: usize) {
        v.span = v.span.start + by..v.span.end + by;
        match &mut v.value {
            Value::Array(a) => a.iter_mut().for_each(|x| shift_value(x, by)),
            Value::Table(t) => shift(t, by),
            _ => {}
        }
    }
    for (_, key_span, v) in table.iter_mut() {
        *key_span = key_span.start + by..key_span.end + by;
        shift_value(v, by);
    }
}

/// Reading a spanned value as the type a key expects. Site.toml and front matter report a wrong
/// type differently (their own code and help), and otherwise read values the same way: each
/// reader says how to report, and the readers below are shared.
pub(crate) trait TypedValues {
    /// Reports that `key`'s value `v` is not `expected` (for example "a string").
    fn wrong_type(&mut self, key: &str, expected: &str, v: &Spanned);

    /// `get`'s reading of the value, or a report that it is not `expected`.
    fn typed<T>(
        &mut self,
        key: &str,
        v: &Spanned,
        expected: &str,
        get: impl FnOnce(&Value) -> Option<T>,
    ) -> Option<T> {
        let got = get(&v.value);
        if got.is_none() {
            self.wrong_type(key, expected, v);
        }
        got
    }

    /// The value as a string, or a wrong-type report.
    fn string(&mut self, key: &str, v: &Spanned) -> Option<String> {
        self.typed(key, v, "a string", |x| match x {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
    }

    /// The value as a boolean, or a wrong-type report.
    fn bool(&mut self, key: &str, v: &Spanned) -> Option<bool> {
        self.typed(key, v, "a boolean (true or false)", |x| match x {
            Value::Bool(b) => Some(*b),
            _ => None,
        })
    }

    /// The value as an integer, or a wrong-type report.
    fn int(&mut self, key: &str, v: &Spanned) -> Option<i64> {
        self.typed(key, v, "an integer", |x| match x {
            Value::Integer(i) => Some(*i),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values() {
        let text = "title = \"开营\"\nroles = [\"班长\", 3]\n";
        let t = parse(text).unwrap();
        let roles = get(&t, "roles").unwrap();
        let Value::Array(items) = &roles.value else {
            panic!()
        };
        assert_eq!(&text[items[1].span.clone()], "3");
        assert_eq!(items[0].value.as_str(), Some("班长"));
    }

    #[test]
    fn syntax_errors_have_spans() {
        let e = parse("title = \"x\"\nweight = \n").unwrap_err();
        assert!(e.span.is_some());
        assert!(!e.message.is_empty());
    }
}
