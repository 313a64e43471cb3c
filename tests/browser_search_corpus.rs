//! Search on a generated corpus shaped like the one that lost results (a frequent word inside
//! longer title phrases, the same word in running text around other words), through the real
//! `search.js` in headless Chromium: every page containing the word is found, whether the query
//! comes complete (URL, Enter) or half-typed; a question no page answers whole falls back to
//! partial matches; a short miss shows nothing; a typo is answered with "did you mean"; the
//! pinyin of a phrase inside a title finds it.

#[allow(dead_code)]
#[path = "browser/support.rs"]
mod support;

use std::path::Path;
use std::sync::OnceLock;

use support::{Page, Served, js_str, temp_dir};

/// What the generator put where: the paths of the pages that contain 马斯克.
struct Corpus {
    served: Served,
    musk: Vec<String>,
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// 120 pages: 24 titled with phrases that start with or contain 马斯克 (so the segmenter keeps
/// those phrases whole and 马斯克 is never a word of its own), 36 more with 马斯克 somewhere in
/// their text (alone, inside a title phrase, before other words), 60 without it; a page titled
/// 班长, one titled 中国贫困线标准, pages on 社群 and 活跃 but none on both with 怎么.
fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(|| {
        let root = temp_dir("corpus-src");
        write(
            &root,
            "site.toml",
            "title = \"语料\"\nbase_url = \"https://example.org\"\nlanguage = \"zh-CN\"\n",
        );
        write(
            &root,
            "content/_index.md",
            "+++\ntitle = \"语料\"\n+++\n首页。\n",
        );
        let phrases = [
            "马斯克的火箭梦",
            "埃隆马斯克传",
            "马斯克与特斯拉",
            "读马斯克传记",
        ];
        let fillers = [
            "今天我们讨论社群里的分享习惯。",
            "这是一段关于读书会的记录。",
            "群里的朋友们交流了旅行见闻。",
        ];
        let mut musk = Vec::new();
        for i in 0..120 {
            let (title, body) = if i < 24 {
                (
                    format!("{}{}", phrases[i % 4], i),
                    format!("{}\n", fillers[i % 3]),
                )
            } else if i < 60 {
                let t = format!("笔记第{i}篇");
                let b = match i % 3 {
                    0 => format!("{}昨天有人提到马斯克。\n", fillers[i % 3]),
                    1 => format!("我们读了{}，很有意思。\n", phrases[i % 4]),
                    _ => format!("马斯克说要去火星。{}\n", fillers[i % 3]),
                };
                (t, b)
            } else {
                (
                    format!("闲谈第{i}篇"),
                    format!("{}小朋友也来了。\n", fillers[i % 3]),
                )
            };
            let slug = format!("p{i:03}");
            write(
                &root,
                &format!("content/notes/{slug}.md"),
                &format!("+++\ntitle = \"{title}\"\n+++\n{body}"),
            );
            if i < 60 {
                musk.push(format!("notes/{slug}/"));
            }
        }
        write(
            &root,
            "content/notes/_index.md",
            "+++\ntitle = \"笔记\"\n+++\n",
        );
        write(
            &root,
            "content/ban-zhang.md",
            "+++\ntitle = \"班长\"\n+++\n班长负责每天的打卡。\n",
        );
        write(
            &root,
            "content/pin-kun.md",
            "+++\ntitle = \"中国贫困线标准\"\n+++\n标准每年调整。\n",
        );
        write(
            &root,
            "content/huo-yue.md",
            "+++\ntitle = \"促活的方法\"\n+++\n让社群保持活跃，需要固定的节奏。\n",
        );
        write(
            &root,
            "content/huo-yue-2.md",
            "+++\ntitle = \"活跃度\"\n+++\n活跃的群有共同的话题。\n",
        );
        musk.sort();
        Corpus {
            served: Served::start(&root, "corpus"),
            musk,
        }
    })
}

#[derive(serde::Deserialize, Debug)]
struct Outcome {
    total: usize,
    paths: Vec<String>,
    partial: bool,
    suggest: Option<String>,
}

/// Runs `q` through `qunceSearch.query` with `opts` (a JS object literal).
fn query(page: &Page, q: &str, opts: &str) -> Outcome {
    page.wait_until(
        "search.js is loaded",
        "!!(window.qunceSearch && window.qunceSearch.query)",
    );
    page.eval::<serde_json::Value>(&format!(
        "(window.__r = null, qunceSearch.query({}, {opts}).then(r => window.__r = {{ total: r.total, \
         paths: r.results.map(x => x.path), partial: !!r.partial, suggest: r.suggest || null }}), 0)",
        js_str(q)
    ));
    page.wait_until("the query ran", "window.__r !== null");
    page.eval("window.__r")
}

