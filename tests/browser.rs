//! Browser tests of the bundled handbook and its default theme `handbook`, driven through
//! Debian's Chromium (`/usr/bin/chromium`; `.ci/run` installs it). Without it every browser test
//! FAILS, saying to `apt-get install chromium`.
//!
//! The handbook is built once per test binary with `qunce::build` into a temp folder, for the
//! origin of a tiny static HTTP server on 127.0.0.1 that serves it. One headless Chromium is
//! shared; each test opens its own tab in its own browser context, so localStorage (ticks, colour
//! scheme) never leaks between tests. Every wait is bounded ([`support::WAIT`]); nothing asserts
//! timings. Screenshots for review go to `target/screenshots/`.

#[path = "browser/support.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Runtime};
use support::{Page, Served, handbook, js_str, screenshot_dir, temp_dir};

const RITUAL: &str = "kai-ying-yi-shi";
const ROLE: &str = "ban-zhang";
const CHECKLIST: &str = "ru-qun-yi-shi-qi-jian-tao";

// ---------------------------------------------------------------------------------------------
// Checklists

/// The task list of the open page.
#[derive(serde::Deserialize)]
struct Tasks {
    ids: Vec<String>,
    texts: Vec<String>,
    checked: Vec<bool>,
    /// The progress text, e.g. `2/8`.
    progress: String,
}

fn tasks(page: &Page) -> Tasks {
    page.eval(
        "(() => { const li = [...document.querySelectorAll('li.task')]; return { \
            ids: li.map(l => l.dataset.taskId), \
            texts: li.map(l => l.textContent.trim()), \
            checked: li.map(l => l.querySelector('input').checked), \
            progress: (document.querySelector('[data-checklist] .progress-text') || {}).textContent || '' }; })()",
    )
}

/// Clicks the checkbox of a task with the mouse.
fn tick(page: &Page, id: &str) {
    page.click(&format!("li.task[data-task-id={}] input", js_str(id)));
}

#[test]
fn checklist_ticks_persist_across_reloads_and_reset_clears_them() {
    let site = handbook();
    let page = Page::new();
    let url = site.url(&site.page_in("checklists", CHECKLIST));
    page.open(&url);
    page.wait_until(
        "the checklist tools are shown",
        "!document.querySelector('[data-checklist]').hidden",
    );
    let before = tasks(&page);
    let n = before.ids.len();
    assert!(n >= 3, "{url} should have at least 3 tasks, has {n}");
    let unique: BTreeSet<&String> = before.ids.iter().collect();
    assert_eq!(unique.len(), n, "task ids are unique: {:?}", before.ids);
    let base = before.checked.iter().filter(|c| **c).count();
    let free: Vec<usize> = (0..n).filter(|i| !before.checked[*i]).take(2).collect();
    assert_eq!(free.len(), 2, "{url} needs two unticked tasks");
    assert!(
        page.eval::<bool>(
            "[...document.querySelectorAll('li.task input')].every(i => !i.disabled)"
        ),
        "app.js should enable the checkboxes"
    );

    for i in &free {
        tick(&page, &before.ids[*i]);
    }
    let want = format!("{}/{n}", base + 2);
    page.wait_until(
        &format!("the progress shows {want}"),
        &format!(
            "document.querySelector('.progress-text').textContent === {}",
            js_str(&want)
        ),
    );

    page.reload();
    let after = tasks(&page);
    for i in 0..n {
        assert_eq!(
            after.checked[i],
            before.checked[i] || free.contains(&i),
            "task {} ({}) after reload",
            i + 1,
            before.texts[i]
        );
    }
    assert_eq!(after.progress, want, "progress text after reload");
    assert!(
        page.eval::<bool>("document.querySelectorAll('li.task.done').length === 2"),
        "ticked tasks carry the class `done`"
    );

    // Reset asks for confirmation: answer yes through a stub, and remember the question.
    page.eval::<serde_json::Value>(
        "window.confirm = m => { window.__asked = String(m); return true; }",
    );
    page.click("[data-checklist] [data-action=reset]");
    page.wait_until(
        "reset has cleared the ticks",
        &format!(
            "document.querySelector('.progress-text').textContent === {}",
            js_str(&format!("{base}/{n}"))
        ),
    );
    let asked: String = page.eval("window.__asked || ''");
    assert!(!asked.is_empty(), "reset should ask confirm() first");
    page.reload();
    let after = tasks(&page);
    assert_eq!(
        after.checked, before.checked,
        "ticks after reset and reload"
    );
    assert_eq!(after.progress, format!("{base}/{n}"));
}

