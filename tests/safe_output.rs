//! The output is safe to open (issue #17): no `javascript:` link survives a rewrite, every XML
//! file parses whatever the front matter holds, a bad date is an error at its line,
//! diagnostics never put raw control characters on a terminal, and a template that loops
//! without end is stopped by the render budget with an error naming it.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Site, run_bin_guarded, snapshot};

/// A hang guard far above a debug build of these small sites; never a timing assertion.
const GUARD: Duration = Duration::from_secs(120);

/// Every `href`, `src` and `action` value of every HTML file below `dir`, as a browser reads
/// the scheme: tabs and line breaks dropped, leading spaces and controls trimmed, lowercased.
fn url_values(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (file, bytes) in snapshot(dir) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        for attr in ["href", "src", "action"] {
            for v in common::attr_values(&html, attr) {
                let plain: String = v
                    .replace("&#x9;", "")
                    .replace("&#10;", "")
                    .chars()
                    .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                    .collect::<String>()
                    .trim_start_matches(|c: char| c <= ' ')
                    .to_ascii_lowercase();
                out.push((file.clone(), plain));
            }
        }
    }
    out
}

const HOSTILE_LINKS: &str = "+++\ntitle = \"首页\"\n+++\n\n\
[a](/javascript:alert(1))\n\n\
[b](https://example.org/javascript:alert(2))\n\n\
[c](/javascript%3Aalert(3))\n\n\
[d](/java%09script:alert(4))\n\n\
<a href=\"/javascript:alert(5)\">e</a> <a href=\"https://example.org/javascript:alert(6)\">f</a>\n\n\
[g](/vbscript:msgbox(7)) [h](/data:text/html,x)\n";

#[test]
fn unsafe_schemes_never_survive_a_link_rewrite() {
    for offline in [false, true] {
        // Raw HTML keeps `/javascript:alert(5)` as a (harmless) site path that leads nowhere:
        // the output link check's error is lowered so the output can be read here.
        let site = Site::new()
            .file(
                "site.toml",
                &format!(
                    "{}[lints]\ndead-output-link = \"warn\"\n",
                    common::SITE_TOML
                ),
            )
            .file("content/_index.md", HOSTILE_LINKS);
        let o = site.build_with(|o| o.offline = offline);
        assert_eq!(
            o.status,
            qunce::Status::Ok,
            "{}",
            common::human(&o.diagnostics)
        );
        let values = url_values(&site.public());
        assert!(!values.is_empty());
        for (file, v) in &values {
            // The theme's own empty icon (`data:,`) is the one data URL a page may hold.
            assert!(
                !v.starts_with("javascript:")
                    && !v.starts_with("vbscript:")
                    && (!v.starts_with("data:") || v == "data:,"),
                "offline={offline}: {file} links to {v}"
            );
        }
        // The Markdown forms are dropped and reported at their place; the text stays.
        let unsafe_links: Vec<(usize, usize, &str)> = common::with_code(&o, "unsafe-link")
            .into_iter()
            .map(|d| (d.line, d.column, d.message.as_str()))
            .collect();
        assert_eq!(
            unsafe_links,
            [
                (5, 1, "`javascript:` links are dropped"),
                (7, 1, "`javascript:` links are dropped"),
                (9, 1, "`javascript:` links are dropped"),
                (11, 1, "`javascript:` links are dropped"),
                (15, 1, "`vbscript:` links are dropped"),
                (15, 26, "`data:` links are dropped"),
            ],
            "offline={offline}"
        );
        let home = site.read("index.html");
        for text in [">a<", ">b<", ">c<", ">d<"] {
            assert!(!home.contains(&format!("{text}/a>")), "{text} still a link");
        }
    }
}

