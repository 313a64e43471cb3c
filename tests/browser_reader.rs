//! The reader's aids in the default theme, on the bundled handbook in headless Chromium at
//! 375 px (a phone, touch) and 1280 px: first-tap navigation, nothing sticky but the top bar on
//! phones, touch targets, the table of contents that follows the scroll, back to top, ← → for
//! previous and next, `?h=` marking the search words, head meta, "最后更新", printed ticks, the
//! print book printed to PDF, and the 404 page's suggestions. Screenshots for review go to
//! `target/screenshots/`.

#[allow(dead_code)]
#[path = "browser/support.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use headless_chrome::protocol::cdp::{Emulation, Input};
use support::{Page, handbook, js_str, screenshot_dir};

const RITUAL: &str = "kai-ying-yi-shi";
const ROLE: &str = "ban-zhang";
const CHECKLIST: &str = "ru-qun-yi-shi-qi-jian-tao";

fn phone() -> Page {
    let page = Page::new();
    page.viewport(375, 812, true);
    page.tab
        .call_method(Emulation::SetTouchEmulationEnabled {
            enabled: true,
            max_touch_points: Some(5),
        })
        .expect("Emulation.setTouchEmulationEnabled");
    page
}

/// Taps the centre of the first element matching `selector` with a touch gesture.
fn tap(page: &Page, selector: &str) {
    touch(page, selector, Duration::ZERO);
}

/// Touches the centre of the first element matching `selector` for `hold`.
fn touch(page: &Page, selector: &str, hold: Duration) {
    page.eval::<serde_json::Value>(&format!(
        "(document.querySelector({}).scrollIntoView({{ block: 'center' }}), 0)",
        js_str(selector)
    ));
    let (x, y): (f64, f64) = page.eval(&format!(
        "(() => {{ const r = document.querySelector({}).getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }})()",
        js_str(selector)
    ));
    // As Puppeteer's `tap`: a touch that starts and ends at the point.
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    for kind in [
        Input::DispatchTouchEventTypeOption::TouchStart,
        Input::DispatchTouchEventTypeOption::TouchEnd,
    ] {
        let end = matches!(kind, Input::DispatchTouchEventTypeOption::TouchEnd);
        page.tab
            .call_method(Input::DispatchTouchEvent {
                Type: kind,
                touch_points: if end {
                    Vec::new()
                } else {
                    vec![Input::TouchPoint {
                        x,
                        y,
                        radius_x: None,
                        radius_y: None,
                        rotation_angle: None,
                        force: None,
                        tangential_pressure: None,
                        tilt_x: None,
                        tilt_y: None,
                        twist: None,
                        id: None,
                    }]
                },
                modifiers: None,
                // The touch's own times, so a slow test machine does not turn a tap into a
                // long press.
                timestamp: Some(
                    start
                        + if end {
                            hold.as_secs_f64().max(0.05)
                        } else {
                            0.0
                        },
                ),
            })
            .expect("Input.dispatchTouchEvent");
        if !end && !hold.is_zero() {
            std::thread::sleep(hold);
        }
    }
}

#[test]
fn a_link_navigates_at_the_first_tap_on_a_phone() {
    let site = handbook();
    let page = phone();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    let href: String = page.eval("document.querySelector('.content a.internal').href");
    tap(&page, ".content a.internal");
    page.wait_until(
        "the first tap opened the link",
        &format!("location.href === {}", js_str(&href)),
    );
}

#[test]
fn a_long_press_shows_the_preview_without_leaving_the_page() {
    let site = handbook();
    let page = phone();
    let url = site.url(&site.page_in("rituals", RITUAL));
    page.open(&url);
    let href: String = page.eval("document.querySelector('.content a.internal').href");
    touch(&page, ".content a.internal", Duration::from_millis(900));
    page.wait_until(
        "the preview sheet shows",
        "!document.getElementById('preview').hidden && document.getElementById('preview').classList.contains('sheet')",
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        page.eval::<String>("location.href"),
        url,
        "the long press did not navigate"
    );
    let shown: String = page.eval("document.querySelector('#preview .preview-t').textContent");
    assert!(!shown.trim().is_empty());
    // Its button opens the link.
    assert_eq!(
        page.eval::<String>("document.querySelector('#preview .preview-open').href"),
        href
    );
}

