//! Playbooks (issue #22): template blocks, `[placeholders]`, the `schedule` and `raci` field
//! types, the run sheet page (`/calendar/`), the RACI matrix and role pages, over the fixture
//! site `tests/fixtures/playbook` (copied into a temp folder so a test can change it).

mod common;

use common::*;

/// A copy of `tests/fixtures/playbook`.
fn fixture() -> Site {
    Site::fixture("playbook")
}

/// The text of every element starting with `open` in `html`, tags removed, in order.
fn texts(html: &str, open: &str) -> Vec<String> {
    html.split(open)
        .skip(1)
        .map(|chunk| {
            let end = chunk.find("</").unwrap_or(chunk.len());
            let inner = &chunk[chunk.find('>').map_or(0, |i| i + 1)..end];
            inner.trim().to_string()
        })
        .collect()
}

#[test]
fn the_fixture_builds_without_a_diagnostic() {
    let site = fixture();
    let o = site.build_ok();
    assert!(o.diagnostics.is_empty(), "{}", human(&o.diagnostics));
}

#[test]
fn a_template_block_is_a_card_with_its_title_kind_and_marked_placeholders() {
    let site = fixture();
    site.build_ok();
    let html = site.read("rituals/kai-ying-yi-shi/index.html");
    let card = "<figure class=\"template\" id=\"tpl-欢迎词\" data-kind=\"announcement\">\n\
        <figcaption><span class=\"template-title\">欢迎词</span> <span class=\"template-kind\">群公告</span></figcaption>\n\
        <div class=\"template-text\">欢迎来到<span class=\"ph\" data-ph=\"群名\">{群名}</span>！\n\
        我是<span class=\"ph\" data-ph=\"班长\">{班长}</span>，<span class=\"ph\" data-ph=\"开营日期\">{开营日期}</span> 晚上八点开营。</div>\n\
        </figure>\n";
    assert!(html.contains(card), "{}", main_of(&html));
    // Not a code block, and not in the table of contents.
    assert!(!main_of(&html).contains("<pre><code class=\"language-template"));
    assert!(!html.contains("href=\"#tpl-欢迎词\""), "{}", main_of(&html));
    // A free kind word is shown as written; the card links by its id.
    site.write(
        "content/rituals/预热.md",
        "+++\ntitle = \"预热\"\nkind = \"ritual\"\nschedule = \"D-3\"\nroles = [\"班长\"]\n+++\n```template 海报文案 朋友圈\n一句话\n```\n\n见 [[开营仪式#tpl-欢迎词]]。\n",
    );
    site.build_ok();
    let html = site.read("rituals/yu-re/index.html");
    assert!(
        html.contains("<span class=\"template-title\">海报文案</span> <span class=\"template-kind\">朋友圈</span>"),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("href=\"/camp/rituals/kai-ying-yi-shi/#tpl-欢迎词\""));
}

