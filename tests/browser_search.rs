//! Search as readers get it: the theme's real `search.js` over the bundled handbook's index in
//! headless Chromium, over http and on the offline build opened via file://. The golden queries
//! (`tests/search_golden.toml`) run in one page load through `window.qunceSearch.query`; the
//! other tests type into the box with the keyboard. Shares `tests/browser/support.rs` with
//! `tests/browser.rs`; screenshots go to `target/screenshots/`.

// Not every helper of the shared support module is used here.
#[allow(dead_code)]
#[path = "browser/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use support::{Page, Served, handbook, js_str, temp_dir};

#[derive(serde::Deserialize)]
struct Golden {
    query: Vec<GoldenQuery>,
}

#[derive(serde::Deserialize)]
struct GoldenQuery {
    q: String,
    why: String,
    first: String,
    found: Vec<String>,
}

fn golden() -> Vec<GoldenQuery> {
    let g: Golden = toml::from_str(include_str!("search_golden.toml")).expect("golden TOML");
    assert!(g.query.len() >= 30, "at least 30 golden queries");
    g.query
}

/// The handbook built with `--offline` into a temp folder, once per test binary.
fn offline() -> &'static PathBuf {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let out = temp_dir("offline").join("public");
        let outcome = qunce::build(&qunce::Options {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
            output: Some(out.clone()),
            offline: true,
            ..Default::default()
        });
        assert_eq!(outcome.status, qunce::Status::Ok, "offline build failed");
        out
    })
}

fn file_url(out: &Path, rel: &str) -> String {
    format!("file://{}/{rel}", out.display())
}

/// Waits for search.js, runs every query through `qunceSearch.query`, returns result paths.
fn run_queries(page: &Page, queries: &[String]) -> Vec<Vec<String>> {
    page.wait_until(
        "search.js is loaded",
        "!!(window.qunceSearch && window.qunceSearch.query)",
    );
    let qs = serde_json::to_string(queries).unwrap();
    page.eval::<serde_json::Value>(&format!(
        "(window.__golden = null, Promise.all({qs}.map(q => qunceSearch.query(q, {{ typing: false }}))) \
         .then(v => window.__golden = v.map(r => r.results.map(x => x.path))), 0)"
    ));
    page.wait_until("the queries ran", "window.__golden !== null");
    page.eval("window.__golden")
}

fn assert_golden(page: &Page, place: &str) {
    let golden = golden();
    let queries: Vec<String> = golden.iter().map(|g| g.q.clone()).collect();
    let results = run_queries(page, &queries);
    let mut failures = Vec::new();
    for (g, paths) in golden.iter().zip(&results) {
        let first_ok = if g.first.is_empty() {
            paths.is_empty()
        } else {
            paths.first() == Some(&g.first)
        };
        let missing: Vec<&String> = g.found.iter().filter(|f| !paths.contains(f)).collect();
        if !first_ok || !missing.is_empty() {
            failures.push(format!(
                "  {:?} ({}): want first {:?}, missing {missing:?}; got {paths:?}",
                g.q, g.why, g.first
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden queries failed on {place}:\n{}",
        failures.len(),
        golden.len(),
        failures.join("\n")
    );
}

#[test]
fn golden_queries_over_http() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/search/"));
    assert_golden(&page, "the http build");
}

#[test]
fn golden_queries_on_the_offline_build_from_file_urls() {
    let page = Page::new();
    page.open(&file_url(offline(), "search/index.html"));
    assert_golden(&page, "the offline build via file://");
}

/// Presses `/` and types `q` as an IME would commit it.
fn type_query(page: &Page, q: &str) {
    page.tab.press_key("/").expect("press /");
    page.wait_until(
        "`/` focuses the search box",
        "document.activeElement.id === 'q'",
    );
    page.tab.send_character(q).expect("type the query");
}

#[derive(serde::Deserialize, Debug)]
struct Shown {
    status: String,
    titles: Vec<String>,
    kinds: Vec<String>,
    hrefs: Vec<String>,
    marks: Vec<String>,
}

fn shown(page: &Page, panel: &str) -> Shown {
    page.eval(&format!(
        "(() => {{ const p = document.getElementById({}), li = [...p.querySelectorAll('.sr-list li[role=option]')]; return {{ \
            status: p.querySelector('.sr-status').textContent, \
            titles: li.map(l => l.querySelector('.sr-title').textContent), \
            kinds: li.map(l => l.querySelector('.sr-kind').textContent), \
            hrefs: li.map(l => decodeURIComponent(l.querySelector('a').href)), \
            marks: li.map(l => [...l.querySelectorAll('mark')].map(m => m.textContent).join('|')) }}; }})()",
        js_str(panel)
    ))
}

fn wait_results(page: &Page, panel: &str) {
    page.wait_until(
        "results are shown",
        &format!(
            "document.querySelectorAll('#{panel} .sr-list li').length > 0 && !document.getElementById('{panel}').hidden"
        ),
    );
}

#[test]
fn nothing_is_fetched_before_search_is_used() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/roles/ban-zhang/"));
    let fetched = "performance.getEntriesByType('resource').filter(e => /search/.test(e.name)).map(e => e.name.replace(location.origin, ''))";
    assert_eq!(page.eval::<Vec<String>>(fetched), Vec::<String>::new());
    type_query(&page, "班长");
    wait_results(&page, "search-panel");
    let names: Vec<String> = page.eval(fetched);
    let names: Vec<String> = names
        .iter()
        .map(|n| n.split('?').next().unwrap().to_string())
        .collect();
    assert!(names.contains(&"/search.js".to_string()), "{names:?}");
    assert!(names.contains(&"/search/index.js".to_string()), "{names:?}");
    // Longest-match segmentation needs the shards of the query's characters, no others.
    let shards = names.iter().filter(|n| n.starts_with("/search/s")).count();
    assert!(
        (1..=2).contains(&shards),
        "班长 needs the shards of 班 and 长: {names:?}"
    );
}

#[test]
fn typing_shows_ranked_results_with_kind_and_highlighted_snippet() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/"));
    type_query(&page, "打卡");
    wait_results(&page, "search-panel");
    let s = shown(&page, "search-panel");
    assert_eq!(s.titles[0], "早晚问候与打卡", "{s:?}");
    assert_eq!(s.kinds[0], "仪式");
    assert!(s.status.starts_with("找到 "), "{s:?}");
    assert!(
        s.marks.iter().all(|m| m.split('|').all(|x| x == "打卡")),
        "{s:?}"
    );
    assert!(
        s.marks[1..].iter().all(|m| !m.is_empty()),
        "every snippet marks 打卡: {s:?}"
    );
}

