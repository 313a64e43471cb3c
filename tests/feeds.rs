//! Atom feeds: the site's `/atom.xml` of the pages with a `date`, newest first, and one per
//! section when `[feeds] sections` asks; each parsed as XML and checked against what RFC 4287
//! requires (feed and entry ids, titles, `updated`, an author, absolute links), and linked from
//! every page's head.

mod common;

use common::*;
use roxmltree::{Document, Node};

const ATOM: &str = "http://www.w3.org/2005/Atom";

fn child<'a>(n: Node<'a, 'a>, name: &str) -> Node<'a, 'a> {
    n.children()
        .find(|c| c.has_tag_name((ATOM, name)))
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", n.tag_name().name()))
}

fn text<'a>(n: Node<'a, 'a>, name: &str) -> &'a str {
    child(n, name).text().unwrap_or("")
}

fn entries<'a>(feed: Node<'a, 'a>) -> Vec<Node<'a, 'a>> {
    feed.children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect()
}

/// Checks the parts of RFC 4287 every Atom feed must have; returns the entries' titles.
fn valid_atom(xml: &str) -> Vec<String> {
    let doc = Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "{xml}");
    for required in ["id", "title", "updated"] {
        assert!(!text(feed, required).is_empty(), "feed {required}");
    }
    assert!(!text(child(feed, "author"), "name").is_empty());
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some("self"))
        .expect("rel=self");
    assert!(self_link.attribute("href").unwrap().starts_with("https://"));
    let rfc3339 = |s: &str| {
        s.len() >= 20 && s.as_bytes()[10] == b'T' && (s.ends_with('Z') || s[19..].contains(':'))
    };
    assert!(rfc3339(text(feed, "updated")), "{}", text(feed, "updated"));
    entries(feed)
        .into_iter()
        .map(|e| {
            assert!(text(e, "id").starts_with("https://hb.qunce.test/"));
            assert!(rfc3339(text(e, "updated")), "{}", text(e, "updated"));
            let href = child(e, "link").attribute("href").unwrap();
            assert_eq!(href, text(e, "id"));
            text(e, "title").to_string()
        })
        .collect()
}

fn dated(title: &str, date: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\ndate = {date}\n+++\n\n{body}\n")
}

fn site(feeds: &str) -> Site {
    Site::new()
        .file(
            "site.toml",
            &format!(
                "title = \"测试 & <手册>\"\nbase_url = \"https://hb.qunce.test\"\nlanguage = \"zh-CN\"\n{feeds}"
            ),
        )
        .file("content/news/_index.md", "+++\ntitle = \"动态\"\n+++\n")
        .file(
            "content/news/第2期.md",
            &dated("第 2 期", "2026-03-01", "第二期 <b>开营</b> & 复盘。"),
        )
        .file(
            "content/news/第10期.md",
            &dated("第 10 期", "2026-03-01T09:00:00+08:00", "第十期。"),
        )
        .file(
            "content/guides/old.md",
            &dated("Old guide", "\"2025-12-31\"", "Old."),
        )
        .file("content/guides/undated.md", "+++\ntitle = \"Undated\"\n+++\n")
}

#[test]
fn site_feed_lists_dated_pages_newest_first() {
    let s = site("");
    s.build_ok();
    let xml = s.read("atom.xml");
    // 09:00 at +08:00 is 01:00 UTC, an hour after the date-only page's midnight UTC.
    assert_eq!(valid_atom(&xml), ["第 10 期", "第 2 期", "Old guide"]);
    let doc = Document::parse(&xml).unwrap();
    let feed = doc.root_element();
    assert_eq!(text(feed, "title"), "测试 & <手册>");
    assert_eq!(text(feed, "id"), "https://hb.qunce.test/atom.xml");
    assert_eq!(text(feed, "updated"), "2026-03-01T09:00:00+08:00");
    let second = entries(feed)[1];
    assert_eq!(text(second, "summary"), "第二期 开营 & 复盘。");
    assert_eq!(text(second, "id"), "https://hb.qunce.test/news/di-2-qi/");
    assert_eq!(text(second, "updated"), "2026-03-01T00:00:00Z");
    // No per-section feed unless asked.
    assert!(!s.exists("news/atom.xml"));
    // Linked from the head of content and generated pages.
    for page in ["index.html", "news/di-2-qi/index.html", "matrix/index.html"] {
        let html = s.read(page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"测试 &amp; &lt;手册&gt; · Atom 订阅\" href=\"/atom.xml\">"),
            "{page}: {head}"
        );
    }
}

#[test]
fn section_feeds_when_asked_and_linked_from_their_pages() {
    let s = site("[feeds]\nsections = [\"news\"]\nlimit = 1\n");
    s.build_ok();
    assert_eq!(valid_atom(&s.read("atom.xml")), ["第 10 期"]);
    assert_eq!(valid_atom(&s.read("news/atom.xml")), ["第 10 期"]);
    assert!(!s.exists("guides/atom.xml"));
    let html = s.read("news/di-10-qi/index.html");
    assert!(html.contains(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"动态 · Atom 订阅\" href=\"/news/atom.xml\">"
    ));
    let guide = s.read("guides/old/index.html");
    assert!(!guide.contains("news/atom.xml"));

    let all = site("[feeds]\nsections = true\nlimit = 0\n");
    all.build_ok();
    assert_eq!(
        valid_atom(&all.read("news/atom.xml")),
        ["第 10 期", "第 2 期"]
    );
    assert_eq!(valid_atom(&all.read("guides/atom.xml")), ["Old guide"]);
}

#[test]
fn feeds_can_be_turned_off_and_bad_settings_are_located() {
    let s = site("[feeds]\natom = false\n");
    s.build_ok();
    assert!(!s.exists("atom.xml"));
    assert!(!s.read("index.html").contains("application/atom+xml"));

    let bad = site("[feeds]\nsections = \"news\"\nlimit = -1\n");
    let o = bad.build();
    assert_eq!(o.status, qunce::Status::ConfigErrors);
    let errs = errors(&o);
    assert_at(errs[0], "site.toml", 5, 12);
    assert_eq!(
        errs[0].message,
        "`sections` in [feeds] must be true, false or a list of section folders"
    );
    assert_at(errs[1], "site.toml", 6, 9);

    let unknown = site("[feeds]\nsections = [\"nwes\"]\n");
    let o = unknown.build_ok();
    let d = one(&o, "unknown-feed-section", "site.toml");
    assert_eq!(
        d.message,
        "[feeds] sections names `nwes`, which is no section"
    );
    assert_help(d, "did you mean `news`?");
}

#[test]
fn a_site_without_dates_still_has_a_valid_empty_feed() {
    let s = Site::new()
        .file(
            "site.toml",
            "title = \"t\"\nbase_url = \"https://hb.qunce.test\"\n",
        )
        .file("content/a.md", "a");
    s.build_ok();
    let xml = s.read("atom.xml");
    assert!(valid_atom(&xml).is_empty());
    assert!(xml.contains("<updated>1970-01-01T00:00:00Z</updated>"));
}