#[test]
fn nothing_but_the_top_bar_is_sticky_on_a_phone() {
    let site = handbook();
    let page = phone();
    for path in [
        site.page_in("checklists", CHECKLIST),
        site.page_in("rituals", RITUAL),
        site.page_in("roles", ROLE),
        "/".to_string(),
    ] {
        page.open(&site.url(&path));
        page.eval::<serde_json::Value>(
            "(scrollTo(0, document.documentElement.scrollHeight / 2), 0)",
        );
        let stuck: Vec<String> = page.eval(
            "[...document.querySelectorAll('body *')].filter(e => { const s = getComputedStyle(e); \
              return (s.position === 'sticky' || s.position === 'fixed') && e.offsetParent !== null || \
                     (s.position === 'fixed' && s.display !== 'none' && s.visibility !== 'hidden' && e.getClientRects().length); }) \
              .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))",
        );
        assert_eq!(stuck, ["header.topbar"], "{path}");
    }
    // The checklist progress is labelled and sits by its list.
    page.open(&site.url(&site.page_in("checklists", CHECKLIST)));
    let label: String = page
        .eval("document.querySelector('[data-checklist]').innerText.replace(/\\s+/g, ' ').trim()");
    assert!(label.starts_with("自检 0/"), "{label}");
}

/// The home page's way-in cards: `[title, href, top, bottom]` of each, in page order.
const WAY_IN: &str = "[...document.querySelectorAll('.way-in a')].map(a => { const r = a.getBoundingClientRect(); \
     return [a.querySelector('strong').textContent, decodeURIComponent(a.getAttribute('href')), r.top, r.bottom]; })";

#[test]
fn the_way_in_is_on_the_first_phone_screen_before_the_element_cards() {
    let site = handbook();
    let dir = screenshot_dir();
    let page = Page::new();
    page.viewport(375, 667, true);
    page.open(&site.url("/"));
    let (height, bar): (f64, f64) = page
        .eval("[innerHeight, document.querySelector('.topbar').getBoundingClientRect().bottom]");
    assert_eq!(height, 667.0);
    let cards: Vec<(String, String, f64, f64)> = page.eval(WAY_IN);
    let shown: Vec<(&str, &str)> = cards
        .iter()
        .map(|(t, h, _, _)| (t.as_str(), h.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            ("从哪里开始", "#一期社群怎么跑"),
            ("遇到问题了？", "/guides/yu-dao-wen-ti-le/")
        ]
    );
    for (title, _, top, bottom) in &cards {
        assert!(
            *top >= bar && *bottom <= height,
            "{title} is at {top}–{bottom} px, not between the top bar ({bar}) and the fold ({height})"
        );
    }
    // The anchor of 从哪里开始 is on the page: the home page's step list.
    assert!(page.eval::<bool>("!!document.getElementById('一期社群怎么跑')"));
    // Then the element cards: after the way in, in the page and on the screen.
    let (after, first_card): (bool, f64) = page.eval(
        "[!!(document.querySelector('.way-in').compareDocumentPosition(document.querySelector('.elements')) & Node.DOCUMENT_POSITION_FOLLOWING), \
          document.querySelector('.elements .element').getBoundingClientRect().top]",
    );
    assert!(after, "the element cards come after the way in");
    assert!(first_card > cards[1].3, "{first_card} is above the way in");
    let png = page.viewport_screenshot();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(dir.join("reader-home-first-screen-375.png"), png).unwrap();

    // On a desktop the two cards share a row, above the fold, and the page does not scroll sideways.
    let page = Page::new();
    page.open(&site.url("/"));
    let cards: Vec<(String, String, f64, f64)> = page.eval(WAY_IN);
    assert_eq!(cards.len(), 2);
    assert_eq!(cards[0].2, cards[1].2, "one row: {cards:?}");
    assert!(cards[1].3 <= 800.0, "{cards:?}");
    let overflow: f64 =
        page.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert!(
        overflow <= 1.0,
        "the home page scrolls sideways by {overflow} px"
    );
    let png = page.viewport_screenshot();
    assert!(png.starts_with(b"\x89PNG"));
    std::fs::write(dir.join("reader-home-1280.png"), png).unwrap();
}

