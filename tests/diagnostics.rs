//! Errors and warnings of `qunce::check` / `qunce::build`: each problem is reported at its exact
//! file, line and column, with a stable code and a helpful hint; all problems come together,
//! sorted by file and line.

mod common;

use common::*;
use qunce::Status;
use qunce::diagnostics::Severity;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_toml_in_front_matter_is_located_in_the_file() {
    let text = "+++\ntitle = \"坏\"\nkind = = \"ritual\"\n+++\n\n正文\n";
    let site = handbook().file("content/guides/坏.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let d = one(&o, "invalid-toml", "content/guides/坏.md");
    assert_eq!(d.severity, Severity::Error);
    // Line 3 of the file (not of the front matter), at the second `=`.
    assert_at(d, "content/guides/坏.md", 3, 8);
    assert_eq!(d.source_line.as_deref(), Some("kind = = \"ritual\""));
    assert_help(d, "TOML");
}

#[test]
fn unterminated_front_matter_points_at_the_opening_line() {
    let site = handbook().file(
        "content/guides/未闭合.md",
        "+++\ntitle = \"未闭合\"\n\n# 标题\n\n正文\n",
    );
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "unterminated-front-matter", "content/guides/未闭合.md");
    assert_at(d, "content/guides/未闭合.md", 1, 1);
    assert_help(d, "+++");
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let mut bytes = b"+++\ntitle = \"GBK\"\n+++\n\n".to_vec();
    bytes.extend_from_slice("正文".as_bytes());
    bytes.extend_from_slice(&[0xd5, 0xfd, 0xce, 0xc4, b'\n']); // 正文 in GBK
    let site = handbook().bytes("content/guides/gbk.md", &bytes);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "invalid-utf8", "content/guides/gbk.md");
    assert_at(d, "content/guides/gbk.md", 5, 3);
    assert_help(d, "UTF-8");
}

#[test]
fn unknown_kind_suggests_the_closest() {
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritul\"\n+++\n\n正文\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "unknown-kind", "content/rituals/破冰.md");
    let (line, col) = pos(text, "\"ritul\"");
    assert_at(d, "content/rituals/破冰.md", line, col);
    assert_help(d, "did you mean `ritual`?");
}

#[test]
fn wrong_field_type_is_an_error_at_the_value() {
    let ritual = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nroles = \"班长\"\nstage = \"intro\"\n+++\n\n正文\n";
    let element =
        "+++\ntitle = \"结构\"\nkind = \"element\"\nletter = \"S\"\norder = \"二\"\n+++\n";
    let site = handbook()
        .file("content/rituals/破冰.md", ritual)
        .file("content/elements/结构.md", element);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);

    let d = one(&o, "wrong-type", "content/rituals/破冰.md");
    let (line, col) = pos(ritual, "\"班长\"");
    assert_at(d, "content/rituals/破冰.md", line, col);
    assert!(d.message.contains("roles"), "{}", d.message);
    assert_help(d, "roles = [");

    let d = one(&o, "wrong-type", "content/elements/结构.md");
    let (line, col) = pos(element, "\"二\"");
    assert_at(d, "content/elements/结构.md", line, col);
    assert!(d.message.contains("order"), "{}", d.message);
    assert_help(d, "order = 1");

    // The badly typed `roles` is reported once, not again as "a ritual without roles".
    assert!(
        !o.diagnostics
            .iter()
            .any(|d| d.code == "ritual-without-roles" && d.file == "content/rituals/破冰.md"),
        "{:#?}",
        o.diagnostics
    );
}

#[test]
fn missing_required_field_of_a_declared_kind() {
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
        )
        .file(
            "content/events/月会.md",
            "+++\ntitle = \"月会\"\nkind = \"event\"\nhost = \"班长\"\n+++\n\n每月一次。\n",
        );
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "missing-field", "content/events/周会.md");
    // The kind line, where the missing field goes.
    assert_at(d, "content/events/周会.md", 3, 1);
    assert!(d.message.contains("`host`"), "{}", d.message);
    assert_help(d, "host = ");
    assert!(
        with_code(&o, "missing-field")
            .iter()
            .all(|d| d.file != "content/events/月会.md"),
        "a page with the field is fine:\n{}",
        human(&o.diagnostics)
    );
}

