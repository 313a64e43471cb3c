//! Video embeds under the safe raw-HTML policy: an `<iframe>` whose `src` is on a host of
//! `[markdown] embed_hosts` is kept, rewritten to a fixed, sandboxed form; any other iframe
//! is removed (and reported by the scan, see [`iframes`]).

/// An `<iframe …>` start tag found in raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Iframe {
    /// Byte offset of `<iframe` in the text it was found in.
    pub(crate) at: usize,
    /// Byte length of the start tag.
    pub(crate) len: usize,
    pub(crate) src: String,
    pub(crate) title: Option<String>,
}

/// Every iframe start tag in a fragment of raw HTML.
pub(crate) fn iframes(html: &str) -> Vec<Iframe> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find("<iframe") {
        let at = from + p;
        let after = at + "<iframe".len();
        // `<iframes>` is another tag.
        if lower[after..]
            .bytes()
            .next()
            .is_some_and(|b| !(b.is_ascii_whitespace() || b == b'>' || b == b'/'))
        {
            from = after;
            continue;
        }
        let end = tag_end(html, after);
        let attrs = &html[after..end];
        let close = (end + 1).min(html.len());
        found.push(Iframe {
            at,
            len: close - at,
            src: attribute(attrs, "src").unwrap_or_default(),
            title: attribute(attrs, "title"),
        });
        from = close;
    }
    found
}

/// Where the start tag that began before `from` ends: its `>` outside quotes, else the end.
/// The body checks read raw HTML's tags with it too.
pub(crate) fn tag_end(html: &str, from: usize) -> usize {
    let mut quote = None;
    for (i, b) in html.bytes().enumerate().skip(from) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return i,
            _ => {}
        }
    }
    html.len()
}

/// The value of attribute `name` in a start tag's attribute text, entity-decoded for `&amp;`.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let b = attrs.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'>' {
            i += 1;
        }
        let key = &attrs[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = None;
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let (vs, ve) = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = attrs[vs..].find(q as char).map_or(b.len(), |e| vs + e);
                i = (ve + 1).min(b.len());
                (vs, ve)
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                (vs, i)
            };
            value = Some(attrs[vs..ve].replace("&amp;", "&"));
        }
        if key.eq_ignore_ascii_case(name) {
            return Some(value.unwrap_or_default());
        }
        if i == start {
            i += 1;
        }
    }
    None
}

/// The host of an embed URL, lowercased, if it is `https:`, `http:` or protocol-relative
/// (Bilibili's copied embed code starts with `//`).
pub(crate) fn host(src: &str) -> Option<String> {
    let s = src.trim();
    let rest = ["https://", "http://", "//"].iter().find_map(|p| {
        s.get(..p.len())
            .filter(|h| h.eq_ignore_ascii_case(p))
            .map(|_| &s[p.len()..])
    })?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    // No credentials or ports: a player URL needs neither.
    (!host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-'))
    .then(|| host.to_ascii_lowercase())
}

/// Whether an iframe with this `src` is kept.
pub(crate) fn allowed(src: &str, hosts: &[String]) -> bool {
    host(src).is_some_and(|h| hosts.iter().any(|a| a.eq_ignore_ascii_case(&h)))
}

/// The iframe qunce writes for an allowed embed: always https, sandboxed, lazy, no referrer
/// beyond the origin, full screen allowed; the writer's `title` kept for screen readers.
pub(crate) fn markup(frame: &Iframe) -> String {
    let src = frame.src.trim();
    let path = src.split_once("//").map_or(src, |(_, rest)| rest);
    let mut out = String::with_capacity(src.len() + 200);
    out.push_str("<iframe class=\"embed\" src=\"https://");
    crate::text::push_escaped(&mut out, path);
    out.push('"');
    if let Some(t) = &frame.title {
        out.push_str(" title=\"");
        crate::text::push_escaped(&mut out, t);
        out.push('"');
    }
    out.push_str(
        " sandbox=\"allow-scripts allow-same-origin allow-presentation\" loading=\"lazy\" \
         referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_iframes_and_their_hosts() {
        let html = "<p>x</p><IFRAME title='片' src=\"//player.bilibili.com/player.html?bvid=BV1&amp;p=1\" allowfullscreen=\"true\"></iframe><iframes>";
        let f = iframes(html);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].at, 8);
        assert_eq!(
            &html[f[0].at..f[0].at + f[0].len],
            &html[8..html.find("</iframe>").unwrap()]
        );
        assert_eq!(f[0].src, "//player.bilibili.com/player.html?bvid=BV1&p=1");
        assert_eq!(f[0].title.as_deref(), Some("片"));
        let hosts: Vec<String> = crate::config::DEFAULT_EMBED_HOSTS
            .iter()
            .map(|h| h.to_string())
            .collect();
        assert!(allowed(&f[0].src, &hosts));
        assert!(!allowed(
            "https://player.bilibili.com.evil.example/x",
            &hosts
        ));
        assert!(!allowed("https://user@player.bilibili.com/x", &hosts));
        assert!(!allowed(
            "javascript://player.bilibili.com/%0aalert(1)",
            &hosts
        ));
        assert_eq!(
            markup(&f[0]),
            "<iframe class=\"embed\" src=\"https://player.bilibili.com/player.html?bvid=BV1&amp;p=1\" title=\"片\" sandbox=\"allow-scripts allow-same-origin allow-presentation\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" allowfullscreen></iframe>"
        );
    }
}