#[test]
fn sidebar_tags_and_breadcrumbs_are_44_px_touch_targets() {
    let site = handbook();
    let page = phone();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    page.click(".nav-toggle");
    page.wait_until(
        "the drawer opens",
        "document.documentElement.classList.contains('nav-open')",
    );
    let small: Vec<(String, f64)> = page.eval(
        "[...document.querySelectorAll('#sidebar a, .meta .tag, .crumbs a')].filter(a => a.getClientRects().length) \
          .map(a => [a.textContent.trim(), a.getBoundingClientRect().height]).filter(x => x[1] < 44)",
    );
    assert!(small.is_empty(), "targets under 44 px: {small:?}");
    let count: usize = page.eval("document.querySelectorAll('#sidebar a, .crumbs a').length");
    assert!(count > 5, "{count} targets measured");
    // The brand is never cut short.
    let (scroll, client): (f64, f64) =
        page.eval("[document.querySelector('.brand').scrollWidth, document.querySelector('.brand').clientWidth]");
    assert!(scroll <= client, "the brand overflows: {scroll} > {client}");
    // It wraps at its space ("ISOOC / 社群运营手册"): two lines that fit in the top bar.
    let (brand, bar): (f64, f64) = page.eval(
        "[document.querySelector('.brand').getBoundingClientRect().height, document.querySelector('.topbar').clientHeight]",
    );
    assert!(
        brand <= bar,
        "the brand is {brand} px tall in a {bar} px bar"
    );
}

#[test]
fn the_table_of_contents_follows_the_scroll() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    let ids: Vec<String> = page.eval(
        "[...document.querySelectorAll('.toc a')].map(a => decodeURIComponent(a.getAttribute('href').slice(1)))",
    );
    assert!(ids.len() >= 3, "{ids:?}");
    for id in [&ids[1], &ids[ids.len() / 2]] {
        page.eval::<serde_json::Value>(&format!(
            "(document.getElementById({}).scrollIntoView({{ block: 'start' }}), 0)",
            js_str(id)
        ));
        page.wait_until(
            "the TOC marks the section in view",
            &format!(
                "(document.querySelector('.toc a[aria-current]') || {{}}).getAttribute && \
                 decodeURIComponent(document.querySelector('.toc a[aria-current]').getAttribute('href').slice(1)) === {}",
                js_str(id)
            ),
        );
    }
    assert_eq!(
        page.eval::<usize>("document.querySelectorAll('.toc a[aria-current]').length"),
        1
    );
}

#[test]
fn back_to_top_and_arrow_keys_for_previous_and_next() {
    let site = handbook();
    let page = phone();
    let path = site.page_in("rituals", RITUAL);
    page.open(&site.url(&path));
    assert!(page.eval::<bool>("document.querySelector('.to-top').hidden"));
    page.eval::<serde_json::Value>("(scrollTo(0, document.documentElement.scrollHeight), 0)");
    page.wait_until(
        "back to top shows",
        "!document.querySelector('.to-top').hidden",
    );
    page.click(".to-top");
    page.wait_until("the page is back at the top", "scrollY === 0");

    let page = Page::new();
    page.open(&site.url(&path));
    let next: String = page.eval("document.querySelector('.pager a[rel=next]').href");
    page.tab.press_key("ArrowRight").expect("press →");
    page.wait_until(
        "→ opened the next page",
        &format!("location.href === {}", js_str(&next)),
    );
    // The key handler is installed by app.js once the new page has loaded: a key pressed
    // before that would go nowhere.
    page.wait_until(
        "the next page has loaded",
        "document.readyState === 'complete'",
    );
    let prev = site.url(&path);
    page.tab.press_key("ArrowLeft").expect("press ←");
    page.wait_until(
        "← came back",
        &format!("location.href === {}", js_str(&prev)),
    );
}

#[test]
fn search_words_are_marked_on_the_page_a_result_opens() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/search/?q=%E7%8F%AD%E9%95%BF"));
    page.wait_until(
        "results",
        "!!document.querySelector('#search-page-panel .sr-list a')",
    );
    let href: String = page.eval("document.querySelector('#search-page-panel .sr-list a').href");
    assert!(href.contains("?h="), "{href}");
    page.open(&href);
    let marks: Vec<String> =
        page.eval("[...document.querySelectorAll('.content mark.hl')].map(m => m.textContent)");
    assert!(!marks.is_empty(), "no marks on {href}");
    assert!(marks.iter().all(|m| m == "班长"), "{marks:?}");
}

