//! Browser tests of the playbook features of the default theme (issue #22) on the fixture site
//! `tests/fixtures/playbook`, in headless Chromium (see `tests/browser/support.rs`): the
//! "我们的社群" panel filling templates, copied text and the run sheet's dates, the `.ics` file
//! (parsed here), the two copy buttons, the matrix on a phone, and screenshots for review in
//! `target/screenshots/`.

#[allow(dead_code)]
#[path = "browser/support.rs"]
mod support;

use std::path::Path;
use std::sync::OnceLock;

use support::{Page, Served, js_str};

/// The fixture playbook, built and served once per test binary.
fn playbook() -> &'static Served {
    static SITE: OnceLock<Served> = OnceLock::new();
    SITE.get_or_init(|| {
        Served::start(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/playbook"),
            "playbook",
        )
    })
}

const RITUAL: &str = "/rituals/kai-ying-yi-shi/";

/// Replaces the clipboard with one that keeps the last text in `window.__copied`.
fn catch_clipboard(page: &Page) {
    page.eval::<serde_json::Value>(
        "(window.__copied = null, Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { \
            writeText: t => { window.__copied = t; return Promise.resolve(); } } }), 0)",
    );
}

/// Clicks `selector` and returns what it put on the clipboard.
fn copied_by(page: &Page, selector: &str) -> String {
    page.eval::<serde_json::Value>("(window.__copied = null, 0)");
    page.click(selector);
    page.wait_until("the text is copied", "typeof window.__copied === 'string'");
    page.eval("window.__copied")
}

/// Fills the "我们的社群" panel through its form and saves it.
fn fill_panel(page: &Page, values: &[(&str, &str)], start: &str) {
    page.click(".community-open");
    page.wait_until(
        "the panel is open",
        "document.getElementById('community').open",
    );
    for (name, value) in values {
        page.eval::<serde_json::Value>(&format!(
            "(document.querySelector('#community input[data-ph=' + {} + ']').value = {}, 0)",
            js_str(&js_str(name)),
            js_str(value)
        ));
    }
    page.eval::<serde_json::Value>(&format!(
        "(document.querySelector('#community input[name=start]').value = {}, 0)",
        js_str(start)
    ));
    page.click("#community button[value=save]");
    page.wait_until(
        "the panel is closed",
        "!document.getElementById('community').open",
    );
}

/// `(text, marked as empty)` of each placeholder of the page, in order.
fn placeholders(page: &Page) -> Vec<(String, bool)> {
    page.eval("[...document.querySelectorAll('.ph')].map(s => [s.textContent, s.classList.contains('empty')])")
}

#[test]
fn the_panel_fills_every_template_the_copied_text_and_the_run_sheet_dates() {
    let site = playbook();
    let page = Page::new();
    page.open(&site.url(RITUAL));
    catch_clipboard(&page);
    let s = |t: &str, e: bool| (t.to_string(), e);
    // Before: the declared default fills 班长, the others stay marked.
    assert_eq!(
        placeholders(&page),
        [s("{群名}", true), s("班长", false), s("{开营日期}", true)]
    );
    let before = copied_by(&page, "figure.template [data-action=copy-template]");
    assert_eq!(
        before,
        "欢迎来到{群名}！\n我是班长，{开营日期} 晚上八点开营。"
    );

    fill_panel(
        &page,
        &[("群名", "读书会三群"), ("班长", "小林")],
        "2026-03-04",
    );
    // 开营日期 is declared `from = "start"`: the start date fills it.
    assert_eq!(
        placeholders(&page),
        [
            s("读书会三群", false),
            s("小林", false),
            s("3月4日周三", false)
        ]
    );
    let after = copied_by(&page, "figure.template [data-action=copy-template]");
    assert_eq!(
        after,
        "欢迎来到读书会三群！\n我是小林，3月4日周三 晚上八点开营。"
    );

    // Kept per handbook: another page of the site, after a reload, has them too.
    page.open(&site.url("/rituals/yu-re/"));
    assert_eq!(placeholders(&page), [s("读书会三群", false)]);

    // The run sheet shows dates from the start date; 2026-03-04 is a Wednesday, so the
    // weekly meeting falls on D0, D7 and D14 instead of D2 and D9.
    page.open(&site.url("/calendar/"));
    let dates: Vec<(i32, String)> = page.eval(
        "[...document.querySelectorAll('.cal-day')].map(li => [+li.dataset.day, li.querySelector('time').getAttribute('datetime')])",
    );
    assert_eq!(dates[0], (-3, "2026-03-01".to_string()));
    assert_eq!(dates[1], (0, "2026-03-04".to_string()));
    assert_eq!(dates.last().unwrap(), &(17, "2026-03-21".to_string()));
    let weekly: Vec<i32> = page.eval(
        "[...document.querySelectorAll('.cal-day')].filter(li => [...li.querySelectorAll('.cal-title')].some(a => a.textContent === '周会')).map(li => +li.dataset.day)",
    );
    assert_eq!(weekly, [0, 7, 14]);
    let shown: String =
        page.eval("document.querySelector('.cal-day[data-day=\"0\"] time').textContent");
    assert!(shown.contains('3') && shown.contains('4'), "{shown}");
    // Clearing the panel brings the defaults back.
    page.click(".community-open");
    page.click("#community [data-action=community-clear]");
    page.click("#community button[value=cancel]");
    let weekly: Vec<i32> = page.eval(
        "[...document.querySelectorAll('.cal-day')].filter(li => [...li.querySelectorAll('.cal-title')].some(a => a.textContent === '周会')).map(li => +li.dataset.day)",
    );
    assert_eq!(weekly, [2, 9]);
    let dated: usize = page.eval("document.querySelectorAll('.cal-day time[datetime]').length");
    assert_eq!(dated, 0);
}