#[test]
fn keyboard_only_arrows_and_enter_open_the_result_at_its_heading() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/"));
    type_query(&page, "班长");
    wait_results(&page, "search-panel");
    let s = shown(&page, "search-panel");
    let target = s
        .hrefs
        .iter()
        .position(|h| h.contains("/roles/zu-zhang/") && h.ends_with("#带谁"))
        .unwrap_or_else(|| panic!("a result links to 组长's heading 带谁: {s:?}"));
    for _ in 0..=target {
        page.tab.press_key("ArrowDown").expect("ArrowDown");
    }
    assert_eq!(
        page.eval::<String>("document.getElementById('q').getAttribute('aria-activedescendant')"),
        format!("q-r{target}")
    );
    page.tab.press_key("Enter").expect("Enter");
    page.wait_until(
        "Enter opened the result",
        "location.pathname === '/roles/zu-zhang/' && decodeURIComponent(location.hash) === '#带谁'",
    );
}

#[test]
fn a_miss_says_so() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/"));
    type_query(&page, "量子力学");
    page.wait_until(
        "the panel says nothing was found",
        "document.querySelector('#search-panel .sr-status').textContent.includes('没有找到')",
    );
    let s = shown(&page, "search-panel");
    assert_eq!(s.status, "没有找到与“量子力学”相关的内容");
    // No result; instead the most linked pages, under their own heading.
    let group: String = page.eval("document.querySelector('#search-panel .sr-group').textContent");
    assert_eq!(group, "常被引用的页面");
    assert!(!s.titles.is_empty() && s.titles.len() <= 6, "{s:?}");
    let snippets: usize = page.eval("document.querySelectorAll('#search-panel .sr-snip').length");
    assert_eq!(snippets, 0, "suggested pages are not results: no snippets");
}

#[test]
fn search_page_runs_the_query_in_its_url_and_filters_by_kind() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/search/?q=%E7%8F%AD%E9%95%BF"));
    wait_results(&page, "search-page-panel");
    let s = shown(&page, "search-page-panel");
    assert_eq!(s.titles[0], "班长");
    assert!(s.kinds.contains(&"仪式".to_string()), "{s:?}");
    page.click("#search-page-panel .sr-kind-btn[data-kind=ritual]");
    page.wait_until(
        "only rituals are listed",
        "[...document.querySelectorAll('#search-page-panel .sr-kind')].every(k => k.textContent === '仪式')",
    );
    let s = shown(&page, "search-page-panel");
    assert!(
        !s.titles.is_empty() && !s.titles.contains(&"班长".to_string()),
        "{s:?}"
    );
}

