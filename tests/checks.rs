//! Nothing dropped or published broken in silence: the output link check, raw HTML the
//! sanitizer removes, shortcode-looking text, footnotes without definitions, and broken links
//! lowered to warnings. Each with its exact diagnostic.

mod common;

use common::*;
use qunce::Status;
use qunce::diagnostics::Severity;

/// A page.html override keeping the blocks the built-in kind templates extend, with `line4`
/// as its fourth line.
fn page_override(line4: &str) -> String {
    format!(
        "{{% extends \"base.html\" %}}\n{{% block main %}}\n<h1>{{{{ page.title }}}}</h1>\n{line4}\n{{% block article_attrs %}}{{% endblock article_attrs %}}{{% block doc_tools %}}{{% endblock doc_tools %}}{{% block card %}}{{% endblock card %}}{{% block after_content %}}{{% endblock after_content %}}\n{{{{ page.content | safe }}}}\n{{% endblock main %}}\n"
    )
}

#[test]
fn every_link_of_the_reference_handbook_resolves_in_build_and_check() {
    // Without tags, no page links to the tags page (which is not written).
    let site = handbook();
    let o = site.build();
    let rest = besides_placeholder(&o);
    assert!(rest.is_empty(), "{}", human(&rest));
    assert!(!site.exists("tags/index.html"));
    assert!(!site.read("index.html").contains("/tags/\""));
    // With a tag, the link is there and resolves.
    let site = handbook().file(
        "content/guides/带标签.md",
        "+++\ntitle = \"带标签\"\ntags = [\"入门\"]\n+++\n",
    );
    let o = site.build();
    let rest = besides_placeholder(&o);
    assert!(rest.is_empty(), "{}", human(&rest));
    assert!(site.read("index.html").contains("href=\"/tags/\""));
}

#[test]
fn a_dead_link_from_a_template_names_the_template_line() {
    let site = handbook().file(
        "templates/page.html",
        &page_override("<p><a href=\"{{ site.root }}nowhere/\">去哪</a></p>"),
    );
    for o in [site.check(), site.build()] {
        assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
        let found = with_code(&o, "dead-output-link");
        assert_eq!(found.len(), 1, "{}", human(&o.diagnostics));
        let d = found[0];
        assert_eq!(d.severity, Severity::Error);
        assert_at(d, "templates/page.html", 4, 13);
        assert!(
            d.message.starts_with(
                "the template links to `/nowhere/`, which leads nowhere: no file \
                 `nowhere/index.html` is written (in "
            ),
            "{}",
            d.message
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "link only to pages the site writes, or wrap the link in `{% if ... %}` so it \
                 is left out when its target is not made"
            )
        );
    }
    assert!(!site.public().exists(), "a dead link fails the build");
}

#[test]
fn dead_links_and_anchors_in_raw_html_are_found_at_their_line() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n<a href=\"/rituals/没有/\">甲</a>\n\n<a href=\"#nope\">乙</a> <a href=\"/roles/ban-zhang/#职责\">丙</a>\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let found = with_code(&o, "dead-output-link");
    let got: Vec<(usize, usize, &str)> = found
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                5,
                10,
                "the link `/rituals/没有/` leads nowhere in the output: no file `rituals/没有/index.html` is written"
            ),
            (
                7,
                10,
                "the link `#nope` leads nowhere in the output: this page has no id `nope`"
            ),
        ],
        "{}",
        human(&o.diagnostics)
    );
    assert!(found.iter().all(|d| d.file == "content/guides/入门.md"));
}

#[test]
fn broken_link_lowered_to_warn_builds_and_marks_the_link() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n然后找 [[班常]] 报到。\n";
    let site = handbook()
        .file(
            "site.toml",
            &format!("{SITE_TOML}\n[lints]\nbroken-link = \"warn\"\n"),
        )
        .file("content/guides/入门.md", text);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let d = one(&o, "broken-link", "content/guides/入门.md");
    assert_eq!(d.severity, Severity::Warning);
    assert_at(d, "content/guides/入门.md", 5, 5);
    let html = site.read("guides/ru-men/index.html");
    assert!(
        html.contains("然后找 <span class=\"broken-link\">班常</span> 报到。"),
        "{html}"
    );
}

