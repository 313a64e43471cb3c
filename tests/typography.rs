//! The `zh-typography` lint and `qunce fmt`: exact warnings on a Chinese site, none on an
//! English one, fixes that touch prose only, and a second `fmt` that changes nothing.

mod common;

use std::path::Path;

use common::*;

/// A page that breaks every rule once, with code, a URL and front-matter keys that must stay.
const BAD: &str = "+++\ntitle = \"第1期(试运行)\"\ndescription = \"新人入群,先改昵称\"\nkind = \"page\"\n+++\n\n## 开营前3天\n\n社群有100人,大家好!!\n\n他说\"欢迎新人\"就好。见脚注[^1]。\n\n代码 `a,b中文` 不改，网址 https://example.org/a,b中文 也不改。\n\n```\n中文abc,中文\n```\n\n[^1]：出处在上。\n";

/// The same page as `qunce fmt` leaves it.
const FIXED: &str = "+++\ntitle = \"第 1 期（试运行）\"\ndescription = \"新人入群，先改昵称\"\nkind = \"page\"\n+++\n\n## 开营前 3 天\n\n社群有 100 人，大家好！\n\n他说“欢迎新人”就好。见脚注[^1]。\n\n代码 `a,b中文` 不改，网址 https://example.org/a,b中文 也不改。\n\n```\n中文abc,中文\n```\n\n[^1]: 出处在上。\n";

fn site(language: &str) -> Site {
    Site::new()
        .file(
            "site.toml",
            &format!(
                "title = \"测试手册\"\nbase_url = \"https://example.org\"\nlanguage = \"{language}\"\n"
            ),
        )
        .file("content/_index.md", "+++\ntitle = \"首页\"\n+++\n\n[[第 1 期]]\n")
        .file("content/期.md", BAD)
}

#[test]
fn a_chinese_site_gets_one_warning_per_range_at_its_place() {
    let s = site("zh-CN");
    let o = s.check();
    let typo = with_code(&o, "zh-typography");
    let got: Vec<(usize, usize, String)> = typo
        .iter()
        .map(|d| (d.line, d.column, d.message.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                2,
                10,
                "Chinese typography: `第1期(试运行)` reads better as `第 1 期（试运行）`"
            ),
            (
                3,
                19,
                "Chinese typography: `群,先` reads better as `群，先`"
            ),
            (
                7,
                6,
                "Chinese typography: `前3天` reads better as `前 3 天`"
            ),
            (
                9,
                3,
                "Chinese typography: `有100人,大家好!!` reads better as `有 100 人，大家好！`"
            ),
            (
                11,
                2,
                "Chinese typography: `说\"欢迎新人\"就` reads better as `说“欢迎新人”就`"
            ),
            (19, 5, "Chinese typography: `：` reads better as `: `"),
        ]
        .map(|(l, c, m)| (l, c, m.to_string()))
    );
    assert_at(typo[0], "content/期.md", 2, 10);
    assert_help(typo[0], "`qunce fmt` applies every typography fix in place");
}

#[test]
fn an_english_site_is_not_linted_for_chinese_typography() {
    let o = site("en").check();
    assert!(with_code(&o, "zh-typography").is_empty());
}

#[test]
fn fmt_fixes_prose_only_and_a_second_run_changes_nothing() {
    let s = site("zh-CN");
    let r = s.run(&["fmt"]);
    r.expect_code(0);
    assert_eq!(
        std::fs::read_to_string(s.path("content/期.md")).unwrap(),
        FIXED
    );
    assert!(
        r.stderr
            .contains("content/期.md:9:3: `有100人,大家好!!` → `有 100 人，大家好！`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("fixed 6 places in 1 files"),
        "{}",
        r.stderr
    );
    // The untouched page is byte for byte what it was.
    assert_eq!(
        std::fs::read_to_string(s.path("content/_index.md")).unwrap(),
        "+++\ntitle = \"首页\"\n+++\n\n[[第 1 期]]\n"
    );

    let again = s.run(&["fmt"]);
    again.expect_code(0);
    assert!(
        again.stderr.contains("fixed 0 places in 0 files"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(s.path("content/期.md")).unwrap(),
        FIXED
    );
    assert!(with_code(&s.check(), "zh-typography").is_empty());
}

#[test]
fn fmt_check_reports_and_changes_nothing() {
    let s = site("zh-CN");
    let r = s.run(&["fmt", "--check"]);
    r.expect_code(1);
    assert!(
        r.stderr.contains("would fix 6 places in 1 files"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("run `qunce fmt` to apply them"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(s.path("content/期.md")).unwrap(),
        BAD
    );
}

#[test]
fn check_fix_fixes_then_checks() {
    let s = site("zh-CN");
    let r = s.run(&["check", "--fix", "--deny-warnings"]);
    assert_eq!(
        std::fs::read_to_string(s.path("content/期.md")).unwrap(),
        FIXED
    );
    assert!(!r.stderr.contains("warning[zh-typography]"), "{}", r.stderr);
    assert!(!r.stderr.contains("Chinese typography"), "{}", r.stderr);
}

#[test]
fn the_bundled_handbook_needs_no_fix() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = run_bin(&["--root", root.to_str().unwrap(), "fmt", "--check"], &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}
