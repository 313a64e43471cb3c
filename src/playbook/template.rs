//! Templates (话术): fenced blocks whose info string is `template <title> [<kind>]`, text a
//! member will see, with `{placeholder}` names a reader fills in once.

/// The title and kind of a template block, from its info string; `None` when the block is
/// not a template.
pub(crate) fn info(info: &str) -> Option<(&str, Option<&str>)> {
    let rest = info.trim().strip_prefix("template")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let mut words = rest.split_whitespace();
    let title = words.next().unwrap_or("");
    Some((title, words.next()))
}

/// The `{name}` placeholders of a template's text: each name with its byte offset in `text`
/// (of the opening brace). A name is one or more characters without braces, spaces or
/// quotes, so JSON-like text and `{ }` stay text.
pub(crate) fn placeholders(text: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let after = open + 1;
        let Some(close) = text[after..].find(['}', '{', '\n']).map(|i| after + i) else {
            break;
        };
        let name = &text[after..close];
        if text.as_bytes()[close] == b'}' && is_name(name) {
            out.push((name, open));
            from = close + 1;
        } else {
            from = after;
        }
    }
    out
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 32
        && name
            .chars()
            .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | ':' | ',' | '<' | '>' | '&'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_strings() {
        assert_eq!(
            info("template 欢迎词 announcement"),
            Some(("欢迎词", Some("announcement")))
        );
        assert_eq!(info("template 欢迎词"), Some(("欢迎词", None)));
        assert_eq!(info("template"), Some(("", None)));
        assert_eq!(info("templates x"), None);
        assert_eq!(info("rust"), None);
    }

    #[test]
    fn placeholder_names() {
        let t = "欢迎加入{群名}！{班长} 会在 {开营日期} 开营。{ } {\"a\": 1} {{x}";
        let names: Vec<&str> = placeholders(t).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["群名", "班长", "开营日期", "x"]);
        let (_, at) = placeholders(t)[1];
        assert!(t[at..].starts_with("{班长}"));
    }
}
