//! Atom feeds (RFC 4287) of the pages that have a `date`: the site's `/atom.xml` and, when
//! `[feeds] sections` asks for them, one per section at `<section>/atom.xml`. Feed readers and
//! chat-group bots follow a handbook's new pages through them, as they do a Hugo or Zola blog.
//! Written straight out as XML from the page refs, like the sitemap: no template to get wrong.

use tera::Value;

use super::OutputFile;
use super::context::Values;
use crate::config::SectionFeeds;
use crate::diagnostics::Diagnostic;
use crate::site::Site;

/// The file name of every feed, at the site root or in a section's folder.
pub(crate) const FEED_FILE: &str = "atom.xml";

/// A page's `date` as an RFC 3339 timestamp (what Atom's `updated` needs) and its instant in
/// seconds since 1970 for ordering. A date alone is midnight UTC; a time without an offset is
/// taken as UTC. `None` for text that is no date (the page is left out of feeds).
pub(crate) fn timestamp(date: &str) -> Option<(String, i64)> {
    let dt: toml::value::Datetime = date.trim().parse().ok()?;
    let d = dt.date?;
    let (h, mi, s, nanos) = dt.time.map_or((0, 0, 0, None), |t| {
        (t.hour, t.minute, t.second.unwrap_or(0), t.nanosecond)
    });
    let (offset_min, offset_text) = match dt.offset {
        None | Some(toml::value::Offset::Z) => (0, "Z".to_string()),
        Some(toml::value::Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            (
                i64::from(minutes),
                format!("{sign}{:02}:{:02}", m / 60, m % 60),
            )
        }
    };
    let frac = match nanos {
        Some(n) if n > 0 => format!(".{:09}", n).trim_end_matches('0').to_string(),
        _ => String::new(),
    };
    let text = format!(
        "{:04}-{:02}-{:02}T{h:02}:{mi:02}:{s:02}{frac}{offset_text}",
        d.year, d.month, d.day
    );
    let days = days_from_civil(i64::from(d.year), i64::from(d.month), i64::from(d.day));
    let secs =
        days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s) - offset_min * 60;
    Some((text, secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil-from-days, inverted).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One dated page, ready to be an entry.
struct Dated {
    page: usize,
    updated: String,
    secs: i64,
}

/// The sections that get a feed of their own (page indexes), in reading order. A folder
/// `[feeds] sections` names that is no section is a warning.
pub(crate) fn section_feeds(site: &Site) -> (Vec<usize>, Vec<Diagnostic>) {
    let sections = || {
        site.content
            .in_order()
            .into_iter()
            .filter(|&i| i != site.content.root && site.content.pages[i].is_section())
    };
    let dir = |i: usize| {
        site.content.pages[i]
            .section
            .as_ref()
            .map_or("", |s| s.dir.as_str())
    };
    match &site.config.feeds.sections {
        SectionFeeds::None => (Vec::new(), Vec::new()),
        SectionFeeds::All => (sections().collect(), Vec::new()),
        SectionFeeds::Only(names) => {
            let found: Vec<usize> = sections()
                .filter(|&i| names.iter().any(|n| n == dir(i)))
                .collect();
            let warnings = names
                .iter()
                .filter(|n| !found.iter().any(|&i| dir(i) == n.as_str()))
                .map(|n| {
                    let known: Vec<&str> = sections().map(dir).collect();
                    let help = crate::diagnostics::did_you_mean(
                        &crate::diagnostics::suggest(n, known.iter().copied()),
                        |s| format!("`{s}`"),
                    )
                    .unwrap_or_else(|| {
                        "name folders under content/, e.g. `sections = [\"rituals\"]`".into()
                    });
                    Diagnostic::warning(
                        "unknown-feed-section",
                        format!("[feeds] sections names `{n}`, which is no section"),
                    )
                    .in_file(crate::config::CONFIG_FILE)
                    .with_help(help)
                })
                .collect();
            (found, warnings)
        }
    }
}

/// Every feed of the site and the warnings about `[feeds]`. The feeds a page links to depend
/// only on site.toml and the section tree, never on which pages have dates (so adding the
/// first date changes no other page): a feed without entries is still written.
pub(crate) fn render(site: &Site, values: &Values<'_>) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let mut dated: Vec<Dated> = site
        .content
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_section())
        .filter_map(|(i, p)| {
            let (updated, secs) = timestamp(p.meta.date.as_deref()?)?;
            Some(Dated {
                page: i,
                updated,
                secs,
            })
        })
        .collect();
    // Newest first; the same instant in order of titles.
    dated.sort_by(|a, b| {
        b.secs.cmp(&a.secs).then_with(|| {
            site.content.pages[a.page]
                .title
                .cmp(&site.content.pages[b.page].title)
        })
    });
    let mut files = Vec::new();
    if site.config.feeds.atom {
        files.push(feed(site, values, &site.config.title, "", dated.iter()));
    }
    let (sections, warnings) = section_feeds(site);
    for s in sections {
        let mine = dated.iter().filter(|d| within(site, d.page, s));
        let title = format!("{} · {}", site.content.pages[s].title, site.config.title);
        files.push(feed(site, values, &title, &site.content.pages[s].url, mine));
    }
    (files, warnings)
}

