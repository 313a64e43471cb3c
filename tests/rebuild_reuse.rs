//! A rebuild links the files whose bytes did not change from the old output instead of writing
//! them again (Linux): they keep their inode and modification time, so deploys that compare
//! times send only what changed. These tests hold it to its promises: only identical bytes are
//! reused, never a file reached through a link or one with another name, the old output is never
//! written into, and a failed build leaves it exactly as it was.

#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use common::{Site, snapshot};

/// The marker file, written afresh by every build.
const MARKER: &str = ".qunce-output";

fn site() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n先读[[班长]]。\n",
        )
        .file(
            "content/班长.md",
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n\n班长每天早上发签到。\n",
        )
        .file(
            "content/组长.md",
            "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n\n组长带五个人。\n",
        )
}

/// Every file below `dir` with its inode and link count.
fn inodes(dir: &Path) -> BTreeMap<String, (u64, u64)> {
    snapshot(dir)
        .into_keys()
        .map(|rel| {
            let m = std::fs::symlink_metadata(dir.join(&rel)).expect("metadata");
            (rel, (m.ino(), m.nlink()))
        })
        .collect()
}

#[test]
fn an_unchanged_rebuild_keeps_every_file_and_its_time() {
    let site = site();
    site.build_ok();
    let before = inodes(&site.public());
    let bytes = snapshot(&site.public());
    let page = site.public().join("ban-zhang/index.html");
    let mtime = std::fs::metadata(&page).unwrap().modified().unwrap();
    site.build_ok();
    let after = inodes(&site.public());
    assert_eq!(snapshot(&site.public()), bytes);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (rel, (ino, nlink)) in &after {
        // The old output is gone, so no file keeps a second name.
        assert_eq!(*nlink, 1, "{rel}");
        if rel != MARKER {
            assert_eq!(*ino, before[rel].0, "{rel} was written again");
        }
    }
    assert_eq!(std::fs::metadata(&page).unwrap().modified().unwrap(), mtime);
}

#[test]
fn only_what_changed_is_written_again() {
    let site = site();
    site.build_ok();
    let before = inodes(&site.public());
    site.write(
        "content/组长.md",
        "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n\n组长带六个人。\n",
    );
    site.build_ok();
    let after = inodes(&site.public());
    assert!(site.read("zu-zhang/index.html").contains("组长带六个人。"));
    assert_ne!(
        after["zu-zhang/index.html"].0,
        before["zu-zhang/index.html"].0
    );
    assert_eq!(
        after["ban-zhang/index.html"].0,
        before["ban-zhang/index.html"].0
    );
    assert_eq!(after["index.html"].0, before["index.html"].0);
}

#[test]
fn an_output_file_changed_by_hand_is_written_again() {
    let site = site();
    site.build_ok();
    let good = site.read("ban-zhang/index.html");
    // The same length, other bytes: only the bytes tell.
    let tampered: String = good.replace("签到", "打卡");
    assert_eq!(tampered.len(), good.len());
    site.write("public/ban-zhang/index.html", &tampered);
    // Longer than it should be, starting with the right bytes.
    let grown = format!("{}<!-- more -->", site.read("zu-zhang/index.html"));
    let good_group = site.read("zu-zhang/index.html");
    site.write("public/zu-zhang/index.html", &grown);
    site.build_ok();
    assert_eq!(site.read("ban-zhang/index.html"), good);
    assert_eq!(site.read("zu-zhang/index.html"), good_group);
}

#[test]
fn files_reached_through_links_or_with_other_names_are_never_reused() {
    let site = site();
    site.build_ok();
    let page = site.read("ban-zhang/index.html");
    let group = site.read("zu-zhang/index.html");
    // Outside the output: a copy of a page, a folder holding another, and a page that also
    // has a second name.
    let outside = site.path("mine");
    std::fs::create_dir_all(outside.join("folder")).unwrap();
    std::fs::write(outside.join("page.html"), &page).unwrap();
    std::fs::write(outside.join("folder/index.html"), &group).unwrap();
    let public = site.public();
    std::fs::remove_file(public.join("ban-zhang/index.html")).unwrap();
    std::os::unix::fs::symlink(
        outside.join("page.html"),
        public.join("ban-zhang/index.html"),
    )
    .unwrap();
    std::fs::remove_dir_all(public.join("zu-zhang")).unwrap();
    std::os::unix::fs::symlink(outside.join("folder"), public.join("zu-zhang")).unwrap();
    std::fs::hard_link(public.join("index.html"), outside.join("home.html")).unwrap();
    site.build_ok();
    for rel in ["ban-zhang/index.html", "zu-zhang/index.html", "index.html"] {
        let m = std::fs::symlink_metadata(public.join(rel)).unwrap();
        assert!(m.file_type().is_file(), "{rel}");
        assert_eq!(
            m.nlink(),
            1,
            "{rel} shares its file with one outside the output"
        );
    }
    assert_eq!(site.read("ban-zhang/index.html"), page);
    assert_eq!(site.read("zu-zhang/index.html"), group);
    for (rel, text) in [("page.html", &page), ("folder/index.html", &group)] {
        let m = std::fs::metadata(outside.join(rel)).unwrap();
        assert_eq!(m.nlink(), 1, "{rel}");
        assert_eq!(&std::fs::read_to_string(outside.join(rel)).unwrap(), text);
    }
    assert_eq!(
        std::fs::metadata(outside.join("home.html"))
            .unwrap()
            .nlink(),
        1
    );
}

#[test]
fn a_failed_rebuild_leaves_the_old_output_as_it_was() {
    let site = site();
    site.build_ok();
    let bytes = snapshot(&site.public());
    let before = inodes(&site.public());
    // Unchanged pages are linked into the staging folder before the broken link fails it.
    site.write(
        "content/坏.md",
        "+++\ntitle = \"坏\"\n+++\n\n[[没有这页]]\n",
    );
    let o = site.build();
    assert_eq!(o.status, qunce::Status::ContentErrors);
    assert_eq!(snapshot(&site.public()), bytes);
    assert_eq!(inodes(&site.public()), before);
}
