//! Answers one HTTP request from the in-memory site. Only keys of the current [`Snapshot`] are
//! ever served: a request path is percent-decoded and refused if it holds a `..` or `.` segment,
//! a backslash or a NUL, and is then only used as a map key, never joined to a folder. A file
//! of `content/` is opened at request time with [`open_regular`], which refuses anything but a
//! regular file reached without following a link.
//!
//! Every answer carries `Cross-Origin-Resource-Policy: same-origin`, and a request another site
//! makes (`Sec-Fetch-Site: cross-site` or `same-site`) gets 403 unless it is the reader's own
//! top-level navigation, which shows the page to the reader and nothing to the other site: a
//! page elsewhere cannot read search shards, result cards, previews or drafts of this server.

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::body::{self, Body, Range, open_regular};
use super::{Snapshot, State};
use crate::messages::{self, Lang};
use crate::text::escape;

/// The reload script, injected before `</body>` of every HTML response.
const LIVE_JS: &str = include_str!("live.js");
/// Where a served page's build id goes in [`LIVE_JS`].
const BUILD_PLACEHOLDER: &str = "__QUNCE_BUILD__";
/// Where the overlay's words (a JSON object) go in [`LIVE_JS`].
const LABELS_PLACEHOLDER: &str = "__QUNCE_LABELS__";

/// The overlay's words in `lang`, as the JSON object `live.js` reads.
fn overlay_labels(lang: Lang) -> String {
    let word = |id: &str| messages::cli(lang, id, &[("n", &"{n}"), ("count", &"{count}")]);
    serde_json::json!({
        "one": word("error-count-one"),
        "many": word("error-count"),
        "title": word("overlay-title"),
        "help": word("overlay-help"),
    })
    .to_string()
}

const EVENT_STREAM: &str = "text/event-stream; charset=utf-8";

/// The longest request target answered; longer ones get 414.
pub(crate) const MAX_URL: usize = 8 * 1024;
/// The most header bytes answered; more get 431.
pub(crate) const MAX_HEADERS: usize = 32 * 1024;

/// One response before the common headers are added.
struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: Body,
    /// The body's length (for HEAD too, where no body is sent); None for an unending stream.
    len: Option<u64>,
    headers: Vec<(header::HeaderName, String)>,
}

impl Reply {
    fn bytes(status: StatusCode, content_type: &'static str, bytes: impl Into<Bytes>) -> Reply {
        let bytes = bytes.into();
        Reply {
            status,
            content_type,
            len: Some(bytes.len() as u64),
            body: Body::memory(bytes),
            headers: Vec::new(),
        }
    }

    fn text(status: StatusCode, text: &'static str) -> Reply {
        Reply::bytes(status, "text/plain; charset=utf-8", text)
    }

