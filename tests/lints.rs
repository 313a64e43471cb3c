//! Lint levels the writer controls: `[lints]` in site.toml, `allow = [...]` in a page's front
//! matter, lint names in every diagnostic, `--deny-warnings` and `--format json`.

mod common;

use common::*;
use qunce::Status;
use qunce::diagnostics::Severity;

/// A page at the top of content/ that nothing links to: an `orphan-page` warning.
const ORPHAN: &str = "+++\ntitle = \"孤儿\"\n+++\n\n没人理我。\n";

fn with_lints(lints: &str) -> Site {
    handbook()
        .file("site.toml", &format!("{SITE_TOML}\n[lints]\n{lints}"))
        .file("content/孤儿.md", ORPHAN)
}

#[test]
fn orphan_page_warns_by_default_and_names_its_lint() {
    let site = handbook().file("content/孤儿.md", ORPHAN);
    let o = site.check();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let d = one(&o, "orphan-page", "content/孤儿.md");
    assert_eq!(d.severity, Severity::Warning);
    assert_at(d, "content/孤儿.md", 1, 1);
    assert_eq!(d.message, "nothing links to `孤儿`");
    assert_eq!(
        d.help.as_deref(),
        Some("link to it from a related page, e.g. [[孤儿]], or move it into a section's folder")
    );
    let text = human(&o.diagnostics);
    assert!(
        text.starts_with(
            "warning[orphan-page]: nothing links to `孤儿`\n  --> content/孤儿.md:1:1\n"
        ),
        "{text}"
    );
}

#[test]
fn a_page_in_a_section_is_reachable_from_its_listing() {
    let site = handbook().file("content/guides/没人链接.md", ORPHAN);
    let o = site.check();
    assert!(o.diagnostics.is_empty(), "{}", human(&o.diagnostics));
}

#[test]
fn lints_table_allows_a_warning() {
    let o = with_lints("orphan-page = \"allow\"\n").check();
    assert_eq!(o.status, Status::Ok);
    assert!(o.diagnostics.is_empty(), "{}", human(&o.diagnostics));
}

#[test]
fn lints_table_denies_a_warning() {
    let site = with_lints("orphan-page = \"deny\"\n");
    let o = site.check();
    assert_eq!(o.status, Status::ContentErrors, "{}", human(&o.diagnostics));
    let d = one(&o, "orphan-page", "content/孤儿.md");
    assert_eq!(d.severity, Severity::Error);
    let o = site.build();
    assert_eq!(o.status, Status::ContentErrors);
    assert!(!site.public().exists(), "a denied warning fails the build");
}

