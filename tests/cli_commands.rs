//! Each command as a user runs it, through the binary: `serve` (read the printed URL, GET /,
//! stop), `init --theme-files`, `new --section` and `build --timings`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Kills the server when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_prints_its_url_and_serves_the_home_page() {
    let site = handbook();
    let mut child = Child(
        Command::new(bin())
            .args([
                "--root",
                site.root().to_str().unwrap(),
                "serve",
                "--port",
                "0",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn qunce serve"),
    );
    // The URL is printed once the first build is done and the server accepts requests.
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.0.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("http://127.0.0.1:") {
                let _ = tx.send(line[i..].split_whitespace().next().unwrap().to_string());
            }
        }
    });
    // A hang guard, not a timing assertion.
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("`qunce serve` printed no http://127.0.0.1:PORT/ URL");
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();

    let mut s = TcpStream::connect(&authority).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).expect("read the response");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("测试手册"),
        "the home page names the site"
    );

    // Stopping it ends the process.
    let _ = child.0.kill();
    let start = Instant::now();
    while child.0.try_wait().unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "serve did not stop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn init_says_what_it_made_and_what_to_run_next_in_the_writers_language() {
    let parent = Site::bare();
    for (lang, dir, expected) in [
        (
            "zh-CN",
            "站点",
            "已在 {dir} 创建新网站（12 个文件）\n下一步：qunce --root {dir} build\n  或者：qunce --root {dir} serve    # 实时预览\n",
        ),
        (
            "en",
            "site",
            "created a new site in {dir} (12 files)\nnext: qunce --root {dir} build\n  or: qunce --root {dir} serve    # live preview\n",
        ),
    ] {
        let dir = parent.path(dir);
        let shown = dir.to_str().unwrap();
        let run = run_bin(&["init", shown], &[("QUNCE_LANG", lang)]);
        run.expect_code(0);
        assert_eq!(run.stderr, expected.replace("{dir}", shown));
    }
}

#[test]
fn init_theme_files_unpacks_the_embedded_theme_byte_for_byte() {
    let parent = Site::bare();
    let dir = parent.path("site");
    run_bin(&["init", dir.to_str().unwrap(), "--theme-files"], &[]).expect_code(0);
    let ours = snapshot(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/handbook"));
    let unpacked = snapshot(&dir.join("themes/handbook"));
    assert_eq!(
        unpacked.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &ours {
        assert!(
            &unpacked[path] == bytes,
            "{path} differs from the embedded theme"
        );
    }
    // The unpacked theme is the one used: an edit to it shows in the next build.
    let base = dir.join("themes/handbook/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(
        &base,
        text.replacen("<body", "<body data-edited=\"yes\"", 1),
    )
    .unwrap();
    run_bin(&["--root", dir.to_str().unwrap(), "build"], &[]).expect_code(0);
    let home = std::fs::read_to_string(dir.join("public/index.html")).unwrap();
    assert!(
        home.contains("data-edited=\"yes\""),
        "the unpacked theme was not used"
    );
}

#[test]
fn new_section_puts_the_page_in_that_section() {
    let site = handbook();
    site.run(&["new", "ritual", "周会", "--section", "rituals/例会"])
        .expect_code(0);
    let path = site.path("content/rituals/例会/周会.md");
    let text = std::fs::read_to_string(&path).expect("created in the section asked for");
    assert!(text.contains("kind = \"ritual\""), "{text}");
    assert!(!site.path("content/rituals/周会.md").exists());
}

#[test]
fn build_timings_lists_every_stage_with_its_cpu() {
    let site = handbook();
    let r = site.run(&["build", "--timings"]);
    r.expect_code(0);
    let stages: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains(" ms"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for stage in ["load", "scan", "resolve", "render+search", "swap", "total"] {
        assert!(stages.contains(&stage), "{stage} missing in {stages:?}");
    }
    for line in r.stderr.lines().filter(|l| l.contains(" ms")) {
        assert!(line.contains("cores"), "no CPU figure: {line}");
    }
}