#[test]
fn head_meta_for_sharing_and_the_last_updated_date() {
    let site = handbook();
    let page = Page::new();
    let path = site.page_in("roles", ROLE);
    page.open(&site.url(&path));
    let meta = |sel: &str, attr: &str| -> String {
        page.eval(&format!(
            "(document.querySelector({}) || {{ getAttribute: () => '' }}).getAttribute({})",
            js_str(sel),
            js_str(attr)
        ))
    };
    assert_eq!(meta("link[rel=canonical]", "href"), site.url(&path));
    assert_eq!(meta("meta[property='og:title']", "content"), "班长");
    assert_eq!(
        meta("meta[property='og:site_name']", "content"),
        "ISOOC 社群运营手册"
    );
    assert!(!meta("meta[property='og:description']", "content").is_empty());
    assert_eq!(meta("meta[name='twitter:card']", "content"), "summary");
    assert_eq!(meta("meta[name='theme-color']", "content"), "#ffffff");
    let icon = meta("link[rel=icon]", "href");
    assert_eq!(icon, "/favicon.svg");
    let svg = std::fs::read_to_string(site.out.join("favicon.svg")).expect("the favicon is built");
    assert!(svg.starts_with("<svg"), "{svg}");
    // The handbook is a git repository: the role's date is its file's last commit.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("git")
        .args(["log", "-1", "--format=%cs", "--", "content/roles/班长.md"])
        .current_dir(root)
        .output();
    let want = out
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let shown: String = page.eval(
        "(document.querySelector('.updated time') || { getAttribute: () => '' }).getAttribute('datetime')",
    );
    if want.is_empty() {
        assert_eq!(shown, "", "no git, no date");
    } else {
        assert_eq!(shown, want);
        let text: String = page.eval("document.querySelector('.updated').textContent");
        assert_eq!(text, format!("最后更新 {want}"));
    }
}

#[test]
fn ticked_items_print_as_ticked_boxes() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url(&site.page_in("checklists", CHECKLIST)));
    page.click("li.task input");
    page.tab
        .call_method(Emulation::SetEmulatedMedia {
            media: Some("print".into()),
            features: None,
        })
        .expect("Emulation.setEmulatedMedia");
    let marks: Vec<String> = page.eval(
        "[...document.querySelectorAll('li.task')].map(li => getComputedStyle(li, '::before').content)",
    );
    assert_eq!(marks[0], "\"☑\"", "{marks:?}");
    assert!(marks[1..].iter().all(|m| m == "\"☐\""), "{marks:?}");
}

#[test]
fn the_print_book_prints_every_page_in_reading_order_to_pdf() {
    let site = handbook();
    let page = Page::new();
    // A tick made on a page shows in the book too.
    page.open(&site.url(&site.page_in("checklists", CHECKLIST)));
    let ticked: String = page.eval("document.querySelector('li.task').dataset.taskId");
    page.click("li.task input");
    page.open(&site.url("/print/"));
    let in_book: Vec<String> =
        page.eval("[...document.querySelectorAll('.print-page')].map(s => s.dataset.pageUrl)");
    // Reading order: the home page, then each top-level section's book in turn.
    let tops: Vec<String> = page.eval("[...document.querySelectorAll('.print-page')].filter(s => s.querySelector('.kind-badge.kind-section')).map(s => s.dataset.pageUrl).filter(u => u.split('/').length === 3)");
    let mut expected = vec![in_book[0].clone()];
    let book = Page::new();
    for t in &tops {
        book.open(&site.url(&format!("/print{t}")));
        let part: Vec<String> =
            book.eval("[...document.querySelectorAll('.print-page')].map(s => s.dataset.pageUrl)");
        assert_eq!(
            part.first(),
            Some(t),
            "the section's book starts with the section"
        );
        // Within a section, the pages in the order the section page lists them.
        book.open(&site.url(t));
        let listed: Vec<String> = book.eval(
            "[...document.querySelectorAll('.section-page .cards a')].map(a => a.getAttribute('href'))",
        );
        let pages: Vec<&String> = part.iter().filter(|u| listed.contains(u)).collect();
        let listed_in_book: Vec<&String> = listed.iter().filter(|u| part.contains(u)).collect();
        assert_eq!(pages, listed_in_book, "{t}: pages in the section's order");
        expected.extend(part);
    }
    assert_eq!(in_book, expected);
    // Every page of the site: previews.json has one entry per page.
    let previews: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(site.out.join("previews.json")).unwrap()).unwrap();
    assert_eq!(in_book.len(), previews.len());
    let toc: usize = page.eval("document.querySelectorAll('.print-toc li').length");
    assert_eq!(toc, in_book.len());
    // Fact cards, checklists (with the reader's tick) and each page on a sheet of its own.
    assert!(page.eval::<usize>("document.querySelectorAll('.print-page .card').length") > 10);
    let tick_shown: bool = page.eval(&format!(
        "document.querySelector('.print-page li.task[data-task-id={}] input').checked",
        js_str(&ticked)
    ));
    assert!(tick_shown, "the tick made on the page shows in the book");
    page.tab
        .call_method(Emulation::SetEmulatedMedia {
            media: Some("print".into()),
            features: None,
        })
        .expect("Emulation.setEmulatedMedia");
    let breaks: Vec<String> = page.eval(
        "[...document.querySelectorAll('.print-page')].map(s => getComputedStyle(s).breakBefore)",
    );
    assert!(breaks.iter().all(|b| b == "page"), "{breaks:?}");
    let hidden: Vec<String> = page.eval(
        "['.topbar', '.sidebar', '.site-footer', '.print-cover .doc-tools'].filter(s => { const e = document.querySelector(s); return e && getComputedStyle(e).display !== 'none'; })",
    );
    assert!(hidden.is_empty(), "printed: {hidden:?}");
    let pdf = page.tab.print_to_pdf(None).expect("Page.printToPDF");
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    let text = String::from_utf8_lossy(&pdf);
    let sheets = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page>").count()
        + text.matches("/Type /Page/").count();
    assert!(
        sheets > in_book.len(),
        "{sheets} sheets for {} pages and the contents",
        in_book.len()
    );
    let dir = screenshot_dir();
    std::fs::write(dir.join("print-book.pdf"), &pdf).unwrap();
}

