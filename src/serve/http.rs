//! Answers one HTTP request from the in-memory site. Only keys of the current [`Snapshot`] are
//! ever served: a request path is percent-decoded and refused if it holds a `..` or `.` segment,
//! a backslash or a NUL, and is then only used as a map key, never joined to a folder.
//!
//! Limits, so a misbehaving or hostile client cannot take the server down: request lines and
//! headers over [`MAX_URL`] / [`MAX_HEADERS`] are refused with 414 / 431 (the gate in front,
//! `gate.rs`, already caps whole request heads and times out slow clients); large responses
//! are written off the worker threads, so clients that never read cannot tie up the few
//! workers.

use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response};

use super::{Snapshot, State};
use crate::markdown::escape;

/// The reload script, injected before `</body>` of every HTML response.
const LIVE_JS: &str = include_str!("live.js");
/// Where a served page's build id goes in [`LIVE_JS`].
const BUILD_PLACEHOLDER: &str = "__QUNCE_BUILD__";

/// The longest request target answered; longer ones get 414.
pub(crate) const MAX_URL: usize = 8 * 1024;
/// The most header bytes answered; more get 431.
pub(crate) const MAX_HEADERS: usize = 32 * 1024;
/// Responses bigger than this are written from a thread of their own.
const DETACH_ABOVE: usize = 256 * 1024;

pub(crate) fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

/// One response before it is sent.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    location: Option<String>,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
            location: None,
        }
    }
}