#[test]
fn a_template_is_in_the_search_index_under_its_own_anchor() {
    let site = fixture();
    site.build_ok();
    let cards: Vec<String> = std::fs::read_dir(site.public().join("search/f"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let card = cards
        .iter()
        .find(|c| c.contains("\"u\":\"rituals/kai-ying-yi-shi/\""))
        .expect("a result card for 开营仪式");
    assert!(card.contains("\"tpl-欢迎词\""), "{card}");
    assert!(card.contains("晚上八点开营"), "{card}");
}

#[test]
fn declared_placeholders_are_quiet_and_an_undeclared_one_warns_at_its_line() {
    let site = fixture();
    let text = "+++\ntitle = \"周会\"\nkind = \"ritual\"\nschedule = \"weekly:wed\"\nroles = { lead = [\"班长\"] }\n+++\n每周三复盘。\n\n```template 周会通知 group\n{群名} 今晚周会，{主持人} 主持。\n{群明} 记得准时。\n```\n";
    site.write("content/rituals/周会.md", text);
    let o = site.build();
    let warnings: Vec<_> = with_code(&o, "undeclared-placeholder");
    assert_eq!(warnings.len(), 2, "{}", human(&o.diagnostics));
    let (line, col) = pos(text, "{主持人}");
    assert_at(warnings[0], "content/rituals/周会.md", line, col);
    assert_eq!(
        warnings[0].message,
        "the placeholder `{主持人}` is not declared"
    );
    assert_eq!(
        warnings[0].help.as_deref(),
        Some(
            "declare it in site.toml: [placeholders.\"主持人\"] with label = \"主持人\" and default = \"\""
        )
    );
    let (line, col) = pos(text, "{群明}");
    assert_at(warnings[1], "content/rituals/周会.md", line, col);
    assert_eq!(
        warnings[1].help.as_deref(),
        Some(
            "did you mean {群名}? Otherwise declare it in site.toml: [placeholders.\"群明\"] with label = \"群明\" and default = \"\""
        )
    );
    assert!(!warnings[0].is_error());
}

#[test]
fn placeholders_reach_the_settings_panel_with_labels_and_defaults() {
    let site = fixture();
    site.build_ok();
    let html = site.read("index.html");
    assert!(html.contains("data-store=\"qunce-community:https://camp.qunce.test/camp\""));
    assert!(html.contains("<label class=\"field\"><span>班长的名字</span><input name=\"ph\" data-ph=\"班长\" data-default=\"班长\" placeholder=\"班长\" autocomplete=\"off\"><small class=\"muted\">群里怎么称呼班长</small></label>"), "{html}");
    assert!(html.contains("data-ph=\"群名\" data-default=\"\""));
    assert!(html.contains("data-ph=\"开营日期\" data-default=\"\" data-from=\"start\""));
    assert!(html.contains("data-default=\"14\""), "the cohort length");
}

#[test]
fn placeholder_tables_must_be_tables_of_strings() {
    let site = fixture();
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap()
        + "[placeholders.\"地点\"]\nlabel = 3\ncolour = \"red\"\n[placeholders.\"日期\"]\nfrom = \"today\"\n";
    site.write("site.toml", &toml);
    let o = site.check();
    let errors = with_code(&o, "config");
    assert_eq!(errors.len(), 2, "{}", human(&o.diagnostics));
    let (line, col) = pos(&toml, "3\ncolour");
    assert_at(errors[0], "site.toml", line, col);
    assert_eq!(
        errors[0].message,
        "`label` must be a string, found an integer"
    );
    let (line, col) = pos(&toml, "\"today\"");
    assert_at(errors[1], "site.toml", line, col);
    assert_eq!(
        errors[1].message,
        "`today` is not a value a placeholder can come from"
    );
    assert_eq!(
        errors[1].help.as_deref(),
        Some("`from` is one of: start, end, cohort_days")
    );
    let w = one(&o, "unknown-key", "site.toml");
    assert_eq!(w.message, "unknown key `colour` in [placeholders.地点]");
}

const FORMS: [(&str, &str); 17] = [
    ("D-7", "D-7"),
    ("D0", "D0"),
    ("D1-D3", "D1–D3"),
    ("每天", "每天"),
    ("daily", "每天"),
    ("每周三", "每周三"),
    ("weekly:wed", "每周三"),
    ("每两周", "每两周"),
    ("biweekly", "每两周"),
    ("每月", "每月"),
    ("monthly", "每月"),
    ("结营日", "结营日"),
    ("end", "结营日"),
    ("结营+3", "结营+3天"),
    ("end+3", "结营+3天"),
    ("结营-2", "结营-2天"),
    ("end-2", "结营-2天"),
];

#[test]
fn every_schedule_form_is_accepted_and_shown() {
    let site = fixture();
    let mut links = String::from("+++\ntitle = \"训练营手册\"\n+++\n");
    for (k, (form, _)) in FORMS.iter().enumerate() {
        site.write(
            &format!("content/rituals/s{k}.md"),
            &format!(
                "+++\ntitle = \"日程 {k}\"\nkind = \"ritual\"\nschedule = \"{form}\"\nroles = [\"班长\"]\n+++\n"
            ),
        );
        links.push_str(&format!("[[日程 {k}]]\n"));
    }
    let index = std::fs::read_to_string(site.path("content/_index.md")).unwrap();
    site.write(
        "content/_index.md",
        &(index + &links[links.find("[[").unwrap()..]),
    );
    let o = site.build_ok();
    assert!(o.diagnostics.is_empty(), "{}", human(&o.diagnostics));
    for (k, (form, label)) in FORMS.iter().enumerate() {
        let html = site.read(&format!("rituals/s{k}/index.html"));
        assert!(
            html.contains(&format!(
                "<div><dt>日程</dt><dd><a class=\"schedule\" href=\"/camp/calendar/\">{label}</a></dd></div>"
            )),
            "{form}: {}",
            main_of(&html)
        );
    }
}

#[test]
fn a_schedule_outside_the_forms_is_an_error_at_its_line_listing_them() {
    let site = fixture();
    let text = "+++\ntitle = \"周会\"\nkind = \"ritual\"\nroles = { lead = [\"班长\"] }\nschedule = \"下周三\"\n+++\n每周三复盘。\n";
    site.write("content/rituals/周会.md", text);
    let o = site.build();
    assert_eq!(
        o.status,
        qunce::Status::ContentErrors,
        "{}",
        human(&o.diagnostics)
    );
    let e = one(&o, "invalid-schedule", "content/rituals/周会.md");
    assert!(e.is_error());
    let (line, col) = pos(text, "\"下周三\"");
    assert_at(e, "content/rituals/周会.md", line, col);
    assert_eq!(e.message, "`下周三` is not a schedule");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "accepted forms: D-7, D0, D1-D3, 每天/daily, 每周三/weekly:wed, 每两周/biweekly, 每月/monthly, 结营日/end, 结营+3/end+3, 结营-2/end-2"
        )
    );
    // A custom kind's schedule field is checked the same way.
    site.write("content/rituals/周会.md", &text.replace("下周三", "每周三"));
    site.write(
        "content/events/直播.md",
        "+++\ntitle = \"直播\"\nkind = \"event\"\nwhen = \"D+5\"\n+++\n",
    );
    let o = site.check();
    let e = one(&o, "invalid-schedule", "content/events/直播.md");
    assert_at(e, "content/events/直播.md", 4, 8);
}