#[test]
fn the_404_page_offers_search_and_the_nearest_pages() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/roles/ban-zang/"));
    page.wait_until("suggestions", "!document.querySelector('.nf-close').hidden");
    let first: String = page.eval("document.querySelector('.nf-close li a').textContent");
    let href: String = page.eval("document.querySelector('.nf-close li a').getAttribute('href')");
    assert_eq!(
        (first.as_str(), href.as_str()),
        ("班长", "/roles/ban-zhang/")
    );
    assert!(page.eval::<bool>("!!document.getElementById('search-page-q')"));
    page.eval::<serde_json::Value>(
        "(document.getElementById('search-page-q').value = '破冰', document.getElementById('search-page-q').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })), 0)",
    );
    page.wait_until(
        "results on the 404 page",
        "!!document.querySelector('#search-page-panel .sr-title')",
    );
    let title: String =
        page.eval("document.querySelector('#search-page-panel .sr-title').textContent");
    assert_eq!(title, "破冰");
}

#[test]
fn author_views_live_in_the_footer() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/"));
    let top: Vec<String> =
        page.eval("[...document.querySelectorAll('.topnav a')].map(a => a.getAttribute('href'))");
    assert_eq!(top, ["/matrix/", "/calendar/", "/lifecycle/"]);
    let foot: Vec<String> = page.eval("[...document.querySelectorAll('.site-footer .author-links a')].map(a => a.getAttribute('href'))");
    assert_eq!(foot, ["/coverage/", "/tags/", "/print/"]);
}

#[test]
fn phone_screenshots_for_review() {
    let site = handbook();
    let dir = screenshot_dir();
    let page = phone();
    for (name, path) in [
        ("reader-home", "/".to_string()),
        ("reader-ritual", site.page_in("rituals", RITUAL)),
        ("reader-role", site.page_in("roles", ROLE)),
        ("reader-calendar", "/calendar/".to_string()),
        ("reader-search", "/search/?q=%E6%89%93%E5%8D%A1".to_string()),
        ("reader-404", "/roles/ban-zang/".to_string()),
    ] {
        page.open(&site.url(&path));
        if name == "reader-search" {
            page.wait_until(
                "results",
                "!!document.querySelector('#search-page-panel .sr-title')",
            );
        }
        if name == "reader-404" {
            page.wait_until("suggestions", "!document.querySelector('.nf-close').hidden");
        }
        std::thread::sleep(Duration::from_millis(100));
        let png = page.full_screenshot();
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(dir.join(format!("{name}-375.png")), png).unwrap();
        let overflow: f64 = page
            .eval("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assert!(overflow <= 1.0, "{path} scrolls sideways by {overflow} px");
    }
}