/// One VEVENT of an iCalendar file: its properties, unfolded.
#[derive(Debug)]
struct Event {
    summary: String,
    start: String,
    end: String,
    uid: String,
}

/// Parses an iCalendar text (RFC 5545): unfolds lines, checks the calendar's frame and line
/// lengths, and returns its events.
fn parse_ics(text: &str) -> Vec<Event> {
    assert!(text.ends_with("\r\n"), "lines end in CRLF");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "a line over 75 octets: {line:?}");
        assert!(!line.contains('\n'), "a bare LF: {line:?}");
    }
    let unfolded = text.replace("\r\n ", "");
    let lines: Vec<&str> = unfolded.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
    assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut events = Vec::new();
    let mut cur: Option<Vec<(&str, &str)>> = None;
    for line in &lines[1..lines.len() - 1] {
        match *line {
            "BEGIN:VEVENT" => {
                assert!(cur.is_none(), "nested VEVENT");
                cur = Some(Vec::new());
            }
            "END:VEVENT" => {
                let props = cur.take().expect("END:VEVENT without BEGIN");
                let get = |k: &str| {
                    props
                        .iter()
                        .find(|(name, _)| *name == k)
                        .map(|(_, v)| v.to_string())
                        .unwrap_or_else(|| panic!("no {k} in {props:?}"))
                };
                get("DTSTAMP");
                events.push(Event {
                    summary: get("SUMMARY"),
                    start: get("DTSTART;VALUE=DATE"),
                    end: get("DTEND;VALUE=DATE"),
                    uid: get("UID"),
                });
            }
            l => {
                let (name, value) = l
                    .split_once(':')
                    .unwrap_or_else(|| panic!("no `:` in {l:?}"));
                if let Some(props) = cur.as_mut() {
                    props.push((name, value));
                }
            }
        }
    }
    assert!(cur.is_none(), "unterminated VEVENT");
    events
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `YYYYMMDD` of a day count from [`days_from_civil`].
fn civil(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}")
}

/// 2026-03-04 (a Wednesday, the test's opening day) + `n` days, as `YYYYMMDD`.
fn date_plus(n: i64) -> String {
    civil(days_from_civil(2026, 3, 4) + n)
}

/// The day after `YYYYMMDD`.
fn next_day(date: &str) -> String {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().expect("digits");
    civil(days_from_civil(n(0..4), n(4..6), n(6..8)) + 1)
}

