//! Messages in the writer's language (issue #21): a Chinese site's diagnostics, help lines and
//! summary lines in Chinese, the same site with `--lang en` / `QUNCE_LANG=en` in English, JSON
//! in the chosen language, the locale before a site.toml is read, and `qunce new` writing its
//! comments in the site's language and refusing file names Windows cannot hold.

mod common;

use common::{Site, run_bin};

/// `QUNCE_LANG` set empty: no override, so the site's language (or the locale) decides.
const SITE_LANG: &[(&str, &str)] = &[("QUNCE_LANG", "")];

/// A zh-CN site with three errors and two warnings.
fn chinese_site() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n[[班常]] [[班长]]\n",
        )
        .file(
            "content/班长.md",
            "+++\ntitle = \"班长\"\nkind = \"role\"\nweight = \"3\"\n+++\n\n正文。\n",
        )
        .file(
            "content/周会.md",
            "+++\ntitle = \"周会\"\nkind = \"ritul\"\n+++\n\n正文。\n",
        )
}

#[test]
fn a_chinese_site_reads_its_diagnostics_in_chinese() {
    let site = chinese_site();
    let r = site.run_env(&["check"], SITE_LANG);
    r.expect_code(1);
    for block in [
        "错误[broken-link]：没有名为 `班常` 的页面\n  --> content/_index.md:5:1\n  |\n5 | [[班常]] [[班长]]\n  | ^\n  = 提示：是不是想写 [[班长]]？\n",
        "错误[unknown-kind]：未知的页面类型（kind）`ritul`\n  --> content/周会.md:3:8\n",
        "  = 提示：是不是想写 `ritual`？\n",
        "错误[wrong-type]：字段 `weight` 应该是整数，这里是文字（字符串）\n  --> content/班长.md:4:10\n",
        "  = 提示：写成 `weight = 3`\n",
        "警告[orphan-page]：没有任何页面链接到 `周会`\n",
        "  = 提示：从相关页面链接过来，例如 [[周会]]，或者把它移到某个章节的文件夹里\n",
        "警告[unused-role]：没有哪个仪式列出角色 `班长`\n",
    ] {
        assert!(
            r.stderr.contains(block),
            "missing:\n{block}\nin:\n{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.ends_with("\n共 3 个错误、2 个警告\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("help"), "{}", r.stderr);
}

#[test]
fn the_same_site_with_lang_en_reads_english() {
    let site = chinese_site();
    for (args, env) in [
        (vec!["--lang", "en", "check"], SITE_LANG),
        (vec!["check"], &[("QUNCE_LANG", "en")][..]),
    ] {
        let r = site.run_env(&args, env);
        r.expect_code(1);
        for block in [
            "error[broken-link]: no page named `班常`\n  --> content/_index.md:5:1\n  |\n5 | [[班常]] [[班长]]\n  | ^\n  = help: did you mean [[班长]]?\n",
            "error[unknown-kind]: unknown kind `ritul`\n",
            "  = help: did you mean `ritual`?\n",
            "error[wrong-type]: `weight` must be an integer, found a string\n",
            "  = help: write `weight = 3`\n",
            "warning[orphan-page]: nothing links to `周会`\n",
        ] {
            assert!(
                r.stderr.contains(block),
                "missing:\n{block}\nin:\n{}",
                r.stderr
            );
        }
        assert!(
            r.stderr.ends_with("\n3 errors and 2 warnings emitted\n"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn json_messages_are_in_the_chosen_language() {
    let site = chinese_site();
    let line = |args: &[&str]| -> serde_json::Value {
        let r = site.run_env(args, SITE_LANG);
        let first = r.stdout.lines().next().unwrap_or_default().to_string();
        serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
    };
    let zh = line(&["--format", "json", "check"]);
    assert_eq!(zh["code"], "broken-link");
    assert_eq!(zh["message"], "没有名为 `班常` 的页面");
    assert_eq!(zh["help"], "是不是想写 [[班长]]？");
    let en = line(&["--format", "json", "--lang", "en", "check"]);
    assert_eq!(en["message"], "no page named `班常`");
    assert_eq!(en["help"], "did you mean [[班长]]?");
}

#[test]
fn an_english_site_reads_english_and_lang_zh_turns_it_chinese() {
    let site = Site::new()
        .file(
            "site.toml",
            "title = \"Club\"\nbase_url = \"https://example.org\"\nlanguage = \"en\"\n",
        )
        .file(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n\n[[Leader]]\n",
        );
    // The site's language wins over the locale.
    let env = [("QUNCE_LANG", ""), ("LANG", "zh_CN.UTF-8")];
    let r = site.run_env(&["check"], &env);
    r.expect_code(1);
    assert!(
        r.stderr
            .contains("error[broken-link]: no page named `Leader`\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with("\n1 error emitted\n"), "{}", r.stderr);
    let r = site.run_env(&["--lang", "zh-CN", "check"], &env);
    assert!(
        r.stderr
            .contains("错误[broken-link]：没有名为 `Leader` 的页面\n"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with("\n共 1 个错误\n"), "{}", r.stderr);
}

#[test]
fn the_summary_and_deny_warnings_lines_are_translated() {
    let site = Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n正文。\n",
        )
        .file("content/孤页.md", "+++\ntitle = \"孤页\"\n+++\n\n正文。\n");
    let r = site.run_env(&["check", "--deny-warnings"], SITE_LANG);
    r.expect_code(1);
    let tail: Vec<&str> = r.stderr.lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            "错误：有 1 个警告，因此退出状态为 1（--deny-warnings）",
            "已检查 2 个页面：0 个错误，1 个警告",
            "共 1 个警告",
        ],
        "{}",
        r.stderr
    );
    let r = site.run_env(&["check", "--deny-warnings"], &[("QUNCE_LANG", "en")]);
    let tail: Vec<&str> = r.stderr.lines().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            "error: exit status 1 because of 1 warning (--deny-warnings)",
            "checked 2 pages: 0 errors, 1 warnings",
            "1 warning emitted",
        ],
        "{}",
        r.stderr
    );
}

#[test]
fn without_a_site_toml_the_locale_decides() {
    let dir = Site::bare();
    let root = dir.root().to_str().unwrap();
    let zh = run_bin(
        &["--root", root, "check"],
        &[
            ("QUNCE_LANG", ""),
            ("LC_ALL", ""),
            ("LC_MESSAGES", ""),
            ("LANG", "zh_CN.UTF-8"),
        ],
    );
    zh.expect_code(2);
    assert!(
        zh.stderr.starts_with("错误[config]：无法读取 site.toml："),
        "{}",
        zh.stderr
    );
    assert!(
        zh.stderr.contains(&format!(
            "  = 提示：运行 `qunce init {root}` 新建网站，或者用 --root DIR 指向已有的网站\n"
        )),
        "{}",
        zh.stderr
    );
    let en = run_bin(
        &["--root", root, "check"],
        &[("QUNCE_LANG", ""), ("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")],
    );
    assert!(
        en.stderr
            .starts_with("error[config]: cannot read site.toml: "),
        "{}",
        en.stderr
    );
    // --lang wins over the locale.
    let en = run_bin(
        &["--root", root, "--lang", "en", "check"],
        &[("QUNCE_LANG", ""), ("LANG", "zh_CN.UTF-8")],
    );
    assert!(en.stderr.starts_with("error[config]: "), "{}", en.stderr);
}

#[test]
fn new_writes_comments_in_the_sites_language_only() {
    let zh = Site::new();
    zh.run_env(&["new", "ritual", "周会"], SITE_LANG)
        .expect_code(0);
    let page = std::fs::read_to_string(zh.path("content/rituals/周会.md")).unwrap();
    for line in [
        "allow = [\"ritual-without-roles\"]  # 填好 `roles` 之后，删掉这一行\n",
        "schedule = \"\"  # 日程：D-7 | D0 | D1-D3 | 每天 | 每周三 | 结营日 | 结营+3\n",
        "\n## 流程\n",
    ] {
        assert!(page.contains(line), "missing {line:?} in\n{page}");
    }
    // No English words in the comments: only field names, kind names and values.
    for english in ["until", "link to", "links to", "then remove", "daily"] {
        assert!(!page.contains(english), "{english:?} in\n{page}");
    }

    let en = Site::new().file(
        "site.toml",
        "title = \"Club\"\nbase_url = \"https://example.org\"\nlanguage = \"en\"\n",
    );
    en.run_env(&["new", "ritual", "Weekly sync"], SITE_LANG)
        .expect_code(0);
    let page = std::fs::read_to_string(en.path("content/rituals/Weekly sync.md")).unwrap();
    for line in [
        "allow = [\"ritual-without-roles\"]  # until `roles` is filled in; then remove this line\n",
        "schedule = \"\"  # Schedule: D-7 | D0 | D1-D3 | daily | weekly:wed | end | end+3\n",
        "\n## Steps\n",
    ] {
        assert!(page.contains(line), "missing {line:?} in\n{page}");
    }
    assert!(
        !page.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "Chinese in an English site's page:\n{page}"
    );
}

#[test]
fn new_refuses_a_name_windows_cannot_hold_and_proposes_one() {
    let site = Site::new();
    let r = site.run_env(&["new", "ritual", "周会:复盘"], SITE_LANG);
    r.expect_code(2);
    assert_eq!(
        r.stderr,
        "错误：`周会:复盘` 在 Windows 上不能用作文件名：文件名里不能有 `:`\n  = 提示：用 `qunce new ritual 周会-复盘` 创建，再在页面开头的设置（front matter）里写上想要的标题：`title = \"周会:复盘\"`\n"
    );
    assert!(!site.path("content/rituals").exists(), "nothing is written");
    let r = site.run(&["new", "page", "NUL"]);
    r.expect_code(2);
    assert_eq!(
        r.stderr,
        "error: `NUL` cannot be a file name on Windows: `NUL` is a name Windows reserves for a device\n  = help: create it as `qunce new page NUL-1`, then write the title you want in its front matter: `title = \"NUL\"`\n"
    );
    for (title, safe) in [("问答?", "问答"), ("a<b>|c", "a-b-c"), ("结营. ", "结营")] {
        let r = site.run(&["new", "page", title]);
        r.expect_code(2);
        assert!(
            r.stderr.contains(&format!("`qunce new page {safe}`")),
            "{title}: {}",
            r.stderr
        );
    }
    // The safe name proposed is accepted.
    site.run(&["new", "ritual", "周会-复盘"]).expect_code(0);
    assert!(site.path("content/rituals/周会-复盘.md").is_file());
}

/// The commands whose `--help` is checked, with their example.
const COMMANDS: &[(&[&str], &str)] = &[
    (&[], "qunce --root 我的手册 serve"),
    (
        &["build"],
        "qunce build --base-url https://example.cn/handbook",
    ),
    (&["check"], "qunce check --deny-warnings"),
    (&["fmt"], "qunce fmt --check"),
    (
        &["init"],
        "qunce init 我的手册 --title \"我的社群手册\" --base-url https://example.cn/handbook",
    ),
    (&["theme"], "qunce theme unpack"),
    (&["theme", "unpack"], "qunce --root 我的手册 theme unpack"),
    (&["new"], "qunce new ritual 周会"),
    (&["serve"], "qunce serve --open"),
];

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn help_is_chinese_under_a_chinese_locale_or_lang_zh_with_an_example_each() {
    let top = run_bin(&["--lang", "zh-CN", "--help"], &[]);
    top.expect_code(0);
    assert!(
        top.stdout.starts_with(
            "群策 qunce：构建、检查和预览社群运营手册。\n\n用法：qunce [OPTIONS] <COMMAND>\n"
        ),
        "{}",
        top.stdout
    );
    assert!(
        top.stdout
            .contains("  build  把网站生成到输出文件夹（默认 public/）。\n"),
        "{}",
        top.stdout
    );
    for (words, example) in COMMANDS {
        let mut args = words.to_vec();
        args.push("--help");
        // Under a Chinese locale, nothing else said.
        let locale = [
            ("QUNCE_LANG", ""),
            ("LC_ALL", ""),
            ("LC_MESSAGES", ""),
            ("LANG", "zh_CN.UTF-8"),
        ];
        for r in [run_bin(&args, &locale), {
            let mut with_flag = vec!["--lang", "zh-CN"];
            with_flag.extend_from_slice(&args);
            run_bin(&with_flag, &[])
        }] {
            r.expect_code(0);
            let out = &r.stdout;
            assert!(
                out.ends_with(&format!("示例：\n  {example}\n")),
                "{words:?}:\n{out}"
            );
            assert!(
                out.lines().next().is_some_and(|l| l.chars().any(is_cjk)),
                "{words:?}:\n{out}"
            );
            // Every option and argument is explained in Chinese.
            for line in out.lines().filter(|l| {
                let t = l.trim_start();
                t.starts_with('-') || (t.starts_with('<') && l.starts_with("  "))
            }) {
                assert!(
                    line.chars().any(is_cjk),
                    "{words:?}: English left: {line}\n{out}"
                );
            }
        }
    }
    // English stays English, with the same examples.
    let en = run_bin(&["build", "--help"], &[]);
    assert!(
        en.stdout
            .starts_with("Build the site into the output folder"),
        "{}",
        en.stdout
    );
    assert!(
        en.stdout
            .ends_with("Example:\n  qunce build --base-url https://example.cn/handbook\n"),
        "{}",
        en.stdout
    );
}