/// A week of the run sheet: its heading and its days, each `(day label, [entry titles])`.
type Week = (String, Vec<(String, Vec<String>)>);

/// The run sheet, week by week.
fn run_sheet(html: &str) -> Vec<Week> {
    let main = main_of(html);
    let cal = &main[main.find("<div class=\"calendar\"").expect("a calendar")..];
    let cal = &cal[..cal.find("<template").unwrap_or(cal.len())];
    cal.split("<section class=\"cal-week\"")
        .skip(1)
        .map(|week| {
            let heading = texts(week, "<h2").remove(0);
            let days = week
                .split("<li class=\"cal-day\"")
                .skip(1)
                .map(|day| {
                    let label = texts(day, "<span class=\"cal-d\"").remove(0);
                    (label, texts(day, "<a class=\"cal-title\""))
                })
                .collect();
            (heading, days)
        })
        .collect()
}

#[test]
fn the_run_sheet_lists_the_cohort_by_week_in_schedule_order() {
    let site = fixture();
    site.build_ok();
    let html = site.read("calendar/index.html");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut expected: Vec<Week> = vec![
        ("开营前".into(), vec![("D-3".into(), s(&["预热"]))]),
        (
            "第 1 周".into(),
            vec![
                ("D0".into(), s(&["开营仪式"])),
                ("D1".into(), s(&["分享会", "早安打卡"])),
                ("D2".into(), s(&["分享会", "早安打卡", "周会"])),
                ("D3".into(), s(&["分享会", "早安打卡"])),
                ("D4".into(), s(&["早安打卡"])),
                ("D5".into(), s(&["早安打卡", "直播"])),
                ("D6".into(), s(&["早安打卡"])),
            ],
        ),
    ];
    let mut week2: Vec<(String, Vec<String>)> = (7..=13)
        .map(|d| (format!("D{d}"), s(&["早安打卡"])))
        .collect();
    week2[2].1.push("周会".into());
    expected.push(("第 2 周".into(), week2));
    expected.push((
        "第 3 周".into(),
        vec![("D14".into(), s(&["早安打卡", "结营仪式"]))],
    ));
    expected.push(("结营后".into(), vec![("D17".into(), s(&["回访"]))]));
    assert_eq!(run_sheet(&html), expected);
    // Each entry carries its schedule, duration and who does what, linked.
    assert!(html.contains("<li class=\"cal-entry\" data-code=\"D0\"><a class=\"cal-title\" href=\"/camp/rituals/kai-ying-yi-shi/\">开营仪式</a> <span class=\"cal-sched\">D0</span> <span class=\"cal-dur\">60 分钟</span><ul class=\"cal-roles\"><li><span class=\"raci-mark raci-lead\">主</span><span class=\"sr\">主持</span> <a href=\"/camp/roles/qun-zhu/\">群主</a></li>"), "{html}");
    assert!(html.contains("<li class=\"cal-entry recurring\" data-code=\"weekly:wed\">"));
    // Every scheduled page once in the pool the page's script lays out again, in order.
    let pool = &html[html.find("<template id=\"cal-pool\">").unwrap()..];
    assert_eq!(
        texts(pool, "<a class=\"cal-title\""),
        [
            "预热",
            "开营仪式",
            "分享会",
            "早安打卡",
            "周会",
            "直播",
            "结营仪式",
            "回访"
        ]
    );
    // A longer cohort from site.toml moves the closing day and the weeks with it.
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace("cohort_days = 14", "cohort_days = 21"),
    );
    site.build_ok();
    let sheet = run_sheet(&site.read("calendar/index.html"));
    let last_week = &sheet[sheet.len() - 2];
    assert_eq!(last_week.0, "第 4 周");
    assert_eq!(
        last_week.1,
        [("D21".to_string(), s(&["早安打卡", "结营仪式"]))]
    );
    assert_eq!(
        sheet[sheet.len() - 1].1,
        [("D24".to_string(), s(&["回访"]))]
    );
}