pub(crate) fn handle(state: &Arc<State>, rq: Request) {
    let url = rq.url().to_string();
    let raw_path = url.split(['?', '#']).next().unwrap_or("/").to_string();
    let query = url
        .split('#')
        .next()
        .and_then(|u| u.split_once('?'))
        .map(|(_, q)| q.to_string());

    let header_bytes: usize = rq
        .headers()
        .iter()
        .map(|h| h.field.as_str().as_str().len() + h.value.as_str().len() + 4)
        .sum();
    let reply = if url.len() > MAX_URL {
        Reply::text(414, "URI too long\n")
    } else if header_bytes > MAX_HEADERS {
        Reply::text(431, "request header fields too large\n")
    } else if !matches!(rq.method(), Method::Get | Method::Head) {
        Reply::text(
            405,
            "method not allowed: the dev server answers GET and HEAD\n",
        )
    } else if state.loopback && !host_allowed(&rq) {
        Reply::text(
            403,
            "forbidden: the dev server answers requests for localhost only\n",
        )
    } else if raw_path == "/__qunce/events" {
        super::events::stream(state, rq);
        return;
    } else if raw_path == "/__qunce/status" {
        status(state)
    } else {
        match decode_path(&raw_path) {
            None => Reply::text(400, "bad request: invalid path\n"),
            Some(path) => serve_path(state, &path, &raw_path, query.as_deref()),
        }
    };

    let mut response = Response::from_data(reply.body)
        .with_status_code(reply.status)
        .with_header(header("Content-Type", reply.content_type))
        .with_header(header("Cache-Control", "no-cache"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    if let Some(location) = reply.location {
        response.add_header(header("Location", &location));
    }
    if reply.status == 405 {
        response.add_header(header("Allow", "GET, HEAD"));
    }
    if response.data_length().unwrap_or(0) > DETACH_ABOVE {
        // A client that does not read would block this worker until the write timeout.
        std::thread::spawn(move || {
            let _ = rq.respond(response);
        });
    } else {
        let _ = rq.respond(response);
    }
}

/// When listening on loopback, a request must name this machine: a page elsewhere that points
/// its own domain at 127.0.0.1 (DNS rebinding) cannot read the site.
fn host_allowed(rq: &Request) -> bool {
    let Some(h) = rq.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    let host = h.value.as_str().trim().to_ascii_lowercase();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Percent-decodes a request path; `None` if it is not valid UTF-8 or could reach outside the
/// site: a `.`/`..` segment, a backslash or a NUL, whether written as is or percent-encoded.
pub(crate) fn decode_path(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(out).ok()?;
    if !path.starts_with('/')
        || path.contains(['\\', '\0'])
        || path.split('/').any(|s| s == ".." || s == ".")
    {
        return None;
    }
    Some(path)
}

fn serve_path(state: &State, path: &str, raw_path: &str, query: Option<&str>) -> Reply {
    let snapshot = state.snapshot();
    if snapshot.generation == 0 {
        return error_page(state, &snapshot);
    }
    let rel = path.trim_start_matches('/');
    let key = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    if let Some(body) = read(&snapshot, &key) {
        let content_type = content_type(&key);
        let body = if content_type.starts_with("text/html") {
            inject(&body, &state.build_id(snapshot.generation))
        } else {
            body
        };
        return Reply {
            status: 200,
            content_type,
            body,
            location: None,
        };
    }
    if !rel.is_empty()
        && !rel.ends_with('/')
        && (snapshot.files.contains_key(&format!("{rel}/index.html"))
            || snapshot.assets.contains_key(&format!("{rel}/index.html")))
    {
        let mut location = format!("{raw_path}/");
        if let Some(q) = query {
            location.push('?');
            location.push_str(q);
        }
        return Reply {
            status: 301,
            content_type: "text/plain; charset=utf-8",
            body: format!("moved to {location}\n").into_bytes(),
            location: Some(location),
        };
    }
    match read(&snapshot, "404.html") {
        Some(body) => Reply {
            status: 404,
            content_type: "text/html; charset=utf-8",
            body: inject(&body, &state.build_id(snapshot.generation)),
            location: None,
        },
        None => Reply::text(404, "404 not found\n"),
    }
}

fn read(snapshot: &Snapshot, key: &str) -> Option<Vec<u8>> {
    // Rendered files win over content files of the same path, as in `qunce build`.
    match snapshot.files.get(key) {
        Some(b) => Some(b.to_vec()),
        None => std::fs::read(snapshot.assets.get(key)?).ok(),
    }
}

/// Inserts the live-reload script before the last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8], build: &str) -> Vec<u8> {
    let script = format!(
        "<script data-qunce-live>{}</script>",
        LIVE_JS.replace(BUILD_PLACEHOLDER, build)
    );
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The page shown while no build has succeeded yet: the errors, and the script that reloads
/// once they are fixed.
fn error_page(state: &State, snapshot: &Snapshot) -> Reply {
    let report = state.report();
    let mut html = String::from(concat!(
        "<!doctype html><html><head><meta charset=\"utf-8\">",
        "<title>qunce: build failed</title></head>",
        "<body style=\"font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:24px\">",
        "<h1 style=\"font-size:18px\">qunce: the site does not build yet / 站点还无法构建</h1><pre>",
    ));
    let text = crate::diagnostics::render(
        &report.diagnostics,
        crate::diagnostics::Format::Human { color: false },
    );
    html.push_str(&escape(&text));
    html.push_str(
        "</pre><p>Fix the errors and save: this page reloads by itself.</p></body></html>",
    );
    Reply {
        status: 500,
        content_type: "text/html; charset=utf-8",
        body: inject(html.as_bytes(), &state.build_id(snapshot.generation)),
        location: None,
    }
}

/// `GET /__qunce/status`: the last build's outcome as JSON (for tools and tests).
fn status(state: &State) -> Reply {
    let snapshot = state.snapshot();
    let report = state.report();
    let (errors, warnings) = crate::diagnostics::count(&report.diagnostics);
    let body = serde_json::json!({
        "ok": report.ok,
        "build": state.build_id(snapshot.generation),
        "generation": snapshot.generation,
        "pages": report.pages,
        "errors": errors,
        "warnings": warnings,
        "diagnostics": report.diagnostics,
    });
    Reply {
        status: 200,
        content_type: "application/json",
        body: body.to_string().into_bytes(),
        location: None,
    }
}

/// The content type of an output file, by its extension (shared with the test servers, so
/// tests see what readers see).
pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_traversal() {
        assert_eq!(decode_path("/a/%E5%90%8C/").as_deref(), Some("/a/同/"));
        for bad in [
            "/../site.toml",
            "/%2e%2e/site.toml",
            "/..%2fsite.toml",
            "/%2e%2e%5csite.toml",
            "/a\\b",
            "/a%00b",
            "/./x",
            "/x/%2E",
            "/%zz",
            "/%e5",
            "relative",
        ] {
            assert_eq!(decode_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<p></BODY></body></html>", "x-1")).unwrap();
        assert!(out.starts_with("<p></BODY><script data-qunce-live>"));
        assert!(out.ends_with("</script></body></html>"));
        assert!(out.contains("\"x-1\""));
        let out = String::from_utf8(inject(b"<p>", "x-1")).unwrap();
        assert!(out.starts_with("<p><script"));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("img/A.JPG"), "image/jpeg");
        assert_eq!(content_type("fonts/x.woff2"), "font/woff2");
        assert_eq!(content_type("v1.0/LICENSE"), "application/octet-stream");
    }
}
