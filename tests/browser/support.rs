//! Plumbing of the browser tests: temp folders removed at exit, the tiny static HTTP server, the
//! built handbook (once per test binary), the shared headless Chromium and a [`Page`] wrapper
//! around one tab in a browser context of its own.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Page as Cdp};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde::de::DeserializeOwned;

/// Debian's Chromium; CI installs it in `.ci/run`.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// The bound of every wait.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
const CHROMIUM_ARGS: [&str; 6] = [
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

// ---------------------------------------------------------------------------------------------
// Clean-up at process exit: statics are never dropped, so the shared Chromium and the temp
// folders are handled by a C `atexit` hook (the test harness returns from `main` or calls
// `process::exit`, both of which run it).

static TEMP_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static CHROMIUM_PID: AtomicU32 = AtomicU32::new(0);

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    fn kill(pid: i32, signal: std::os::raw::c_int) -> std::os::raw::c_int;
}

extern "C" fn clean_up_at_exit() {
    let pid = CHROMIUM_PID.swap(0, Ordering::SeqCst);
    if pid != 0 {
        // SAFETY: plain libc call on the pid of the Chromium this process started.
        unsafe {
            kill(pid as i32, 9);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if let Ok(mut dirs) = TEMP_DIRS.lock() {
        for d in dirs.drain(..) {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn register_clean_up() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers an `extern "C"` function without arguments, as atexit expects.
        unsafe {
            atexit(clean_up_at_exit);
        }
    });
}

/// A fresh empty folder under the system temp dir, removed when the test process exits.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    register_clean_up();
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("qunce-browser-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    TEMP_DIRS.lock().unwrap().push(dir.clone());
    dir
}

/// `target/screenshots/`, created: where the browser tests leave screenshots and PDFs for review.
pub(crate) fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

// ---------------------------------------------------------------------------------------------
// The static HTTP server.

/// Serves `root` on `listener` from a detached thread (it ends with the test process): one
/// thread per connection, `Connection: close`, `/x/` → `x/index.html`, 404 otherwise.
pub(crate) fn serve(listener: TcpListener, root: PathBuf) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = answer(stream, &root);
            });
        }
    });
}

fn answer(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    stream.set_read_timeout(Some(WAIT))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf)?;
        if n == 0 || head.len() > 64 * 1024 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let file = resolve(root, target);
    let (status, body, kind) = match file.as_deref().map(std::fs::read) {
        Some(Ok(body)) => ("200 OK", body, content_type(file.as_deref().unwrap())),
        // As static hosts do: the site's own 404.html when it has one.
        _ => match std::fs::read(root.join("404.html")) {
            Ok(page) => ("404 Not Found", page, "text/html; charset=utf-8"),
            Err(_) => (
                "404 Not Found",
                b"not found\n".to_vec(),
                "text/plain; charset=utf-8",
            ),
        },
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(header.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file a request target names, if it is a file below `root`.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path)?;
    if !path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return None;
    }
    if path.split('/').any(|seg| seg == ".." || seg == ".") {
        return None;
    }
    let mut rel = path.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let file = root.join(rel);
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
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
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    qunce::serve::content_type(&file.to_string_lossy())
}

// ---------------------------------------------------------------------------------------------
// Sites.

/// A site built into a temp folder and served on its own port (its own origin).
pub(crate) struct Served {
    /// The site's source root.
    pub(crate) root: PathBuf,
    /// The output folder the server serves.
    pub(crate) out: PathBuf,
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub(crate) origin: String,
}

impl Served {
    /// Binds a port, builds `root` for that origin into a fresh temp folder, and serves it.
    pub(crate) fn start(root: &Path, tag: &str) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let out = temp_dir(tag).join("public");
        let served = Served {
            root: root.to_path_buf(),
            out,
            origin,
        };
        served.rebuild();
        serve(listener, served.out.clone());
        served
    }

    /// Builds the site again into the same output folder (same origin).
    pub(crate) fn rebuild(&self) {
        let outcome = qunce::build(&qunce::Options {
            root: self.root.clone(),
            drafts: false,
            base_url: Some(self.origin.clone()),
            output: Some(self.out.clone()),
            offline: false,
            force: false,
        });
        assert_eq!(
            outcome.status,
            qunce::Status::Ok,
            "building {} failed:\n{}",
            self.root.display(),
            qunce::diagnostics::render(
                &outcome.diagnostics,
                qunce::diagnostics::Format::Human { color: false }
            )
        );
    }

    /// The absolute URL of a site path (`/matrix/`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Site paths of every HTML page of the build, sorted (`/`, `/404.html`, `/matrix/`, …).
    pub(crate) fn html_pages(&self) -> Vec<String> {
        let mut pages = Vec::new();
        collect_html(&self.out, &self.out, &mut pages);
        pages.sort();
        pages
    }

    /// Site paths of the pages directly below a section folder (`/rituals/kai-ying-yi-shi/`).
    pub(crate) fn pages_in(&self, section: &str) -> Vec<String> {
        let mut pages: Vec<String> = std::fs::read_dir(self.out.join(section))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().join("index.html").is_file())
                    .map(|e| format!("/{section}/{}/", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        pages.sort();
        pages
    }

    /// `/section/preferred/` when the build has it, else the section's first page.
    pub(crate) fn page_in(&self, section: &str, preferred: &str) -> String {
        let pages = self.pages_in(section);
        let want = format!("/{section}/{preferred}/");
        if pages.contains(&want) {
            return want;
        }
        pages
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("the build has no page in /{section}/"))
    }
}