#[test]
fn sections_and_the_lifecycle_follow_schedule_then_weight() {
    let site = fixture();
    site.build_ok();
    let section = site.read("rituals/index.html");
    let main = main_of(&section);
    let order: Vec<&str> = [
        "预热",
        "开营仪式",
        "分享会",
        "早安打卡",
        "周会",
        "结营仪式",
        "回访",
        "复盘",
    ]
    .into_iter()
    .collect();
    let at: Vec<usize> = order
        .iter()
        .map(|t| {
            main.find(&format!("<strong>{t}</strong>"))
                .unwrap_or_else(|| panic!("{t}"))
        })
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "order {order:?}: {main}"
    );
    let life = site.read("lifecycle/index.html");
    let growth = &life[life.find("stage-growth\">成长期").unwrap()..];
    let growth = &growth[..growth
        .find("</li>\n    <li class=\"timeline-stage")
        .unwrap_or(growth.len())];
    let a = growth.find(">分享会<").unwrap();
    let b = growth.find(">早安打卡<").unwrap();
    let c = growth.find(">周会<").unwrap();
    assert!(a < b && b < c, "{growth}");
}

#[test]
fn raci_tables_lists_and_single_links_parse_and_show_their_parts() {
    let site = fixture();
    site.build_ok();
    let html = site.read("rituals/fen-xiang-hui/index.html");
    assert!(html.contains("<ul class=\"raci\"><li class=\"raci-lead\"><span class=\"raci-label\">主持</span><ul class=\"inline-refs\"><li><a href=\"/camp/roles/zhu-jiao/\">助教</a></li></ul></li><li class=\"raci-informed\"><span class=\"raci-label\">知会</span><ul class=\"inline-refs\"><li><a href=\"/camp/roles/ban-zhang/\">班长</a></li><li><a href=\"/camp/roles/zu-zhang/\">组长</a></li></ul></li></ul>"), "{}", main_of(&html));
    // A plain list means participants.
    let html = site.read("rituals/yu-re/index.html");
    assert!(html.contains("<li class=\"raci-participant\"><span class=\"raci-label\">参与</span>"));
    // Labels are UI strings, overridable in [ui].
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    site.write(
        "site.toml",
        &toml.replace("[playbook]", "[ui]\nraci_lead = \"负责\"\n\n[playbook]"),
    );
    site.build_ok();
    assert!(
        site.read("rituals/fen-xiang-hui/index.html")
            .contains("<span class=\"raci-label\">负责</span>")
    );
}

