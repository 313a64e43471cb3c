//! The dev server against hostile requests, over raw TCP on 127.0.0.1 (an HTTP client library
//! would normalise the very paths under test): traversal in every spelling, symlinks out of
//! the site, loopback-only defaults, huge headers and URLs, absurd methods, slowloris and
//! clients that never read. Each case ends by checking that the server still answers a normal
//! request. Every wait is bounded; nothing asserts on speed.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qunce::serve::{self, ServeOptions, Server};

/// How long any single exchange may take before the test calls it a hang.
const PATIENCE: Duration = Duration::from_secs(30);
/// Marks every file outside the served output; a response containing it is a leak.
const SECRET: &str = "QUNCE-SECRET-7f3a";

/// A starter site plus a secret file beside it (outside the root), removed on drop.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "qunce-serve-hardening-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site")).unwrap();
        qunce::scaffold::init(&dir.join("site"), false).unwrap();
        let f = Fixture { dir };
        f.write("secret.txt", SECRET);
        f.write(
            "secret-dir/secret.md",
            &format!("+++\ntitle = \"{SECRET}\"\n+++\n{SECRET}\n"),
        );
        // The site's own sources are not output either.
        f.write(
            "site/content/guides/私密.md",
            &format!("+++\ntitle = \"私密\"\n+++\n<!-- {SECRET} -->\n"),
        );
        f
    }

    fn root(&self) -> PathBuf {
        self.dir.join("site")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn start(&self) -> Server {
        let mut opts = ServeOptions::new(self.root());
        opts.port = 0;
        opts.quiet = true;
        serve::start(opts).unwrap_or_else(|d| panic!("server did not start: {d:?}"))
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A response as read off the wire: status (0 when the server closed without answering) and
/// the raw bytes.
struct Reply {
    status: u16,
    raw: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

/// Whether `raw` holds a whole response: a head, and as many body bytes as its Content-Length.
fn complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    len.is_some_and(|n| raw.len() >= end + 4 + n)
}

/// Sends `bytes` as is on a fresh connection and reads one response (until the server closes
/// the connection or the response is complete).
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Reply {
    exchange_within(addr, bytes, PATIENCE, false)
}

/// [`exchange`] with its own patience; `stall_ok`: no answer at all is an acceptable outcome
/// (status 0), for requests a server may ignore.
fn exchange_within(addr: SocketAddr, bytes: &[u8], patience: Duration, stall_ok: bool) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(patience)).unwrap();
    s.set_write_timeout(Some(PATIENCE)).unwrap();
    // The server may answer and close before reading everything: a failed write is fine.
    let _ = s.write_all(bytes);
    let mut raw = Vec::new();
    let start = Instant::now();
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                if complete(&raw) {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(_) if stall_ok && raw.is_empty() => break,
            Err(e) => panic!(
                "no answer within {patience:?} ({e}) after {:?}",
                start.elapsed()
            ),
        }
    }
    let status = std::str::from_utf8(&raw[..raw.len().min(12)])
        .ok()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Reply { status, raw }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// The server still serves its home page.
fn still_serves(addr: SocketAddr) {
    let r = get(addr, "/");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("</html>"));
}

#[test]
fn traversal_in_every_spelling_stays_inside_the_output() {
    let f = Fixture::new("traversal");
    let server = f.start();
    let addr = server.addr();
    assert_eq!(get(addr, "/").status, 200);
    for target in [
        "/../secret.txt",
        "/../../secret.txt",
        "/..",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/%252e%252e/secret.txt",
        "/%252e%252e%252fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..%255csecret.txt",
        "/\\..\\secret.txt",
        "/.\\..\\secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/..;/secret.txt",
        "//../secret.txt",
        "/./../secret.txt",
        "/guides/../../secret.txt",
        "/site.toml",
        "/../site/site.toml",
        "/content/guides/私密.md",
        "/content/guides/%E7%A7%81%E5%AF%86.md",
        "/secret-dir/secret.md",
        "/%00../secret.txt",
        "/secret.txt%00.html",
        "http://127.0.0.1/../secret.txt",
        "../secret.txt",
        "*",
    ] {
        let r = get(addr, target);
        assert!(
            matches!(r.status, 0 | 400 | 404),
            "{target}: unexpected status {}:\n{}",
            r.status,
            r.text()
        );
        assert!(!r.text().contains(SECRET), "{target} leaked the secret");
    }
    still_serves(addr);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_are_never_served() {
    use std::os::unix::fs::symlink;
    let f = Fixture::new("symlinks");
    let root = f.root();
    std::fs::create_dir_all(root.join("static")).unwrap();
    symlink(f.dir.join("secret.txt"), root.join("static/leak.txt")).unwrap();
    symlink(f.dir.join("secret-dir"), root.join("static/leakdir")).unwrap();
    symlink(
        f.dir.join("secret.txt"),
        root.join("content/guides/leak.png"),
    )
    .unwrap();
    symlink(f.dir.join("secret-dir"), root.join("content/leakdir")).unwrap();
    symlink(
        f.dir.join("secret-dir/secret.md"),
        root.join("content/guides/leak.md"),
    )
    .unwrap();
    let server = f.start();
    let addr = server.addr();
    for target in [
        "/leak.txt",
        "/leakdir/secret.md",
        "/guides/leak.png",
        "/leakdir/",
        "/leakdir/secret/",
        "/guides/leak/",
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 404, "{target}:\n{}", r.text());
        assert!(!r.text().contains(SECRET), "{target} leaked the secret");
    }
    still_serves(addr);
}