fn collect_html(base: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read output dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_html(base, &path, out);
        } else if path.extension() == Some(OsStr::new("html")) {
            let rel = path.strip_prefix(base).unwrap().to_string_lossy();
            let rel = rel.replace('\\', "/");
            out.push(match rel.strip_suffix("index.html") {
                Some(dir) => format!("/{dir}"),
                None => format!("/{rel}"),
            });
        }
    }
}

/// The repository's own handbook, built and served once per test binary.
pub(crate) fn handbook() -> &'static Served {
    static HANDBOOK: OnceLock<Served> = OnceLock::new();
    HANDBOOK.get_or_init(|| Served::start(Path::new(env!("CARGO_MANIFEST_DIR")), "handbook"))
}

// ---------------------------------------------------------------------------------------------
// The browser.

/// The one headless Chromium of this test binary, killed at exit.
pub(crate) fn browser() -> &'static Browser {
    static BROWSER: OnceLock<Browser> = OnceLock::new();
    BROWSER.get_or_init(|| {
        if !Path::new(CHROMIUM).exists() && std::env::var_os("QUNCE_REQUIRE_BROWSER").is_none() {
            // A contributor without Chromium still gets a green `cargo test` for everything
            // else; CI sets QUNCE_REQUIRE_BROWSER=1 so that a missing browser fails there.
            eprintln!(
                "\n*** skipping this binary's browser tests: Debian's Chromium ({CHROMIUM}) is \
                 missing. `apt-get install chromium` runs them; QUNCE_REQUIRE_BROWSER=1 makes \
                 its absence a failure. ***\n"
            );
            std::process::exit(0);
        }
        if !Path::new(CHROMIUM).exists() {
            panic!(
                "\n\n*** The browser tests need Debian's Chromium at {CHROMIUM}, which is missing. ***\n\
                 *** Install it with `apt-get install chromium` (as .ci/run does), then run again. ***\n"
            );
        }
        let options = LaunchOptions {
            path: Some(PathBuf::from(CHROMIUM)),
            headless: true,
            sandbox: false,
            user_data_dir: Some(temp_dir("chromium-profile")),
            args: CHROMIUM_ARGS.iter().map(OsStr::new).collect(),
            window_size: Some((1280, 800)),
            idle_browser_timeout: Duration::from_secs(600),
            ..LaunchOptions::default()
        };
        let browser = Browser::new(options).unwrap_or_else(|e| {
            panic!("\n\n*** could not start {CHROMIUM}: {e:#} ***\n*** is `apt-get install chromium` complete? ***\n")
        });
        if let Some(pid) = browser.get_process_id() {
            CHROMIUM_PID.store(pid, Ordering::SeqCst);
        }
        browser
    })
}

/// One tab in a fresh browser context (its own localStorage), 1280×800 unless told otherwise;
/// closed on drop.
pub(crate) struct Page {
    pub(crate) tab: Arc<Tab>,
    /// Loader ids of the documents that fired `load`, to wait for a navigation without polling
    /// (every CDP call costs ~100 ms with headless_chrome's transport).
    loads: Arc<(Mutex<Vec<String>>, Condvar)>,
    url: Mutex<String>,
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.tab.close(false);
    }
}

