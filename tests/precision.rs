//! One mistake, one precise error: typed fields resolve among their kinds, an ambiguity is
//! reported at its cause, no follow-on errors, help lines that echo the writer's value, and
//! the scheme typos of a real newsletter archive.

mod common;

use common::*;
use qunce::Status;
use qunce::diagnostics::Severity;

/// A guide titled like the role 班长.
const GUIDE_BANZHANG: &str = "+++\ntitle = \"班长\"\n+++\n\n怎么当好班长。\n";

#[test]
fn typed_fields_resolve_among_their_kinds_first() {
    let site = handbook().file("content/guides/班长.md", GUIDE_BANZHANG);
    let o = site.check();
    // The handbook's rituals list `roles = ["班长"]`: the role, not the guide.
    assert!(
        with_code(&o, "ambiguous-link").is_empty() && with_code(&o, "duplicate-name").is_empty(),
        "{}",
        human(&o.diagnostics)
    );
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
}

#[test]
fn an_ambiguous_wiki_link_is_also_reported_once_at_its_cause() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n找 [[班长]] 聊聊，再找 [[班长]]。\n";
    let site = handbook()
        .file("content/guides/班长.md", GUIDE_BANZHANG)
        .file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let links = with_code(&o, "ambiguous-link");
    assert_eq!(links.len(), 2, "{}", human(&o.diagnostics));
    assert_eq!(links[0].message, "`班长` matches 2 pages");
    assert_eq!(
        links[0].candidates,
        ["content/guides/班长.md", "content/roles/班长.md"]
    );
    let d = one(&o, "duplicate-name", "content/roles/班长.md");
    assert_at(d, "content/roles/班长.md", 2, 9);
    assert_eq!(
        d.message,
        "`班长` names 2 pages: content/guides/班长.md and content/roles/班长.md"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "links by this name are ambiguous; give one page another title or alias, or link by path, e.g. [[roles/班长]]"
        )
    );
    assert_eq!(with_code(&o, "duplicate-name").len(), 1);
}

#[test]
fn a_field_miss_says_no_such_page_and_an_ambiguity_does_not() {
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班常\"]\nstage = \"intro\"\n+++\n\n[[破冰]]\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    let d = one(&o, "broken-link", "content/rituals/破冰.md");
    assert_eq!(d.message, "`roles` links to `班常` (no such page)");
    assert_eq!(d.help.as_deref(), Some("did you mean \"班长\"?"));
    // Two roles named 组长: ambiguous within the field's kind, never "(no such page)".
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"组长\"]\nstage = \"intro\"\n+++\n\n[[破冰]]\n";
    let site = handbook()
        .file("content/rituals/破冰.md", text)
        .file(
            "content/roles/组长.md",
            "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n",
        )
        .file(
            "content/roles/小组长.md",
            "+++\ntitle = \"小组长\"\nkind = \"role\"\naliases = [\"组长\"]\n+++\n",
        );
    let o = site.check();
    let d = one(&o, "ambiguous-link", "content/rituals/破冰.md");
    assert_eq!(d.message, "`roles`: `组长` matches 2 pages");
    assert!(!d.message.contains("no such page"));
    // The alias repeats the other page's title: that is the cause.
    let d = one(&o, "duplicate-name", "content/roles/小组长.md");
    assert_at(d, "content/roles/小组长.md", 4, 12);
}

