//! `language = "en"`: an English UI everywhere, from the compiled-in English table (src/ui/),
//! with `[ui]` overrides on top. The English fixture site (tests/fixtures/english/, no Chinese
//! in its content) must come out with no Chinese character or punctuation in any page, script
//! string or data file; tests/browser_english.rs checks the same in Chromium, after scripts ran.

mod common;

use std::path::Path;

use common::*;

fn chinese(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

#[test]
fn an_english_site_has_no_chinese_ui_anywhere() {
    let out = Site::bare();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/english");
    let o = qunce::build(&qunce::Options {
        root: fixture,
        output: Some(out.path("public")),
        ..Default::default()
    });
    assert_eq!(o.status, qunce::Status::Ok, "{}", human(&o.diagnostics));
    let files = snapshot(&out.path("public"));
    let mut checked = 0;
    for (path, bytes) in &files {
        // The theme's scripts are code whose comments give Chinese examples; the words they
        // show come from the page (tests/browser_english.rs checks them after they ran).
        // The search index (search/) is the site's words and the pinyin table, data and not UI.
        if path == "app.js"
            || path == "search.js"
            || (path.starts_with("search/") && path != "search/index.html")
        {
            continue;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        if let Some((line_no, line)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.chars().any(chinese))
        {
            panic!("{path}:{} has Chinese: {line}", line_no + 1);
        }
        checked += 1;
    }
    assert!(checked > 30, "checked {checked} files");
    for page in [
        "index.html",
        "rituals/kickoff/index.html",
        "matrix/index.html",
        "404.html",
    ] {
        let html = std::str::from_utf8(&files[page]).unwrap();
        assert!(
            html.starts_with("<!doctype html>\n<html lang=\"en\">"),
            "{page}"
        );
    }
    let ritual = std::str::from_utf8(&files["rituals/kickoff/index.html"]).unwrap();
    for english in [
        "Copy the team",
        "data-heading-format=\"== {t} ==\"",
        "data-fact-sep=\": \"",
        "placeholder=\"Search the handbook…\"",
        "<dt>Stage</dt>",
        "Intro",
        // A screen reader names each heading's anchor link by what it does, not "number sign".
        "<a class=\"anchor\" href=\"#steps\" aria-label=\"Link to this section\">#</a>",
    ] {
        assert!(ritual.contains(english), "{english} missing");
    }
}

#[test]
fn ui_overrides_go_over_the_language_table() {
    let site = Site::new()
        .file(
            "site.toml",
            "title = \"t\"\nbase_url = \"https://example.org\"\nlanguage = \"en\"\n[ui]\nbacklinks = \"Who links here\"\nkind_ritual = \"Routine\"\nstage_intro = \"Warm-up\"\nbacklinx = \"x\"\n",
        )
        .file(
            "content/r.md",
            "+++\ntitle = \"R\"\nkind = \"ritual\"\nstage = \"intro\"\n+++\n[[P]]",
        )
        .file("content/p.md", "+++\ntitle = \"P\"\n+++\n[[R]]");
    let o = site.build_ok();
    let d = one(&o, "unknown-key", "site.toml");
    assert_eq!(d.message, "unknown UI string `backlinx`");
    assert_at(d, "site.toml", 8, 1);
    let page = site.read("p/index.html");
    assert!(page.contains("Who links here"), "{}", main_of(&page));
    assert!(
        page.contains("Routine"),
        "the kind label: {}",
        main_of(&page)
    );
    let ritual = site.read("r/index.html");
    assert!(ritual.contains("Warm-up"), "{}", main_of(&ritual));
    // The other strings are the English ones, not the Chinese defaults.
    assert!(ritual.contains("Skip to content"));
    assert!(!ritual.contains("跳到正文"));
}

#[test]
fn chinese_stays_the_default() {
    let site = Site::new().file(
        "content/a.md",
        "+++\ntitle = \"a\"\nkind = \"ritual\"\n+++\n## 流程\n",
    );
    site.build_ok();
    let html = site.read("a/index.html");
    assert!(html.starts_with("<!doctype html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("跳到正文"));
    assert!(
        html.contains("<a class=\"anchor\" href=\"#流程\" aria-label=\"本节链接\">#</a>"),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("data-heading-format=\"【{t}】\""));
}