#[test]
fn removed_raw_html_is_a_warning_at_its_line() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n<div onclick=\"go()\">点我</div>\n\n<script>alert(1)</script>\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let found = with_code(&o, "removed-html");
    let got: Vec<(usize, usize, &str, Option<&str>)> = found
        .iter()
        .map(|d| (d.line, d.column, d.message.as_str(), d.help.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (
                5,
                6,
                "the `onclick` attribute of `<div>` is removed",
                Some("event handlers are removed: pages cannot run scripts")
            ),
            (
                7,
                1,
                "raw HTML `<script>` is removed",
                Some(
                    "pages cannot run scripts: put behaviour in the theme (templates/ or static/), or set `[markdown] raw_html = \"allow\"` if every writer is trusted"
                )
            ),
        ],
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn shortcode_looking_text_is_a_warning() {
    let text =
        "+++\ntitle = \"入门\"\n+++\n\n视频：{{< bilibili BV1xx >}}\n\n`{{< 在代码里不算 >}}`\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    let d = one(&o, "shortcode", "content/guides/入门.md");
    assert_eq!(d.severity, Severity::Warning);
    assert_at(d, "content/guides/入门.md", 5, 4);
    assert_eq!(
        d.message,
        "`{{< bilibili BV1xx >}}` looks like a Hugo shortcode; it is printed as text"
    );
    assert_eq!(
        d.help.as_deref(),
        Some(
            "qunce has no shortcodes: write the link, image or HTML itself, or put the text in \
             `backticks` to show it as code"
        )
    );
}

#[test]
fn footnote_without_definition_names_a_full_width_colon() {
    let text = "+++\ntitle = \"入门\"\n+++\n\n见注释[^1]和[^2]。\n\n[^1]：全角冒号写的定义\n";
    let site = handbook().file("content/guides/入门.md", text);
    let o = site.check();
    let found = with_code(&o, "footnote-without-definition");
    assert_eq!(found.len(), 2, "{}", human(&o.diagnostics));
    assert_at(found[0], "content/guides/入门.md", 5, 4);
    assert_eq!(
        found[0].message,
        "the footnote `[^1]` has no definition; it is printed as text"
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some(
            "line 7 defines it with a full-width colon `[^1]：`; write an ASCII colon: `[^1]: ...`"
        )
    );
    assert_at(found[1], "content/guides/入门.md", 5, 9);
    assert_eq!(
        found[1].help.as_deref(),
        Some("add its text on a line of its own, e.g. at the end of the page: `[^2]: ...`")
    );
}

/// Sixteen pages of a real book written by others (tests/fixtures/rbe-zh, see its NOTICE.md),
/// unedited, build with nothing but a `[lints]` table: its link to a chapter the sample leaves
/// out is lowered to a warning, and one Chinese typography note remains. Before the lint
/// levels and section listings it was one error and fourteen warnings (thirteen orphans).
#[test]
fn a_real_corpus_written_by_others_builds_with_a_lints_table() {
    let site = Site::fixture("rbe-zh");
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let got: Vec<String> = o
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{:?} {} {}:{}:{} {} | {}",
                d.severity,
                d.code,
                d.file,
                d.line,
                d.column,
                d.message,
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "Warning zh-typography content/macros/dsl.md:28:2 Chinese typography: `出:` reads better as `出：` | `qunce fmt` applies every typography fix in place; `[lints] zh-typography = \"allow\"` in site.toml turns this check off",
            "Warning broken-link content/trait/derive.md:3:16 link to a missing file `../attribute.md` | Markdown links to pages are relative to this file, e.g. `../roles/班长.md`",
        ],
        "{}",
        human(&o.diagnostics)
    );
    // The lowered broken link is marked in the page, and every page is written.
    assert!(
        site.read("trait/derive/index.html")
            .contains("<span class=\"broken-link\">属性</span>")
    );
    for page in [
        "trait/clone/index.html",
        "macros/dsl/index.html",
        "trait/index.html",
    ] {
        assert!(site.exists(page), "{page}");
    }
}