#[test]
fn unknown_enum_value_lists_allowed_values() {
    let text =
        "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nroles = [\"班长\"]\nstage = \"grow\"\n+++\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "unknown-enum-value", "content/rituals/破冰.md");
    let (line, col) = pos(text, "\"grow\"");
    assert_at(d, "content/rituals/破冰.md", line, col);
    assert_help(
        d,
        "allowed values: intro (导入期), growth (成长期), maturity (成熟期), decline (衰退期)",
    );
}

#[test]
fn broken_wiki_link_suggests_the_closest_title() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n先读 [[开营仪式]]。\n\n然后找 [[班常]] 报到。\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "broken-link", "content/guides/入门.md");
    let (line, col) = pos(text, "[[班常]]");
    assert_at(d, "content/guides/入门.md", line, col);
    assert!(d.message.contains("班常"), "{}", d.message);
    assert_help(d, "did you mean [[班长]]?");
}

#[test]
fn broken_anchor_lists_the_real_headings() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n见 [[班长#职责]] 和 [[班长#不存在]]。\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "broken-anchor", "content/guides/入门.md");
    let (line, col) = pos(text, "[[班长#不存在]]");
    assert_at(d, "content/guides/入门.md", line, col);
    assert!(d.message.contains("不存在"), "{}", d.message);
    assert_help(d, "#职责");
    assert!(
        with_code(&o, "broken-link").is_empty(),
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn link_field_to_a_page_of_the_wrong_kind() {
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\", \"开营仪式\"]\nstage = \"intro\"\n+++\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "wrong-kind", "content/rituals/破冰.md");
    let (line, col) = pos(text, "\"开营仪式\"");
    assert_at(d, "content/rituals/破冰.md", line, col);
    assert!(
        d.message.contains("roles") && d.message.contains("role") && d.message.contains("ritual"),
        "{}",
        d.message
    );
}

#[test]
fn ambiguous_target_lists_every_candidate_with_its_file() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n找 [[组长]] 聊聊。\n";
    let site = handbook()
        .file(
            "content/roles/组长.md",
            "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n",
        )
        .file("content/guides/组长.md", "+++\ntitle = \"组长\"\n+++\n")
        .file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "ambiguous-link", "content/guides/入门.md");
    let (line, col) = pos(text, "[[组长]]");
    assert_at(d, "content/guides/入门.md", line, col);
    assert_help(d, "content/roles/组长.md");
    assert_help(d, "content/guides/组长.md");
}

#[test]
fn url_collision_names_both_files() {
    let site = handbook()
        .file(
            "content/guides/same.md",
            "+++\ntitle = \"一\"\n+++\n\n正文\n",
        )
        .file(
            "content/guides/另一个.md",
            "+++\ntitle = \"二\"\nslug = \"same\"\n+++\n\n正文\n",
        );
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let found = with_code(&o, "url-collision");
    assert_eq!(found.len(), 1, "{}", human(&o.diagnostics));
    let d = found[0];
    assert!(
        d.file == "content/guides/same.md" || d.file == "content/guides/另一个.md",
        "{}",
        human(&o.diagnostics)
    );
    assert!(
        d.message.contains("content/guides/same.md")
            && d.message.contains("content/guides/另一个.md"),
        "{}",
        d.message
    );
    assert!(d.message.contains("guides/same/"), "{}", d.message);
}

#[test]
fn a_file_beside_the_pages_on_a_pages_output_is_a_collision() {
    let site = handbook().file("content/guides/index.html", "<p>旧的导出</p>\n");
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let found = with_code(&o, "url-collision");
    assert_eq!(found.len(), 1, "{}", human(&o.diagnostics));
    let d = found[0];
    assert_eq!(d.file, "content/guides/index.html");
    assert_eq!(
        d.message,
        "`content/guides/index.html` and `content/guides/_index.md` would both be written to /guides/index.html"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("rename the file, or give the page another `slug = \"...\"` in its front matter")
    );
    // Beside a page of another name it is an ordinary file of the section.
    let site = handbook().file("content/guides/导出.html", "<p>旧的导出</p>\n");
    assert!(with_code(&site.check(), "url-collision").is_empty());
}

#[test]
fn markdown_link_to_a_missing_md_file() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n读 [班长](../roles/班长.md)，再读 [组长](../roles/组常.md)。\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let d = one(&o, "broken-link", "content/guides/入门.md");
    let (line, col) = pos(text, "[组长]");
    assert_at(d, "content/guides/入门.md", line, col);
    assert!(d.message.contains("组常.md"), "{}", d.message);
}

