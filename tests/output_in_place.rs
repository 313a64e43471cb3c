//! A rebuild updates an output folder whose marker lists the last build's files in place
//! (Linux): only changed files are renamed in, files no longer built and anything left by hand
//! go, and the folder itself stays. Whatever the old folder held, the result is byte for byte
//! what a build into an empty folder gives.

#![cfg(target_os = "linux")]

mod common;

use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

use common::{Site, snapshot};

const MARKER: &str = ".qunce-output";

fn site() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n先读[[班长]]和[[组长]]。\n",
        )
        .file(
            "content/班长.md",
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n\n班长每天早上发签到。\n",
        )
        .file(
            "content/组长.md",
            "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n\n组长带五个人。\n",
        )
        .file("static/files/表格.csv", "日期,值月生\n")
        .file("content/附件/签到表.csv", "日期,签到\n")
}

fn ino(p: &Path) -> u64 {
    std::fs::symlink_metadata(p).expect("metadata").ino()
}

/// Asserts that `public/` is exactly what a build into a new folder makes now.
fn assert_fresh(site: &Site, n: usize) {
    let fresh = site.path(&format!("fresh-{n}"));
    let o = site.build_with(|o| o.output = Some(fresh.clone()));
    assert_eq!(
        o.status,
        qunce::Status::Ok,
        "{}",
        common::human(&o.diagnostics)
    );
    let (got, want) = (snapshot(&site.public()), snapshot(&fresh));
    let names = |m: &std::collections::BTreeMap<String, Vec<u8>>| m.keys().cloned().collect();
    let (got_names, want_names): (Vec<String>, Vec<String>) = (names(&got), names(&want));
    assert_eq!(got_names, want_names);
    assert!(got == want, "public/ differs from a fresh build");
    std::fs::remove_dir_all(&fresh).unwrap();
}

/// Names in the site root left by a build (staging or retired folders).
fn leftovers(site: &Site) -> Vec<String> {
    std::fs::read_dir(site.root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".qunce-"))
        .collect()
}

#[test]
fn the_marker_lists_every_file_the_build_wrote() {
    let site = site();
    site.build_ok();
    let marker = site.read(MARKER);
    let (sentence, list) = marker.split_once("\n\n").unwrap();
    assert!(sentence.starts_with("This folder was written by qunce"));
    // Each file with the XXH3 of its bytes, but the assets copied from content/, in path
    // order.
    let mut want = String::from("Files written by the last build:\n");
    for (f, bytes) in snapshot(&site.public()) {
        if f == MARKER {
            continue;
        }
        if f == "fu-jian/签到表.csv" {
            want.push_str("- ");
        } else {
            want.push_str(&format!("{:016x} ", twox_hash::XxHash3_64::oneshot(&bytes)));
        }
        want.push_str(&f);
        want.push('\n');
    }
    assert_eq!(list, want);
    assert!(want.contains("\n- fu-jian/签到表.csv\n"));
}

#[test]
fn a_file_changed_by_hand_is_written_again_even_with_its_old_time() {
    let site = site();
    site.build_ok();
    let page = site.public().join("ban-zhang/index.html");
    let good = site.read("ban-zhang/index.html");
    let time = std::fs::metadata(&page).unwrap().modified().unwrap();
    // The same length and the same modification time: only the bytes (or the status change
    // time, which cannot be set back) tell.
    let tampered = good.replace("签到", "打卡");
    assert_eq!(tampered.len(), good.len());
    std::fs::write(&page, &tampered).unwrap();
    let f = std::fs::File::options().write(true).open(&page).unwrap();
    f.set_modified(time).unwrap();
    drop(f);
    site.build_ok();
    assert_eq!(site.read("ban-zhang/index.html"), good);
    assert_fresh(&site, 1);
}

#[test]
fn a_rebuild_keeps_the_folder_and_renames_in_only_what_changed() {
    let site = site();
    site.build_ok();
    let public = site.public();
    let (folder, page_folder) = (ino(&public), ino(&public.join("ban-zhang")));
    let (kept, edited) = (
        ino(&public.join("ban-zhang/index.html")),
        ino(&public.join("zu-zhang/index.html")),
    );
    // A process working in the folder (a shell, a static server) keeps its place.
    let held = std::fs::File::open(&public).unwrap();
    site.write(
        "content/组长.md",
        "+++\ntitle = \"组长\"\nkind = \"role\"\n+++\n\n组长带六个人。\n",
    );
    site.build_ok();
    assert!(site.read("zu-zhang/index.html").contains("组长带六个人。"));
    assert_eq!(ino(&public), folder);
    assert_eq!(ino(&public.join("ban-zhang")), page_folder);
    assert_eq!(ino(&public.join("ban-zhang/index.html")), kept);
    assert_ne!(ino(&public.join("zu-zhang/index.html")), edited);
    assert_eq!(held.metadata().unwrap().ino(), folder);
    assert_eq!(leftovers(&site), Vec::<String>::new());
    assert_fresh(&site, 1);
}