#[test]
fn the_ics_file_has_one_all_day_event_per_entry_and_day_on_the_right_dates() {
    let site = playbook();
    let page = Page::new();
    page.open(&site.url("/calendar/"));
    let disabled: bool = page.eval("document.querySelector('[data-action=ics]').disabled");
    assert!(disabled, "no start date yet");
    let none: String = page.eval("qunceCalendar.ics()");
    assert_eq!(none, "");
    // The page's own start-date field, as a reader would set it.
    page.eval::<serde_json::Value>(
        "(() => { const f = document.querySelector('[data-cal-tools]'); f.elements.start.value = '2026-03-04'; \
          f.elements.start.dispatchEvent(new Event('change', { bubbles: true })); return 0; })()",
    );
    let disabled: bool = page.eval("document.querySelector('[data-action=ics]').disabled");
    assert!(!disabled);
    let ics: String = page.eval("qunceCalendar.ics()");
    let events = parse_ics(&ics);
    let on = |title: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e.summary == title)
            .map(|e| e.start.clone())
            .collect()
    };
    assert_eq!(on("预热"), [date_plus(-3)]);
    assert_eq!(on("开营仪式"), [date_plus(0)]);
    assert_eq!(on("分享会"), [date_plus(1), date_plus(2), date_plus(3)]);
    assert_eq!(on("周会"), [date_plus(0), date_plus(7), date_plus(14)]);
    assert_eq!(on("早安打卡"), (1..=14).map(date_plus).collect::<Vec<_>>());
    assert_eq!(on("直播"), [date_plus(5)]);
    assert_eq!(on("结营仪式"), [date_plus(14)]);
    assert_eq!(on("回访"), [date_plus(17)]);
    assert_eq!(events.len(), 1 + 1 + 3 + 3 + 14 + 1 + 1 + 1);
    assert_eq!(date_plus(-3), "20260301");
    assert_eq!(date_plus(28), "20260401");
    for e in &events {
        assert_eq!(e.end, next_day(&e.start), "an all-day event: {e:?}");
    }
    let mut uids: Vec<&str> = events.iter().map(|e| e.uid.as_str()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    let unfolded = ics.replace("\r\n ", "");
    assert!(
        unfolded
            .contains("DESCRIPTION:主持：群主\\n执行：班长\\n配合：助教\\n知会：组长\\n60 分钟\\n"),
        "{ics}"
    );

    // A longer cohort, set on the page, moves the closing day.
    page.eval::<serde_json::Value>(
        "(() => { const f = document.querySelector('[data-cal-tools]'); f.elements.cohort.value = '21'; \
          f.elements.cohort.dispatchEvent(new Event('change', { bubbles: true })); return 0; })()",
    );
    let events = parse_ics(&page.eval::<String>("qunceCalendar.ics()"));
    let closing: Vec<&str> = events
        .iter()
        .filter(|e| e.summary == "结营仪式")
        .map(|e| e.start.as_str())
        .collect();
    assert_eq!(closing, [date_plus(21).as_str()]);
    let heads: Vec<String> =
        page.eval("[...document.querySelectorAll('.cal-week h2')].map(h => h.textContent)");
    assert_eq!(
        heads,
        [
            "开营前",
            "第 1 周",
            "第 2 周",
            "第 3 周",
            "第 4 周",
            "结营后"
        ]
    );
}

#[test]
fn the_two_copy_buttons_copy_what_each_promises() {
    let site = playbook();
    let page = Page::new();
    page.open(&site.url(RITUAL));
    catch_clipboard(&page);
    fill_panel(&page, &[("群名", "读书会三群")], "");
    let member = copied_by(&page, "figure.template [data-action=copy-template]");
    assert_eq!(
        member,
        "欢迎来到读书会三群！\n我是班长，{开营日期} 晚上八点开营。"
    );
    for team_only in ["【", "团队", "主持", "流程", "准备", "□"] {
        assert!(
            !member.contains(team_only),
            "`{team_only}` in the member text: {member}"
        );
    }
    let label: String = page.eval("document.querySelector('[data-action=copy]').textContent");
    assert_eq!(label, "复制团队执行单");
    let team = copied_by(&page, "[data-action=copy]");
    assert_eq!(
        team,
        "【团队执行单】开营仪式\n\
         日程：D0\n\
         阶段：导入期\n\
         时长：60 分钟\n\
         角色：主持：群主；执行：班长；配合：助教；知会：组长\n\
         \n\
         开营当天晚上，全员到齐。\n\
         \n\
         【流程】\n\
         1. 班长 发布欢迎词\n\
         2. 群主 讲营规\n\
         \n\
         【欢迎词｜群公告】\n\
         欢迎来到读书会三群！\n\
         我是班长，{开营日期} 晚上八点开营。\n\
         \n\
         【准备】\n\
         □ 准备欢迎词\n\
         ☑ 建群\n"
    );
}