#[test]
fn a_page_allows_a_lint_for_itself() {
    let site = handbook()
        .file(
            "content/孤儿.md",
            "+++\ntitle = \"孤儿\"\nallow = [\"orphan-page\"]\n+++\n\n没人理我，没关系。\n",
        )
        .file(
            "content/另一个孤儿.md",
            "+++\ntitle = \"另一个孤儿\"\n+++\n",
        );
    let o = site.check();
    let orphans: Vec<&str> = with_code(&o, "orphan-page")
        .iter()
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(
        orphans,
        ["content/另一个孤儿.md"],
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn unknown_lint_names_suggest_the_closest() {
    let text = "+++\ntitle = \"孤儿\"\nallow = [\"orphan-pages\"]\n+++\n";
    let site = handbook()
        .file(
            "site.toml",
            &format!("{SITE_TOML}\n[lints]\nbroken-links = \"warn\"\n"),
        )
        .file("content/guides/孤儿.md", text);
    let o = site.check();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let d = one(&o, "unknown-lint", "content/guides/孤儿.md");
    assert_eq!(d.severity, Severity::Warning);
    let (line, col) = pos(text, "\"orphan-pages\"");
    assert_at(d, "content/guides/孤儿.md", line, col);
    assert_eq!(d.message, "unknown lint `orphan-pages`");
    assert_eq!(d.help.as_deref(), Some("did you mean `orphan-page`?"));
    let d = one(&o, "unknown-lint", "site.toml");
    assert_at(d, "site.toml", 6, 1);
    assert_eq!(d.message, "unknown lint `broken-links`");
    assert_eq!(d.help.as_deref(), Some("did you mean `broken-link`?"));
}

#[test]
fn an_unknown_level_is_a_config_error() {
    let site = with_lints("orphan-page = \"ignore\"\n");
    let o = site.check();
    assert_eq!(o.status, Status::ConfigErrors, "{}", human(&o.diagnostics));
    let d = one(&o, "config", "site.toml");
    assert_at(d, "site.toml", 6, 15);
    assert_eq!(d.message, "unknown lint level `ignore` for `orphan-page`");
    assert_eq!(
        d.help.as_deref(),
        Some("write `orphan-page = \"allow\"`, `\"warn\"` or `\"deny\"`")
    );
}

#[test]
fn deny_warnings_says_the_exit_status_comes_from_warnings() {
    let site = handbook().file("content/孤儿.md", ORPHAN);
    let r = site.run(&["check"]);
    r.expect_code(0);
    let r = site.run(&["check", "--deny-warnings"]);
    r.expect_code(1);
    let last = r
        .stderr
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert_eq!(
        last, "error: exit status 1 because of 1 warning (--deny-warnings)",
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("warning[orphan-page]: "), "{}", r.stderr);
}

#[test]
fn new_pages_of_every_kind_pass_check_deny_warnings() {
    let site = handbook();
    for (kind, title) in [
        ("ritual", "新仪式"),
        ("role", "新角色"),
        ("element", "新要素"),
        ("checklist", "新清单"),
        ("page", "新页面"),
    ] {
        site.run(&["new", kind, title]).expect_code(0);
    }
    let r = site.run(&["check", "--deny-warnings"]);
    r.expect_code(0);
    assert!(!r.stderr.contains("warning["), "{}", r.stderr);
    let role = std::fs::read_to_string(site.path("content/roles/新角色.md")).expect("made");
    assert!(
        role.contains("allow = [\"unused-role\"]  # 有仪式列出这个角色之后，删掉这一行\n"),
        "{role}"
    );
}

#[test]
fn json_gives_null_lines_utf16_columns_and_span_ends() {
    // 𝄞 is outside the Basic Multilingual Plane: one character, two UTF-16 units.
    let text = "+++\ntitle = \"入门\"\n+++\n\n𝄞班长 [[班常]]\n";
    let site = handbook()
        .file("content/guides/入门.md", text)
        .file("content/孤儿.md", ORPHAN)
        .file(
            "site.toml",
            &format!("{SITE_TOML}\n[lints]\nnot-a-lint = \"warn\"\n"),
        );
    #[cfg(unix)]
    std::os::unix::fs::symlink(site.path("content/孤儿.md"), site.path("content/链接.md"))
        .expect("symlink");
    let r = site.run(&["--format", "json", "check"]);
    r.expect_code(1);
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let link = objs
        .iter()
        .find(|v| v["code"] == "broken-link")
        .expect("broken link");
    assert_eq!(link["line"], 5);
    assert_eq!(link["column"], 5);
    assert_eq!(link["column_utf16"], 6);
    let lint = objs
        .iter()
        .find(|v| v["code"] == "unknown-lint")
        .expect("unknown lint");
    assert_eq!(
        (
            &lint["line"],
            &lint["column"],
            &lint["end_line"],
            &lint["end_column"]
        ),
        (&6.into(), &1.into(), &6.into(), &11.into()),
        "{lint}"
    );
    assert_eq!(lint["fixes"], serde_json::json!([]));
    if cfg!(unix) {
        // A problem of the whole file has no line, not line 0.
        let file = objs
            .iter()
            .find(|v| v["code"] == "symlink")
            .expect("symlink warning");
        assert_eq!(file["file"], "content/链接.md");
        assert!(file["line"].is_null() && file["column"].is_null(), "{file}");
    }
}
