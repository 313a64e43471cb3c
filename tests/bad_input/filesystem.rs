//! The file system: symlink loops and escapes, unreadable files, FIFOs, odd and long file names.

use super::*;

#[cfg(unix)]
#[test]
fn symlink_loops() {
    use std::os::unix::fs::symlink;
    let c = good();
    let p = |r: &str| c.site.path(r);
    symlink(p("content"), p("content/loop")).expect("dir loop");
    symlink(p("content/roles"), p("content/roles/self")).expect("dir loop 2");
    symlink(p("content/b.md"), p("content/a.md")).expect("file loop a");
    symlink(p("content/a.md"), p("content/b.md")).expect("file loop b");
    c.expect(
        0,
        &[
            w("symlink", "content/a.md", 0, 0),
            w("symlink", "content/b.md", 0, 0),
            w("symlink", "content/loop", 0, 0),
            w("symlink", "content/roles/self", 0, 0),
        ],
    );
}

#[cfg(unix)]
#[test]
fn symlinks_pointing_outside_the_root() {
    use std::os::unix::fs::symlink;
    let outside = Site::bare().file("secret.md", "+++\ntitle = \"SECRET\"\n+++\nSECRET\n");
    let c = good();
    symlink(outside.path("secret.md"), c.site.path("content/secret.md")).expect("file link");
    symlink(outside.root(), c.site.path("content/outside")).expect("dir link");
    std::fs::create_dir_all(c.site.path("static")).expect("static/");
    symlink(outside.path("secret.md"), c.site.path("static/secret.txt")).expect("static link");
    std::fs::create_dir_all(c.site.path("templates")).expect("templates/");
    symlink(
        outside.path("secret.md"),
        c.site.path("templates/page.html"),
    )
    .expect("tpl link");
    c.expect(
        0,
        &[
            w("symlink", "content/outside", 0, 0),
            w("symlink", "content/secret.md", 0, 0),
        ],
    );
    for (path, bytes) in snapshot(&c.site.public()) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("SECRET"),
            "{path} holds the outside file"
        );
    }
}

/// Whether this process can read a file it has no permission for (root, or CAP_DAC_OVERRIDE):
/// then permission bits cannot make a read fail.
#[cfg(unix)]
fn permissions_are_bypassed(probe: &std::path::Path) -> bool {
    std::fs::read(probe).is_ok()
}

#[cfg(unix)]
#[test]
fn unreadable_files() {
    use std::os::unix::fs::PermissionsExt;
    let c = good();
    c.write(BAD, "+++\ntitle = \"坏\"\n+++\n[[班长]]\n");
    let path = c.site.path(BAD);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if permissions_are_bypassed(&path) {
        // Running as root (CI containers): mode 000 does not stop root's reads, and nothing
        // else makes a regular file's read fail reliably, so this one case cannot happen here.
        // FIFOs and other special files, the other way a read goes wrong, have their own case.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        eprintln!("unreadable_files: skipped, this process bypasses file permissions (root)");
        return;
    }
    c.expect(1, &[e("io", BAD, 0, 0)]);
}

#[cfg(unix)]
#[test]
fn fifo_in_content_does_not_hang() {
    let c = good();
    let fifo = c.site.path("content/guides/管道.md");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    let asset = c.site.path("content/guides/pipe.png");
    std::process::Command::new("mkfifo")
        .arg(&asset)
        .status()
        .expect("mkfifo");
    c.expect(
        0,
        &[
            w("special-file", "content/guides/pipe.png", 0, 0),
            w("special-file", "content/guides/管道.md", 0, 0),
        ],
    );
}

#[test]
fn names_with_spaces_quotes_and_non_ascii() {
    let c = good();
    let names = [
        "content/guides/with space.md",
        "content/guides/it's \"quoted\".md",
        "content/guides/emoji 🎉 页.md",
        "content/guides/Ünïcödé café.md",
        "content/guides/绿色女生.md",
        "content/guides/<script>.md",
        "content/dir with space/a&b.md",
    ];
    let mut index = String::from("+++\ntitle = \"索引\"\n+++\n[[班长]]\n");
    for n in names {
        let stem = n.rsplit('/').next().unwrap().trim_end_matches(".md");
        c.write(n, &format!("# {stem}\n\n[[索引]]\n"));
        index.push_str(&format!(
            "[[{}]]\n",
            n.trim_start_matches("content/").trim_end_matches(".md")
        ));
    }
    c.write("content/guides/索引.md", &index);
    c.write("content/dir with space/photo 1.png", "png");
    // `# <script>` is a heading holding raw HTML, which the sanitizer removes.
    c.expect(0, &[w("removed-html", "content/guides/<script>.md", 1, 3)]);
    for out in [
        "guides/with-space/index.html",
        "guides/it-s-quoted/index.html",
        "guides/emoji-ye/index.html",
        "guides/unicode-cafe/index.html",
        // Pinyin's ü becomes v: URLs stay ASCII (found by fuzzing).
        "guides/lv-se-nv-sheng/index.html",
        "guides/script/index.html",
        "dir-with-space/a-b/index.html",
        "dir-with-space/photo 1.png",
    ] {
        assert!(
            c.site.exists(out),
            "{out} missing: {:?}",
            c.site.output_files()
        );
    }
    let html = c.read("guides/script/index.html");
    assert!(!html.contains("<script>.md") && !html.contains("<title><script>"));
}

#[test]
fn a_file_name_that_slugs_to_nothing() {
    let c = good();
    c.write(
        "content/guides/!!!.md",
        "+++\ntitle = \"感叹\"\n+++\n[[班长]]\n",
    )
    .expect(1, &[e("url-collision", "content/guides/!!!.md", 1, 1)]);
}

#[test]
fn a_255_byte_file_name() {
    let c = good();
    let name = format!("content/guides/{}.md", "长".repeat(84));
    c.write(&name, "+++\ntitle = \"长名\"\n+++\n[[班长]]\n")
        .expect(0, &[]);
    // 84 syllables of pinyin would be 503 bytes, over the 255-byte file-name limit: the slug
    // is cut at a syllable boundary.
    let slug = format!("{}zhang", "zhang-".repeat(19));
    assert!(
        c.site.exists(&format!("guides/{slug}/index.html")),
        "{:?}",
        c.site.output_files()
    );
}