/// A page.html override keeping the blocks the built-in kind templates extend.
fn page_override(line4: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}\n{{% block main %}}\n<h1>{{{{ page.title }}}}</h1>\n{line4}\n{{% block article_attrs %}}{{% endblock article_attrs %}}{{% block doc_tools %}}{{% endblock doc_tools %}}{{% block card %}}{{% endblock card %}}{{% block after_content %}}{{% endblock after_content %}}\n{{{{ page.content | safe }}}}\n{{% endblock main %}}\n"
    )
}

#[test]
fn template_override_is_used() {
    let site = handbook().file(
        "templates/page.html",
        &page_override("<p class=\"override-marker\">OVERRIDE</p>"),
    );
    site.build_ok();
    assert!(
        site.read("rituals/kai-ying-yi-shi/index.html")
            .contains("override-marker")
    );
}

#[test]
fn template_unknown_filter_names_the_template_file_and_line() {
    let site = handbook().file(
        "templates/page.html",
        &page_override("<p>{{ page.title | no_such_filter }}</p>"),
    );
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let found = with_code(&o, "template");
    assert_eq!(found.len(), 1, "{}", human(&o.diagnostics));
    assert_eq!(
        (found[0].file.as_str(), found[0].line),
        ("templates/page.html", 4),
        "{}",
        human(&o.diagnostics)
    );
    assert!(
        found[0].message.contains("no_such_filter"),
        "{}",
        found[0].message
    );
}

#[test]
fn template_runtime_error_names_the_template_file_and_line() {
    let site = handbook().file(
        "templates/page.html",
        &page_override("<p>{{ page.title + 1 }}</p>"),
    );
    let o = site.build();
    assert_eq!(o.status, Status::ContentErrors);
    let found = with_code(&o, "template");
    assert!(!found.is_empty(), "{}", human(&o.diagnostics));
    for d in &found {
        assert_eq!(
            (d.file.as_str(), d.line),
            ("templates/page.html", 4),
            "{}",
            human(&o.diagnostics)
        );
    }
    assert!(!site.public().exists(), "a failed build writes nothing");
}

#[test]
fn invalid_site_toml_is_a_config_error() {
    let site = handbook().file(
        "site.toml",
        "title = \"测试\"\nbase_url = \"https://example.org\nlanguage = \"zh-CN\"\n",
    );
    let o = site.build();
    assert_eq!(o.status, Status::ConfigErrors, "{}", human(&o.diagnostics));
    assert_eq!(o.status.code(), 2);
    let d = one(&o, "invalid-toml", "site.toml");
    assert_eq!(d.line, 2, "{}", human(&o.diagnostics));
    assert!(!site.public().exists());
    assert_eq!(site.check().status, Status::ConfigErrors);
}

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

#[test]
fn the_reference_handbook_is_clean() {
    let site = handbook();
    let o = site.check();
    assert_eq!(o.status, Status::Ok);
    assert!(o.diagnostics.is_empty(), "{}", human(&o.diagnostics));
}

