//! `qunce serve` over real HTTP on 127.0.0.1: serving, traversal, rebuild on save, errors kept
//! out of the served site, live-reload events. Every wait is a bounded poll; nothing asserts on
//! timing.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qunce::serve::{self, ServeOptions, Server};

const PATIENCE: Duration = Duration::from_secs(10);

/// A starter site in a fresh temporary folder, removed on drop.
struct TempSite(PathBuf);

impl TempSite {
    fn new(name: &str) -> TempSite {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "qunce-serve-test-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        qunce::scaffold::init(&dir, false).unwrap();
        let site = TempSite(dir);
        site.write("content/guides/live.md", &page("第一版内容 first-version"));
        site.write(
            "content/guides/diagram.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
        );
        site.write("static/extra.css", "body { color: black; }\n");
        site
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempSite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn page(body: &str) -> String {
    format!("+++\ntitle = \"实时预览\"\n+++\n\n{body}\n")
}

fn start(site: &TempSite) -> Server {
    let mut opts = ServeOptions::new(site.path());
    opts.port = 0;
    opts.quiet = true;
    serve::start(opts).unwrap_or_else(|d| panic!("server did not start: {d:?}"))
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
fn request(addr: SocketAddr, method: &str, path: &str) -> Response {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path)
}

/// Polls `f` until it holds or [`PATIENCE`] runs out.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// An open `/__qunce/events` stream.
struct Events {
    stream: TcpStream,
    received: String,
}

impl Events {
    fn open(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET /__qunce/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut events = Events {
            stream,
            received: String::new(),
        };
        assert!(events.wait_for("text/event-stream"), "{}", events.received);
        assert!(events.wait_for("event: hello"), "{}", events.received);
        events
    }

    /// Reads until `needle` appears after what was already consumed; consumes through it.
    fn wait_for(&mut self, needle: &str) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(i) = self.received.find(needle) {
                self.received.drain(..i + needle.len());
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            match self.stream.read(&mut buf) {
                Ok(0) => return false,
                Ok(n) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => {}
            }
        }
    }

    /// The rest of the current event's data line (after a [`Events::wait_for`] of its name).
    fn data_line(&mut self) -> String {
        assert!(self.wait_for("data: "));
        let deadline = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        while !self.received.contains('\n') && Instant::now() < deadline {
            if let Ok(n) = self.stream.read(&mut buf) {
                self.received.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        let end = self.received.find('\n').unwrap_or(self.received.len());
        self.received.drain(..end).collect()
    }
}

fn status(addr: SocketAddr) -> serde_json::Value {
    let r = get(addr, "/__qunce/status");
    assert_eq!(r.status, 200);
    serde_json::from_slice(&r.body).unwrap()
}

#[test]
fn serves_pages_assets_and_not_found() {
    let site = TempSite::new("serves");
    let server = start(&site);
    let addr = server.addr();
    assert!(addr.ip().is_loopback());
    assert!(server.is_ok(), "{}", status(addr));

    let home = get(addr, "/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("Cache-Control"), Some("no-cache"));
    let html = home.text();
    assert!(html.contains("data-qunce-live"), "no reload script");
    assert!(html.contains("/__qunce/events"));
    let script = html.find("data-qunce-live").unwrap();
    assert!(
        html[script..].contains("</body>"),
        "script not before </body>"
    );
    // Links use the local address, whatever site.toml says.
    assert!(!html.contains("example.org"), "links are not local");

    let live = get(addr, "/guides/live/");
    assert_eq!(live.status, 200);
    assert!(live.text().contains("first-version"));

    let redirect = get(addr, "/guides/live?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("Location"), Some("/guides/live/?x=1"));

    let css = get(addr, "/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("Content-Type"), Some("text/css; charset=utf-8"));
    assert!(!css.text().contains("data-qunce-live"));
    let extra = get(addr, "/extra.css");
    assert_eq!(extra.status, 200);
    assert!(extra.text().contains("color: black"));

    let svg = get(addr, "/guides/diagram.svg");
    assert_eq!(svg.status, 200, "asset not served");
    assert_eq!(svg.header("Content-Type"), Some("image/svg+xml"));

    let missing = get(addr, "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(missing.text().contains("data-qunce-live"));
    assert_eq!(get(addr, "/missing.png").status, 404);

    let head = request(addr, "HEAD", "/guides/live/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("Content-Length"),
        Some(live.body.len().to_string().as_str())
    );
    let post = request(addr, "POST", "/");
    assert_eq!(post.status, 405);

    server.stop();
}

#[test]
fn never_serves_files_outside_the_site() {
    let site = TempSite::new("traversal");
    let secret = "secret-marker-7f3a";
    site.write(
        "site.toml",
        &format!("# {secret}\ntitle = \"手册\"\nbase_url = \"https://example.org\"\n"),
    );
    let server = start(&site);
    let addr = server.addr();
    for path in [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/..%2fsite.toml",
        "/%2e%2e%5csite.toml",
        "/..\\site.toml",
        "/%2E%2E/%2E%2E/site.toml",
        "/guides/../../site.toml",
        "/./site.toml",
        "/site.toml",
        "/content/guides/live.md",
        "//etc/passwd",
        "/%00",
        "/%252e%252e/site.toml",
    ] {
        let r = get(addr, path);
        assert_ne!(r.status, 200, "{path} was served");
        assert!(!r.text().contains(secret), "{path} leaked site.toml");
    }
    server.stop();
}

#[test]
fn rebuilds_on_save_and_keeps_the_last_good_site_on_errors() {
    let site = TempSite::new("rebuild");
    let server = start(&site);
    let addr = server.addr();
    let mut events = Events::open(addr);

    // An edit in place is served after the rebuild, announced as a reload.
    site.write("content/guides/live.md", &page("第二版内容 second-version"));
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("second-version")),
        "the edit was never served"
    );
    assert!(events.wait_for("event: reload"), "{}", events.received);

    // A stylesheet-only change swaps stylesheets instead of reloading.
    site.write("static/extra.css", "body { color: navy; }\n");
    assert!(eventually(|| get(addr, "/extra.css")
        .text()
        .contains("navy")));
    assert!(events.wait_for("event: css"), "{}", events.received);

    // A broken link: the last good page stays served; the error is reported.
    site.write(
        "content/guides/live.md",
        &page("第三版 third-version [[不存在的页面]]"),
    );
    assert!(
        eventually(|| status(addr)["ok"] == false),
        "the error was never reported"
    );
    let st = status(addr);
    assert!(st["errors"].as_u64().unwrap() >= 1);
    let diags = st["diagnostics"].to_string();
    assert!(diags.contains("不存在的页面"), "{diags}");
    assert!(diags.contains("content/guides/live.md"), "{diags}");
    let kept = get(addr, "/guides/live/");
    assert_eq!(kept.status, 200);
    assert!(kept.text().contains("second-version"));
    assert!(!kept.text().contains("third-version"));

    assert!(events.wait_for("event: error"), "{}", events.received);
    let data = events.data_line();
    let reported: serde_json::Value = serde_json::from_str(&data).unwrap();
    let error = reported
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error in the event");
    assert_eq!(error["file"], "content/guides/live.md");
    assert!(error["line"].as_u64().unwrap() > 0);
    assert!(error["message"].as_str().unwrap().contains("不存在的页面"));

    // A tab opened now is told about the error at once.
    let mut late = Events::open(addr);
    assert!(late.wait_for("event: error"), "{}", late.received);

    // Fixed: served again, and the browsers reload.
    site.write(
        "content/guides/live.md",
        &page("第四版 fourth-version [[同好]]"),
    );
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("fourth-version")),
        "the fix was never served"
    );
    assert!(events.wait_for("event: reload"), "{}", events.received);
    assert_eq!(status(addr)["ok"], true);

    // Editor leftovers do not trigger builds (nothing to assert on timing: only that the site
    // stays good and served).
    site.write("content/guides/.live.md.swp", "junk");
    site.write("content/guides/live.md~", "junk");
    assert_eq!(get(addr, "/guides/live/").status, 200);

    server.stop();
}

#[test]
fn a_site_that_never_built_shows_its_errors_until_fixed() {
    let site = TempSite::new("broken-start");
    site.write("content/guides/live.md", &page("坏的 [[不存在的页面]]"));
    let server = start(&site);
    let addr = server.addr();
    assert!(!server.is_ok());
    let r = get(addr, "/guides/live/");
    assert_eq!(r.status, 500);
    assert!(r.text().contains("不存在的页面"));
    assert!(r.text().contains("data-qunce-live"));

    site.write("content/guides/live.md", &page("好了 fixed-now"));
    assert!(eventually(|| get(addr, "/guides/live/").status == 200));
    assert!(get(addr, "/guides/live/").text().contains("fixed-now"));
    server.stop();
}

#[test]
fn the_error_page_and_overlay_speak_the_sites_language() {
    let site = TempSite::new("broken-zh");
    site.write("content/guides/live.md", &page("坏的 [[不存在的页面]]"));
    for (lang, words) in [
        (
            None,
            [
                "<h1 style=\"font-size:18px\">qunce：网站还无法构建</h1>",
                "错误[broken-link]：没有名为 `不存在的页面` 的页面\n",
                "共 1 个错误\n",
                "\"help\":\"提示：\"",
            ],
        ),
        (
            Some(qunce::messages::Lang::En),
            [
                "<h1 style=\"font-size:18px\">qunce: the site does not build yet</h1>",
                "error[broken-link]: no page named `不存在的页面`\n",
                "1 error emitted\n",
                "\"help\":\"help: \"",
            ],
        ),
    ] {
        let mut opts = ServeOptions::new(site.path());
        opts.port = 0;
        opts.quiet = true;
        opts.lang = lang;
        let server = serve::start(opts).unwrap_or_else(|d| panic!("no server: {d:?}"));
        let text = get(server.addr(), "/guides/live/").text();
        for w in words {
            assert!(text.contains(w), "{lang:?}: no {w:?} in\n{text}");
        }
        server.stop();
    }
}

#[test]
fn takes_the_next_port_when_taken_and_frees_it_on_stop() {
    let site = TempSite::new("ports");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut opts = ServeOptions::new(site.path());
    opts.port = port;
    opts.quiet = true;
    let Ok(server) = serve::start(opts) else {
        // Every port after it was taken too: nothing to check on this machine.
        return;
    };
    let addr = server.addr();
    assert_ne!(addr.port(), port);
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert_eq!(get(addr, "/").status, 200);
    server.stop();
    assert!(
        eventually(|| TcpListener::bind(addr).is_ok()),
        "the port stayed bound after stop"
    );
}

#[test]
fn a_folder_without_site_toml_is_refused() {
    let dir = std::env::temp_dir().join(format!("qunce-serve-test-{}-empty", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut opts = ServeOptions::new(&dir);
    opts.port = 0;
    opts.quiet = true;
    let err = serve::start(opts).err().expect("no site, no server");
    assert!(err[0].message.contains("site.toml"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The served bytes of `path` without the live-reload script serve injects.
fn served_without_script(addr: SocketAddr, path: &str) -> Vec<u8> {
    let body = get(addr, path).body;
    let text = String::from_utf8_lossy(&body).into_owned();
    match (
        text.find("<script data-qunce-live>"),
        text.rfind("</script>"),
    ) {
        (Some(a), Some(b)) if b > a => {
            format!("{}{}", &text[..a], &text[b + "</script>".len()..]).into_bytes()
        }
        _ => body,
    }
}

/// Whether every page and file a clean build of the site (with the server's address as its
/// base URL) writes is served with exactly those bytes, and nothing else is served.
fn served_equals_clean_build(site: &TempSite, addr: SocketAddr) -> Result<(), String> {
    let opts = qunce::Options {
        root: site.path().to_path_buf(),
        drafts: false,
        base_url: Some(format!("http://{addr}")),
        output: None,
        ..Default::default()
    };
    let compiled = qunce::compile(&opts).map_err(|_| "config error".to_string())?;
    if compiled.has_errors() {
        return Err("the clean build has errors".into());
    }
    for f in &compiled.files {
        let path = format!("/{}", f.path.trim_end_matches("index.html"));
        let got = if f.path.ends_with(".html") {
            served_without_script(addr, &path)
        } else {
            get(addr, &path).body
        };
        if got != f.bytes {
            return Err(format!("{path} differs from a clean build"));
        }
    }
    Ok(())
}

#[test]
fn follows_every_way_editors_save_and_ends_equal_to_a_clean_build() {
    let site = TempSite::new("saves");
    let server = start(&site);
    let addr = server.addr();

    // Write a temporary file, then rename it over the page (vim, VS Code, most editors).
    site.write(
        "content/guides/.live.md.tmp",
        &page("改名覆盖 renamed-over"),
    );
    std::fs::rename(
        site.path().join("content/guides/.live.md.tmp"),
        site.path().join("content/guides/live.md"),
    )
    .unwrap();
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("renamed-over")),
        "a rename over the page was never served"
    );

    // Delete, then create again (some editors and sync tools).
    std::fs::remove_file(site.path().join("content/guides/live.md")).unwrap();
    assert!(
        eventually(|| get(addr, "/guides/live/").status == 404),
        "a deleted page is still served"
    );
    site.write("content/guides/live.md", &page("重新创建 recreated"));
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("recreated")),
        "a recreated page was never served"
    );

    // A new folder with a page, then the folder removed.
    site.write(
        "content/新栏目/第一页.md",
        "+++\ntitle = \"第一页\"\n+++\n\n新栏目 new-section [[实时预览]]\n",
    );
    assert!(
        eventually(|| get(addr, "/xin-lan-mu/di-yi-ye/")
            .text()
            .contains("new-section")),
        "a page in a new folder was never served"
    );
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("第一页")),
        "the backlink from the new page never appeared"
    );
    std::fs::remove_dir_all(site.path().join("content/新栏目")).unwrap();
    assert!(
        eventually(|| get(addr, "/xin-lan-mu/di-yi-ye/").status == 404),
        "a removed folder's page is still served"
    );
    assert!(
        eventually(|| !get(addr, "/guides/live/").text().contains("第一页")),
        "the backlink of a removed page is still shown"
    );

    // A save storm: hundreds of writes in a burst; the last content wins.
    for i in 0..300 {
        site.write(
            "content/guides/live.md",
            &page(&format!("风暴 storm-{i}-end")),
        );
    }
    assert!(
        eventually(|| get(addr, "/guides/live/").text().contains("storm-299-end")),
        "the last write of a storm was never served"
    );

    // After all of it, the served site is byte for byte what a clean build writes.
    let mut last = String::new();
    assert!(
        eventually(|| match served_equals_clean_build(&site, addr) {
            Ok(()) => true,
            Err(e) => {
                last = e;
                false
            }
        }),
        "{last}"
    );
    server.stop();
}
