//! The first hour of a new user (issue 20): `qunce init` with `--title` and `--base-url`, the
//! `next:` lines it prints run as printed, the placeholder base URL warned about once on build,
//! robots.txt only at a host root, theme customisation without copying the theme (partial
//! overrides, `extra_head`/`extra_body`, `theme unpack` that never overwrites), a custom kind's
//! field labels and readable titles of folders without `_index.md`.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

/// A fresh folder for `init` to fill (the site does not exist yet).
fn empty_dir() -> Site {
    Site::bare()
}

#[test]
fn init_takes_title_and_base_url_and_asks_nothing() {
    let tmp = empty_dir();
    let dir = tmp.path("hb");
    let dir_s = dir.to_str().unwrap();
    // stdin closed: init must not wait for an answer.
    let out = Command::new(bin())
        .args([
            "init",
            dir_s,
            "--title",
            "Our \"club\" handbook",
            "--base-url",
            "https://club.qunce.test/handbook/",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let toml = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    assert!(
        toml.contains("title = 'Our \"club\" handbook'")
            || toml.contains("title = \"Our \\\"club\\\" handbook\""),
        "{toml}"
    );
    assert!(
        toml.contains("base_url = \"https://club.qunce.test/handbook\""),
        "{toml}"
    );
    let home = std::fs::read_to_string(dir.join("content/_index.md")).unwrap();
    assert!(
        home.contains("club"),
        "the home page carries the title: {home}"
    );

    // It builds with no warning at all: the address is real, so no placeholder warning.
    let r = run_bin(&["--root", dir_s, "build"], &[]);
    r.expect_code(0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let index = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(
        index.contains("<title>Our &quot;club&quot; handbook</title>"),
        "{index}"
    );
    // Below a sub-path, the site does not own /robots.txt.
    assert!(!dir.join("public/robots.txt").exists());
    assert!(
        std::fs::read_to_string(dir.join("public/sitemap.xml"))
            .unwrap()
            .contains("<loc>https://club.qunce.test/handbook/</loc>")
    );
}

#[test]
fn init_refuses_a_base_url_that_is_not_http() {
    let tmp = empty_dir();
    let dir = tmp.path("hb");
    let r = run_bin(
        &[
            "init",
            dir.to_str().unwrap(),
            "--base-url",
            "club.qunce.test",
        ],
        &[],
    );
    r.expect_code(2);
    assert_eq!(
        r.stderr,
        "error: `club.qunce.test` is not an http(s) address\n  = help: give the address the site is published at, e.g. `--base-url https://handbook.example.cn/docs`\n"
    );
    assert!(!dir.join("site.toml").exists(), "nothing written");
}

#[test]
fn the_next_lines_run_as_printed_even_with_a_space_in_the_path() {
    let tmp = empty_dir();
    let dir = tmp.path("my handbook");
    let r = run_bin(&["init", dir.to_str().unwrap()], &[]);
    r.expect_code(0);
    let next: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("next: "))
        .collect();
    assert_eq!(next.len(), 1, "{}", r.stderr);
    assert!(next[0].starts_with("qunce --root '"), "{}", next[0]);
    // Run the line in a shell with the binary first on PATH, as after `cargo install`.
    let bin_dir = Path::new(bin()).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", next[0]])
        .env("PATH", path)
        .env("QUNCE_LANG", "en")
        .current_dir(tmp.root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("public/index.html").is_file());
}

#[test]
fn a_placeholder_base_url_is_one_warning_on_build_only() {
    let tmp = empty_dir();
    let dir = tmp.path("hb");
    let dir_s = dir.to_str().unwrap();
    run_bin(&["init", dir_s], &[]).expect_code(0);
    let r = run_bin(&["--root", dir_s, "build"], &[("NO_COLOR", "1")]);
    r.expect_code(0);
    let toml = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    let (line, col) = pos(&toml, "\"https://example.org\"");
    let line_text = toml.lines().nth(line - 1).unwrap();
    let (diags, summary) = r.stderr.split_once("1 warning emitted\n").unwrap();
    assert!(summary.starts_with("built "), "{summary}");
    assert_eq!(
        diags,
        format!(
            "warning[placeholder-base-url]: base_url is still the placeholder `https://example.org`: sitemap.xml, robots.txt and feeds point there\n  --> site.toml:{line}:{col}\n  |\n{line} | {line_text}\n  |            ^\n  = help: set base_url to the address the site is published at, or build with `--base-url URL`\n\n"
        )
    );
    // No path below the host: robots.txt is written at the root.
    assert!(dir.join("public/robots.txt").is_file());

    // `--base-url` replaces the address: nothing to warn about; `check` does not publish.
    let r = run_bin(
        &[
            "--root",
            dir_s,
            "build",
            "--base-url",
            "https://hb.qunce.test",
        ],
        &[],
    );
    r.expect_code(0);
    assert!(!r.stderr.contains("placeholder"), "{}", r.stderr);
    let r = run_bin(&["--root", dir_s, "check"], &[]);
    assert!(!r.stderr.contains("placeholder"), "{}", r.stderr);

    let o = Site::new().file("content/a.md", "a").build_ok();
    let d = one(&o, "placeholder-base-url", "site.toml");
    assert_at(d, "site.toml", 2, 12);
}

#[test]
fn robots_txt_only_at_the_host_root() {
    let at_root = Site::new().file("content/a.md", "a");
    at_root.build_with(|o| o.base_url = Some("https://hb.qunce.test/".into()));
    assert_eq!(
        at_root.read("robots.txt"),
        "User-agent: *\nAllow: /\nSitemap: https://hb.qunce.test/sitemap.xml\n"
    );
    let below = Site::new().file("content/a.md", "a");
    below.build_with(|o| o.base_url = Some("https://hb.qunce.test/docs/".into()));
    assert!(!below.exists("robots.txt"));
    assert!(below.exists("sitemap.xml"));
}

#[test]
fn init_theme_files_into_an_existing_site_never_overwrites() {
    let site = Site::new().file("content/a.md", "a").file(
        "themes/handbook/templates/page.html",
        "{% extends \"handbook/templates/page.html\" %}{% block card %}MINE {{ page.title }}{% endblock card %}",
    );
    let before = std::fs::read_to_string(site.path("site.toml")).unwrap();
    let r = site.run(&["init", "--theme-files"]);
    r.expect_code(0);
    assert!(
        r.stderr.contains("kept 1 files that were already there"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(site.path("site.toml")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(site.path("themes/handbook/templates/page.html")).unwrap(),
        "{% extends \"handbook/templates/page.html\" %}{% block card %}MINE {{ page.title }}{% endblock card %}"
    );
    assert!(site.path("themes/handbook/templates/base.html").is_file());
    assert!(site.path("themes/handbook/static/app.js").is_file());
    // A second unpack writes nothing and keeps everything.
    let r = site.run(&["theme", "unpack"]);
    r.expect_code(0);
    assert!(
        r.stderr.starts_with("unpacked 0 theme files"),
        "{}",
        r.stderr
    );
    site.build_ok();
    assert!(site.read("a/index.html").contains("MINE a"));
    // Not a site: a clear error, nothing written.
    let bare = Site::bare();
    let r = bare.run(&["theme", "unpack"]);
    r.expect_code(2);
    assert!(r.stderr.contains("has no site.toml"), "{}", r.stderr);
    assert!(!bare.path("themes").exists());
}

#[test]
fn a_theme_folder_overrides_only_some_templates() {
    let site = Site::new()
        .file("site.toml", &format!("{SITE_TOML}theme = \"mine\"\n"))
        .file("content/a.md", "+++\ntitle = \"甲\"\n+++\n正文")
        .file(
            "themes/mine/templates/page.html",
            "{% extends \"handbook/templates/page.html\" %}{% block card %}<p id=mine>{{ page.title }}</p>{% endblock card %}",
        )
        .file("themes/mine/static/extra.css", "p{}");
    site.build_ok();
    let html = site.read("a/index.html");
    assert!(html.contains("<p id=mine>甲</p>"), "{html}");
    assert!(
        html.contains("正文"),
        "the rest of the default page.html: {html}"
    );
    // base.html, the section page and the static files come from the embedded theme.
    assert!(html.contains("class=\"topbar\""), "{html}");
    assert!(site.read("index.html").contains("class=\"topbar\""));
    assert!(site.exists("style.css") && site.exists("extra.css"));
    // A theme that does not exist is still an error.
    let missing = Site::new()
        .file("site.toml", &format!("{SITE_TOML}theme = \"nope\"\n"))
        .file("content/a.md", "a");
    let o = missing.build();
    assert_ne!(o.status, qunce::Status::Ok);
    assert!(
        errors(&o)
            .iter()
            .any(|d| d.message == "theme `nope` not found"),
        "{}",
        human(&o.diagnostics)
    );
}

#[test]
fn extra_head_and_extra_body_take_a_stylesheet_without_copying_base() {
    let site = Site::new()
        .file("content/a.md", "a")
        .file(
            "templates/base.html",
            "{% extends \"handbook/templates/base.html\" %}\n{% block extra_head %}<link rel=\"stylesheet\" href=\"{{ site.root }}custom.css\">{% endblock extra_head %}\n{% block extra_body %}<script src=\"{{ site.root }}custom.js\"></script>{% endblock extra_body %}",
        )
        .file("static/custom.css", "body{}")
        .file("static/custom.js", "");
    site.build_ok();
    for page in [
        "a/index.html",
        "index.html",
        "404.html",
        "matrix/index.html",
    ] {
        let html = site.read(page);
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.ends_with("<link rel=\"stylesheet\" href=\"/custom.css\">\n"),
            "{page}: {head}"
        );
        assert!(
            html.ends_with("<script src=\"/custom.js\"></script>\n</body>\n</html>\n"),
            "{page}: {html}"
        );
        assert!(html.contains("class=\"topbar\""), "{page}");
    }
    // Without overrides the blocks are empty.
    let plain = Site::new().file("content/a.md", "a");
    plain.build_ok();
    let html = plain.read("a/index.html");
    assert!(html.contains("atom.xml\">\n\n</head>"), "{html}");
}

#[test]
fn a_custom_kind_shows_its_field_labels() {
    let site = Site::new()
        .file(
            "site.toml",
            &format!(
                "{SITE_TOML}[kinds.event]\nlabel = \"活动\"\n[kinds.event.fields.host]\ntype = \"link\"\nlabel = \"主持人\"\n[kinds.event.fields.size]\ntype = \"enum\"\nlabel = \"规模\"\nvalues = [\"small\", \"large\"]\nlabels = [\"小型\", \"大型\"]\n[kinds.event.fields.paid]\ntype = \"bool\"\nlabel = \"收费\"\n[kinds.event.fields.venue]\ntype = \"string\"\n"
            ),
        )
        .file("content/班长.md", "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n")
        .file(
            "content/周会.md",
            "+++\ntitle = \"周会\"\nkind = \"event\"\nhost = \"班长\"\nsize = \"large\"\npaid = false\nvenue = \"线上\"\n+++\n",
        );
    site.build_ok();
    let html = site.read("zhou-hui/index.html");
    for fact in [
        "<dt>主持人</dt><dd><a href=\"/ban-zhang/\">班长</a></dd>",
        "<dt>规模</dt><dd>大型</dd>",
        "<dt>收费</dt><dd>否</dd>",
        // A field without a label shows its name.
        "<dt>venue</dt><dd>线上</dd>",
    ] {
        assert!(
            html.contains(fact),
            "{fact} missing in:\n{}",
            main_of(&html)
        );
    }
}

#[test]
fn a_folder_without_index_has_a_readable_title() {
    let site = Site::new()
        .file("content/_index.md", "+++\ntitle = \"首页\"\n+++\n")
        .file(
            "content/02-getting_started/one.md",
            "+++\ntitle = \"One\"\n+++\n",
        )
        .file("content/年度复盘/two.md", "+++\ntitle = \"Two\"\n+++\n");
    site.build_ok();
    let section = site.read("02-getting-started/index.html");
    assert!(
        section.contains("<title>Getting started · 测试手册</title>"),
        "{section}"
    );
    let chinese = site.read("nian-du-fu-pan/index.html");
    assert!(
        chinese.contains("<title>年度复盘 · 测试手册</title>"),
        "{chinese}"
    );
}