#[test]
fn one_broken_front_matter_in_a_ten_page_site_is_one_error() {
    let mut site = handbook();
    for (i, name) in ["甲", "乙", "丙"].iter().enumerate() {
        site = site.file(
            &format!("content/guides/{name}.md"),
            &format!("+++\ntitle = \"{name}\"\nweight = {i}\n+++\n\n见 [[坏角色]] 和 [[索引]]。\n"),
        );
    }
    // A role whose front matter does not parse; rituals and guides link to it by its title.
    let bad =
        "+++\ntitle = \"坏角色\"\nkind = \"role\"\nresponsibilities = [\"开会\"\n+++\n\n## 职责\n";
    let ritual = "+++\ntitle = \"周会\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"坏角色\"]\nstage = \"growth\"\n+++\n\n[[坏角色]]\n";
    let site = site
        .file("content/roles/坏角色.md", bad)
        .file("content/rituals/周会.md", ritual)
        .file(
            "content/guides/索引.md",
            "+++\ntitle = \"索引\"\n+++\n\n[[周会]]\n",
        );
    let o = site.check();
    assert!(o.pages >= 10, "{}", o.pages);
    assert_eq!(o.diagnostics.len(), 1, "{}", human(&o.diagnostics));
    let d = &o.diagnostics[0];
    assert_eq!((d.code, d.severity), ("invalid-toml", Severity::Error));
    assert_eq!(d.file, "content/roles/坏角色.md");
}

#[test]
fn a_wrong_typed_field_has_no_follow_on_warnings_and_its_help_echoes_the_value() {
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = [\"同好\"]\nroles = \"新角色\"\nstage = \"intro\"\n+++\n\n[[破冰]]\n";
    let site = handbook().file("content/rituals/破冰.md", text).file(
        "content/roles/新角色.md",
        "+++\ntitle = \"新角色\"\nkind = \"role\"\n+++\n",
    );
    let o = site.check();
    let found = with_code(&o, "wrong-type");
    assert_eq!(found.len(), 2, "{}", human(&o.diagnostics));
    let (line, col) = pos(text, "[\"同好\"]");
    assert_at(found[0], "content/rituals/破冰.md", line, col);
    assert_eq!(found[0].message, "`element` must be a string, found a list");
    assert_eq!(
        found[0].help.as_deref(),
        Some("write one value: `element = \"同好\"`")
    );
    assert_eq!(found[0].fixes[0].replacement, "\"同好\"");
    // `roles` takes a list or a RACI table: its help names both shapes.
    assert!(
        found[1]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("roles = [")),
        "{}",
        human(&o.diagnostics)
    );
    // No "no ritual lists the role" on top of the type error.
    assert!(
        with_code(&o, "unused-role").is_empty(),
        "{}",
        human(&o.diagnostics)
    );
    assert_eq!(o.diagnostics.len(), 2, "{}", human(&o.diagnostics));
}

#[test]
fn a_link_to_a_draft_says_it_is_a_draft() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n先看 [[草稿页]]。\n";
    let site = handbook()
        .file(
            "content/guides/草稿页.md",
            "+++\ntitle = \"草稿页\"\ndraft = true\n+++\n",
        )
        .file("content/guides/入门.md", text);
    let o = site.check();
    let d = one(&o, "broken-link", "content/guides/入门.md");
    assert_at(d, "content/guides/入门.md", 5, 4);
    assert_eq!(
        d.message,
        "`草稿页` is a draft (content/guides/草稿页.md), so it is not built"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "build with `--drafts` to include drafts, or remove the link until the page is published (`draft = false`)"
        )
    );
    let o = site.build_with(|opts| opts.drafts = true);
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
}