#[test]
fn raci_mistakes_are_errors_at_their_place() {
    let site = fixture();
    let text = "+++\ntitle = \"周会\"\nkind = \"ritual\"\nschedule = \"每周三\"\nroles = { leader = [\"班长\"], run = [\"班常\"], support = [\"周会\"] }\n+++\n";
    site.write("content/rituals/周会.md", text);
    let o = site.check();
    let e = one(&o, "unknown-raci-part", "content/rituals/周会.md");
    let (line, col) = pos(text, "leader");
    assert_at(e, "content/rituals/周会.md", line, col);
    assert_eq!(e.message, "`leader` is not a part of `roles`");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "did you mean `lead`? the parts are lead (主持), run (执行), support (配合), informed (知会)"
        )
    );
    let text = text.replace("leader", "lead");
    site.write("content/rituals/周会.md", &text);
    let o = site.check();
    let e = one(&o, "broken-link", "content/rituals/周会.md");
    let (line, col) = pos(&text, "\"班常\"");
    assert_at(e, "content/rituals/周会.md", line, col);
    assert_eq!(e.help.as_deref(), Some("did you mean \"班长\"?"));
    let e = one(&o, "wrong-kind", "content/rituals/周会.md");
    let (line, col) = pos(&text, "\"周会\"] }");
    assert_at(e, "content/rituals/周会.md", line, col);
    site.write(
        "content/rituals/周会.md",
        "+++\ntitle = \"周会\"\nkind = \"ritual\"\nroles = 3\n+++\n",
    );
    let o = site.check();
    let e = one(&o, "wrong-type", "content/rituals/周会.md");
    assert_eq!(
        e.message,
        "`roles` must be a list or a table of roles, found an integer"
    );
}

/// The matrix as `(ritual, [cell text per role column])`, with the column headings.
fn matrix(html: &str) -> (Vec<String>, Vec<(String, Vec<String>)>) {
    let table = &html[html.find("<table class=\"matrix\">").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let head = &table[..table.find("</thead>").unwrap()];
    let cols = texts(head, "<th scope=\"col\"><a").into_iter().collect();
    let rows = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let ritual = texts(row, "<th scope=\"row\"><a").remove(0);
            let cells = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    texts(c, "<span aria-hidden=\"true\"")
                        .first()
                        .cloned()
                        .unwrap_or_default()
                })
                .collect();
            (ritual, cells)
        })
        .collect();
    (cols, rows)
}

