//! The connection gate: the dev server's public socket, in front of tiny_http.
//!
//! tiny_http hands every accepted connection to a task pool that can queue it behind threads
//! blocked reading idle connections; a handful of silent clients (a browser's preconnects,
//! a slowloris) then stall every later request, and tiny_http has no timeouts to stop that.
//! So clients never reach tiny_http directly. The gate gives each client connection a thread
//! with read and write timeouts, reads the request head with a size limit and a deadline,
//! and only then forwards that one request to tiny_http over a private connection that closes
//! after the response (`Connection: close`): tiny_http's threads only ever see complete
//! requests and never wait on a client. Client keep-alive is kept by the gate.
//!
//! The private side is a Unix socket in a folder only this user can open (loopback TCP on
//! other systems), so nothing bypasses the gate.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a client may take to send a request head, and may stay idle between requests.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head accepted (request line and headers); larger gets 431.
pub(crate) const MAX_HEAD: usize = 40 * 1024;
/// Client connections served at once; more are closed on arrival.
pub(crate) const MAX_CONNECTIONS: usize = 1024;
/// The largest response head read back from tiny_http.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;

/// Where tiny_http listens, privately.
#[derive(Clone)]
enum Upstream {
    #[cfg(unix)]
    Unix(std::path::PathBuf),
    #[cfg_attr(unix, allow(dead_code))]
    Tcp(SocketAddr),
}

/// A connection to tiny_http of either kind.
trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

impl Upstream {
    fn connect(&self) -> io::Result<Box<dyn Stream>> {
        match self {
            #[cfg(unix)]
            Upstream::Unix(path) => Ok(Box::new(std::os::unix::net::UnixStream::connect(path)?)),
            Upstream::Tcp(addr) => {
                let s = TcpStream::connect(addr)?;
                s.set_nodelay(true)?;
                Ok(Box::new(s))
            }
        }
    }
}

/// The listener tiny_http is given.
pub(crate) enum Private {
    #[cfg(unix)]
    Unix(std::os::unix::net::UnixListener),
    #[cfg_attr(unix, allow(dead_code))]
    Tcp(TcpListener),
}

impl Private {
    /// Starts tiny_http on the private listener.
    pub(crate) fn serve(
        self,
    ) -> Result<tiny_http::Server, Box<dyn std::error::Error + Send + Sync + 'static>> {
        match self {
            #[cfg(unix)]
            Private::Unix(l) => tiny_http::Server::from_listener(l, None),
            Private::Tcp(l) => tiny_http::Server::from_listener(l, None),
        }
    }
}

/// A running gate. [`Gate::stop`] ends its accept loop.
pub(crate) struct Gate {
    stop: Arc<AtomicBool>,
    public: SocketAddr,
    thread: Option<JoinHandle<()>>,
    /// The private socket's folder, removed on drop.
    #[cfg(unix)]
    dir: std::path::PathBuf,
}

