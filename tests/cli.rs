//! The `qunce` binary: exit codes, help and version, diagnostics formats (human, JSON lines,
//! NO_COLOR), `check --deny-warnings`, `init` and `new`.

mod common;

use common::*;

/// A site whose only problem is one broken link at content/x.md:13:5 (no warnings at all).
fn one_error_site() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n[[x]] [[班长]]\n",
        )
        .file("content/班长.md", "+++\ntitle = \"班长\"\n+++\n\n正文。\n")
        .file(
            "content/x.md",
            "+++\ntitle = \"x\"\n+++\n\n第一段。\n\n## 小节\n\n第二段。\n\n第三段。\n\n其实找 [[班常]] 就行。\n",
        )
}

// ---------------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn exit_codes() {
    let good = handbook();
    good.run(&["build"]).expect_code(0);
    assert!(good.public().join("index.html").is_file());
    good.run(&["check"]).expect_code(0);

    let bad = one_error_site();
    bad.run(&["build"]).expect_code(1);
    bad.run(&["check"]).expect_code(1);

    let bad_config = handbook().file("site.toml", "title = \"x\"\nbase_url = \n");
    let r = bad_config.run(&["build"]);
    r.expect_code(2);
    assert!(r.stderr.contains("site.toml:2"), "{}", r.stderr);
    bad_config.run(&["check"]).expect_code(2);
    // Valid TOML with a wrong value is a configuration error too.
    let wrong_value = handbook().file(
        "site.toml",
        "title = 3\nbase_url = \"https://example.org\"\n[kinds.event.fields.host]\ntype = \"lnk\"\n",
    );
    let r = wrong_value.run(&["build"]);
    r.expect_code(2);
    assert!(r.stderr.contains("site.toml:1"), "{}", r.stderr);
    assert!(r.stderr.contains("site.toml:4"), "{}", r.stderr);

    // No site.toml at all, and a wrong command line.
    let empty = Site::bare();
    empty.run(&["build"]).expect_code(2);
    good.run(&["build", "--no-such-flag"]).expect_code(2);
    run_bin(&["no-such-command"], &[]).expect_code(2);
}

// ---------------------------------------------------------------------------------------------
// Help and version
// ---------------------------------------------------------------------------------------------

