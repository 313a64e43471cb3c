use super::*;

#[test]
fn scans_links_and_ids_outside_scripts() {
    let html = br#"<a href="/x/">x</a><img src="a.png" data-src="/no/"><h2 id="h">h</h2>
<script src="/app.js">var a = '<a href="/not/">';</script><a href="https://example.org/y/#h">y</a>
<a href="https://other.org/">o</a><a href="mailto:a@b">m</a><a href="/q?a=1&amp;b=2">q</a>"#;
    let f = scan("p/index.html", html, "https://example.org");
    assert_eq!(f.links, "/x/\na.png\n/app.js\n/y/#h\n/q?a=1&b=2\n");
    assert_eq!(f.ids, "h\n");
}

#[test]
fn only_href_src_and_id_after_white_space_in_any_case_count() {
    let html = br#"href="/start/" <A HREF="/upper/" xhref="/x/" data-id="d"><IMG
SRC="/i.png"><p ID="Big" aid="no"><a href="/upper/" id="">"#;
    let f = scan("p/index.html", html, "");
    assert_eq!(f.links, "/upper/\n/i.png\n");
    assert_eq!(f.ids, "Big\n\n");
}

#[test]
fn values_are_trimmed_unescaped_and_schemes_left_out_as_written() {
    let mut html = concat!(
        "<a href=\" /sp/ \"><a href=\"\u{3000}/full/\u{3000}\"><a href=\"班/#节\">\n",
        "<a href=\"c++:x\"><a href=\"a/b:c\"><a href=\":x\"><a href=\"?q\">",
        "<a href=\"x.y+z-1:w\"><a href=\"#top\"><a href=\"a&amp;b &lt;c&gt;\">",
        "<a href=\"/two\nlines/\"><p id=\"多\n行\"><p id=\" 空 \"><a href=\"/ok/\">",
        "<a href=\"/ok/\"><a href=\"http:\"><a href=\"//h/p\"><a href=\"\t\">",
        "<a href=\"\x0b/vt/\x0b\"><a href=\"/&quot;q&#39;/\">",
    )
    .as_bytes()
    .to_vec();
    // Bytes that are not UTF-8 are no link and no id.
    html.extend_from_slice(b"<a href=\"/bad\xff/\"><p id=\"\xfe\">");
    let f = scan("p/index.html", &html, "https://example.org");
    assert_eq!(
        f.links,
        "/sp/\n/full/\n班/#节\na/b:c\n:x\n?q\n#top\na&b <c>\n/ok/\n/vt/\n/\"q'/\n"
    );
    assert_eq!(f.ids, " 空 \n");
}

#[test]
fn absolute_links_of_a_site_below_a_sub_path_keep_the_path() {
    let html = br#"<link rel="canonical" href="https://x.cn/book/search/">
<a href="https://x.cn/book">home</a><a href="https://x.cn/book#top">top</a>
<a href="https://x.cn/other/">the host's other site</a><a href="https://x.cn/bookshelf/">b</a>"#;
    let f = scan("search/index.html", html, "https://x.cn/book");
    assert_eq!(f.links, "/book/search/\n/book/\n/book/#top\n");
}

#[test]
fn resolves_targets() {
    let t = |l, from, base| target(l, from, base);
    assert_eq!(
        t("/x/", "a/index.html", "/"),
        Some(("x/index.html".into(), ""))
    );
    assert_eq!(
        t("/hb/x/#h", "a/index.html", "/hb/"),
        Some(("x/index.html".into(), "h"))
    );
    assert_eq!(t("/other/", "a/index.html", "/hb/"), None);
    assert_eq!(
        t("/hb", "a/index.html", "/hb/"),
        Some(("index.html".into(), ""))
    );
    assert_eq!(
        t("../b.png", "a/x/index.html", "/"),
        Some(("a/b.png".into(), ""))
    );
    assert_eq!(
        t("#top", "a/index.html", "/"),
        Some(("a/index.html".into(), "top"))
    );
    assert_eq!(
        t("/%E7%8F%AD/", "index.html", "/"),
        Some(("班/index.html".into(), ""))
    );
    assert_eq!(t("../../..", "index.html", "/"), None);
}