impl Gate {
    /// Starts accepting on `public`; returns the gate and the listener to give tiny_http.
    pub(crate) fn start(public: TcpListener) -> io::Result<(Gate, Private)> {
        let public_addr = public.local_addr()?;
        #[cfg(unix)]
        let (upstream, private, dir) = {
            use std::os::unix::fs::DirBuilderExt;
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let dir = std::env::temp_dir().join(format!(
                "qunce-serve-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
            let path = dir.join("http.sock");
            let listener = std::os::unix::net::UnixListener::bind(&path)?;
            (Upstream::Unix(path), Private::Unix(listener), dir)
        };
        #[cfg(not(unix))]
        let (upstream, private) = {
            let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))?;
            (
                Upstream::Tcp(listener.local_addr()?),
                Private::Tcp(listener),
            )
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || accept_loop(&public, &upstream, &stop))
        };
        Ok((
            Gate {
                stop,
                public: public_addr,
                thread: Some(thread),
                #[cfg(unix)]
                dir,
            },
            private,
        ))
    }

    /// Ends the accept loop and waits for it; open client connections end on their own
    /// when tiny_http stops answering or their timeouts pass.
    pub(crate) fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept (through loopback when listening on every address).
        let mut wake = self.public;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake.ip() {
                std::net::IpAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                std::net::IpAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.stop();
        #[cfg(unix)]
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn accept_loop(public: &TcpListener, upstream: &Upstream, stop: &AtomicBool) {
    let active = Arc::new(AtomicUsize::new(0));
    while !stop.load(Ordering::SeqCst) {
        let client = match public.accept() {
            Ok((client, _)) => client,
            // Out of file descriptors and the like: wait and go on, never give up serving.
            Err(_) => {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if stop.load(Ordering::SeqCst) {
            break;
        }
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let active = active.clone();
        let upstream = upstream.clone();
        std::thread::spawn(move || {
            let _ = serve_client(client, &upstream);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// What reading a request head came to.
enum Head {
    /// A complete head of this many bytes is at the start of the buffer.
    Complete(usize),
    /// The client closed (or stayed silent) between requests: nothing to answer.
    Gone,
    /// Part of a head arrived, then nothing in time.
    Timeout,
    TooLarge,
}

fn read_head(client: &mut TcpStream, buf: &mut Vec<u8>) -> io::Result<Head> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            return Ok(Head::Complete(end + 4));
        }
        if buf.len() > MAX_HEAD {
            return Ok(Head::TooLarge);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(if buf.is_empty() {
                Head::Gone
            } else {
                Head::Timeout
            });
        }
        client.set_read_timeout(Some(left))?;
        match client.read(&mut chunk) {
            Ok(0) => return Ok(Head::Gone),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(if buf.is_empty() {
                    Head::Gone
                } else {
                    Head::Timeout
                });
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn refuse(client: &mut TcpStream, status: &str) {
    let body = format!("{status}\n");
    let _ = write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Serves one client connection: request after request, each forwarded on its own.
fn serve_client(mut client: TcpStream, upstream: &Upstream) -> io::Result<()> {
    // Without it, a response's head and body (written separately) meet Nagle's algorithm and
    // the client's delayed ACK: 40 ms per response, about 90 requests/s on 4 workers.
    client.set_nodelay(true)?;
    client.set_write_timeout(Some(HEAD_TIMEOUT))?;
    let mut buf = Vec::with_capacity(4096);
    loop {
        let len = match read_head(&mut client, &mut buf)? {
            Head::Complete(len) => len,
            Head::Gone => return Ok(()),
            Head::Timeout => {
                refuse(&mut client, "408 Request Timeout");
                return Ok(());
            }
            // Still in the request line: the target is what is too long.
            Head::TooLarge if find(&buf, b"\r\n").is_none() => {
                refuse(&mut client, "414 URI Too Long");
                return Ok(());
            }
            Head::TooLarge => {
                refuse(&mut client, "431 Request Header Fields Too Large");
                return Ok(());
            }
        };
        let (head, keep_alive) = forwarded_head(&buf[..len]);
        buf.drain(..len);
        let mut up = upstream.connect()?;
        up.write_all(&head)?;
        // Not reused after a request with a body (never read: only GET and HEAD are
        // served), after `Connection: close`, or after a response delimited by closing.
        if !relay_response(&mut *up, &mut client, keep_alive)? {
            return Ok(());
        }
    }
}

/// The head to send tiny_http: the client's, minus hop-by-hop and body headers, plus
/// `Connection: close`. Also whether the client wants the connection kept open.
fn forwarded_head(head: &[u8]) -> (Vec<u8>, bool) {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let http10 = request_line.ends_with("HTTP/1.0");
    let mut keep_alive = !http10;
    let mut out = String::with_capacity(head.len() + 32);
    out.push_str(request_line);
    out.push_str("\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match name.as_str() {
            "connection" => {
                let v = line.to_ascii_lowercase();
                if v.contains("close") {
                    keep_alive = false;
                } else if v.contains("keep-alive") && http10 {
                    keep_alive = true;
                }
            }
            // No body is forwarded; tiny_http must not wait for one.
            "content-length" | "transfer-encoding" | "expect" | "keep-alive" => {
                if name != "expect" && name != "keep-alive" {
                    keep_alive = false;
                }
            }
            _ => {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    // Request heads are ASCII in practice; bytes that were not UTF-8 were already replaced.
    (out.into_bytes(), keep_alive)
}

/// Copies tiny_http's response to the client. Its `Connection` header is replaced by ours;
/// returns whether the response is self-delimited (so the client connection can be reused).
fn relay_response(
    up: &mut dyn Stream,
    client: &mut TcpStream,
    keep_alive: bool,
) -> io::Result<bool> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 16384];
    let end = loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_RESPONSE_HEAD {
            return Ok(false);
        }
        let n = up.read(&mut chunk)?;
        if n == 0 {
            // tiny_http closed without a (complete) response.
            client.write_all(&buf)?;
            return Ok(false);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let framed = head.lines().skip(1).any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("content-length:")
            || l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let reuse = keep_alive && framed;
    let mut out = String::with_capacity(head.len() + 24);
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    if !reuse {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    client.write_all(out.as_bytes())?;
    client.write_all(&buf[end + 4..])?;
    // tiny_http closes the private connection after the response: the end of the body.
    loop {
        let n = up.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        client.write_all(&chunk[..n])?;
    }
    Ok(reuse)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_heads_close_and_drop_bodies() {
        let (h, keep) = forwarded_head(
            b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\n",
        );
        assert_eq!(
            String::from_utf8(h).unwrap(),
            "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
        assert!(!keep, "a body ends the connection");
        let (_, keep) = forwarded_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(keep);
        let (_, keep) = forwarded_head(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n");
        assert!(!keep);
        let (_, keep) = forwarded_head(b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n");
        assert!(!keep);
    }
}