#[test]
fn binds_to_loopback_by_default_and_checks_the_host() {
    let f = Fixture::new("loopback");
    let opts = ServeOptions::new(f.root());
    assert!(opts.bind.is_loopback(), "default bind {}", opts.bind);
    let server = f.start();
    let addr = server.addr();
    assert!(addr.ip().is_loopback(), "{addr}");
    for host in [
        "evil.example",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "",
    ] {
        let r = exchange(
            addr,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 403, "Host: {host}\n{}", r.text());
    }
    for host in ["localhost", "127.0.0.1", "[::1]:1111", "app.localhost:8080"] {
        let r = exchange(
            addr,
            format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 200, "Host: {host}");
    }
}

#[test]
fn huge_headers_and_urls_are_refused_and_the_server_holds() {
    let f = Fixture::new("huge");
    let server = f.start();
    let addr = server.addr();
    // One header of 1 MB.
    let big = "a".repeat(1 << 20);
    let r = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {big}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(matches!(r.status, 0 | 400 | 431), "status {}", r.status);
    still_serves(addr);
    // Ten thousand small headers.
    let many: String = (0..10_000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let r = exchange(
        addr,
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n{many}Connection: close\r\n\r\n").as_bytes(),
    );
    assert!(matches!(r.status, 0 | 400 | 431), "status {}", r.status);
    still_serves(addr);
    // A 100 KB request target.
    let r = get(addr, &format!("/{}", "x".repeat(100 * 1024)));
    assert!(matches!(r.status, 0 | 400 | 414), "status {}", r.status);
    still_serves(addr);
    // Just under the limits is still answered.
    let r = get(addr, &format!("/{}", "x".repeat(4 * 1024)));
    assert_eq!(r.status, 404);
}

#[test]
fn absurd_requests_get_an_error_not_a_crash() {
    let f = Fixture::new("absurd");
    let server = f.start();
    let addr = server.addr();
    let long_method = "X".repeat(10_000);
    let cases: Vec<(Vec<u8>, &[u16])> = vec![
        (b"BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(), &[405]),
        (b"DELETE /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(), &[405]),
        (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello".to_vec(), &[405]),
        (format!("{long_method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes(), &[405, 400]),
        (b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), &[0, 400, 505]),
        (b"GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), &[0, 400, 505]),
        (b"GET / HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), &[0, 400, 505]),
        (b"GET\r\n\r\n".to_vec(), &[0, 400]),
        (b"\r\n\r\n\r\n".to_vec(), &[0, 400]),
        (b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n".to_vec(), &[0, 400]),
        (b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n".to_vec(), &[0, 400, 403]),
        (b"GET /\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(), &[0, 400]),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(), &[0, 400]),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n".to_vec(), &[0, 200, 400]),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n".to_vec(), &[0, 200, 400]),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n".to_vec(), &[100, 200, 417]),
    ];
    for (bytes, allowed) in cases {
        // A server may answer HTTP/2 and 3 request lines by waiting for the next request: the
        // client sees nothing, the server is unharmed. An unfinished request head (a TLS hello)
        // is waited on, like any slow client, and so are empty lines before a request line,
        // which RFC 9112 (2.2) asks servers to skip.
        let stall_ok = bytes.starts_with(b"GET / HTTP/2")
            || bytes.starts_with(b"GET / HTTP/3")
            || !bytes.windows(2).any(|w| w == b"\r\n")
            || bytes.iter().all(|b| matches!(b, b'\r' | b'\n'));
        let r = exchange_within(addr, &bytes, Duration::from_secs(3), stall_ok);
        assert!(
            allowed.contains(&r.status),
            "{:?}: status {} not in {allowed:?}\n{}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(60)]),
            r.status,
            r.text()
        );
        still_serves(addr);
    }
}

/// Opens `n` connections that each send a request head one byte at a time, a byte every
/// `every`, until `stop` is set. Returns the threads.
fn slowloris(
    addr: SocketAddr,
    n: usize,
    every: Duration,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(addr) else {
                    return;
                };
                let head = format!("GET /?slow={i} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
                for b in head.bytes().chain(std::iter::repeat(b'a')) {
                    if stop.load(Ordering::SeqCst) || s.write_all(&[b]).is_err() {
                        break;
                    }
                    std::thread::sleep(every);
                }
                let _ = s.shutdown(Shutdown::Both);
            })
        })
        .collect()
}

#[test]
fn slowloris_does_not_starve_other_clients() {
    let f = Fixture::new("slowloris");
    let server = f.start();
    let addr = server.addr();
    let stop = Arc::new(AtomicBool::new(false));
    let slow = slowloris(addr, 64, Duration::from_millis(200), &stop);
    // Let them all connect and start trickling.
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..20 {
        still_serves(addr);
    }
    stop.store(true, Ordering::SeqCst);
    for t in slow {
        t.join().unwrap();
    }
    still_serves(addr);
}

/// A thread-pool server fails this when its few threads block reading silent connections:
/// every later request waits until one of them closes (six idle connections, e.g. a browser's
/// preconnects, were enough for the tiny_http server this one replaced).
#[test]
fn silent_connections_do_not_block_others() {
    let f = Fixture::new("idle");
    let server = f.start();
    let addr = server.addr();
    // Connections that send nothing, or half a request head, and stay open.
    let silent: Vec<TcpStream> = (0..64)
        .map(|i| {
            let mut s = TcpStream::connect(addr).unwrap();
            if i % 2 == 1 {
                s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    .unwrap();
            }
            s
        })
        .collect();
    for _ in 0..10 {
        still_serves(addr);
    }
    drop(silent);
    still_serves(addr);
}

#[test]
fn clients_that_never_read_do_not_block_the_workers() {
    let f = Fixture::new("nonreading");
    // A page of a few megabytes: more than the socket buffers hold.
    let mut big = String::from("+++\ntitle = \"大页\"\n+++\n");
    while big.len() < 8 << 20 {
        big.push_str("一段很长的文字，用来填满发送缓冲区。\n\n");
    }
    f.write("site/content/guides/大页.md", &big);
    let server = f.start();
    let addr = server.addr();
    // More stalled readers than the server has workers.
    let stalled: Vec<TcpStream> = (0..12)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /guides/da-ye/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..5 {
        still_serves(addr);
    }
    drop(stalled);
    still_serves(addr);
}

/// The fixture root is really outside the output: a sanity check of the fixture itself.
#[test]
fn the_secret_exists_outside_the_root() {
    let f = Fixture::new("sanity");
    let secret = std::fs::read_to_string(f.dir.join("secret.txt")).unwrap();
    assert_eq!(secret, SECRET);
    assert!(!Path::new(&f.root()).join("secret.txt").exists());
}

/// A GET of `target` with extra header lines (each ending in `\r\n`).
fn get_with(addr: SocketAddr, target: &str, headers: &str) -> Reply {
    exchange(
        addr,
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n")
            .as_bytes(),
    )
}

impl Reply {
    /// The value of a response header (names compared without case).
    fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let head = text.split("\r\n\r\n").next()?.to_string();
        head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    /// The body bytes (after the head).
    fn body(&self) -> &[u8] {
        let end = self
            .raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        &self.raw[end + 4..]
    }
}

#[test]
fn other_sites_cannot_read_the_server() {
    let f = Fixture::new("cross-site");
    f.write(
        "site/content/guides/草稿.md",
        "+++\ntitle = \"草稿\"\ndraft = true\n+++\nDRAFT-TEXT\n",
    );
    f.write("site/content/guides/clip.bin", "CLIP-BYTES");
    let mut opts = ServeOptions::new(f.root());
    opts.port = 0;
    opts.quiet = true;
    opts.drafts = true;
    let server = serve::start(opts).unwrap();
    let addr = server.addr();
    let targets = [
        "/",
        "/guides/",
        "/guides/cao-gao/",
        "/guides/clip.bin",
        "/style.css",
        "/__qunce/status",
        "/__qunce/events",
        "/no-such-page/",
    ];
    for target in targets {
        for (site, mode, dest) in [
            ("cross-site", "cors", "empty"),
            ("cross-site", "no-cors", "script"),
            ("cross-site", "navigate", "iframe"),
            ("same-site", "cors", "empty"),
        ] {
            let r = get_with(
                addr,
                target,
                &format!(
                    "Sec-Fetch-Site: {site}\r\nSec-Fetch-Mode: {mode}\r\nSec-Fetch-Dest: {dest}\r\n"
                ),
            );
            assert_eq!(
                r.status,
                403,
                "{target} for {site}/{mode}/{dest}:\n{}",
                r.text()
            );
            assert!(!r.text().contains("DRAFT-TEXT") && !r.text().contains("CLIP-BYTES"));
            assert_eq!(
                r.header("Cross-Origin-Resource-Policy").as_deref(),
                Some("same-origin")
            );
        }
    }
    // The server's own pages, the reader's address bar, and clients that do not say.
    for target in [
        "/guides/cao-gao/",
        "/guides/clip.bin",
        "/__qunce/status",
        "/style.css",
    ] {
        for headers in [
            "",
            "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\n",
            "Sec-Fetch-Site: none\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n",
        ] {
            let r = get_with(addr, target, headers);
            assert_eq!(r.status, 200, "{target} with {headers:?}");
            assert_eq!(
                r.header("Cross-Origin-Resource-Policy").as_deref(),
                Some("same-origin"),
                "{target}"
            );
        }
    }
    // A link followed from another site opens the page in the reader's tab (the other site
    // sees nothing of it).
    let r = get_with(
        addr,
        "/guides/cao-gao/",
        "Sec-Fetch-Site: cross-site\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n",
    );
    assert_eq!(r.status, 200);
    assert!(r.text().contains("DRAFT-TEXT"));
}

#[test]
fn a_doubled_slash_never_redirects_to_another_host() {
    let f = Fixture::new("double-slash");
    let server = f.start();
    let addr = server.addr();
    for (target, location) in [
        ("//guides", "/guides/"),
        ("///guides", "/guides/"),
        ("//guides?x=1", "/guides/?x=1"),
        ("/guides", "/guides/"),
    ] {
        let r = get(addr, target);
        assert_eq!(r.status, 301, "{target}:\n{}", r.text());
        assert_eq!(r.header("Location").as_deref(), Some(location), "{target}");
    }
    for target in ["//evil.example", "//evil.example/", "/%2F%2Fevil.example"] {
        let r = get(addr, target);
        let location = r.header("Location").unwrap_or_default();
        assert!(!location.starts_with("//"), "{target} -> {location}");
    }
}

#[test]
fn byte_ranges_of_rendered_and_content_files() {
    let f = Fixture::new("ranges");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let dir = f.root().join("content/guides");
    std::fs::write(dir.join("clip.mp4"), &data).unwrap();
    std::fs::create_dir_all(f.root().join("static")).unwrap();
    std::fs::write(f.root().join("static/clip.bin"), &data).unwrap();
    let server = f.start();
    let addr = server.addr();
    for target in ["/guides/clip.mp4", "/clip.bin"] {
        let whole = get(addr, target);
        assert_eq!(whole.status, 200, "{target}");
        assert_eq!(whole.header("Accept-Ranges").as_deref(), Some("bytes"));
        assert_eq!(whole.body(), &data[..], "{target}");
        for (range, start, end) in [
            ("bytes=10-19", 10, 20),
            ("bytes=299990-", 299_990, 300_000),
            ("bytes=-5", 299_995, 300_000),
            ("bytes=100000-1000000", 100_000, 300_000),
        ] {
            let r = get_with(addr, target, &format!("Range: {range}\r\n"));
            assert_eq!(r.status, 206, "{target} {range}");
            assert_eq!(
                r.header("Content-Range"),
                Some(format!("bytes {start}-{}/300000", end - 1)),
                "{target} {range}"
            );
            assert_eq!(r.body(), &data[start..end], "{target} {range}");
        }
        let r = get_with(addr, target, "Range: bytes=300000-\r\n");
        assert_eq!(r.status, 416, "{target}");
        assert_eq!(r.header("Content-Range").as_deref(), Some("bytes */300000"));
        // Several ranges at once are answered with the whole file.
        let r = get_with(addr, target, "Range: bytes=0-1,5-6\r\n");
        assert_eq!(r.status, 200, "{target}");
        assert_eq!(r.body().len(), data.len());
    }
}

/// An asset replaced after the build by a link out of the site, by a FIFO (which would block
/// a reader forever), or reached through a folder replaced by a link, is not served, and the
/// request is answered at once rather than hanging.
#[cfg(unix)]
#[test]
fn assets_swapped_after_the_build_are_checked_when_served() {
    use std::os::unix::fs::symlink;
    let f = Fixture::new("swapped");
    let guides = f.root().join("content/guides");
    std::fs::write(guides.join("a.png"), "PNG-A").unwrap();
    std::fs::write(guides.join("b.png"), "PNG-B").unwrap();
    f.write("secret-dir/c.png", SECRET);
    std::fs::create_dir_all(f.root().join("content/media")).unwrap();
    std::fs::write(f.root().join("content/media/c.png"), "PNG-C").unwrap();
    let server = f.start();
    let addr = server.addr();
    assert_eq!(get(addr, "/guides/a.png").body(), b"PNG-A");
    assert_eq!(get(addr, "/media/c.png").body(), b"PNG-C");

    std::fs::remove_file(guides.join("a.png")).unwrap();
    symlink(f.dir.join("secret.txt"), guides.join("a.png")).unwrap();
    std::fs::remove_file(guides.join("b.png")).unwrap();
    let fifo = std::ffi::CString::new(guides.join("b.png").to_str().unwrap()).unwrap();
    // SAFETY: a valid C string path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let media = f.root().join("content/media");
    std::fs::rename(&media, f.root().join("media-old")).unwrap();
    symlink(f.dir.join("secret-dir"), &media).unwrap();

    for target in ["/guides/a.png", "/guides/b.png", "/media/c.png"] {
        let r = get(addr, target);
        assert_eq!(r.status, 404, "{target}:\n{}", r.text());
        assert!(!r.text().contains(SECRET), "{target} leaked the secret");
    }
    still_serves(addr);
}

/// A connection that sends half a request head, or requests a large page and stops reading,
/// is closed by the server after its timeout (the header timeout, the idle timeout), instead
/// of holding a connection slot and the response's buffers for ever.
#[test]
fn stalled_connections_are_closed_by_the_server() {
    let f = Fixture::new("timeouts");
    let mut big = String::from("+++\ntitle = \"大页\"\n+++\n");
    while big.len() < 16 << 20 {
        big.push_str("一段很长的文字，用来填满发送缓冲区。\n\n");
    }
    f.write("site/content/guides/大页.md", &big);
    let server = f.start();
    let addr = server.addr();

    let mut half = TcpStream::connect(addr).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let mut stalled = TcpStream::connect(addr).unwrap();
    stalled
        .write_all(b"GET /guides/da-ye/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();

    // Long enough for both timeouts (10 s and 30 s).
    std::thread::sleep(Duration::from_secs(35));
    half.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 4096];
    match half.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("a half-sent head was not closed: {other:?}"),
    }
    // The stalled reader gets what was already in flight, then the end: never the whole page.
    stalled.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = 0usize;
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        match stalled.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the stalled connection was not closed ({e}) after {got} bytes"),
        }
    }
    assert!(got < big.len(), "{got} bytes of {}", big.len());
    still_serves(addr);
}

#[test]
fn live_reload_slots_are_freed_when_tabs_close() {
    let f = Fixture::new("live-slots");
    let server = f.start();
    let addr = server.addr();
    let open = |n: usize| -> Vec<TcpStream> {
        (0..n)
            .map(|i| {
                let mut s = TcpStream::connect(addr).unwrap();
                s.write_all(b"GET /__qunce/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .unwrap();
                s.set_read_timeout(Some(PATIENCE)).unwrap();
                let mut got = Vec::new();
                let mut buf = [0u8; 1024];
                while !String::from_utf8_lossy(&got).contains("event: hello") {
                    let n = s.read(&mut buf).unwrap();
                    assert!(
                        n > 0,
                        "stream {i} closed: {}",
                        String::from_utf8_lossy(&got)
                    );
                    got.extend_from_slice(&buf[..n]);
                }
                assert!(got.starts_with(b"HTTP/1.1 200"), "stream {i}");
                s
            })
            .collect()
    };
    let live = |addr| -> u64 {
        let r = get(addr, "/__qunce/status");
        let v: serde_json::Value = serde_json::from_slice(r.body()).unwrap();
        v["live_streams"].as_u64().unwrap()
    };
    // Every slot taken by tabs.
    let tabs = open(128);
    assert_eq!(live(addr), 128);
    let r = get(addr, "/__qunce/events");
    assert_eq!(r.status, 503);
    // The tabs close: their slots are free well before the next keep-alive line (15 s) would
    // have found the dead connections.
    drop(tabs);
    let deadline = Instant::now() + Duration::from_secs(5);
    while live(addr) > 0 {
        assert!(
            Instant::now() < deadline,
            "{} slots still held after the tabs closed",
            live(addr)
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let tabs = open(128);
    assert_eq!(live(addr), 128);
    drop(tabs);
}