#[test]
fn pages_no_longer_built_go_with_their_folders() {
    let site = site().file(
        "content/值月生/轮值表.md",
        "+++\ntitle = \"轮值表\"\n+++\n\n每月一换。\n",
    );
    site.build_ok();
    let gone = site
        .output_files()
        .into_iter()
        .find(|f| f.ends_with("/index.html") && f.contains("lun-zhi"))
        .expect("the page's file");
    std::fs::remove_dir_all(site.path("content/值月生")).unwrap();
    std::fs::remove_file(site.path("static/files/表格.csv")).unwrap();
    site.build_ok();
    assert!(!site.exists(&gone), "{gone} is still there");
    let top = gone.split('/').next().unwrap();
    assert!(!site.exists(top), "the emptied folder {top} is still there");
    assert!(
        !site.exists("files"),
        "the emptied folder files/ is still there"
    );
    assert!(!site.read(MARKER).contains("lun-zhi"));
    assert_fresh(&site, 1);
}

#[test]
fn files_left_by_hand_go_but_dotfiles_and_cname_stay() {
    let site = site();
    site.build_ok();
    // Deep in a page folder, in a new folder, at the top; and what every build carries over.
    site.write("public/ban-zhang/notes.txt", "mine\n");
    site.write("public/extra/deep/a.txt", "mine\n");
    site.write("public/stray.html", "old\n");
    site.write("public/CNAME", "handbook.example.org\n");
    site.write(
        "public/.well-known/security.txt",
        "Contact: a@example.org\n",
    );
    site.build_ok();
    for gone in ["ban-zhang/notes.txt", "extra", "stray.html"] {
        assert!(!site.exists(gone), "{gone} is still there");
    }
    assert_eq!(site.read("CNAME"), "handbook.example.org\n");
    assert_eq!(
        site.read(".well-known/security.txt"),
        "Contact: a@example.org\n"
    );
    // Once more, after the marker was touched: a folder changed later is read again.
    site.write("public/zu-zhang/late.txt", "mine\n");
    site.build_ok();
    assert!(!site.exists("zu-zhang/late.txt"));
    std::fs::remove_file(site.path("public/CNAME")).unwrap();
    std::fs::remove_dir_all(site.path("public/.well-known")).unwrap();
    assert_fresh(&site, 1);
}

#[test]
fn whatever_stands_where_the_output_goes_is_replaced_and_links_are_not_followed() {
    let site = site().file("outside/index.html", "not the site's\n");
    site.build_ok();
    let public = site.public();
    // A file where a page folder goes, a folder where a page goes, a link where a folder
    // goes, and a link where a file goes.
    std::fs::remove_dir_all(public.join("ban-zhang")).unwrap();
    std::fs::write(public.join("ban-zhang"), "a file\n").unwrap();
    std::fs::remove_file(public.join("zu-zhang/index.html")).unwrap();
    std::fs::create_dir_all(public.join("zu-zhang/index.html/inner")).unwrap();
    std::fs::write(public.join("zu-zhang/index.html/inner/x"), "x\n").unwrap();
    std::fs::remove_dir_all(public.join("files")).unwrap();
    std::os::unix::fs::symlink(site.path("outside"), public.join("files")).unwrap();
    std::fs::remove_file(public.join("index.html")).unwrap();
    std::os::unix::fs::symlink(site.path("outside/index.html"), public.join("index.html")).unwrap();
    site.build_ok();
    assert_eq!(
        std::fs::read_to_string(site.path("outside/index.html")).unwrap(),
        "not the site's\n"
    );
    assert_eq!(
        std::fs::read_dir(site.path("outside")).unwrap().count(),
        1,
        "something was written through the link"
    );
    assert!(
        std::fs::symlink_metadata(public.join("files"))
            .unwrap()
            .is_dir()
    );
    assert_fresh(&site, 1);
}

#[test]
fn a_marker_without_a_list_or_with_a_bad_one_replaces_the_folder_whole() {
    let site = site().file("keep.txt", "the site's own file\n");
    site.build_ok();
    let sentence = site.read(MARKER).split_once("\n\n").unwrap().0.to_string() + "\n";
    // The marker of an older qunce: the folder is replaced whole, and gets a list.
    site.write(MARKER_PATH, &sentence);
    site.write("public/ban-zhang/notes.txt", "mine\n");
    let folder = ino(&site.public());
    site.build_ok();
    assert_ne!(ino(&site.public()), folder);
    assert!(!site.exists("ban-zhang/notes.txt"));
    assert!(site.read(MARKER).contains(" ban-zhang/index.html\n"));
    // A list naming a file outside the output is no list: nothing outside is touched.
    let hostile = format!("{sentence}\nFiles written by the last build:\n../keep.txt\n");
    site.write(MARKER_PATH, &hostile);
    site.build_ok();
    assert_eq!(
        std::fs::read_to_string(site.path("keep.txt")).unwrap(),
        "the site's own file\n"
    );
    assert_fresh(&site, 1);
}

const MARKER_PATH: &str = "public/.qunce-output";
