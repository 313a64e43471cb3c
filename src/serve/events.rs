//! The live-reload channel: `GET /__qunce/events` is a Server-Sent Events stream. Each browser
//! tab holds one; the rebuilder broadcasts `reload`, `css` and `error` events to all of them.
//!
//! On connect a stream first says `hello` with the id of the build being served (a tab that was
//! served another build, or by a server since restarted, reloads), then `error` if the last build
//! failed, so a freshly opened tab shows the overlay too.
//!
//! A stream's slot is its receiver: when a tab closes, hyper sees the connection end, drops the
//! response body and with it the receiver, and the slot is free for the next tab at once.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc::{self, Receiver, Sender, error::TrySendError};

/// At most this many open streams (one per tab); more get 503.
pub(crate) const MAX_STREAMS: usize = 128;
/// A comment line this often finds closed connections and keeps proxies from timing out.
const KEEPALIVE: Duration = Duration::from_secs(15);
/// Events queued for a tab that does not read; past this it is dropped (its browser reconnects
/// and, told the current build, reloads).
const BACKLOG: usize = 16;

/// Hands every event to every open stream.
#[derive(Default)]
pub(crate) struct Broadcaster {
    subscribers: Mutex<Vec<Sender<Arc<str>>>>,
}

impl Broadcaster {
    /// A new stream's receiver, or None when every slot is taken by an open tab.
    fn subscribe(&self) -> Option<Receiver<Arc<str>>> {
        let mut subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.retain(|tx| !tx.is_closed());
        if subs.len() >= MAX_STREAMS {
            return None;
        }
        let (tx, rx) = mpsc::channel(BACKLOG);
        subs.push(tx);
        Some(rx)
    }

    /// How many streams are open now.
    pub(crate) fn open(&self) -> usize {
        let subs = self.subscribers.lock().unwrap_or_else(|e| e.into_inner());
        subs.iter().filter(|tx| !tx.is_closed()).count()
    }

    /// Sends one event (`data` must be one line, e.g. compact JSON) to every open stream.
    pub(crate) fn send(&self, event: &str, data: &str) {
        let message: Arc<str> = format_event(event, data).into();
        self.subscribers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| match tx.try_send(message.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Closed(_)) => false,
            });
    }

    /// Ends every stream (the server stops).
    pub(crate) fn close_all(&self) {
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

/// One tab's stream: the greeting, then events as they come, with a comment line now and then.
pub(crate) struct Stream {
    hello: Option<Bytes>,
    rx: Receiver<Arc<str>>,
    keepalive: tokio::time::Interval,
}

impl Stream {
    /// The next bytes to send: the greeting, an event, or a keep-alive line when none came.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(hello) = self.hello.take() {
            return Poll::Ready(Some(hello));
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(message)) => {
                self.keepalive.reset();
                return Poll::Ready(Some(Bytes::copy_from_slice(message.as_bytes())));
            }
            // The server stops, or this tab fell too far behind.
            Poll::Ready(None) => return Poll::Ready(None),
            Poll::Pending => {}
        }
        match self.keepalive.poll_tick(cx) {
            Poll::Ready(_) => Poll::Ready(Some(Bytes::from_static(b": keep-alive\n\n"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Opens a stream for `GET /__qunce/events`; None when all slots are taken.
pub(crate) fn stream(state: &super::State) -> Option<Stream> {
    let rx = state.events.subscribe()?;
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
            &serde_json::to_string(&report.localized()).unwrap_or_else(|_| "[]".into()),
        ));
    }
    let start = tokio::time::Instant::now() + KEEPALIVE;
    Some(Stream {
        hello: Some(Bytes::from(hello)),
        rx,
        keepalive: tokio::time::interval_at(start, KEEPALIVE),
    })
}
