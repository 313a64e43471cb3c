//! The dev server's socket: accepts connections and hands each to hyper, within limits that keep
//! one misbehaving client (or a thousand) from hurting the writer's own browser:
//!
//! - a request head must arrive within [`HEAD_TIMEOUT`], also when a kept-alive connection waits
//!   for its next request (hyper closes it otherwise);
//! - a connection on which nothing moves either way for [`IDLE_TIMEOUT`] is closed ([`Idle`]):
//!   a client that stops reading a large file frees its slot and buffers; a slow reader that
//!   keeps reading is served to the end;
//! - at most [`connection_limit`] connections are open at once, well below the process's file
//!   descriptor limit, so the rebuilder and the files being served never run short of
//!   descriptors; a connection above the limit is closed on arrival.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

use super::State;

/// How long a client may take to send a request head, and may stay idle between requests.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection may make no progress at all (nothing read, nothing written).
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Client connections served at once, at most.
pub(crate) const MAX_CONNECTIONS: usize = 1024;
/// Descriptors kept for everything but client connections: the rebuilder's reads, the watcher,
/// the runtime.
const RESERVED_FDS: u64 = 128;
/// hyper's read buffer (a request head must fit) and write queue per connection. Above the
/// longest request target hyper itself checks (64 KB), so a long target gets 414, not 431.
const MAX_BUF: usize = 128 * 1024;

/// Raises the soft limit on open files to the hard limit where the system allows, and returns
/// the soft limit in force.
// `rlim_t` is not 64 bits on every system.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn raise_fd_limit() -> u64 {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `lim` is a valid rlimit to fill.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return 1024;
        }
        // Some systems refuse more than a fixed maximum even under an unlimited hard limit.
        let want = lim.rlim_max.min(1 << 20);
        if lim.rlim_cur < want {
            let raised = libc::rlimit {
                rlim_cur: want,
                rlim_max: lim.rlim_max,
            };
            // SAFETY: a valid rlimit; failure leaves the limit as it was.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                return want as u64;
            }
        }
        lim.rlim_cur as u64
    }
    #[cfg(not(unix))]
    {
        8192
    }
}

/// Connections served at once under a soft limit of `fds` open files: each may hold a socket
/// and a file being streamed, and [`RESERVED_FDS`] stay for the rest of the server.
pub(crate) fn connection_limit(fds: u64) -> usize {
    let usable = fds.saturating_sub(RESERVED_FDS) / 2;
    (usable as usize).clamp(8, MAX_CONNECTIONS)
}

/// Accepts connections until the runtime is shut down.
pub(crate) async fn accept_loop(listener: TcpListener, state: Arc<State>, limit: usize) {
    let slots = Arc::new(Semaphore::new(limit));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_BUF)
        .writev(true)
        .keep_alive(true);
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            // Out of descriptors and the like: wait and go on, never give up serving.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(tcp);
            continue;
        };
        // Without it a response's head and body meet Nagle's algorithm and the client's
        // delayed ACK: 40 ms per response.
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        let conn =
            builder.serve_connection(
                TokioIo::new(Idle::new(tcp, IDLE_TIMEOUT)),
                hyper::service::service_fn(move |rq| {
                    let state = state.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(super::http::handle(state, rq).await)
                    }
                }),
            );
        tokio::spawn(async move {
            let _ = conn.await;
            drop(slot);
        });
    }
}

/// A socket that fails with `TimedOut` once neither a read nor a write has made progress for
/// its timeout, while hyper waits on it.
pub(crate) struct Idle {
    io: TcpStream,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(io: TcpStream, timeout: Duration) -> Idle {
        Idle {
            io,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }

    fn progressed(&mut self) {
        let next = Instant::now() + self.timeout;
        self.deadline.as_mut().reset(next);
    }

    /// What to answer when the socket is not ready: wait, or give up after the timeout.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Idle {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => {
                this.progressed();
                ready
            }
        }
    }
}

impl AsyncWrite for Idle {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => {
                this.progressed();
                ready
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.waiting(cx),
            ready => {
                this.progressed();
                ready
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_stay_below_the_descriptor_limit() {
        assert_eq!(connection_limit(256), 64);
        assert_eq!(connection_limit(20_000), MAX_CONNECTIONS);
        assert_eq!(connection_limit(64), 8);
        for fds in [200, 256, 1024, 4096] {
            assert!(
                (connection_limit(fds) as u64) * 2 + RESERVED_FDS <= fds,
                "{fds}"
            );
        }
    }
}
