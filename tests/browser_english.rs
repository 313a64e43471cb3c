//! The English UI in Chromium: the English fixture site (tests/fixtures/english/, `language =
//! "en"`, no Chinese in its content) opened page type by page type at phone and desktop widths.
//! After the theme's scripts ran (theme toggle labels, search panel, kind filters, result
//! counts, copy button), no text node, no accessible name and no placeholder on any page may
//! hold a Chinese character or Chinese punctuation: whatever shows is UI chrome, and it must be
//! English. See tests/browser.rs for the harness.

#[path = "browser/support.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;
use std::sync::OnceLock;

use support::{Page, Served};

fn site() -> &'static Served {
    static SITE: OnceLock<Served> = OnceLock::new();
    SITE.get_or_init(|| {
        Served::start(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/english"),
            "english",
        )
    })
}

/// Every page type of the default theme, by a path of the fixture.
const PAGES: [(&str, &str); 15] = [
    ("home", "/"),
    ("section", "/rituals/"),
    ("ritual", "/rituals/kickoff/"),
    ("role", "/roles/host/"),
    ("checklist", "/checklists/kickoff-prep/"),
    ("element", "/elements/shared-interest/"),
    ("page", "/guides/getting-started/"),
    ("tags", "/tags/"),
    ("tag", "/tags/welcome/"),
    ("matrix", "/matrix/"),
    ("lifecycle", "/lifecycle/"),
    ("run sheet", "/calendar/"),
    ("coverage", "/coverage/"),
    ("search", "/search/?q=kickoff"),
    ("404", "/404.html"),
];

/// Every piece of text on the page a reader or a screen reader meets, with where it is: text
/// nodes (hidden ones too: a dialog or panel shown later), the title, and the attributes that
/// carry words. Those with Chinese characters or punctuation are returned.
const CHINESE_UI: &str = r#"(() => {
  const zh = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  const found = [];
  if (zh.test(document.title)) found.push("title: " + document.title);
  const walk = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const tag = n.parentElement && n.parentElement.tagName;
    if (tag === "SCRIPT" || tag === "STYLE") continue;
    if (zh.test(n.nodeValue)) found.push(tag + ": " + n.nodeValue.trim());
  }
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const words = /^(aria-|data-|title$|alt$|placeholder$|content$|label$|value$)/.test(a.name);
      if (words && zh.test(a.value)) found.push(el.tagName + "[" + a.name + "]: " + a.value);
    }
  }
  return found;
})()"#;

fn assert_english(page: &Page, what: &str) {
    let found: Vec<String> = page.eval(CHINESE_UI);
    assert!(
        found.is_empty(),
        "{what} shows Chinese UI:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_page_type_has_an_english_ui_at_phone_and_desktop_widths() {
    let site = site();
    let page = Page::new();
    for (width, height, mobile) in [(375, 740, true), (1280, 800, false)] {
        page.viewport(width, height, mobile);
        for (kind, path) in PAGES {
            page.open(&site.url(path));
            let lang: String = page.eval("document.documentElement.lang");
            assert_eq!(lang, "en", "{kind}");
            assert_english(&page, &format!("{kind} page {path} at {width} px"));
        }
    }
}

#[test]
fn scripted_ui_speaks_english_too() {
    let site = site();
    let page = Page::new();

    // The search page ran its query: result count, kind filters and results are English.
    page.open(&site.url("/search/?q=kickoff"));
    page.wait_until(
        "the search page shows its results",
        "document.querySelectorAll('#search-page-panel .sr-list li').length > 0",
    );
    let status: String =
        page.eval("document.querySelector('#search-page-panel .sr-status').textContent");
    assert!(status.ends_with("pages found"), "{status}");
    let filters: Vec<String> =
        page.eval("[...document.querySelectorAll('#search-page-panel .sr-kinds button')].map(b => b.textContent)");
    assert_eq!(
        filters.first().map(String::as_str),
        Some("All"),
        "{filters:?}"
    );
    assert!(filters.iter().any(|f| f == "Ritual"), "{filters:?}");
    assert_english(&page, "search page with results");

    // A miss says so in English.
    page.open(&site.url("/search/?q=zzzqqq"));
    page.wait_until(
        "the search page reports the miss",
        "document.querySelector('#search-page-panel .sr-status').textContent.includes('zzzqqq')",
    );
    let status: String =
        page.eval("document.querySelector('#search-page-panel .sr-status').textContent");
    assert_eq!(status, "Nothing found for “zzzqqq”");

    // The top bar's search box as typed into, and the theme toggle after a click.
    page.open(&site.url("/rituals/kickoff/"));
    page.click("#q");
    page.eval::<bool>("(document.getElementById('q').value = 'host', document.getElementById('q').dispatchEvent(new Event('input', {bubbles: true})), true)");
    page.wait_until(
        "the search panel shows results",
        "document.querySelectorAll('#search-panel .sr-list li').length > 0",
    );
    page.click(".theme-toggle");
    let label: String =
        page.eval("document.querySelector('.theme-toggle').getAttribute('aria-label')");
    assert!(label.starts_with("Toggle dark mode ("), "{label}");
    assert_english(
        &page,
        "ritual page with the search panel open and the theme toggled",
    );

    let shot = page.viewport_screenshot();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("english-ritual-search.png"), shot).unwrap();
}
