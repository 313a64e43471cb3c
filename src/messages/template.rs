//! A message template: fixed text with named placeholders (`no page named `{target}``), which
//! can both recognise an English text (capturing what stands in each placeholder) and be filled
//! with captured values. `{{` and `}}` are literal braces; a `{` not opening a `{name}` is
//! literal too (`{% if %}` in a help line).

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Lit(String),
    Hole(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub(crate) segs: Vec<Seg>,
    fixed: usize,
}

impl Template {
    pub(crate) fn parse(text: &str) -> Template {
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(r) = rest.strip_prefix("{{") {
                lit.push('{');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("}}") {
                lit.push('}');
                rest = r;
            } else if c == '{'
                && let Some(end) = rest.find('}')
                && end > 1
                && rest[1..end]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                if !lit.is_empty() {
                    segs.push(Seg::Lit(std::mem::take(&mut lit)));
                }
                segs.push(Seg::Hole(rest[1..end].to_string()));
                rest = &rest[end + 1..];
            } else {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit));
        }
        let fixed = segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.len(),
                Seg::Hole(_) => 0,
            })
            .sum();
        Template { segs, fixed }
    }

    /// Bytes of fixed text: the more, the more specific the template.
    pub(crate) fn fixed_len(&self) -> usize {
        self.fixed
    }

    /// The placeholder names, sorted, without repeats (the tables' test compares them).
    #[cfg(test)]
    pub(crate) fn holes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .segs
            .iter()
            .filter_map(|s| match s {
                Seg::Hole(n) => Some(n.as_str()),
                Seg::Lit(_) => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The captures when `text` is this template from start to end, else None.
    pub(crate) fn matches(&self, text: &str) -> Option<Vec<(String, String)>> {
        let mut caps = Vec::new();
        match_from(&self.segs, text, &mut caps).then_some(caps)
    }

    /// The template with each placeholder replaced by `value(name)`; a placeholder without a
    /// value is written back as `{name}`.
    pub(crate) fn fill(&self, mut value: impl FnMut(&str) -> Option<String>) -> String {
        let mut out = String::new();
        for s in &self.segs {
            match s {
                Seg::Lit(l) => out.push_str(l),
                Seg::Hole(n) => match value(n) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(n);
                        out.push('}');
                    }
                },
            }
        }
        out
    }
}

/// Anchored matching with backtracking: a placeholder takes the shortest text after which the
/// rest matches. Templates have few placeholders, so the search stays small.
fn match_from(segs: &[Seg], text: &str, caps: &mut Vec<(String, String)>) -> bool {
    match segs {
        [] => text.is_empty(),
        [Seg::Lit(l), rest @ ..] => text
            .strip_prefix(l.as_str())
            .is_some_and(|t| match_from(rest, t, caps)),
        [Seg::Hole(name)] => {
            caps.push((name.clone(), text.to_string()));
            true
        }
        [Seg::Hole(name), rest @ ..] => {
            let ends: Vec<usize> = match &rest[0] {
                // Only where the next fixed text starts can this capture end.
                Seg::Lit(l) => text.match_indices(l.as_str()).map(|(i, _)| i).collect(),
                Seg::Hole(_) => text.char_indices().map(|(i, _)| i).collect(),
            };
            for end in ends {
                let mark = caps.len();
                caps.push((name.clone(), text[..end].to_string()));
                if match_from(rest, &text[end..], caps) {
                    return true;
                }
                caps.truncate(mark);
            }
            false
        }
    }
}