#[test]
fn offline_build_searches_and_follows_results_from_file_urls() {
    let out = offline();
    let page = Page::new();
    page.open(&file_url(out, "rituals/kai-ying-yi-shi/index.html"));
    type_query(&page, "kyys");
    wait_results(&page, "search-panel");
    let s = shown(&page, "search-panel");
    assert_eq!(s.titles, ["开营仪式"]);
    type_query(&page, "");
    page.eval::<serde_json::Value>(
        "(() => { const q = document.getElementById('q'); q.value = ''; q.dispatchEvent(new Event('input')); return 0; })()",
    );
    page.tab.send_character("班长").expect("type");
    page.wait_until(
        "results for 班长",
        "(document.querySelector('#search-panel .sr-title') || {}).textContent === '班长'",
    );
    page.tab.press_key("Enter").expect("Enter");
    page.wait_until(
        "Enter opened the page from disk",
        "location.pathname.endsWith('/roles/ban-zhang/index.html') && document.querySelector('h1').textContent.includes('班长')",
    );
}

#[test]
fn results_panel_screenshots_at_desktop_and_phone_widths() {
    let site = handbook();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    for (width, mobile) in [(1280, false), (375, true)] {
        let page = Page::new();
        page.viewport(width, 800, mobile);
        page.open(&site.url("/"));
        type_query(&page, "班长");
        wait_results(&page, "search-panel");
        let fits: bool = page.eval(
            "(() => { const r = document.getElementById('search-panel').getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth + 0.5; })()",
        );
        assert!(fits, "the panel fits the {width} px viewport");
        std::fs::write(
            dir.join(format!("search-{width}.png")),
            page.viewport_screenshot(),
        )
        .expect("write screenshot");
    }
}

/// Not a check: prints what one query costs in the browser. `QUNCE_SEARCH_SITE` picks the site
/// (default: the bundled handbook), `QUNCE_SEARCH_QUERIES` the queries (`|`-separated).
/// `cargo test --release --test browser_search measure -- --ignored --nocapture`
#[test]
#[ignore = "a measuring tool for BENCHMARKS.md, run by hand; it asserts nothing"]
fn measure_time_to_first_result_and_bytes_fetched() {
    let root = std::env::var("QUNCE_SEARCH_SITE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let queries =
        std::env::var("QUNCE_SEARCH_QUERIES").unwrap_or_else(|_| "班长|班长 值月生".into());
    let site = Served::start(&root, "measure");
    let total: u64 = walk_bytes(&site.out.join("search"));
    println!(
        "index: {total} bytes in {}",
        site.out.join("search").display()
    );
    for q in queries.split('|') {
        let page = Page::new();
        let first = site
            .html_pages()
            .into_iter()
            .find(|p| p != "/")
            .unwrap_or_default();
        page.open(&site.url(&first));
        page.eval::<serde_json::Value>(
            "(() => { const l = document.querySelector('#search-panel .sr-list'); \
              new MutationObserver(() => { if (l.children.length && !window.__t1) window.__t1 = performance.now(); }) \
              .observe(l, { childList: true }); return 0; })()",
        );
        page.eval::<serde_json::Value>(&format!(
            "(() => {{ window.__t0 = performance.now(); const q = document.getElementById('q'); q.focus(); \
              q.value = {}; q.dispatchEvent(new Event('input')); return 0; }})()",
            js_str(q)
        ));
        page.wait_until("a first result", "!!window.__t1");
        let (ms, bytes, files): (f64, f64, usize) = page.eval(
            "[window.__t1 - window.__t0, \
              performance.getEntriesByType('resource').filter(e => /search/.test(e.name)).reduce((a, e) => a + e.encodedBodySize, 0), \
              performance.getEntriesByType('resource').filter(e => /search/.test(e.name)).length]",
        );
        println!(
            "{q:?}: first result after {ms:.0} ms (cold: script, manifest, shards, cards); {bytes} bytes in {files} files"
        );
    }
}

fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        walk_bytes(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn offline_build_shows_hover_previews_without_fetch() {
    let page = Page::new();
    page.open(&file_url(offline(), "rituals/kai-ying-yi-shi/index.html"));
    let link = page
        .tab
        .find_element(".content a.internal[href$='roles/ban-zhang/index.html']")
        .expect("开营仪式 links to 班长");
    link.move_mouse_over()
        .expect("move the mouse over the link");
    page.wait_until(
        "the preview is shown",
        "!document.getElementById('preview').hidden",
    );
    let title: String = page.eval("document.querySelector('#preview .preview-t').textContent");
    let kind: String = page.eval("document.querySelector('#preview .preview-k').textContent");
    assert_eq!((title.as_str(), kind.as_str()), ("班长", "角色"));
}
