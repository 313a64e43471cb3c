//! `qunce serve` as a process of its own, for what only a whole process shows: its resident
//! memory while slow clients download a large video, what it leaves behind when stopped by
//! Ctrl-C or SIGTERM, and how it holds when far more clients connect than it has file
//! descriptors. Every server binds 127.0.0.1 on a port the system picks and is stopped (and
//! killed if need be) by the test. Every wait is bounded; nothing asserts on speed.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(30);

/// A temporary folder holding a starter site (`site/`) and the server's own temporary folder
/// (`tmp/`, its TMPDIR), removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "qunce-serve-process-{}-{}-{name}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        qunce::scaffold::init(&dir.join("site"), false).unwrap();
        Dir(dir)
    }

    fn site(&self) -> PathBuf {
        self.0.join("site")
    }

    fn tmp(&self) -> PathBuf {
        self.0.join("tmp")
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `qunce serve`: its address and its stderr lines. Killed on drop if still running.
struct Serve {
    child: Child,
    addr: SocketAddr,
    lines: Receiver<String>,
}

impl Serve {
    /// Starts the server on `site` with `tmp` as its TMPDIR; `max_fds`, when given, is the open
    /// file limit (soft, hard) the process starts with.
    fn start(site: &Path, tmp: &Path, max_fds: Option<(u64, u64)>) -> Serve {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qunce"));
        cmd.arg("--root")
            .arg(site)
            .args(["serve", "--port", "0"])
            .env("TMPDIR", tmp)
            .env("NO_COLOR", "1")
            .env("QUNCE_LANG", "en")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some((soft, hard)) = max_fds {
            // SAFETY: only setrlimit, which is async-signal-safe, runs in the child.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: soft as libc::rlim_t,
                        rlim_max: hard as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serve = Serve {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines,
        };
        let line = serve.wait_line("serving at http://");
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        serve.addr = SocketAddr::from(([127, 0, 0, 1], port));
        serve
    }

    /// The next stderr line starting with `needle` (panics after [`PATIENCE`]).
    fn wait_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(needle) => return line,
                Ok(_) => {}
                Err(e) => panic!("no line with {needle:?} from the server: {e}"),
            }
        }
    }

    /// The server's resident memory in KiB (Linux).
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap()
    }

    /// Sends `signal` and waits (bounded) for the process to end; returns its exit code.
    fn signal_and_wait(&mut self, signal: libc::c_int) -> Option<i32> {
        // SAFETY: sending a signal to our own child.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One request on a fresh connection; the status code (0 when closed without an answer) and
/// the whole response.
fn get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    let _ = write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// Ten clients downloading a 60 MB video a few KB at a time cost the server a bounded amount
/// of memory (chunks in flight), not a copy of the video each (the tiny_http server this one
/// replaced added 601 MB here).
#[cfg(target_os = "linux")]
#[test]
fn slow_readers_of_a_large_file_add_little_memory() {
    const VIDEO: usize = 60 << 20;
    let dir = Dir::new("memory");
    let mut video = vec![0u8; VIDEO];
    let mut x: u32 = 1;
    for b in video.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(dir.site().join("content/guides/video.mp4"), &video).unwrap();
    std::fs::create_dir_all(dir.site().join("static")).unwrap();
    std::fs::write(dir.site().join("static/video.mp4"), &video).unwrap();
    drop(video);
    let serve = Serve::start(&dir.site(), &dir.tmp(), None);
    let (status, _) = get(serve.addr, "/guides/");
    assert_eq!(status, 200);
    let before = serve.rss_kib();
    let mut readers: Vec<TcpStream> = (0..10)
        .map(|i| {
            let mut s = TcpStream::connect(serve.addr).unwrap();
            // Half from content/ (read from disk), half from static/ (the build's snapshot).
            let target = if i % 2 == 0 {
                "/guides/video.mp4"
            } else {
                "/video.mp4"
            };
            write!(s, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            s
        })
        .collect();
    let mut peak = before;
    let mut got = [0usize; 10];
    let mut buf = [0u8; 4096];
    for _ in 0..20 {
        for (i, s) in readers.iter_mut().enumerate() {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0, "reader {i} was cut off");
            got[i] += n;
        }
        std::thread::sleep(Duration::from_millis(250));
        peak = peak.max(serve.rss_kib());
    }
    let added_mib = peak.saturating_sub(before) / 1024;
    assert!(
        added_mib <= 50,
        "10 slow readers added {added_mib} MiB (from {} to {} MiB)",
        before / 1024,
        peak / 1024
    );
    // They were really served the video.
    assert!(got.iter().all(|&n| n > 0));
}

/// Ctrl-C and SIGTERM stop the server cleanly: exit code 0, and nothing left in its
/// temporary folder (the server this one replaced left a Unix socket there on SIGTERM).
#[test]
fn ctrl_c_and_sigterm_leave_nothing_behind() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let dir = Dir::new("signals");
        let mut serve = Serve::start(&dir.site(), &dir.tmp(), None);
        // Use it: a page, the live-reload stream, a content file.
        let (status, _) = get(serve.addr, "/");
        assert_eq!(status, 200);
        let mut events = TcpStream::connect(serve.addr).unwrap();
        write!(
            events,
            "GET /__qunce/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .unwrap();
        let code = serve.signal_and_wait(signal);
        assert_eq!(code, Some(0), "signal {signal}");
        let left: Vec<_> = std::fs::read_dir(dir.tmp())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "signal {signal} left {left:?}");
        assert!(
            TcpStream::connect(serve.addr).is_err(),
            "still listening after signal {signal}"
        );
    }
}

/// Started with only 256 file descriptors, the server keeps its connections well below that:
/// 400 clients connecting at once get some connections closed, but a save made meanwhile still
/// rebuilds (the rebuild needs descriptors to read the files), and the server answers again
/// once the clients leave.
#[test]
fn many_connections_never_starve_the_rebuild_of_descriptors() {
    let dir = Dir::new("fds");
    let serve = Serve::start(&dir.site(), &dir.tmp(), Some((256, 256)));
    let clients: Vec<TcpStream> = (0..400)
        .filter_map(|_| {
            let s = TcpStream::connect(serve.addr).ok()?;
            let _ = (&s).write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            Some(s)
        })
        .collect();
    assert!(clients.len() > 300, "only {} connected", clients.len());
    let page = dir.site().join("content/guides/fds.md");
    std::fs::write(&page, "+++\ntitle = \"描述符\"\n+++\nFDS-MARK-1\n").unwrap();
    // The line that sums the rebuild up (diagnostics about the new page start otherwise).
    let line = serve.wait_line("content/guides/fds.md");
    assert!(line.contains("rebuilt in"), "{line}");
    drop(clients);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, text) = get(serve.addr, "/guides/fds/");
        if status == 200 {
            assert!(text.contains("FDS-MARK-1"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not answered after the clients left"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Started with a soft limit of 256 open files under a hard limit of 4096, the server raises
/// its soft limit to 4096 (its connection limit follows from it).
#[cfg(target_os = "linux")]
#[test]
fn raises_its_soft_file_limit_to_the_hard_one() {
    let dir = Dir::new("rlimit");
    let serve = Serve::start(&dir.site(), &dir.tmp(), Some((256, 4096)));
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", serve.child.id())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(numbers, ["4096", "4096"], "{line}");
}