/// The feeds page `i` links to from its head, as (title, URL below the site root): the site's,
/// and that of the nearest section holding it (or being it) that has one. `with_feed` is by
/// page index, from [`section_feeds`].
pub(crate) fn links_of(site: &Site, i: usize, with_feed: &[bool]) -> Vec<(String, String)> {
    let feed_word = site.config.ui.get("feed").map_or("Atom", String::as_str);
    let mut out = Vec::new();
    if site.config.feeds.atom {
        out.push((
            format!("{} · {feed_word}", site.config.title),
            format!("{}{FEED_FILE}", site.base),
        ));
    }
    let mut cur = Some(i);
    while let Some(s) = cur {
        if with_feed.get(s).copied().unwrap_or(false) {
            let p = &site.content.pages[s];
            out.push((
                format!("{} · {feed_word}", p.title),
                format!("{}{}{FEED_FILE}", site.base, p.url),
            ));
            break;
        }
        cur = site.content.pages[s].parent;
    }
    out
}

/// Whether page `p` is in section `s` or below it.
fn within(site: &Site, p: usize, s: usize) -> bool {
    let mut cur = site.content.pages[p].parent;
    while let Some(a) = cur {
        if a == s {
            return true;
        }
        cur = site.content.pages[a].parent;
    }
    false
}

/// One feed of `entries` (newest first) at `dir` below the site root.
fn feed<'a>(
    site: &Site,
    values: &Values<'_>,
    title: &str,
    dir: &str,
    entries: impl Iterator<Item = &'a Dated>,
) -> OutputFile {
    let limit = match site.config.feeds.limit {
        0 => usize::MAX,
        n => n,
    };
    let entries: Vec<&Dated> = entries.take(limit).collect();
    // Atom requires `updated` on the feed: the newest entry's, or the epoch for a feed that
    // has none yet (not the build time, so that a build's output depends on its input only).
    let updated = entries
        .first()
        .map_or("1970-01-01T00:00:00Z", |d| d.updated.as_str());
    let base = &site.config.base_url;
    let abs = |url: &str| format!("{base}/{url}");
    let self_url = abs(&format!("{dir}{FEED_FILE}"));
    let mut x = String::with_capacity(512 + entries.len() * 512);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    x.push_str(site.config.language.code());
    x.push_str("\">\n");
    element(&mut x, 1, "title", title);
    if dir.is_empty() && !site.config.description.is_empty() {
        element(&mut x, 1, "subtitle", &site.config.description);
    }
    element(&mut x, 1, "id", &self_url);
    link(&mut x, 1, "self", &self_url);
    link(&mut x, 1, "alternate", &abs(dir));
    element(&mut x, 1, "updated", updated);
    x.push_str("  <author>\n");
    element(&mut x, 2, "name", &site.config.title);
    x.push_str("  </author>\n");
    x.push_str("  <generator uri=\"https://crates.io/crates/qunce\">qunce</generator>\n");
    for d in &entries {
        let p = &site.content.pages[d.page];
        let r = &values.refs[d.page];
        let url = abs(&p.url);
        x.push_str("  <entry>\n");
        element(&mut x, 2, "title", &p.title);
        element(&mut x, 2, "id", &url);
        link(&mut x, 2, "alternate", &url);
        element(&mut x, 2, "updated", &d.updated);
        element(&mut x, 2, "published", &d.updated);
        let kind = text(r, "kind_label");
        if !kind.is_empty() {
            x.push_str("    <category term=\"");
            x.push_str(&xml_text(&p.kind));
            x.push_str("\" label=\"");
            x.push_str(&xml_text(&kind));
            x.push_str("\"/>\n");
        }
        for tag in &p.meta.tags {
            x.push_str("    <category term=\"");
            x.push_str(&xml_text(tag));
            x.push_str("\"/>\n");
        }
        let summary = text(r, "summary");
        if !summary.is_empty() {
            element(&mut x, 2, "summary", &summary);
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    OutputFile {
        path: format!("{dir}{FEED_FILE}"),
        bytes: x.into_bytes(),
    }
}

/// A ref's field as text (empty when missing).
fn text(r: &Value, key: &str) -> String {
    r.get_from_path(key)
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn element(x: &mut String, depth: usize, name: &str, value: &str) {
    x.push_str(&"  ".repeat(depth));
    x.push('<');
    x.push_str(name);
    x.push('>');
    x.push_str(&xml_text(value));
    x.push_str("</");
    x.push_str(name);
    x.push_str(">\n");
}

fn link(x: &mut String, depth: usize, rel: &str, href: &str) {
    x.push_str(&"  ".repeat(depth));
    x.push_str("<link rel=\"");
    x.push_str(rel);
    x.push_str("\" href=\"");
    x.push_str(&xml_text(href));
    x.push_str("\"/>\n");
}

/// `s` escaped for XML text and attributes, without the characters XML 1.0 forbids (control
/// characters other than tab and newlines), which would make the whole feed unreadable.
fn xml_text(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect();
    crate::text::escape(&clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_rfc3339_instants() {
        assert_eq!(
            timestamp("2026-01-02"),
            Some(("2026-01-02T00:00:00Z".into(), 1_767_312_000))
        );
        assert_eq!(
            timestamp("2026-01-02T08:30:00+08:00"),
            Some(("2026-01-02T08:30:00+08:00".into(), 1_767_312_000 + 30 * 60))
        );
        assert_eq!(
            timestamp("2026-01-02 10:00:00"),
            Some(("2026-01-02T10:00:00Z".into(), 1_767_312_000 + 36_000))
        );
        assert_eq!(
            timestamp("1969-12-31T23:59:59.5Z"),
            Some(("1969-12-31T23:59:59.5Z".into(), -1))
        );
        assert_eq!(timestamp("下周三"), None);
        assert_eq!(timestamp("10:00:00"), None);
    }

    #[test]
    fn xml_text_drops_what_xml_cannot_hold() {
        assert_eq!(xml_text("a\u{1}b<c>&\"\u{FFFE}"), "ab&lt;c&gt;&amp;&quot;");
    }
}