#[test]
fn sitemap_is_valid_xml_whatever_the_values_hold() {
    let site = Site::new()
        .file(
            "site.toml",
            "title = \"测试\\u0001手册\"\nbase_url = \"https://example.org/a&b<\\u0002>\"\nlanguage = \"zh-CN\"\n",
        )
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页 ]]> <x> & \\u0003\"\ndate = 2026-01-31T20:00:00+08:00\ntags = [\"<标签>&\\u0004\"]\n+++\n\n正文\n",
        )
        .file(
            "content/页.md",
            "+++\ntitle = \"页\"\ndate = \"2024-02-29\"\n+++\n\n正文 ]]> <x> & \u{3}\n",
        );
    let o = site.build();
    assert_eq!(
        o.status,
        qunce::Status::Ok,
        "{}",
        common::human(&o.diagnostics)
    );
    for (file, bytes) in snapshot(&site.public()) {
        if file.ends_with(".xml") {
            let text = String::from_utf8(bytes).expect("UTF-8");
            if let Err(e) = roxmltree::Document::parse(&text) {
                panic!("{file} is not valid XML ({e}):\n{text}");
            }
        }
    }
    let sitemap = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let lastmods: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("lastmod"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(lastmods, ["2026-01-31", "2024-02-29"]);
    let first_loc = doc
        .descendants()
        .find(|n| n.has_tag_name("loc"))
        .and_then(|n| n.text())
        .unwrap();
    assert_eq!(first_loc, "https://example.org/a&b<>/");
}

#[test]
fn an_unparseable_date_is_an_error_at_its_line() {
    for (value, shown) in [
        ("\"2026-02-30\"", "2026-02-30"),
        (
            "\"2026-01-31]]></lastmod><x>\"",
            "2026-01-31]]></lastmod><x>",
        ),
        ("\"下周三\"", "下周三"),
    ] {
        let bad = Site::new().file(
            "content/页.md",
            &format!("+++\ntitle = \"页\"\ndate = {value}\n+++\n\n正文\n"),
        );
        let o = bad.build();
        assert_eq!(o.status, qunce::Status::ContentErrors, "{value}");
        let d = common::one(&o, "invalid-date", "content/页.md");
        assert_eq!(d.message, format!("`{shown}` is not a date"));
        common::assert_at(d, "content/页.md", 3, 8);
        common::assert_help(d, "write a date as 2026-01-31");
        assert!(!bad.public().exists(), "a failed build wrote output");
    }
}

#[test]
fn diagnostics_show_control_characters_escaped() {
    let site = Site::new().file(
        "content/页.md",
        "+++\ntitle = \"页\"\n+++\n\n见 [[坏\u{1b}]2;pwned\u{7}\u{1b}[2J\u{202e}]]\n",
    );
    let root = site.root().to_str().unwrap();
    let r = run_bin_guarded(&["--root", root, "build"], GUARD);
    r.expect_code(1);
    assert!(!r.stderr.contains('\u{1b}'), "{:?}", r.stderr);
    assert!(!r.stderr.contains('\u{7}') && !r.stderr.contains('\u{202e}'));
    assert!(
        r.stderr.contains(
            "error[broken-link]: no page named `坏\\u{1b}]2;pwned\\u{7}\\u{1b}[2J\\u{202e}`\n  --> content/页.md:5:3\n"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("5 | 见 [[坏\\u{1b}]2;pwned\\u{7}\\u{1b}[2J\\u{202e}]]\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_template_that_loops_without_end_is_stopped_by_the_render_budget() {
    let site = Site::new()
        .file("content/页.md", "+++\ntitle = \"页\"\n+++\n\n正文\n")
        .file(
            "templates/404.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% for k in range(end=100000) %}{% endfor %}{% endfor %}{% endfor %}\n{% endblock main %}\n",
        );
    let root = site.root().to_str().unwrap();
    let r = run_bin_guarded(&["--root", root, "--format", "json", "build"], GUARD);
    r.expect_code(1);
    let first: serde_json::Value = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|d| d["severity"] == "error")
        .expect("an error");
    assert_eq!(first["code"], "template");
    assert_eq!(first["file"], "templates/404.html");
    assert_eq!(first["line"], 3);
    let message = first["message"].as_str().unwrap();
    assert!(
        message.starts_with("template error in `404.html`: render budget exceeded"),
        "{message}"
    );
    assert!(!site.public().exists(), "a failed build wrote output");
}

#[test]
fn check_renders_every_template_like_build() {
    let site = Site::new()
        .file("content/页.md", "+++\ntitle = \"页\"\n+++\n\n正文\n")
        .file(
            "templates/404.html",
            "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ site.title + 1 }}</p>\n{% endblock main %}\n",
        );
    let checked = site.check();
    let built = site.build();
    assert_eq!(checked.status, qunce::Status::ContentErrors);
    assert_eq!(checked.diagnostics, common::besides_placeholder(&built));
    common::assert_at(
        common::one(&checked, "template", "templates/404.html"),
        "templates/404.html",
        3,
        7,
    );
}