#[test]
fn structure_warnings() {
    let site = handbook()
        // Nothing links here, and the home page does not list pages beside it.
        .file("content/孤儿.md", "+++\ntitle = \"孤儿\"\n+++\n\n没人理我。\n")
        // A role no ritual lists (linked from a guide, so not an orphan).
        .file(
            "content/roles/闲人.md",
            "+++\ntitle = \"闲人\"\nkind = \"role\"\n+++\n",
        )
        // A ritual without roles.
        .file(
            "content/rituals/破冰.md",
            "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nstage = \"intro\"\n+++\n",
        )
        // An element no ritual belongs to.
        .file(
            "content/elements/复制.md",
            "+++\ntitle = \"复制\"\nkind = \"element\"\nletter = \"C\"\norder = 5\n+++\n",
        )
        .file(
            "content/索引.md",
            "+++\ntitle = \"索引\"\n+++\n\n[[闲人]] [[破冰]] [[复制]] [[索引]]\n",
        );
    let o = site.build();
    assert_eq!(
        o.status,
        Status::Ok,
        "warnings do not fail a build:\n{}",
        human(&o.diagnostics)
    );
    assert!(errors(&o).is_empty(), "{}", human(&o.diagnostics));
    let expect = [
        ("orphan-page", "content/孤儿.md"),
        ("unused-role", "content/roles/闲人.md"),
        ("ritual-without-roles", "content/rituals/破冰.md"),
        ("element-without-rituals", "content/elements/复制.md"),
    ];
    for (code, file) in expect {
        let d = one(&o, code, file);
        assert_eq!(d.severity, Severity::Warning, "{code}");
        assert!(d.help.is_some(), "{code} has a help line");
    }
    // No false positives: the well-formed pages get none of these.
    for code in [
        "unused-role",
        "ritual-without-roles",
        "element-without-rituals",
    ] {
        assert_eq!(
            with_code(&o, code).len(),
            1,
            "{code}:\n{}",
            human(&o.diagnostics)
        );
    }
    // 索引 links only to itself: self links do not count.
    let orphans: Vec<&str> = with_code(&o, "orphan-page")
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(
        orphans,
        ["content/孤儿.md", "content/索引.md"],
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn unknown_front_matter_key_suggests_the_field() {
    let text = "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstag = \"intro\"\n+++\n\n见 [[破冰]]\n";
    let site = handbook().file("content/rituals/破冰.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let d = one(&o, "unknown-key", "content/rituals/破冰.md");
    assert_eq!(d.severity, Severity::Warning);
    let (line, col) = pos(text, "stag =");
    assert_at(d, "content/rituals/破冰.md", line, col);
    assert_help(d, "did you mean `stage`?");
}

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

#[test]
fn all_problems_are_reported_together_sorted_by_file_and_line() {
    let site = handbook()
        .file(
            "content/rituals/破冰.md",
            "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nroles = [\"班长\"]\nstage = \"grow\"\n+++\n\n[[群主]]\n",
        )
        .file(
            "content/guides/入门.md",
            "+++\ntitle = \"入门\"\n+++\n\n[[破冰]] [[班长#没有]]\n\n\n[[班常]]\n",
        )
        .file(
            "content/guides/坏.md",
            "+++\ntitle = \"坏\"\nkind = \"ritul\"\n+++\n",
        )
        .file("content/aaa.md", "+++\ntitle = \"x\"\n");
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors);
    let got: Vec<(&str, &str, usize)> = errors(&o)
        .iter()
        .map(|d| (d.file.as_str(), d.code, d.line))
        .collect();
    assert_eq!(
        got,
        [
            ("content/aaa.md", "unterminated-front-matter", 1),
            ("content/guides/入门.md", "broken-anchor", 5),
            ("content/guides/入门.md", "broken-link", 8),
            ("content/guides/坏.md", "unknown-kind", 3),
            ("content/rituals/破冰.md", "unknown-enum-value", 5),
            ("content/rituals/破冰.md", "broken-link", 8),
        ],
        "{}",
        human(&o.diagnostics)
    );
    // Warnings are interleaved in the same order.
    let keys: Vec<(&str, usize, usize)> = o
        .diagnostics
        .iter()
        .map(|d| (d.file.as_str(), d.line, d.column))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "{}", human(&o.diagnostics));
}
