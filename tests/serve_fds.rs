//! A rebuild that fails because the process has run out of file descriptors is retried, and its
//! error goes away once descriptors are free again, without another save. Alone in its test
//! binary: it exhausts the descriptors of its own process, which would break any test running
//! beside it. The server binds 127.0.0.1 on a port the system picks and stops on drop.
#![cfg(unix)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use qunce::serve::{self, ServeOptions};

const PATIENCE: Duration = Duration::from_secs(30);

fn nofile() -> libc::rlimit {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to fill.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim
}

fn set_nofile(lim: &libc::rlimit) {
    // SAFETY: a valid rlimit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, lim) }, 0);
}

/// Polls `f` until it holds; panics with `what` after [`PATIENCE`].
fn wait_until(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !f() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_rebuild_starved_of_descriptors_is_retried_until_it_succeeds() {
    let dir = std::env::temp_dir().join(format!("qunce-serve-fds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    qunce::scaffold::init(&dir, false).unwrap();
    let page = dir.join("content/guides/starved.md");
    std::fs::write(&page, "+++\ntitle = \"饥饿\"\n+++\nVERSION-ONE\n").unwrap();
    // The new version, moved into place by a rename, which needs no descriptor.
    let staged = dir.join("staged.md");
    std::fs::write(&staged, "+++\ntitle = \"饥饿\"\n+++\nVERSION-TWO\n").unwrap();

    let mut opts = ServeOptions::new(&dir);
    opts.port = 0;
    opts.quiet = true;
    let server = serve::start(opts).unwrap();
    let addr = server.addr();
    assert!(server.is_ok());

    // Take every descriptor the process may still open.
    let saved = nofile();
    set_nofile(&libc::rlimit {
        rlim_cur: saved.rlim_cur.min(1024),
        rlim_max: saved.rlim_max,
    });
    let mut hog = Vec::new();
    while let Ok(f) = std::fs::File::open("/dev/null") {
        hog.push(f);
    }
    std::fs::rename(&staged, &page).unwrap();
    wait_until("the starved rebuild did not fail", || !server.is_ok());

    // Descriptors come back; nobody saves again.
    drop(hog);
    set_nofile(&saved);
    wait_until(
        "the build error stuck after descriptors were free again",
        || server.is_ok(),
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        s,
        "GET /guides/starved/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("VERSION-TWO"), "{body}");
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