#[test]
fn version() {
    let r = run_bin(&["--version"], &[]);
    r.expect_code(0);
    assert_eq!(
        r.stdout.trim(),
        format!("qunce {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_on_every_subcommand() {
    let r = run_bin(&["--help"], &[]);
    r.expect_code(0);
    let commands: Vec<String> = r
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for expected in ["build", "check", "init", "new"] {
        assert!(
            commands.iter().any(|c| c == expected),
            "`{expected}` missing from --help:\n{}",
            r.stdout
        );
    }
    for c in &commands {
        let h = run_bin(&[c, "--help"], &[]);
        h.expect_code(0);
        assert!(
            h.stdout.contains(&format!("Usage: qunce {c}")),
            "{c} --help:\n{}",
            h.stdout
        );
        // Every option is explained.
        assert!(h.stdout.contains("Options:"), "{c} --help:\n{}", h.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics formats
// ---------------------------------------------------------------------------------------------

#[test]
fn human_format_is_compiler_like() {
    let site = one_error_site();
    let r = site.run(&["check"]);
    r.expect_code(1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("error[broken-link]: "))
        .unwrap_or_else(|| panic!("no `error[broken-link]: ` line:\n{}", r.stderr));
    assert!(lines[start].contains("班常"), "{}", r.stderr);
    assert_eq!(lines[start + 1], "  --> content/x.md:13:5", "{}", r.stderr);
    let block = &lines[start..];
    let src = block
        .iter()
        .position(|l| l.starts_with("13 | ") && l.ends_with("其实找 [[班常]] 就行。"))
        .unwrap_or_else(|| panic!("no source line:\n{}", r.stderr));
    let help = block
        .iter()
        .position(|l| l.trim_start().starts_with("= help: "))
        .unwrap_or_else(|| panic!("no help line:\n{}", r.stderr));
    assert!(src < help, "{}", r.stderr);
    assert!(
        block[help].contains("did you mean [[班长]]?"),
        "{}",
        r.stderr
    );
    let summary = lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .expect("summary");
    assert_eq!(*summary, "1 error emitted", "{}", r.stderr);
    // Diagnostics go to stderr, never stdout.
    assert!(r.stdout.trim().is_empty(), "{}", r.stdout);
}

#[test]
fn json_format_prints_one_object_per_line() {
    let site = one_error_site();
    let r = site.run(&["--format", "json", "check"]);
    r.expect_code(1);
    let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("a JSON object per line");
    assert_eq!(v["severity"], "error");
    assert_eq!(v["code"], "broken-link");
    assert_eq!(v["file"], "content/x.md");
    assert_eq!(v["line"], 13);
    assert_eq!(v["column"], 5);
    assert!(v["message"].as_str().unwrap_or("").contains("班常"), "{v}");
    assert!(
        v["help"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean [[班长]]?"),
        "{v}"
    );
    // Nothing human-readable mixed into the JSON stream.
    assert!(!r.stdout.contains("error emitted"), "{}", r.stdout);

    // Warnings too, and the build command.
    let site = handbook().file("content/孤儿.md", "+++\ntitle = \"孤儿\"\n+++\n");
    let r = site.run(&["--format", "json", "build"]);
    r.expect_code(0);
    let objs: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert!(
        objs.iter()
            .any(|o| o["code"] == "orphan-page" && o["severity"] == "warning"),
        "{}",
        r.stdout
    );
}

/// Runs `qunce --root <site> check` with stderr on a pseudo-terminal (via util-linux `script`),
/// so colour is not disabled merely because stderr is a pipe. None when `script` is missing.
fn check_on_tty(site: &Site, no_color: Option<&str>) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let cmd = format!("'{}' --root '{}' check", bin(), site.root().display());
    let mut c = std::process::Command::new(script);
    c.args(["-qec", &cmd, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .env_remove("NO_COLOR")
        .env("QUNCE_LANG", "en");
    if let Some(v) = no_color {
        c.env("NO_COLOR", v);
    }
    let out = c.output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn no_color_disables_escape_codes() {
    let site = one_error_site();
    // Piped: never colour.
    let r = site.run(&["check"]);
    assert!(!r.stderr.contains('\x1b'), "{:?}", r.stderr);
    let r = site.run_env(&["check"], &[("NO_COLOR", "1")]);
    assert!(!r.stderr.contains('\x1b'), "{:?}", r.stderr);
    assert!(r.stderr.contains("error[broken-link]: "), "{}", r.stderr);

    // On a terminal: colour by default, none with NO_COLOR.
    match check_on_tty(&site, None) {
        None => eprintln!("note: `script` not available; terminal colour not tested"),
        Some(tty) => {
            assert!(
                tty.contains("\x1b["),
                "no colour on a terminal, so NO_COLOR cannot be told apart: {tty:?}"
            );
            let plain = check_on_tty(&site, Some("1")).expect("script ran before");
            assert!(plain.contains("error"), "{plain:?}");
            assert!(
                !plain.contains('\x1b'),
                "escape codes despite NO_COLOR: {plain:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// check --deny-warnings
// ---------------------------------------------------------------------------------------------

#[test]
fn deny_warnings() {
    let clean = handbook();
    clean.run(&["check", "--deny-warnings"]).expect_code(0);

    let warned = handbook().file("content/孤儿.md", "+++\ntitle = \"孤儿\"\n+++\n");
    let r = warned.run(&["check"]);
    r.expect_code(0);
    assert!(r.stderr.contains("warning[orphan-page]: "), "{}", r.stderr);
    let r = warned.run(&["check", "--deny-warnings"]);
    r.expect_code(1);
    assert!(r.stderr.contains("warning[orphan-page]: "), "{}", r.stderr);

    one_error_site()
        .run(&["check", "--deny-warnings"])
        .expect_code(1);
}

// ---------------------------------------------------------------------------------------------
// init and new
// ---------------------------------------------------------------------------------------------

#[test]
fn init_creates_a_site_that_builds_cleanly_without_a_theme_folder() {
    let parent = Site::bare();
    let dir = parent.path("我的手册");
    let dir_s = dir.to_str().expect("utf-8");
    run_bin(&["init", dir_s], &[]).expect_code(0);
    assert!(dir.join("site.toml").is_file());
    assert!(
        !dir.join("themes").exists(),
        "init must not need a theme folder"
    );

    let r = run_bin(&["--root", dir_s, "build"], &[]);
    r.expect_code(0);
    assert!(dir.join("public/index.html").is_file());
    assert!(dir.join("public/style.css").is_file());
    let r = run_bin(&["--root", dir_s, "check", "--deny-warnings"], &[]);
    r.expect_code(0);
    assert!(!r.stderr.contains("warning:"), "{}", r.stderr);

    // init never overwrites an existing site.
    let before = std::fs::read(dir.join("site.toml")).expect("site.toml");
    let r = run_bin(&["init", dir_s], &[]);
    assert_ne!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        std::fs::read(dir.join("site.toml")).expect("site.toml"),
        before
    );
}

#[test]
fn new_creates_a_page_of_a_kind_and_refuses_to_overwrite() {
    let site = handbook();
    let r = site.run(&["new", "ritual", "测试仪式"]);
    r.expect_code(0);
    let path = site.path("content/rituals/测试仪式.md");
    let text = std::fs::read_to_string(&path).expect("page created");
    assert!(text.starts_with("+++\n"), "{text}");
    assert!(text.contains("title = \"测试仪式\""), "{text}");
    assert!(text.contains("kind = \"ritual\""), "{text}");
    for field in [
        "element",
        "roles",
        "stage",
        "frequency",
        "duration",
        "checklist",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{field} ="))),
            "`{field}` missing:\n{text}"
        );
    }
    // The new page is valid as written.
    let o = site.check();
    assert!(
        errors(&o).is_empty(),
        "a fresh page has errors:\n{}",
        human(&o.diagnostics)
    );

    // A second `new` with the same title changes nothing.
    site.write(
        "content/rituals/测试仪式.md",
        "+++\ntitle = \"测试仪式\"\n+++\n\n我写的内容\n",
    );
    let r = site.run(&["new", "ritual", "测试仪式"]);
    assert_ne!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("测试仪式"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&path).expect("page"),
        "+++\ntitle = \"测试仪式\"\n+++\n\n我写的内容\n"
    );

    // An unknown kind is refused with a suggestion.
    let r = site.run(&["new", "ritul", "别的"]);
    assert_ne!(r.code, Some(0));
    assert!(r.stderr.contains("ritual"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// build flags
// ---------------------------------------------------------------------------------------------

#[test]
fn build_flags_drafts_base_url_and_output() {
    let site = handbook().file(
        "content/guides/草稿.md",
        "+++\ntitle = \"草稿\"\ndraft = true\n+++\n\n[[班长]]\n",
    );
    site.run(&["build"]).expect_code(0);
    assert!(!site.exists("guides/cao-gao/index.html"));
    site.run(&["build", "--drafts"]).expect_code(0);
    assert!(site.exists("guides/cao-gao/index.html"));

    let out = site.path("elsewhere/site");
    site.run(&[
        "build",
        "--base-url",
        "https://example.org/handbook",
        "--output",
        out.to_str().expect("utf-8"),
    ])
    .expect_code(0);
    let html = std::fs::read_to_string(out.join("rituals/kai-ying-yi-shi/index.html"))
        .expect("built into --output");
    assert!(
        html.contains("href=\"/handbook/roles/ban-zhang/\""),
        "{html}"
    );
}