fn search_page() -> Page {
    let page = Page::new();
    page.open(&corpus().served.url("/search/"));
    page
}

#[test]
fn a_frequent_word_inside_title_phrases_finds_every_page_that_contains_it() {
    let c = corpus();
    let page = search_page();
    for opts in [
        "{ typing: false, limit: 500 }",
        "{ typing: true, limit: 500 }",
    ] {
        let r = query(&page, "马斯克", opts);
        let mut got = r.paths.clone();
        got.sort();
        assert_eq!(got, c.musk, "马斯克 with {opts}");
        assert_eq!(r.total, 60, "{opts}");
        assert!(!r.partial);
    }
    // Half-typed, the pages with the words typed so far are all still there.
    let r = query(&page, "马斯", "{ typing: true, limit: 500 }");
    for p in &c.musk {
        assert!(r.paths.contains(p), "马斯 (typing) lost {p}");
    }
}

#[test]
fn the_search_page_runs_its_url_query_as_complete() {
    let c = corpus();
    let page = Page::new();
    page.open(&c.served.url("/search/?q=%E9%A9%AC%E6%96%AF%E5%85%8B"));
    page.wait_until(
        "the URL query ran",
        "/\\d/.test(document.querySelector('#search-page-panel .sr-status').textContent)",
    );
    let status: String =
        page.eval("document.querySelector('#search-page-panel .sr-status').textContent");
    assert_eq!(status, "找到 60 个页面");
}

#[test]
fn a_question_no_page_answers_whole_shows_partial_matches_under_a_heading() {
    let page = search_page();
    // No page has 怎么; one has 社群 and 活跃 (and 让社); pages with only one of the words are
    // not "most of them".
    let r = query(&page, "怎么让社群活跃", "{ typing: false, limit: 50 }");
    assert!(r.partial, "{r:?}");
    assert_eq!(r.paths, ["huo-yue/"], "{r:?}");
    let r = query(&page, "社群活跃", "{ typing: false, limit: 50 }");
    assert!(!r.partial, "{r:?}");
    assert_eq!(r.paths, ["huo-yue/"], "{r:?}");
    // In the box: the results sit under the 部分匹配 heading.
    page.eval::<serde_json::Value>("(document.getElementById('search-page-q').value = '怎么让社群活跃', document.getElementById('search-page-q').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })), 0)");
    page.wait_until(
        "partial results are shown",
        "!!document.querySelector('#search-page-panel .sr-group')",
    );
    let head: String =
        page.eval("document.querySelector('#search-page-panel .sr-group').textContent");
    assert_eq!(head, "部分匹配");
}

#[test]
fn a_short_miss_shows_only_the_empty_state() {
    let page = search_page();
    // 小 stands in many pages; 王小波 in none.
    let r = query(&page, "王小波", "{ typing: false }");
    assert_eq!((r.total, r.paths.len(), r.partial), (0, 0, false), "{r:?}");
    let r = query(&page, "王小波", "{ typing: true }");
    assert_eq!((r.total, r.paths.len()), (0, 0), "{r:?}");
}

#[test]
fn a_typo_is_answered_with_did_you_mean() {
    let page = search_page();
    let r = query(&page, "班张", "{ typing: false }");
    assert_eq!(r.total, 0);
    assert_eq!(r.suggest.as_deref(), Some("班长"));
    page.eval::<serde_json::Value>("(document.getElementById('search-page-q').value = '班张', document.getElementById('search-page-q').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })), 0)");
    page.wait_until(
        "the suggestion is shown",
        "!!document.querySelector('#search-page-panel .sr-suggest a')",
    );
    let text: String =
        page.eval("document.querySelector('#search-page-panel .sr-suggest').textContent");
    assert_eq!(text, "你是不是要找 班长");
    // Following it searches for the name.
    page.eval::<serde_json::Value>(
        "(document.querySelector('#search-page-panel .sr-suggest a').click(), 0)",
    );
    page.wait_until("班长 is searched", "document.getElementById('search-page-q').value === '班长' && !!document.querySelector('#search-page-panel .sr-title')");
    let first: String =
        page.eval("document.querySelector('#search-page-panel .sr-title').textContent");
    assert_eq!(first, "班长");
}

#[test]
fn the_pinyin_of_a_phrase_inside_a_title_finds_it() {
    let page = search_page();
    let r = query(&page, "pinkunxian", "{ typing: false }");
    assert_eq!(
        r.paths.first().map(String::as_str),
        Some("pin-kun/"),
        "{r:?}"
    );
    let r = query(&page, "pinkunxianbiaozhun", "{ typing: false }");
    assert_eq!(
        r.paths.first().map(String::as_str),
        Some("pin-kun/"),
        "{r:?}"
    );
}
