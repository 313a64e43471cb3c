//! Live preview in a real browser (Debian's Chromium, see tests/browser.rs): a page open on
//! `qunce serve` reloads by itself after an edit and keeps its scroll position; a broken edit
//! shows the error overlay (file:line, message) over the last good page, and fixing it removes
//! the overlay. Every wait is bounded; nothing asserts timings.

#[path = "browser/support.rs"]
#[allow(dead_code)]
mod support;

use std::path::Path;

use qunce::serve::{self, ServeOptions};
use support::{Page, screenshot_dir, temp_dir};

fn page(title: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n+++\n\n{body}\n")
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn a_page_reloads_after_an_edit_and_shows_errors_as_an_overlay() {
    let root = temp_dir("live");
    qunce::scaffold::init(&root, false).expect("init");
    // A long page, so that keeping the scroll position means something.
    let long: String = (1..=80)
        .map(|i| format!("第 {i} 段：足够长的内容，让页面可以滚动。\n\n"))
        .collect();
    write(
        &root,
        "content/guides/live.md",
        &page("实时预览", &format!("版本 version-one\n\n{long}")),
    );
    let mut opts = ServeOptions::new(&root);
    opts.port = 0;
    opts.quiet = true;
    let server = serve::start(opts).unwrap_or_else(|d| panic!("serve: {d:?}"));

    let tab = Page::new();
    tab.open(&format!("{}guides/live/", server.url()));
    tab.wait_until(
        "the first version shows",
        "document.body.innerText.includes('version-one')",
    );
    tab.eval::<bool>("(window.scrollTo(0, 600), window.__marker = 1, true)");
    tab.wait_until("scrolled", "window.scrollY >= 500");

    // An edit: the page reloads by itself (the marker set on the old document is gone) and
    // comes back at the same scroll position.
    write(
        &root,
        "content/guides/live.md",
        &page("实时预览", &format!("版本 version-two\n\n{long}")),
    );
    tab.wait_until(
        "the edit appears without a manual reload",
        "document.body.innerText.includes('version-two') && window.__marker === undefined",
    );
    tab.wait_until(
        "the scroll position is kept",
        "Math.abs(window.scrollY - 600) < 50",
    );

    // A broken link: an overlay names the file and line, over the last good page.
    write(
        &root,
        "content/guides/live.md",
        &page("实时预览", "版本 version-three [[没有这一页]]"),
    );
    tab.wait_until(
        "the error overlay appears",
        "!!document.getElementById('__qunce_overlay')",
    );
    let overlay: String = tab.eval("document.getElementById('__qunce_overlay').innerText");
    assert!(
        overlay.contains("content/guides/live.md:5:"),
        "overlay: {overlay}"
    );
    // In the zh-CN site's language: the heading, the message and the help label.
    for words in [
        "qunce：1 个错误——构建失败，仍显示上一次成功的版本",
        "没有名为 `没有这一页` 的页面",
        "提示：可以用标题、别名、网址片段（slug）或路径链接",
    ] {
        assert!(
            overlay.contains(words),
            "no {words:?} in overlay: {overlay}"
        );
    }
    std::fs::write(
        screenshot_dir().join("serve-overlay-zh-1280.png"),
        tab.viewport_screenshot(),
    )
    .expect("write screenshot");
    let body: String = tab.eval("document.body.innerText");
    assert!(body.contains("version-two"), "the last good page stays");
    assert!(!body.contains("version-three"));

    // Fixed: the overlay goes and the fixed page is shown.
    write(
        &root,
        "content/guides/live.md",
        &page("实时预览", "版本 version-four"),
    );
    tab.wait_until(
        "the fixed page shows without the overlay",
        "document.body.innerText.includes('version-four') && !document.getElementById('__qunce_overlay')",
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&root);
}