#[test]
fn matrix_cells_show_what_each_role_does_with_a_legend() {
    let site = fixture();
    site.build_ok();
    let html = site.read("matrix/index.html");
    let (cols, rows) = matrix(&html);
    assert_eq!(cols, ["助教", "班长", "组长", "群主"]);
    let row = |r: &str, c: [&str; 4]| (r.to_string(), c.map(String::from).to_vec());
    assert_eq!(
        rows,
        [
            row("预热", ["", "✓", "", ""]),
            row("开营仪式", ["配", "执", "知", "主"]),
            row("分享会", ["主", "知", "知", ""]),
            row("早安打卡", ["", "", "执", ""]),
            row("周会", ["", "主", "配", ""]),
            row("结营仪式", ["", "执", "", "主"]),
            row("回访", ["执", "", "", ""]),
            row("复盘", ["", "", "", "主"]),
        ]
    );
    assert!(html.contains("<td class=\"on raci-lead\" title=\"主持\"><span aria-hidden=\"true\">主</span><span class=\"sr\">主持</span></td>"));
    let legend = &html[html.find("<dl class=\"legend raci-legend\"").unwrap()..];
    assert_eq!(
        texts(&legend[..legend.find("</dl>").unwrap()], "<dd"),
        ["主持", "执行", "配合", "知会", "参与"]
    );
}

#[test]
fn a_role_page_lists_what_it_does_in_each_ritual_and_when() {
    let site = fixture();
    site.build_ok();
    let html = site.read("roles/qun-zhu/index.html");
    let list = &html[html
        .find("<ul class=\"ref-list duty-list\">")
        .expect("duties")..];
    let list = &list[..list.find("</ul>").unwrap()];
    let items: Vec<String> = list
        .split("<li>")
        .skip(1)
        .map(|li| {
            let mut t = texts(li, "<a");
            t.extend(texts(li, "<span class=\"duty\""));
            t.join(" ")
        })
        .collect();
    assert_eq!(
        items,
        [
            "开营仪式 D0 主持",
            "直播 D5 主持",
            "结营仪式 结营日 主持",
            "复盘 主持"
        ]
    );
}

#[test]
fn a_role_linked_in_the_steps_but_missing_from_roles_warns() {
    let site = fixture();
    let text = "+++\ntitle = \"周会\"\nkind = \"ritual\"\nschedule = \"每周三\"\nroles = { lead = [\"班长\"] }\n+++\n1. [[班长]] 开场\n2. [[助教]] 记录，[[组长]] 汇报，[[助教]] 收尾\n";
    site.write("content/rituals/周会.md", text);
    let o = site.check();
    let w = with_code(&o, "unlisted-role");
    assert_eq!(w.len(), 2, "{}", human(&o.diagnostics));
    let (line, col) = pos(text, "[[助教]]");
    assert_at(w[0], "content/rituals/周会.md", line, col);
    assert_eq!(
        w[0].message,
        "`助教` is linked here but not listed in `roles`"
    );
    assert_eq!(
        w[0].help.as_deref(),
        Some(
            "add \"助教\" to `roles` (lead, run, support or informed), so the matrix shows what it does"
        )
    );
    let (line, col) = pos(text, "[[组长]]");
    assert_at(w[1], "content/rituals/周会.md", line, col);
}

#[test]
fn a_custom_kind_has_schedule_and_raci_fields() {
    let site = fixture();
    site.build_ok();
    let html = site.read("events/zhi-bo/index.html");
    assert!(
        html.contains("<div><dt>时间</dt><dd>D5</dd></div>"),
        "{}",
        main_of(&html)
    );
    assert!(
        html.contains("主持：<a href=\"/camp/roles/qun-zhu/\">群主</a>"),
        "{}",
        main_of(&html)
    );
}

#[test]
fn offline_builds_keep_the_run_sheet_and_the_panel() {
    let site = fixture();
    let o = site.build_with(|o| o.offline = true);
    assert_eq!(o.status, qunce::Status::Ok, "{}", human(&o.diagnostics));
    let html = site.read("calendar/index.html");
    assert!(
        html.contains("href=\"../rituals/kai-ying-yi-shi/index.html\""),
        "{}",
        main_of(&html)
    );
    assert!(html.contains("<dialog id=\"community\""));
}