fn write_checklist(root: &Path, items: &[&str]) {
    let mut md = String::from("+++\ntitle = \"测试清单\"\nkind = \"checklist\"\n+++\n\n");
    for item in items {
        md.push_str(&format!("- [ ] {item}\n"));
    }
    std::fs::write(root.join("content/checklists/测试清单.md"), md).unwrap();
}

#[test]
fn moving_a_task_does_not_move_its_tick() {
    let root = temp_dir("tiny-site");
    std::fs::create_dir_all(root.join("content/checklists")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        "title = \"小站\"\nbase_url = \"https://example.org\"\nlanguage = \"zh-CN\"\n",
    )
    .unwrap();
    write_checklist(&root, &["A", "B", "C"]);
    let site = Served::start(&root, "tiny-site-out");
    let pages = site.pages_in("checklists");
    assert_eq!(pages.len(), 1, "one checklist page expected, got {pages:?}");
    let page = Page::new();
    page.open(&site.url(&pages[0]));

    let first = tasks(&page);
    assert_eq!(first.texts, ["A", "B", "C"]);
    tick(&page, &first.ids[1]);
    page.wait_until(
        "B is ticked",
        "document.querySelector('.progress-text').textContent === '1/3'",
    );

    // Same source, new order, rebuilt into the same output: same origin, same localStorage.
    write_checklist(&root, &["C", "A", "B"]);
    site.rebuild();
    page.reload();
    let moved = tasks(&page);
    assert_eq!(
        moved.texts,
        ["C", "A", "B"],
        "the rebuilt page should be served"
    );
    assert_eq!(moved.ids[2], first.ids[1], "B keeps its id when it moves");
    assert_eq!(
        moved.checked,
        [false, false, true],
        "B keeps its tick after moving; A and C stay unticked"
    );
    assert_eq!(moved.progress, "1/3");
}

// ---------------------------------------------------------------------------------------------
// Colour scheme

/// `[data-theme attribute or "", background luminance 0..1]` of the open page.
const SCHEME: &str = "(() => { \
    const bg = el => getComputedStyle(el).backgroundColor; \
    let c = bg(document.body); \
    if (/rgba\\(.*, 0\\)$|transparent/.test(c)) c = bg(document.documentElement); \
    const [r, g, b] = c.match(/[\\d.]+/g).map(Number); \
    return [document.documentElement.getAttribute('data-theme') || '', (0.2126*r + 0.7152*g + 0.0722*b) / 255]; \
})()";

#[test]
fn dark_mode_toggle_persists_across_pages() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/"));
    let (theme, light): (String, f64) = page.eval(SCHEME);
    assert_eq!(theme, "", "a fresh profile follows the system");
    assert!(
        light > 0.5,
        "the default (light system) background is light: {light}"
    );

    let mut clicks = 0;
    while page.eval::<(String, f64)>(SCHEME).0 != "dark" {
        clicks += 1;
        assert!(
            clicks <= 3,
            "three clicks on the toggle never made the page dark"
        );
        page.click(".theme-toggle");
    }
    page.wait_until("the background turns dark", &format!("{SCHEME}[1] < 0.3"));
    let label: String =
        page.eval("document.querySelector('.theme-toggle').getAttribute('aria-label')");
    assert!(
        label.contains("深色"),
        "the toggle names the current scheme: {label}"
    );

    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    let (theme, luminance): (String, f64) = page.eval(SCHEME);
    assert_eq!(theme, "dark", "the next page opens dark");
    assert!(
        luminance < 0.3,
        "the next page's background is dark: {luminance}"
    );
}

// ---------------------------------------------------------------------------------------------
// Matrix

/// The TOML front matter of a page, if any.
fn front_matter(path: &Path) -> Option<toml::Table> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim_start_matches('\u{feff}');
    let rest = text.strip_prefix("+++")?.trim_start_matches('\r');
    let rest = rest.strip_prefix('\n')?;
    let end = rest.find("\n+++")?;
    toml::from_str(&rest[..end]).ok()
}