#[test]
fn did_you_mean_stays_close_and_knows_pinyin() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n[[banzhang]] [[班张]] [[完全无关的名字]]\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    let found = with_code(&o, "broken-link");
    let helps: Vec<&str> = found.iter().filter_map(|d| d.help.as_deref()).collect();
    assert_eq!(
        helps,
        [
            "did you mean [[班长]]?",
            "did you mean [[班长]]?",
            "link by title, alias, slug or path, e.g. [[班长]] or [[roles/班长]]",
        ],
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn a_missing_field_points_at_the_kind_line() {
    let site = handbook()
        .file(
            "site.toml",
            &format!(
                "{SITE_TOML}\n[kinds.event]\nlabel = \"活动\"\n\n[kinds.event.fields.host]\ntype = \"string\"\nrequired = true\n"
            ),
        )
        .file(
            "content/events/周会.md",
            "+++\ntitle = \"周会\"\nkind = \"event\"\n+++\n\n每周一次。\n",
        );
    let o = site.check();
    let d = one(&o, "missing-field", "content/events/周会.md");
    assert_at(d, "content/events/周会.md", 3, 1);
    assert_eq!(d.message, "missing required field `host` for kind `event`");
    assert_eq!(
        d.help.as_deref(),
        Some("add `host = \"...\"` to the front matter")
    );
}

#[test]
fn a_date_that_does_not_parse_is_an_error_at_its_line() {
    let text = "+++\ntitle = \"入门\"\ndate = \"2026/1/5\"\n+++\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "invalid-date", "content/guides/入门.md");
    assert_at(d, "content/guides/入门.md", 3, 8);
    assert_eq!(d.message, "`2026/1/5` is not a date");
    assert_eq!(
        d.help.as_deref(),
        Some("write `date = 2026-01-05` (year-month-day)")
    );
    assert_eq!(d.fixes[0].replacement, "2026-01-05");
    let ok = "+++\ntitle = \"入门\"\ndate = \"2026-01-05T09:30:00+08:00\"\n+++\n";
    let o = handbook().file("content/guides/入门.md", ok).check();
    assert!(with_code(&o, "invalid-date").is_empty());
}

#[test]
fn scheme_typos_are_warnings_with_the_fix() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n[a](htps://example.org) [b](mail:a@example.org)\n[c](example.com/path) [d]( ：https://example.net/x)\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let got: Vec<(usize, usize, &str, &str)> = with_code(&o, "scheme-typo")
        .iter()
        .map(|d| {
            (
                d.line,
                d.column,
                d.message.as_str(),
                d.fixes[0].replacement.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                5,
                5,
                "`htps:` looks like a typo of `https:`",
                "https://example.org"
            ),
            (
                5,
                29,
                "`mail:` looks like a typo of `mailto:`",
                "mailto:a@example.org"
            ),
            (
                6,
                5,
                "`example.com/path` looks like a web address written without `https://`",
                "https://example.com/path"
            ),
            (
                6,
                28,
                "`：` before `https://example.net/x` makes it a relative link",
                "https://example.net/x"
            ),
        ],
        "{}",
        human(&o.diagnostics)
    );
    let html = site.read("guides/ru-men/index.html");
    assert!(html.contains("href=\"https://example.com/path\""), "{html}");
    // Percent-encoded, as a real newsletter archive has it.
    let text = "+++\ntitle = \"入门\"\n+++\n\n[原文](%EF%BC%9Ahttps://example.net/a.html)\n";
    let o = handbook().file("content/guides/入门.md", text).check();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let d = one(&o, "scheme-typo", "content/guides/入门.md");
    assert_eq!(
        d.message,
        "`：` before `https://example.net/a.html` makes it a relative link"
    );
}

#[test]
fn site_absolute_links_are_checked() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n[甲](/roles/ban-zhang/) [乙](/rituals/nothere/)\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    let d = one(&o, "broken-link", "content/guides/入门.md");
    let (line, col) = pos(text, "[乙]");
    assert_at(d, "content/guides/入门.md", line, col);
    assert_eq!(d.message, "no page or file at `/rituals/nothere/`");
    // The good one is a real page link: it counts as a backlink of 班长.
    let site = handbook().file(
        "content/guides/入门.md",
        "+++\ntitle = \"入门\"\n+++\n\n[甲](/roles/ban-zhang/)\n",
    );
    let o = site.build();
    let html = site.read("guides/ru-men/index.html");
    assert!(
        html.contains("<a class=\"internal\" href=\"/roles/ban-zhang/\">甲</a>"),
        "{html}\n{}",
        human(&o.diagnostics)
    );
}