#[test]
fn search_finds_a_template_and_links_to_its_card() {
    let site = playbook();
    let page = Page::new();
    page.open(&site.url("/search/"));
    page.wait_until(
        "search.js is loaded",
        "!!(window.qunceSearch && window.qunceSearch.query)",
    );
    page.eval::<serde_json::Value>(
        "(window.__r = null, qunceSearch.query('欢迎词', { typing: false }).then(r => window.__r = r.results.map(x => x.url)), 0)",
    );
    page.wait_until("the query ran", "window.__r !== null");
    let urls: Vec<String> = page.eval("window.__r");
    // The page and the card's anchor; the theme may add a `?h=` highlight query between them.
    let first = urls.first().expect("a result");
    let (page_part, anchor) = first.split_once('#').expect("an anchor");
    assert_eq!(
        page_part.split('?').next(),
        Some("/rituals/kai-ying-yi-shi/"),
        "{urls:?}"
    );
    assert_eq!(anchor, "tpl-欢迎词", "{urls:?}");
}

#[test]
fn the_matrix_keeps_its_ritual_column_on_a_phone() {
    let site = playbook();
    let page = Page::new();
    page.viewport(375, 740, true);
    page.open(&site.url("/matrix/"));
    let fits: bool = page.eval("document.documentElement.scrollWidth <= innerWidth");
    assert!(fits, "the page itself does not scroll sideways");
    let (before, after): (f64, f64) = page.eval(
        "(() => { const s = document.querySelector('.table-scroll'), th = s.querySelector('tbody th'); \
          const a = th.getBoundingClientRect().left; s.scrollLeft = 400; return [a, th.getBoundingClientRect().left]; })()",
    );
    assert_eq!(before, after, "the ritual column is sticky");
    let legend: Vec<String> =
        page.eval("[...document.querySelectorAll('.raci-legend dt')].map(d => d.textContent)");
    assert_eq!(legend, ["主", "执", "配", "知", "✓"]);
}

#[test]
fn screenshots_of_the_playbook_for_review() {
    let site = playbook();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let page = Page::new();
    page.viewport(375, 740, true);
    page.open(&site.url(RITUAL));
    fill_panel(
        &page,
        &[("群名", "读书会三群"), ("班长", "小林")],
        "2026-03-04",
    );
    for (name, path) in [
        ("playbook-ritual-375", RITUAL),
        ("playbook-calendar-375", "/calendar/"),
        ("playbook-matrix-375", "/matrix/"),
        ("playbook-role-375", "/roles/qun-zhu/"),
    ] {
        page.open(&site.url(path));
        let png = page.full_screenshot();
        assert!(png.starts_with(b"\x89PNG"), "{name} is a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
    page.click(".community-open");
    page.wait_until(
        "the panel is open",
        "document.getElementById('community').open",
    );
    std::fs::write(
        dir.join("playbook-panel-375.png"),
        page.viewport_screenshot(),
    )
    .unwrap();
}

#[test]
fn an_offline_build_keeps_the_panel_the_run_sheet_and_the_ics_from_disk() {
    let out = support::temp_dir("playbook-offline").join("public");
    let outcome = qunce::build(&qunce::Options {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/playbook"),
        drafts: false,
        base_url: None,
        output: Some(out.clone()),
        offline: true,
        force: false,
    });
    assert_eq!(outcome.status, qunce::Status::Ok);
    let page = Page::new();
    page.open(&format!("file://{}/calendar/index.html", out.display()));
    page.eval::<serde_json::Value>(
        "(qunceCommunity.set({ ph: { '群名': '离线群' }, start: '2026-03-04', cohort: 0 }), 0)",
    );
    let events = parse_ics(&page.eval::<String>("qunceCalendar.ics()"));
    let opening: Vec<&Event> = events.iter().filter(|e| e.summary == "开营仪式").collect();
    assert_eq!(opening.len(), 1);
    assert_eq!(opening[0].start, date_plus(0));
    // A page read from disk fills its templates from the panel's settings.
    page.open(&format!(
        "file://{}/rituals/yu-re/index.html",
        out.display()
    ));
    page.eval::<serde_json::Value>(
        "(qunceCommunity.set({ ph: { '群名': '离线群' }, start: '', cohort: 0 }), 0)",
    );
    page.wait_until(
        "the placeholder is filled from this browser's settings",
        "(document.querySelector('.ph[data-ph=\"群名\"]') || {}).textContent === '离线群'",
    );
}