fn pages_of_kind(dir: &Path, kind: &str) -> Vec<(PathBuf, toml::Table)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| front_matter(&p).map(|fm| (p, fm)))
        .filter(|(_, fm)| fm.get("kind").and_then(|k| k.as_str()) == Some(kind))
        .filter(|(_, fm)| fm.get("draft").and_then(|d| d.as_bool()) != Some(true))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn title_of(path: &Path, fm: &toml::Table) -> String {
    fm.get("title")
        .and_then(|t| t.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| path.file_stem().unwrap().to_string_lossy().into_owned())
}

/// (role title, ritual title) → part for every role a ritual's front matter names: the RACI
/// key (`lead`, `run`, `support`, `informed`) of a `roles` table, `participant` for a plain list.
fn expected_matrix() -> BTreeMap<(String, String), String> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut role_names: BTreeMap<String, String> = BTreeMap::new();
    for (path, fm) in pages_of_kind(&content.join("roles"), "role") {
        let title = title_of(&path, &fm);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let aliases = fm.get("aliases").and_then(|a| a.as_array()).cloned();
        for name in aliases.iter().flatten().filter_map(|a| a.as_str()) {
            role_names.insert(name.to_string(), title.clone());
        }
        for name in [format!("roles/{stem}"), stem, title.clone()] {
            role_names.insert(name, title.clone());
        }
    }
    let mut cells = BTreeMap::new();
    for (path, fm) in pages_of_kind(&content.join("rituals"), "ritual") {
        let ritual = title_of(&path, &fm);
        let named: Vec<(String, toml::Value)> = match fm.get("roles") {
            Some(toml::Value::Array(list)) => list
                .iter()
                .map(|r| ("participant".to_string(), r.clone()))
                .collect(),
            Some(toml::Value::Table(table)) => table
                .iter()
                .flat_map(|(part, list)| {
                    let list = list.as_array().cloned().unwrap_or_default();
                    list.into_iter().map(move |r| (part.clone(), r))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (part, name) in named {
            let name = name.as_str().expect("a role name");
            let role = role_names
                .get(name.trim_end_matches(".md"))
                .unwrap_or_else(|| panic!("{}: no role `{name}`", path.display()));
            cells.insert((role.clone(), ritual.clone()), part);
        }
    }
    cells
}

#[test]
fn matrix_marks_exactly_the_role_ritual_pairs_of_the_content() {
    let expected = expected_matrix();
    assert!(expected.len() > 10, "the handbook's rituals name roles");
    let site = handbook();
    let page = Page::new();
    page.open(&site.url("/matrix/"));
    let (cells, bad): (Vec<(String, String, String)>, Vec<String>) = page.eval(
        "(() => { \
            const t = document.querySelector('table.matrix'); \
            const roles = [...t.querySelectorAll('thead th')].slice(1).map(th => th.textContent.trim()); \
            const cells = [], bad = []; \
            for (const tr of t.querySelectorAll('tbody tr')) { \
                const ritual = tr.querySelector('th').textContent.trim(); \
                [...tr.querySelectorAll('td')].forEach((td, i) => { \
                    const on = td.classList.contains('on'); \
                    const mark = (td.querySelector('[aria-hidden]') || { textContent: '' }).textContent.trim(); \
                    const part = [...td.classList].filter(c => c.startsWith('raci-')).map(c => c.slice(5)).join(' '); \
                    if (on !== (mark !== '') || on !== (part !== '')) bad.push(ritual + ' × ' + roles[i]); \
                    if (on) cells.push([roles[i], ritual, part]); \
                }); \
                if (tr.querySelectorAll('td').length !== roles.length) bad.push(ritual + ': cell count'); \
            } \
            return [cells, bad]; \
        })()",
    );
    assert!(
        bad.is_empty(),
        "cells whose class, mark and part disagree: {bad:?}"
    );
    let shown: BTreeMap<(String, String), String> = cells
        .into_iter()
        .map(|(role, ritual, part)| ((role, ritual), part))
        .collect();
    let missing: Vec<_> = expected
        .iter()
        .filter(|(k, v)| shown.get(*k) != Some(*v))
        .collect();
    let extra: Vec<_> = shown
        .iter()
        .filter(|(k, _)| !expected.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "matrix cells differ from the content's `roles`:\n  missing or wrong ((role, ritual), part): {missing:?}\n  extra: {extra:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hover previews, copy button, keyboard

#[test]
fn hovering_an_internal_link_shows_its_preview() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    let href: String = page.eval("document.querySelector('.content a.internal').href");
    let link = page
        .tab
        .find_element(".content a.internal")
        .expect("a ritual page has an internal link");
    link.move_mouse_over()
        .expect("move the mouse over the link");
    page.wait_until(
        "the preview is shown",
        "!document.getElementById('preview').hidden && document.getElementById('preview').offsetHeight > 0",
    );
    let shown: String = page.eval("document.querySelector('#preview .preview-t').textContent");

    page.tab
        .move_mouse_to_point(headless_chrome::browser::tab::point::Point { x: 2.0, y: 400.0 })
        .expect("move the mouse away");
    page.wait_until(
        "the preview hides when the mouse leaves",
        "document.getElementById('preview').hidden",
    );

    page.open(&href);
    let title: String = page.eval("document.querySelector('h1').textContent.trim()");
    assert_eq!(
        shown, title,
        "the preview of {href} shows the target's title"
    );
}

/// The number of numbered steps right under `## 流程` in a page's Markdown.
fn flow_steps(source: &Path) -> usize {
    let text = std::fs::read_to_string(source).unwrap();
    let mut lines = text.lines().skip_while(|l| l.trim() != "## 流程").skip(1);
    let mut steps = 0;
    for line in lines.by_ref() {
        if line.starts_with("## ") {
            break;
        }
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && line[digits..].starts_with(". ") {
            steps += 1;
        }
    }
    steps
}

#[test]
fn copy_button_puts_the_plain_team_run_sheet_on_the_clipboard() {
    let site = handbook();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/rituals/开营仪式.md");
    let steps = flow_steps(&source);
    assert!(
        steps >= 2,
        "{} has numbered steps under ## 流程",
        source.display()
    );
    let page = Page::new();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    page.eval::<serde_json::Value>(
        "Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { \
            writeText: t => { window.__copied = t; return Promise.resolve(); } } })",
    );
    let label: String =
        page.eval("document.querySelector('[data-action=copy]').textContent.trim()");
    assert_eq!(label, "复制团队执行单");
    page.click("[data-action=copy]");
    page.wait_until("the text is copied", "typeof window.__copied === 'string'");
    let text: String = page.eval("window.__copied");
    println!("copied:\n{text}");
    let title: String = page.eval("document.querySelector('h1').textContent.trim()");
    assert!(
        text.starts_with(&format!("【团队执行单】{title}\n")),
        "starts with the team's run sheet heading and the title {title:?}:\n{text}"
    );
    assert!(text.contains("【流程】"), "has the 流程 heading:\n{text}");
    let flow = text.split("【流程】").nth(1).unwrap();
    for i in 1..=steps {
        assert!(
            flow.lines().any(|l| l.starts_with(&format!("{i}. "))),
            "step {i} of 流程 is numbered:\n{text}"
        );
    }
    for symbol in ["#", "**", "[[", "]]", "<"] {
        assert!(
            !text.contains(symbol),
            "no `{symbol}` in the announcement:\n{text}"
        );
    }
    page.wait_until(
        "the button says it copied",
        "document.querySelector('.copy-status').textContent === document.querySelector('[data-action=copy]').dataset.done",
    );
}

#[test]
fn tab_reaches_the_skip_link_first_and_enter_focuses_main() {
    let site = handbook();
    let page = Page::new();
    page.open(&site.url(&site.page_in("rituals", RITUAL)));
    page.tab.press_key("Tab").expect("press Tab");
    page.wait_until(
        "Tab focuses the skip link",
        "document.activeElement && document.activeElement.matches('a.skip')",
    );
    let top: f64 = page.eval("document.activeElement.getBoundingClientRect().top");
    assert!(top >= 0.0, "the focused skip link is on screen (top {top})");
    page.tab.press_key("Enter").expect("press Enter");
    page.wait_until(
        "Enter on the skip link focuses main",
        "document.activeElement && document.activeElement.id === 'main' && location.hash === '#main'",
    );
}

// ---------------------------------------------------------------------------------------------
// Every page

/// Errors a tab reports (uncaught exceptions, console.error, failed loads and other error log
/// entries), each prefixed with the value of `at` when it arrived.
fn watch_console(page: &Page, at: Arc<Mutex<String>>) -> Arc<Mutex<Vec<String>>> {
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = errors.clone();
    page.tab
        .add_event_listener(Arc::new(move |event: &Event| {
            let what = match event {
                Event::RuntimeExceptionThrown(e) => {
                    let d = &e.params.exception_details;
                    let desc = d.exception.as_ref().and_then(|x| x.description.clone());
                    format!("exception: {} {}", d.text, desc.unwrap_or_default())
                }
                Event::RuntimeConsoleAPICalled(e)
                    if matches!(
                        e.params.Type,
                        Runtime::ConsoleAPICalledEventTypeOption::Error
                            | Runtime::ConsoleAPICalledEventTypeOption::Assert
                    ) =>
                {
                    let args: Vec<String> = e
                        .params
                        .args
                        .iter()
                        .map(|a| match (&a.value, &a.description) {
                            (Some(v), _) => v.to_string(),
                            (None, Some(d)) => d.clone(),
                            _ => String::new(),
                        })
                        .collect();
                    format!("console.error: {}", args.join(" "))
                }
                Event::LogEntryAdded(e) if e.params.entry.level == Log::LogEntryLevel::Error => {
                    let url = e.params.entry.url.clone().unwrap_or_default();
                    format!("log: {} {url}", e.params.entry.text)
                }
                _ => return,
            };
            let at = at.lock().unwrap().clone();
            sink.lock().unwrap().push(format!("{at}: {what}"));
        }))
        .expect("listen to console events");
    page.tab.enable_runtime().expect("Runtime.enable");
    page.tab.enable_log().expect("Log.enable");
    errors
}

/// Visits every HTML page of the build as a 375 px phone: no console errors, no uncaught
/// exceptions, no failed loads, and no page wider than the screen.
#[test]
fn no_console_errors_on_any_page() {
    const TABS: usize = 4;
    let site = handbook();
    let pages = site.html_pages();
    assert!(pages.len() > 20, "the handbook has many pages: {pages:?}");
    let found: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..TABS)
            .map(|k| {
                let pages = &pages;
                scope.spawn(move || {
                    let page = Page::new();
                    // Phones are the main readers: walk as one, and also catch sideways scrolling.
                    page.viewport(375, 812, true);
                    let at: Arc<Mutex<String>> = Arc::default();
                    let errors = watch_console(&page, at.clone());

                    // Probe: the listener must see a console error, an uncaught exception and a failed load.
                    *at.lock().unwrap() = "probe".into();
                    page.open(&site.url("/404.html"));
                    page.eval::<serde_json::Value>(
                        "(console.error('qunce-probe'), setTimeout(() => { throw new Error('qunce-probe') }, 0), \
                          new Image().src = '/qunce-probe-missing.png', 0)",
                    );
                    let deadline = std::time::Instant::now() + support::WAIT;
                    let seen_all = || {
                        let e = errors.lock().unwrap().join("\n");
                        ["exception:", "console.error:", "qunce-probe-missing.png"]
                            .iter()
                            .all(|kind| e.contains(kind))
                    };
                    while !seen_all() {
                        assert!(
                            std::time::Instant::now() < deadline,
                            "the console listener missed the probe errors: {:?}",
                            errors.lock().unwrap()
                        );
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    errors.lock().unwrap().clear();

                    for path in pages.iter().skip(k).step_by(TABS) {
                        *at.lock().unwrap() = path.clone();
                        page.open(&site.url(path));
                        let overflow: f64 =
                            page.eval(
                                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
                            );
                        if overflow > 1.0 {
                            errors.lock().unwrap().push(format!(
                                "{path}: scrolls sideways by {overflow} px on a 375 px phone"
                            ));
                        }
                    }
                    // Late errors (a failed load after `load`, a timer) get a moment to arrive.
                    std::thread::sleep(Duration::from_millis(300));
                    std::mem::take(&mut *errors.lock().unwrap())
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("console worker"))
            .collect()
    });
    assert!(
        found.is_empty(),
        "problems on the {} pages:\n{}",
        pages.len(),
        found.join("\n")
    );
}

#[test]
fn screenshots_for_review() {
    let site = handbook();
    let dir = screenshot_dir();
    let ritual = site.page_in("rituals", RITUAL);
    let shots = [
        ("home", "/".to_string()),
        ("ritual", ritual.clone()),
        ("role", site.page_in("roles", ROLE)),
        ("checklist", site.page_in("checklists", CHECKLIST)),
        ("matrix", "/matrix/".to_string()),
    ];
    let page = Page::new();
    let save = |name: &str, png: Vec<u8>| {
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        let file = dir.join(format!("{name}.png"));
        std::fs::write(&file, png).unwrap();
        file
    };
    for (width, height, mobile) in [(1280, 800, false), (375, 812, true)] {
        page.viewport(width, height, mobile);
        for (name, path) in &shots {
            page.open(&site.url(path));
            let file = save(&format!("{name}-{width}"), page.full_screenshot());
            let overflow: f64 = page.eval(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            );
            assert!(
                overflow <= 1.0,
                "{path} at {width} px scrolls sideways by {overflow} px (see {})",
                file.display()
            );
        }
    }

    // Extra views for review: the dark scheme, and the phone's navigation drawer.
    page.eval::<serde_json::Value>("localStorage.setItem('qunce-theme', 'dark')");
    for (width, height, mobile) in [(1280, 800, false), (375, 812, true)] {
        page.viewport(width, height, mobile);
        page.open(&site.url(&ritual));
        save(&format!("ritual-dark-{width}"), page.full_screenshot());
    }
    page.eval::<serde_json::Value>("localStorage.removeItem('qunce-theme')");
    page.open(&site.url(&ritual));
    page.click(".nav-toggle");
    page.wait_until(
        "the drawer opens",
        "document.documentElement.classList.contains('nav-open')",
    );
    std::thread::sleep(Duration::from_millis(400)); // let the slide-in transition end
    save("nav-375", page.viewport_screenshot());
}

// ---------------------------------------------------------------------------------------------
// Page weight (no browser)

#[test]
fn every_page_with_its_css_and_js_is_under_100_kb() {
    const LIMIT: u64 = 100_000;
    let site = handbook();
    let size = |p: PathBuf| std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
    let assets = size(site.out.join("style.css")) + size(site.out.join("app.js"));
    assert!(assets > 0, "the build has style.css and app.js");
    // The print books hold the whole handbook (or a section) by design: not a reading page.
    let mut weights: Vec<(u64, String)> = site
        .html_pages()
        .into_iter()
        .filter(|p| !p.starts_with("/print/"))
        .map(|path| {
            let file = if path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.clone()
            };
            (size(site.out.join(&file[1..])) + assets, path)
        })
        .collect();
    weights.sort();
    let (max, heaviest) = weights.last().cloned().expect("pages");
    println!(
        "largest page weight: {heaviest} = {max} bytes (HTML {} + style.css and app.js {assets})",
        max - assets
    );
    let over: Vec<_> = weights.iter().filter(|(w, _)| *w >= LIMIT).collect();
    assert!(
        over.is_empty(),
        "pages of {LIMIT} bytes or more with CSS and JS: {over:?}"
    );
}

/// A small site with one checklist and one ritual whose steps hold text hidden by CSS and by
/// raw HTML (`raw_html = "allow"`, as a single-author site may set it).
fn small_site(tag: &str, title: &str) -> PathBuf {
    let root = temp_dir(tag);
    std::fs::create_dir_all(root.join("content/checklists")).unwrap();
    std::fs::create_dir_all(root.join("content/rituals")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        format!("title = \"{title}\"\nbase_url = \"https://example.org\"\nlanguage = \"zh-CN\"\n[markdown]\nraw_html = \"allow\"\n"),
    )
    .unwrap();
    write_checklist(&root, &["A", "B", "C"]);
    std::fs::write(
        root.join("content/rituals/周会.md"),
        "+++\ntitle = \"周会\"\nkind = \"ritual\"\n+++\n\n## 流程\n\n\
1. 看得见一<span style=\"display:none\">藏甲</span><span hidden>藏乙</span>\n\
2. 看得见二<span style=\"font-size:0\">藏丙</span><span style=\"position:absolute;left:-9999px\">藏丁</span><span style=\"opacity:0\">藏戊</span><span style=\"visibility:hidden\">藏己</span><span style=\"color:transparent\">藏庚</span>\n\
3. 看得见三<details><summary>看得见四</summary>藏辛</details>\n\n\
<p style=\"display:none\">藏壬</p>\n\n<div hidden><p>藏癸</p></div>\n\n结束语看得见\n",
    )
    .unwrap();
    root
}

#[test]
fn copy_takes_only_the_text_the_reader_sees() {
    let root = small_site("copy-visible", "小站");
    let site = Served::start(&root, "copy-visible-out");
    let page = Page::new();
    page.open(&site.url(&site.pages_in("rituals")[0]));
    page.eval::<serde_json::Value>(
        "Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { \
            writeText: t => { window.__copied = t; return Promise.resolve(); } } })",
    );
    page.click("[data-action=copy]");
    page.wait_until("the text is copied", "typeof window.__copied === 'string'");
    let text: String = page.eval("window.__copied");
    for seen in [
        "1. 看得见一",
        "2. 看得见二",
        "3. 看得见三",
        "看得见四",
        "结束语看得见",
    ] {
        assert!(text.contains(seen), "{seen:?} is copied:\n{text}");
    }
    assert!(!text.contains('藏'), "hidden text was copied:\n{text}");
}

#[test]
fn checklist_ticks_are_kept_per_handbook_opened_from_disk() {
    let out = |tag: &str, title: &str| {
        let root = small_site(tag, title);
        let out = temp_dir(&format!("{tag}-out")).join("public");
        let o = qunce::build(&qunce::Options {
            root,
            output: Some(out.clone()),
            offline: true,
            ..Default::default()
        });
        assert_eq!(o.status, qunce::Status::Ok);
        let dir = std::fs::read_dir(out.join("checklists"))
            .unwrap()
            .flatten()
            .find(|e| e.path().join("index.html").is_file())
            .unwrap()
            .path();
        format!("file://{}", dir.join("index.html").display())
    };
    let (first, second) = (out("ticks-a", "甲站"), out("ticks-b", "乙站"));
    // One tab: one browser context, so both handbooks share file://'s localStorage.
    let page = Page::new();
    page.open(&first);
    let a = tasks(&page);
    tick(&page, &a.ids[1]);
    page.wait_until(
        "B is ticked",
        "document.querySelector('.progress-text').textContent === '1/3'",
    );
    // Chromium hands a page's localStorage writes to its storage service asynchronously, and
    // on a loaded machine a navigation can overtake the hand-over. The first handbook is
    // reopened until its tick is read back from storage, as on a reader's next visit; a tick
    // that is never stored, or that another handbook overwrote, never comes back and fails.
    let reopen_until_ticked = |failure: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            page.open(&first);
            page.wait_until(
                "the first handbook's checklist is ready",
                "!document.querySelector('[data-checklist]').hidden",
            );
            if tasks(&page).checked == [false, true, false] {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{failure}");
        }
    };
    // Whether the tick made it to storage is Chromium's business, not the handbook's: in a
    // full test run on two cores its write was lost once in a while (seen twice in about ten
    // runs, never alone). So a first handbook reopened without its tick is ticked again, at
    // most three times; what this test is about, that the second handbook neither shows nor
    // overwrites the first one's tick, is asserted below without any retry of that kind.
    for attempt in 1.. {
        let shown = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let kept = loop {
            page.open(&first);
            page.wait_until(
                "the first handbook's checklist is ready",
                "!document.querySelector('[data-checklist]').hidden",
            );
            if tasks(&page).checked == [false, true, false] {
                break true;
            }
            if std::time::Instant::now() > shown {
                break false;
            }
        };
        if kept {
            break;
        }
        assert!(
            attempt < 3,
            "the tick was not stored: reopening the handbook shows none, three times"
        );
        tick(&page, &a.ids[1]);
        page.wait_until(
            "B is ticked again",
            "document.querySelector('.progress-text').textContent === '1/3'",
        );
    }
    page.open(&second);
    page.wait_until(
        "the second handbook's checklist is ready",
        "!document.querySelector('[data-checklist]').hidden",
    );
    let b = tasks(&page);
    assert_eq!(b.ids, a.ids, "the two checklists have the same task ids");
    assert_eq!(
        b.checked,
        [false, false, false],
        "the other handbook's tick leaked"
    );
    // Back to the first handbook: its tick is still there (the race above was seen here once
    // in CI).
    reopen_until_ticked("the first handbook lost its tick after the second was opened");
    assert_eq!(
        page.eval::<String>("document.querySelector('.progress-text').textContent"),
        "1/3"
    );
}
