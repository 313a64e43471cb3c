//! The generated files that are not pages: hover previews (`previews.json`, and `previews.js`
//! offline), `sitemap.xml` and `robots.txt`.

use tera::Value;

use super::tags::Tags;
use crate::render::OutputFile;
use crate::render::context::Values;
use crate::site::Site;
use crate::text::escape;

/// Title, kind and summary of every page, keyed by URL, for hover previews.
///
/// Written straight out rather than through a `serde_json` map: with 10,000 pages the map's
/// tree and the 40,000 small strings put into it cost more than the rest of the generated
/// files. The bytes are the same: keys sorted, the last page of a URL winning, and each
/// entry's own keys in the order `k`, `s`, `t` that the map would sort them into.
pub(super) fn previews(site: &Site, values: &Values<'_>) -> OutputFile {
    let mut order: Vec<(String, usize)> = values
        .refs
        .iter()
        .enumerate()
        .map(|(i, r)| (text(r, "url"), i))
        .collect();
    order.sort();
    // Of pages sharing a URL, the map kept the last one inserted.
    order.reverse();
    order.dedup_by(|later, earlier| later.0 == earlier.0);
    order.reverse();
    let mut out = Vec::with_capacity(site.content.pages.len() * 160);
    out.push(b'{');
    for (k, (url, i)) in order.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let r = &values.refs[*i];
        json_str(&mut out, url);
        for (sep, key) in [
            (&b":{\"k\":"[..], "kind_label"),
            (b",\"s\":", "summary"),
            (b",\"t\":", "title"),
        ] {
            out.extend_from_slice(sep);
            json_str(&mut out, &text(r, key));
        }
        out.push(b'}');
    }
    out.push(b'}');
    OutputFile {
        path: "previews.json".into(),
        bytes: out,
    }
}

/// A ref's field as the text a template would print (empty when missing).
fn text(r: &Value, key: &str) -> String {
    match r.get_from_path(key) {
        Some(v) => v.as_str().map_or_else(|| v.to_string(), str::to_string),
        None => String::new(),
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// The previews of an offline build as a classic script (file:// pages cannot fetch JSON), keyed
/// by the path below the site root, which is all a page opened from disk can compute.
pub(super) fn offline_previews(site: &Site, values: &Values<'_>) -> OutputFile {
    let json = previews(site, values).bytes;
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&json).unwrap_or_default();
    let relative: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| (k.strip_prefix(&site.base).unwrap_or(&k).to_string(), v))
        .collect();
    OutputFile {
        path: "previews.js".into(),
        bytes: format!(
            "window.qunceSetPreviews&&qunceSetPreviews({});\n",
            serde_json::Value::Object(relative)
        )
        .into_bytes(),
    }
}

/// `s` as XML character data or attribute text: the five special characters escaped, and the
/// characters XML 1.0 forbids in a document (C0 controls other than tab and line breaks,
/// U+FFFE, U+FFFF) left out, so no value (a base URL, a title in a feed) makes a file no
/// parser reads.
fn escape_xml(s: &str) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if s.chars().all(allowed) {
        return escape(s);
    }
    escape(&s.chars().filter(|&c| allowed(c)).collect::<String>())
}

pub(super) fn sitemap(site: &Site, tags: &Tags) -> OutputFile {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let base = &site.config.base_url;
    let mut push = |path: &str, date: Option<&str>| {
        xml.push_str("  <url><loc>");
        xml.push_str(&escape_xml(&format!("{base}/{path}")));
        xml.push_str("</loc>");
        // Front matter dates are checked when read; the day is what a sitemap needs, and a
        // time without an offset (which TOML allows) is not a W3C datetime.
        if let Some(day) = date.and_then(|d| d.get(..10)) {
            xml.push_str("<lastmod>");
            xml.push_str(&escape_xml(day));
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    };
    for i in site.content.in_order() {
        let p = &site.content.pages[i];
        push(&p.url, p.meta.date.as_deref());
    }
    for extra in ["matrix/", "lifecycle/", "calendar/", "coverage/"] {
        push(extra, None);
    }
    for slug in tags.keys() {
        push(&format!("tags/{slug}/"), None);
    }
    xml.push_str("</urlset>\n");
    OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    }
}

/// Crawlers read robots.txt only at the host's root: a site below a sub-path would put one
/// where nobody looks, and it is not its place to speak for the whole host.
pub(super) fn robots(site: &Site) -> Option<OutputFile> {
    (!site.config.has_sub_path()).then(|| OutputFile {
        path: "robots.txt".into(),
        bytes: format!(
            "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
            site.config.base_url
        )
        .into_bytes(),
    })
}