    fn with(mut self, name: header::HeaderName, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// Answers `rq`.
pub(crate) async fn handle(
    state: Arc<State>,
    rq: Request<hyper::body::Incoming>,
) -> Response<Body> {
    let reply = route(&state, &rq).await;
    let mut response = Response::new(reply.body);
    *response.status_mut() = reply.status;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    // The answer depends on who asks, so no cache may hand it to another site's request.
    h.insert(header::VARY, HeaderValue::from_static("Sec-Fetch-Site"));
    if let Some(len) = reply.len {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    }
    response
}

async fn route(state: &Arc<State>, rq: &Request<hyper::body::Incoming>) -> Reply {
    let target = rq.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let raw_path = rq.uri().path();
    let header_bytes: usize = rq
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    if target.len() > MAX_URL {
        return Reply::text(StatusCode::URI_TOO_LONG, "URI too long\n");
    }
    if header_bytes > MAX_HEADERS {
        return Reply::text(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request header fields too large\n",
        );
    }
    if !matches!(*rq.method(), Method::GET | Method::HEAD) {
        return Reply::text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed: the dev server answers GET and HEAD\n",
        )
        .with(header::ALLOW, "GET, HEAD");
    }
    if state.loopback && !host_allowed(rq.headers()) {
        return Reply::text(
            StatusCode::FORBIDDEN,
            "forbidden: the dev server answers requests for localhost only\n",
        );
    }
    if !fetch_allowed(rq.headers()) {
        return Reply::text(
            StatusCode::FORBIDDEN,
            "forbidden: the dev server does not answer requests made by other sites\n",
        );
    }
    if raw_path == "/__qunce/events" {
        if *rq.method() == Method::HEAD {
            return Reply::bytes(StatusCode::OK, EVENT_STREAM, Bytes::new());
        }
        return match super::events::stream(state) {
            Some(stream) => Reply {
                status: StatusCode::OK,
                content_type: EVENT_STREAM,
                body: Body::events(stream),
                len: None,
                headers: vec![(
                    header::HeaderName::from_static("x-accel-buffering"),
                    "no".into(),
                )],
            },
            None => Reply::text(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many live-reload connections\n",
            ),
        };
    }
    if raw_path == "/__qunce/status" {
        return status(state);
    }
    let range = rq
        .headers()
        .get(header::RANGE)
        .filter(|_| !rq.headers().contains_key(header::IF_RANGE))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match decode_path(raw_path) {
        None => Reply::text(StatusCode::BAD_REQUEST, "bad request: invalid path\n"),
        Some(path) => serve_path(state, &path, raw_path, rq.uri().query(), range.as_deref()).await,
    }
}

/// When listening on loopback, a request must name this machine: a page elsewhere that points
/// its own domain at 127.0.0.1 (DNS rebinding) cannot read the site.
fn host_allowed(headers: &HeaderMap) -> bool {
    let Some(h) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = h.to_str() else {
        return false;
    };
    let host = host.trim().to_ascii_lowercase();
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

/// Whether the browser says the request comes from this server's own pages, the reader
/// (address bar, bookmark), or a client that does not say (curl, old browsers). Another site's
/// request is refused, `same-site` too (another port of localhost is another origin), except a
/// top-level navigation: it shows the page in the reader's tab and gives the other site nothing.
pub(crate) fn fetch_allowed(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match get("sec-fetch-site") {
        None | Some("same-origin" | "none") => true,
        Some(_) => {
            get("sec-fetch-mode") == Some("navigate") && get("sec-fetch-dest") == Some("document")
        }
    }
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

async fn serve_path(
    state: &Arc<State>,
    path: &str,
    raw_path: &str,
    query: Option<&str>,
    range: Option<&str>,
) -> Reply {
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
    let content_type = content_type(&key);
    // Rendered files win over content files of the same path, as in `qunce build`.
    if let Some(bytes) = snapshot.files.get(&key) {
        if content_type.starts_with("text/html") {
            let html = inject(bytes, &state.build_id(snapshot.generation), state.lang());
            return Reply::bytes(StatusCode::OK, content_type, html);
        }
        let bytes = body::shared(bytes);
        return ranged(content_type, bytes.len() as u64, range, |start, end| {
            Body::memory(bytes.slice(start as usize..end as usize))
        });
    }
    if let Some(source) = snapshot.assets.get(&key) {
        if let Some(reply) = serve_asset(state, source, content_type, range).await {
            return reply;
        }
    } else if !rel.is_empty()
        && !rel.ends_with('/')
        && (snapshot.files.contains_key(&format!("{rel}/index.html"))
            || snapshot.assets.contains_key(&format!("{rel}/index.html")))
    {
        // Always one leading slash: `//guides/` would be a protocol-relative URL, a redirect
        // to the host `guides`.
        let mut location = format!("/{}/", raw_path.trim_start_matches('/'));
        if let Some(q) = query {
            location.push('?');
            location.push_str(q);
        }
        return Reply::bytes(
            StatusCode::MOVED_PERMANENTLY,
            "text/plain; charset=utf-8",
            format!("moved to {location}\n"),
        )
        .with(header::LOCATION, location);
    }
    not_found(state, &snapshot)
}

fn not_found(state: &State, snapshot: &Snapshot) -> Reply {
    match snapshot.files.get("404.html") {
        Some(body) => Reply::bytes(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            inject(body, &state.build_id(snapshot.generation), state.lang()),
        ),
        None => Reply::text(StatusCode::NOT_FOUND, "404 not found\n"),
    }
}

/// A file of `content/`, opened now: if it is no longer a regular file of the site (deleted,
/// or swapped for a link, a folder or a FIFO since the build) it is not served (None).
async fn serve_asset(
    state: &State,
    source: &std::path::Path,
    content_type: &'static str,
    range: Option<&str>,
) -> Option<Reply> {
    let rel = source.strip_prefix(&state.root).ok()?;
    let rel = rel
        .components()
        .map(|c| match c {
            std::path::Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?
        .join("/");
    let root = state.root.clone();
    let (file, len) = tokio::task::spawn_blocking(move || open_regular(&root, &rel))
        .await
        .ok()?
        .ok()?;
    let mut file = Some(file);
    Some(ranged(content_type, len, range, |start, end| {
        use std::io::Seek;
        let mut file = file.take().expect("the range body is made once");
        if start > 0 && file.seek(std::io::SeekFrom::Start(start)).is_err() {
            return Body::empty();
        }
        Body::file(file, end - start)
    }))
}

/// The reply for a body of `len` bytes and a `Range` header; `part(start, end)` makes the body
/// of bytes `start..end`.
fn ranged(
    content_type: &'static str,
    len: u64,
    range: Option<&str>,
    mut part: impl FnMut(u64, u64) -> Body,
) -> Reply {
    let (status, start, end) = match body::range(range, len) {
        Range::Whole => (StatusCode::OK, 0, len),
        Range::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end),
        Range::Unsatisfiable => {
            return Reply::text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable\n")
                .with(header::CONTENT_RANGE, format!("bytes */{len}"))
                .with(header::ACCEPT_RANGES, "bytes");
        }
    };
    let mut reply = Reply {
        status,
        content_type,
        body: part(start, end),
        len: Some(end - start),
        headers: vec![(header::ACCEPT_RANGES, "bytes".into())],
    };
    if status == StatusCode::PARTIAL_CONTENT {
        reply = reply.with(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{len}", end - 1),
        );
    }
    reply
}

/// Inserts the live-reload script before the last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8], build: &str, lang: Lang) -> Vec<u8> {
    let script = format!(
        "<script data-qunce-live>{}</script>",
        LIVE_JS
            .replace(BUILD_PLACEHOLDER, build)
            .replace(LABELS_PLACEHOLDER, &overlay_labels(lang))
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
    let lang = report.lang;
    let mut html = format!(
        concat!(
            "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">",
            "<title>{}</title></head>",
            "<body style=\"font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:24px\">",
            "<h1 style=\"font-size:18px\">{}</h1><pre>",
        ),
        if lang == Lang::En { "en" } else { "zh-CN" },
        escape(&messages::cli(lang, "error-page-title", &[])),
        escape(&messages::cli(lang, "error-page-heading", &[])),
    );
    let text = crate::diagnostics::render_in(
        &report.diagnostics,
        crate::diagnostics::Format::Human { color: false },
        report.lang,
    );
    html.push_str(&escape(&text));
    html.push_str("</pre><p>");
    html.push_str(&escape(&messages::cli(lang, "error-page-footer", &[])));
    html.push_str("</p></body></html>");
    Reply::bytes(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/html; charset=utf-8",
        inject(
            html.as_bytes(),
            &state.build_id(snapshot.generation),
            report.lang,
        ),
    )
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
        "live_streams": state.events.open(),
    });
    Reply::bytes(StatusCode::OK, "application/json", body.to_string())
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
    fn refuses_requests_of_other_sites_but_not_navigations() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (n, v) in pairs {
                m.insert(*n, HeaderValue::from_static(v));
            }
            fetch_allowed(&m)
        };
        assert!(h(&[]));
        assert!(h(&[
            ("sec-fetch-site", "same-origin"),
            ("sec-fetch-mode", "cors")
        ]));
        assert!(h(&[
            ("sec-fetch-site", "none"),
            ("sec-fetch-mode", "navigate")
        ]));
        assert!(!h(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "cors")
        ]));
        assert!(!h(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "no-cors")
        ]));
        assert!(!h(&[
            ("sec-fetch-site", "same-site"),
            ("sec-fetch-mode", "cors")
        ]));
        assert!(!h(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "iframe")
        ]));
        assert!(h(&[
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-dest", "document")
        ]));
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<p></BODY></body></html>", "x-1", Lang::En)).unwrap();
        assert!(out.starts_with("<p></BODY><script data-qunce-live>"));
        assert!(out.ends_with("</script></body></html>"));
        assert!(out.contains("\"x-1\""));
        let out = String::from_utf8(inject(b"<p>", "x-1", Lang::ZhCn)).unwrap();
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