/// The fixture with an enum field on the custom `event` kind, the ritual 周会's stage written
/// as `stage` and the event 直播's size as `size`.
fn with_enums(site: &Site, stage: &str, size: &str) {
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    if !toml.contains("fields.size") {
        site.write(
            "site.toml",
            &format!(
                "{toml}[kinds.event.fields.size]\ntype = \"enum\"\nlabel = \"规模\"\n\
                 values = [\"small\", \"large\"]\nlabels = [\"小型\", \"大型\"]\n"
            ),
        );
    }
    site.write(
        "content/rituals/周会.md",
        &format!(
            "+++\ntitle = \"周会\"\nkind = \"ritual\"\nschedule = \"weekly:wed\"\n\
             roles = {{ lead = [\"班长\"], support = [\"组长\"] }}\nstage = \"{stage}\"\n+++\n\
             每周三复盘。\n"
        ),
    );
    site.write(
        "content/events/直播.md",
        &format!(
            "+++\ntitle = \"直播\"\nkind = \"event\"\nwhen = \"D5\"\n\
             crew = {{ lead = [\"群主\"], run = [\"助教\"] }}\nsize = \"{size}\"\n+++\n第五天的直播。\n"
        ),
    );
}

#[test]
fn enum_labels_are_accepted_as_their_values() {
    let site = fixture();
    with_enums(&site, "growth", "large");
    let by_value = site.build_ok();
    let out_by_value = snapshot(&site.public());
    let life = site.read("lifecycle/index.html");
    let growth = &life[life.find("stage-growth\">成长期").unwrap()..];
    let growth = &growth[..growth
        .find("</li>\n    <li class=\"timeline-stage")
        .unwrap_or(growth.len())];
    assert!(growth.contains(">周会<"), "{growth}");
    assert!(site.read("events/zhi-bo/index.html").contains("大型"));

    // The labels the site shows (built-in kind and custom kind) mean the same values: no
    // diagnostic, and every output file is the same byte for byte.
    with_enums(&site, "成长期", "大型");
    let by_label = site.build_ok();
    assert_eq!(
        human(&by_label.diagnostics),
        human(&by_value.diagnostics),
        "a label is no problem"
    );
    let out_by_label = snapshot(&site.public());
    assert_eq!(
        out_by_label.keys().collect::<Vec<_>>(),
        out_by_value.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &out_by_value {
        assert!(
            out_by_label[file] == *bytes,
            "{file} differs:\n{}",
            String::from_utf8_lossy(&out_by_label[file])
        );
    }
}

#[test]
fn an_unknown_enum_value_lists_values_with_their_labels() {
    let site = fixture();
    with_enums(&site, "成长", "huge");
    let o = site.check();
    assert_eq!(o.status, qunce::Status::ContentErrors);
    let text = std::fs::read_to_string(site.path("content/rituals/周会.md")).unwrap();
    let d = one(&o, "unknown-enum-value", "content/rituals/周会.md");
    let (line, col) = pos(&text, "\"成长\"");
    assert_at(d, "content/rituals/周会.md", line, col);
    assert_eq!(
        d.help.as_deref(),
        Some(
            "did you mean `成长期`? allowed values: intro (导入期), growth (成长期), \
             maturity (成熟期), decline (衰退期)"
        )
    );
    let text = std::fs::read_to_string(site.path("content/events/直播.md")).unwrap();
    let d = one(&o, "unknown-enum-value", "content/events/直播.md");
    let (line, col) = pos(&text, "\"huge\"");
    assert_at(d, "content/events/直播.md", line, col);
    assert_eq!(
        d.help.as_deref(),
        Some("allowed values: small (小型), large (大型)")
    );
}
