//! The output folder: qunce replaces only what it wrote (issue #17). Every test builds the
//! hostile or careless case and asserts the safe outcome: the user's files still there, the
//! exact error with its place, and a complete site when the build may go ahead.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Run, Site, run_bin_guarded, snapshot};

/// A hang guard far above a debug build of these small sites; never a timing assertion.
const GUARD: Duration = Duration::from_secs(120);

fn site() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n[[班长]]\n",
        )
        .file(
            "content/班长.md",
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n\n[[首页]]\n",
        )
}

/// Runs the binary in the site with `args` (after `--root`), under the hang guard.
fn run(site: &Site, args: &[&str]) -> Run {
    let mut all = vec!["--root", site.root().to_str().expect("utf-8 path")];
    all.extend_from_slice(args);
    let r = run_bin_guarded(&all, GUARD);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The first diagnostic of a human run: its message line and help line.
fn error_and_help(r: &Run) -> (String, String) {
    let first = r.stderr.lines().next().unwrap_or_default().to_string();
    let help = r
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("= help:"))
        .unwrap_or_default()
        .trim()
        .to_string();
    (first, help)
}

// ---------------------------------------------------------------------------------------------
// The marker rule
// ---------------------------------------------------------------------------------------------

#[test]
fn a_folder_qunce_did_not_write_is_refused_and_kept() {
    let site = site().file("docs/notes.md", "my notes\n");
    let docs = site.path("docs");
    let r = run(&site, &["build", "--output", s(&docs)]);
    r.expect_code(2);
    let (error, help) = error_and_help(&r);
    assert_eq!(
        error,
        format!(
            "error: refusing to replace {}: it is not empty and qunce did not write it (no .qunce-output file)",
            docs.display()
        )
    );
    assert_eq!(
        help,
        format!(
            "= help: choose an empty or new folder, or pass --force to replace {} (its dotfiles and CNAME are kept)",
            docs.display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(docs.join("notes.md")).unwrap(),
        "my notes\n"
    );
    assert_eq!(snapshot(&docs).len(), 1, "nothing was added to docs/");
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".qunce-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn force_replaces_a_foreign_folder_but_keeps_its_dotfiles() {
    let site = site()
        .file("docs/notes.md", "my notes\n")
        .file("docs/.git/HEAD", "ref: refs/heads/gh-pages\n")
        .file("docs/CNAME", "handbook.example.org\n");
    let docs = site.path("docs");
    run(&site, &["build", "--output", s(&docs), "--force"]).expect_code(0);
    assert!(!docs.join("notes.md").exists(), "--force replaced docs/");
    assert!(docs.join("index.html").is_file());
    assert_eq!(
        std::fs::read_to_string(docs.join(".git/HEAD")).unwrap(),
        "ref: refs/heads/gh-pages\n"
    );
    assert_eq!(
        std::fs::read_to_string(docs.join("CNAME")).unwrap(),
        "handbook.example.org\n"
    );
    // Now marked: the next build needs no --force.
    assert!(docs.join(".qunce-output").is_file());
    run(&site, &["build", "--output", s(&docs)]).expect_code(0);
}

#[test]
fn force_is_a_command_line_flag_only() {
    let site = site().file("site.toml", &format!("{}force = true\n", common::SITE_TOML));
    site.write("public/notes.md", "mine\n");
    let o = site.build();
    assert_eq!(
        o.status,
        qunce::Status::ConfigErrors,
        "{}",
        common::human(&o.diagnostics)
    );
    let unknown = common::one(&o, "unknown-key", "site.toml");
    common::assert_at(unknown, "site.toml", 4, 1);
    assert_eq!(
        std::fs::read_to_string(site.path("public/notes.md")).unwrap(),
        "mine\n"
    );
}

#[test]
fn missing_empty_and_marked_folders_are_replaced() {
    let site = site();
    // Missing.
    site.build_ok();
    assert_eq!(
        std::fs::read_to_string(site.path("public/.qunce-output"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
        "This folder was written by qunce, the static-site generator. `qunce build` replaces it as a whole, keeping only its dotfiles and CNAME; remove this file to stop that."
    );
    // Marked: a file left in it by hand is replaced with the rest.
    site.write("public/stale.html", "old\n");
    site.build_ok();
    assert!(!site.exists("stale.html"));
    // Empty.
    let empty = site.path("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = site.build_with(|o| o.output = Some(empty.clone()));
    assert_eq!(
        o.status,
        qunce::Status::Ok,
        "{}",
        common::human(&o.diagnostics)
    );
    assert!(empty.join("index.html").is_file());
}

#[test]
fn a_pages_worktree_holding_only_dotfiles_counts_as_empty() {
    let site = site()
        .file("public/.git", "gitdir: ../.git/worktrees/public\n")
        .file("public/.nojekyll", "")
        .file("public/CNAME", "handbook.example.org\n");
    site.build_ok();
    assert!(site.exists("index.html"));
    assert_eq!(
        std::fs::read_to_string(site.path("public/.git")).unwrap(),
        "gitdir: ../.git/worktrees/public\n"
    );
    assert!(site.path("public/.nojekyll").is_file());
}

#[test]
fn dotfiles_and_cname_are_carried_over_on_every_build() {
    let site = site();
    site.build_ok();
    site.write("public/.nojekyll", "");
    site.write("public/CNAME", "handbook.example.org\n");
    site.write(
        "public/.well-known/security.txt",
        "Contact: mailto:a@example.org\n",
    );
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    for _ in 0..2 {
        site.build_ok();
        assert_eq!(site.read("CNAME"), "handbook.example.org\n");
        assert_eq!(
            site.read(".well-known/security.txt"),
            "Contact: mailto:a@example.org\n"
        );
        assert_eq!(site.read(".git/HEAD"), "ref: refs/heads/gh-pages\n");
        assert!(site.exists(".nojekyll"));
        assert!(site.exists("index.html"));
    }
    // A CNAME the site ships in static/ wins over the old output's.
    site.write("static/CNAME", "new.example.org\n");
    site.build_ok();
    assert_eq!(site.read("CNAME"), "new.example.org\n");
    assert_eq!(site.read(".git/HEAD"), "ref: refs/heads/gh-pages\n");
}

#[test]
fn a_failed_build_keeps_the_dotfiles_in_the_old_output() {
    let site = site();
    site.build_ok();
    site.write("public/CNAME", "handbook.example.org\n");
    let before = snapshot(&site.public());
    site.write("content/坏.md", "[[没有这页]]\n");
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ContentErrors);
    assert!(snapshot(&site.public()) == before, "public/ changed");
}

// ---------------------------------------------------------------------------------------------
// Files, links and sources are never the output
// ---------------------------------------------------------------------------------------------

#[test]
fn a_file_is_never_replaced_by_a_folder() {
    let site = site().file("notes.txt", "keep me\n");
    let r = run(
        &site,
        &["build", "--output", s(&site.path("notes.txt")), "--force"],
    );
    r.expect_code(2);
    assert_eq!(
        error_and_help(&r).0,
        format!(
            "error: refusing to replace {}: it is a file, not a folder",
            site.path("notes.txt").display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(site.path("notes.txt")).unwrap(),
        "keep me\n"
    );
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_symbolic_link_is_refused() {
    let site = site().file("elsewhere/keep.md", "keep\n");
    std::os::unix::fs::symlink(site.path("elsewhere"), site.path("public")).unwrap();
    let o = site.build_with(|o| o.force = true);
    assert_eq!(o.status, qunce::Status::ConfigErrors);
    assert_eq!(
        o.diagnostics[0].message,
        format!(
            "refusing to replace {}: it is a symbolic link",
            site.public().display()
        )
    );
    assert!(
        site.path("public")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(site.path("elsewhere/keep.md")).unwrap(),
        "keep\n"
    );
}

#[test]
fn source_paths_are_never_the_output_even_with_force() {
    let site = site()
        .file("templates/page.html", "{{ page.title }}")
        .file("static/a.css", "a{}")
        .file("themes/x/templates/page.html", "x")
        .file("archetypes/role.md", "+++\n+++\n")
        .file("data/x.toml", "a = 1\n")
        .file(".git/HEAD", "ref: refs/heads/main\n");
    let root = site.root().to_path_buf();
    let cases: Vec<(std::path::PathBuf, &str)> = vec![
        (root.join("site.toml"), "the site's site.toml"),
        (root.join("content"), "the site's content/ folder"),
        (root.join("content/sub"), "the site's content/ folder"),
        (root.join("templates"), "the site's templates/ folder"),
        (root.join("static"), "the site's static/ folder"),
        (root.join("themes/x"), "the site's themes/ folder"),
        (root.join("archetypes"), "the site's archetypes/ folder"),
        (root.join("data"), "the site's data/ folder"),
        (root.join(".git"), "the site's .git/ folder"),
        (root.clone(), "the site's root folder"),
        (root.join("content/.."), "the site's root folder"),
        (
            root.parent().unwrap().to_path_buf(),
            "a folder holding the site",
        ),
    ];
    let before = snapshot(&root);
    for (out, what) in cases {
        let r = run(&site, &["build", "--output", s(&out), "--force"]);
        r.expect_code(2);
        let (error, help) = error_and_help(&r);
        assert_eq!(
            error,
            format!(
                "error: refusing to write the site into {}: it is {what}",
                out.display()
            )
        );
        assert_eq!(
            help,
            "= help: choose an output folder of its own, e.g. `--output public`; qunce never replaces the site's sources, not even with --force"
        );
    }
    assert!(snapshot(&root) == before, "a source changed");
    assert!(site.path("site.toml").is_file());
}

// ---------------------------------------------------------------------------------------------
// output_dir in site.toml
// ---------------------------------------------------------------------------------------------

fn output_dir_error(value: &str) -> (String, usize, usize, String) {
    let site = site().file(
        "site.toml",
        &format!("{}output_dir = \"{value}\"\n", common::SITE_TOML),
    );
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ConfigErrors, "{value}");
    let d = common::one(&o, "config", "site.toml");
    (
        d.message.clone(),
        d.line,
        d.column,
        d.help.clone().unwrap_or_default(),
    )
}

#[test]
fn output_dir_must_stay_inside_the_site_and_clear_of_its_sources() {
    let help = "write a folder of its own inside the site, e.g. `output_dir = \"public\"`; `build --output DIR` may point anywhere else";
    for (value, why) in [
        (
            "/home/me/Documents",
            "is an absolute path; it must be a folder inside the site",
        ),
        (
            "../sibling",
            "climbs out of the site; it must be a folder inside it",
        ),
        (
            "out/../../sibling",
            "climbs out of the site; it must be a folder inside it",
        ),
        (
            "content",
            "is the site's content/ folder, which a build would replace",
        ),
        (
            ".git",
            "is the site's .git/ folder, which a build would replace",
        ),
        (
            "static/out",
            "is the site's static/ folder, which a build would replace",
        ),
        (
            ".",
            "is the site's root folder, which a build would replace",
        ),
        (
            "site.toml",
            "is the site's site.toml, which a build would replace",
        ),
    ] {
        let (message, line, column, h) = output_dir_error(value);
        assert_eq!(message, format!("`output_dir = \"{value}\"` {why}"));
        assert_eq!((line, column), (4, 14), "{value}");
        assert_eq!(h, help);
    }
}

#[cfg(unix)]
#[test]
fn output_dir_through_a_symbolic_link_out_of_the_site_is_refused() {
    let outside = Site::bare().file("keep.md", "keep\n");
    let site = site().file(
        "site.toml",
        &format!("{}output_dir = \"link/public\"\n", common::SITE_TOML),
    );
    std::os::unix::fs::symlink(outside.root(), site.path("link")).unwrap();
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ConfigErrors);
    let d = common::one(&o, "config", "site.toml");
    assert_eq!(
        d.message,
        "`output_dir = \"link/public\"` leads out of the site through a symbolic link"
    );
    common::assert_at(d, "site.toml", 4, 14);
    assert!(!outside.path("public").exists());
}

#[test]
fn output_dir_inside_the_site_works_and_output_may_point_anywhere() {
    let site = site().file(
        "site.toml",
        &format!("{}output_dir = \"out/site\"\n", common::SITE_TOML),
    );
    site.build_ok();
    assert!(site.path("out/site/index.html").is_file());
    let elsewhere = Site::bare();
    let o = site.build_with(|o| o.output = Some(elsewhere.path("www")));
    assert_eq!(
        o.status,
        qunce::Status::Ok,
        "{}",
        common::human(&o.diagnostics)
    );
    assert!(elsewhere.path("www/index.html").is_file());
}

// ---------------------------------------------------------------------------------------------
// Two builds at once
// ---------------------------------------------------------------------------------------------

/// The staging folder a running build fills beside `public/`, once it holds a file.
fn staging_with_files(root: &Path) -> Option<std::path::PathBuf> {
    std::fs::read_dir(root).ok()?.flatten().find_map(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        (name.starts_with(".qunce-staging-")
            && std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some()))
        .then(|| e.path())
    })
}

#[test]
fn concurrent_builds_into_one_output_both_leave_a_complete_site() {
    let site = Site::new();
    let n = 300;
    for i in 0..n {
        site.write(
            &format!("content/p{i}.md"),
            &format!(
                "+++\ntitle = \"第{i}页\"\n+++\n\n正文 {i}，见 [[第{}页]]。\n",
                (i + 1) % n
            ),
        );
    }
    // Two builds that differ in every page, each first built alone for reference.
    let build = |base: &str, out: Option<std::path::PathBuf>| {
        let o = site.build_with(|o| {
            o.base_url = Some(base.to_string());
            o.output = out;
        });
        assert_eq!(
            o.status,
            qunce::Status::Ok,
            "{}",
            common::human(&o.diagnostics)
        );
    };
    let (a, b) = ("https://a.example.org", "https://b.example.org");
    build(a, Some(site.path("ref-a")));
    build(b, Some(site.path("ref-b")));
    let (ref_a, ref_b) = (snapshot(&site.path("ref-a")), snapshot(&site.path("ref-b")));
    assert!(ref_a != ref_b);
    // Two builds of one process (a test runner, an editor plugin) share a process id and with
    // it the staging folder's name: without the lock, the second takes the first one's
    // staging folder for a killed build's leftover, removes it mid-write and writes into it.
    std::thread::scope(|scope| {
        let first = scope.spawn(|| build(a, None));
        let start = std::time::Instant::now();
        while staging_with_files(site.root()).is_none() && !first.is_finished() {
            assert!(
                start.elapsed() < GUARD,
                "the first build never started writing"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        let second = scope.spawn(|| build(b, None));
        first.join().unwrap();
        second.join().unwrap();
    });
    let out = snapshot(&site.public());
    assert!(out == ref_a || out == ref_b, "the output mixes two builds");
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".qunce-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------------------------------------
// new, init and static/ never go through links or out of the site
// ---------------------------------------------------------------------------------------------

#[test]
fn a_kind_section_that_climbs_out_is_refused_at_its_line() {
    let site = site().file(
        "site.toml",
        &format!(
            "{}[kinds.event]\nlabel = \"活动\"\nsection = \"../../x\"\n",
            common::SITE_TOML
        ),
    );
    let r = run(&site, &["new", "event", "周会"]);
    r.expect_code(2);
    assert!(
        r.stderr.starts_with(
            "error: section `../../x` of kind `event` climbs out of content/\n  --> site.toml:6:11\n"
        ),
        "{}",
        r.stderr
    );
    assert!(!site.root().parent().unwrap().join("x").exists());
}

#[test]
fn new_refuses_a_section_that_climbs_out() {
    let site = site();
    let r = run(&site, &["new", "page", "周会", "--section", "../../x"]);
    r.expect_code(2);
    assert_eq!(
        r.stderr,
        "error: section `../../x` climbs out of content/\n  = help: a section is a folder under content/, e.g. `--section rituals`\n"
    );
    assert!(!site.root().parent().unwrap().join("x").exists());
}

#[cfg(unix)]
#[test]
fn new_never_writes_through_a_symbolic_link() {
    let outside = Site::bare();
    let site = site();
    // A section folder that is a link out of the site.
    std::os::unix::fs::symlink(outside.root(), site.path("content/roles")).unwrap();
    let r = run(&site, &["new", "role", "组长"]);
    r.expect_code(2);
    assert_eq!(
        r.stderr.lines().next().unwrap(),
        format!(
            "error: refusing to write {}: {} is a symbolic link",
            site.path("content/roles/组长.md").display(),
            site.path("content/roles").display()
        )
    );
    assert!(snapshot(outside.root()).is_empty());
    // A dangling link where the page would go.
    std::fs::create_dir_all(site.path("content/rituals")).unwrap();
    let target = outside.path("created-through-link.md");
    std::os::unix::fs::symlink(&target, site.path("content/rituals/周会.md")).unwrap();
    run(&site, &["new", "ritual", "周会"]).expect_code(2);
    assert!(!target.exists(), "written through a dangling link");
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symbolic_link() {
    let outside = Site::bare();
    let dir = Site::bare();
    std::os::unix::fs::symlink(outside.root(), dir.path("content")).unwrap();
    let r = run_bin_guarded(&["init", s(dir.root())], GUARD);
    r.expect_code(2);
    assert!(
        r.stderr.contains(&format!(
            "{} is a symbolic link",
            dir.path("content").display()
        )),
        "{}",
        r.stderr
    );
    assert!(snapshot(outside.root()).is_empty());
    // A dangling site.toml link: init refuses and writes nothing through it.
    let dir = Site::bare();
    let target = outside.path("site.toml");
    std::os::unix::fs::symlink(&target, dir.path("site.toml")).unwrap();
    let r = run_bin_guarded(&["init", s(dir.root())], GUARD);
    r.expect_code(2);
    assert!(!target.exists(), "written through a dangling link");
}

#[cfg(unix)]
#[test]
fn a_static_folder_that_is_a_symbolic_link_is_refused() {
    let secrets = Site::bare().file("id_rsa", "PRIVATE KEY\n");
    let site = site();
    std::os::unix::fs::symlink(secrets.root(), site.path("static")).unwrap();
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ContentErrors);
    let d = common::one(&o, "symlink", "static");
    assert_eq!(
        d.message,
        "static is a symbolic link: static files are never copied through one"
    );
    assert!(!site.public().join("id_rsa").exists());

    // The same for a theme's static folder.
    let site = site_with_theme();
    std::os::unix::fs::symlink(secrets.root(), site.path("themes/own/static")).unwrap();
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ContentErrors);
    common::one(&o, "symlink", "themes/own/static");
    assert!(!site.public().join("id_rsa").exists());
}

fn site_with_theme() -> Site {
    let site = site().file(
        "site.toml",
        &format!("{}theme = \"own\"\n", common::SITE_TOML),
    );
    // The embedded theme's templates, unpacked as a theme of its own.
    let r = run_bin_guarded(&["init", s(&site.path("unpacked")), "--theme-files"], GUARD);
    r.expect_code(0);
    std::fs::create_dir_all(site.path("themes/own")).unwrap();
    std::fs::rename(
        site.path("unpacked/themes/handbook/templates"),
        site.path("themes/own/templates"),
    )
    .unwrap();
    site
}