impl Page {
    pub(crate) fn new() -> Page {
        let context = browser().new_context().expect("new browser context");
        let tab = context.new_tab().expect("new tab");
        tab.set_default_timeout(WAIT);
        let loads: Arc<(Mutex<Vec<String>>, Condvar)> = Arc::default();
        let seen = loads.clone();
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageLifecycleEvent(e) = event
                && e.params.name == "load"
            {
                seen.0.lock().unwrap().push(e.params.loader_id.clone());
                seen.1.notify_all();
            }
        }))
        .expect("listen to lifecycle events");
        let page = Page {
            tab,
            loads,
            url: Mutex::default(),
        };
        page.viewport(1280, 800, false);
        page
    }

    /// Emulates a screen `width`×`height` CSS pixels wide (a phone when `mobile`).
    pub(crate) fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("Emulation.setDeviceMetricsOverride");
    }

    /// Navigates and waits for the new document's `load` (deferred scripts have run by then).
    pub(crate) fn open(&self, url: &str) {
        let nav = self
            .tab
            .call_method(Cdp::Navigate {
                url: url.to_string(),
                referrer: None,
                transition_Type: None,
                frame_id: None,
                referrer_policy: None,
            })
            .unwrap_or_else(|e| panic!("navigating to {url}: {e:#}"));
        if let Some(error) = nav.error_text {
            panic!("navigating to {url} failed: {error}");
        }
        *self.url.lock().unwrap() = url.to_string();
        let loader = nav
            .loader_id
            .unwrap_or_else(|| panic!("{url} was not a new document"));
        let (lock, loaded) = &*self.loads;
        let deadline = Instant::now() + WAIT;
        let mut seen = lock.lock().unwrap();
        while !seen.contains(&loader) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{url} did not load within {WAIT:?}");
            seen = loaded.wait_timeout(seen, left).unwrap().0;
        }
        seen.clear();
    }

    /// Loads the last opened URL again.
    pub(crate) fn reload(&self) {
        let url = self.url.lock().unwrap().clone();
        self.open(&url);
    }

    /// Evaluates a JS expression and returns its value, JSON-decoded; `undefined` is `null`.
    pub(crate) fn try_eval<T: DeserializeOwned>(&self, js: &str) -> Result<T, String> {
        let wrapped = format!(
            "(() => {{ try {{ const v = ({js}); return JSON.stringify({{ ok: v === undefined ? null : v }}); }} \
             catch (e) {{ return JSON.stringify({{ err: String(e && e.stack || e) }}); }} }})()"
        );
        let result = self
            .tab
            .evaluate(&wrapped, false)
            .map_err(|e| format!("{e:#}"))?;
        let text = match result.value {
            Some(serde_json::Value::String(s)) => s,
            _ => {
                let what = result.description.unwrap_or_default();
                return Err(format!("the expression did not run: {what}"));
            }
        };
        let mut v: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if let Some(err) = v.get("err") {
            return Err(format!("JS error: {}", err.as_str().unwrap_or_default()));
        }
        serde_json::from_value(v["ok"].take()).map_err(|e| format!("{e} in {text}"))
    }

    /// [`Page::try_eval`] that panics on error.
    pub(crate) fn eval<T: DeserializeOwned>(&self, js: &str) -> T {
        self.try_eval(js)
            .unwrap_or_else(|e| panic!("evaluating `{js}` failed: {e}"))
    }

    /// Polls a JS condition every 50 ms until it is true, for at most [`WAIT`].
    pub(crate) fn wait_until(&self, what: &str, js: &str) {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < WAIT {
            match self.try_eval::<bool>(js) {
                Ok(true) => return,
                Ok(false) => last = "false".into(),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out after {WAIT:?} waiting until {what} (`{js}`; last: {last}) on {}",
            self.tab.get_url()
        );
    }

    /// Clicks the first element matching `selector` with a real mouse click at its centre.
    pub(crate) fn click(&self, selector: &str) {
        self.tab
            .wait_for_element(selector)
            .unwrap_or_else(|e| panic!("no element `{selector}` on {}: {e:#}", self.tab.get_url()))
            .click()
            .unwrap_or_else(|e| panic!("clicking `{selector}`: {e:#}"));
    }

    /// A PNG of what the viewport shows.
    pub(crate) fn viewport_screenshot(&self) -> Vec<u8> {
        self.tab
            .capture_screenshot(Cdp::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("Page.captureScreenshot")
    }

    /// A PNG of the whole page (up to 10 000 px tall) at the current viewport width.
    pub(crate) fn full_screenshot(&self) -> Vec<u8> {
        let (w, h): (f64, f64) = self.eval(
            "[innerWidth, \
             Math.min(10000, Math.max(document.documentElement.scrollHeight, innerHeight))]",
        );
        let shot = self
            .tab
            .call_method(Cdp::CaptureScreenshot {
                format: Some(Cdp::CaptureScreenshotFormatOption::Png),
                quality: None,
                clip: Some(Cdp::Viewport {
                    x: 0.0,
                    y: 0.0,
                    width: w,
                    height: h,
                    scale: 1.0,
                }),
                from_surface: Some(true),
                capture_beyond_viewport: Some(true),
                optimize_for_speed: None,
            })
            .expect("Page.captureScreenshot");
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(shot.data)
            .expect("screenshot is base64")
    }
}

/// JS string literal of `s`.
pub(crate) fn js_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}
