//! The live-reload channel: `GET /__qunce/events` is a Server-Sent Events stream. Each browser
//! tab holds one; the rebuilder broadcasts `reload`, `css` and `error` events to all of them.
//!
//! On connect a stream first says `hello` with the id of the build being served (a tab that was
//! served another build, or by a server since restarted, reloads), then `error` if the last build
//! failed, so a freshly opened tab shows the overlay too.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::State;

/// At most this many open streams (one per tab); more get 503.
const MAX_STREAMS: usize = 128;
/// A comment line this often finds closed connections and keeps proxies from timing out.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Hands every event to every open stream.
#[derive(Default)]
pub(crate) struct Broadcaster {
    subscribers: Mutex<Vec<Sender<Arc<str>>>>,
}

impl Broadcaster {
    fn subscribe(&self) -> Option<Receiver<Arc<str>>> {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        if subs.len() >= MAX_STREAMS {
            return None;
        }
        let (tx, rx) = mpsc::channel();
        subs.push(tx);
        Some(rx)
    }

    /// Sends one event (`data` must be one line, e.g. compact JSON) to every open stream.
    pub fn send(&self, event: &str, data: &str) {
        let message: Arc<str> = format_event(event, data).into();
        self.subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| tx.send(message.clone()).is_ok());
    }

    /// Ends every stream (the server stops).
    pub fn close_all(&self) {
        self.subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn format_event(event: &str, data: &str) -> String {
    // SSE data lines end at a newline; JSON from serde_json never holds a raw one, but be safe.
    let data = data.replace(['\r', '\n'], " ");
    format!("event: {event}\ndata: {data}\n\n")
}

/// Answers `GET /__qunce/events`: takes over the connection on a thread of its own.
pub(crate) fn stream(state: &Arc<State>, rq: tiny_http::Request) {
    if *rq.method() == tiny_http::Method::Head {
        let _ = rq.respond(
            tiny_http::Response::empty(200)
                .with_header(super::http::header("Content-Type", "text/event-stream"))
                .with_header(super::http::header("Cache-Control", "no-cache")),
        );
        return;
    }
    let Some(rx) = state.events.subscribe() else {
        let _ = rq.respond(
            tiny_http::Response::from_string("too many live-reload connections")
                .with_status_code(503),
        );
        return;
    };
    let snapshot = state.snapshot();
    let report = state.report();
    let mut hello = String::from("retry: 1000\n\n");
    hello.push_str(&format_event(
        "hello",
        &serde_json::json!({ "build": state.build_id(snapshot.generation) }).to_string(),
    ));
    if !report.ok {
        hello.push_str(&format_event(
            "error",
            &serde_json::to_string(&report.diagnostics).unwrap_or_else(|_| "[]".into()),
        ));
    }
    let state = state.clone();
    std::thread::spawn(move || {
        // The response is written by hand: tiny_http would buffer a streamed body.
        let mut w = rq.into_writer();
        let head = "HTTP/1.1 200 OK\r\n\
                    Content-Type: text/event-stream; charset=utf-8\r\n\
                    Cache-Control: no-cache\r\n\
                    X-Accel-Buffering: no\r\n\
                    Connection: close\r\n\r\n";
        if write_all(&mut w, head)
            .and_then(|()| write_all(&mut w, &hello))
            .is_err()
        {
            return;
        }
        while !state.stop.load(Ordering::SeqCst) {
            let result = match rx.recv_timeout(KEEPALIVE) {
                Ok(message) => write_all(&mut w, &message),
                Err(RecvTimeoutError::Timeout) => write_all(&mut w, ": keep-alive\n\n"),
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if result.is_err() {
                break;
            }
        }
    });
}

fn write_all(w: &mut dyn Write, s: &str) -> std::io::Result<()> {
    w.write_all(s.as_bytes())?;
    w.flush()
}
