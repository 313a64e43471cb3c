//! `qunce serve`: the dev server. Builds the site in memory, serves it over HTTP on a loopback
//! address, watches the site's sources, rebuilds on every save and tells open browsers to reload
//! (Server-Sent Events). A build with errors never replaces the last good site: the errors go to
//! the terminal and, as an overlay, to the browser (DESIGN.md §1, §5).
//!
//! Nothing is written to disk: every output file lives in a `Snapshot` (path → bytes) that is
//! swapped in whole after each successful build, so a request sees either the old site or the
//! new one, never a mix.
//!
//! - `http`: request handling (routing, content types, traversal checks, script injection).
//! - `events`: the live-reload event stream.
//! - `watch`: file watching and debouncing.

mod events;
mod gate;
mod http;

pub use http::content_type;
mod watch;

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::diagnostics::{self, Diagnostic, Format};

/// How many ports after the requested one are tried when it is taken.
const PORT_TRIES: u16 = 100;
/// How often waiting threads check whether the server is stopping.
const POLL: Duration = Duration::from_millis(100);
/// Threads answering ordinary requests (event streams get a thread each).
const WORKERS: usize = 4;

/// What `qunce serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site's folder (holding site.toml).
    pub root: PathBuf,
    /// Include pages with `draft = true`.
    pub drafts: bool,
    /// Address to listen on; loopback unless the writer asks otherwise.
    pub bind: IpAddr,
    /// Port to listen on; when taken, the next free one is used. 0 lets the system choose.
    pub port: u16,
    /// Print nothing to the terminal (tests).
    pub quiet: bool,
    /// Print the stage timings of every rebuild.
    pub timings: bool,
}

impl ServeOptions {
    /// Defaults of the command line: 127.0.0.1:1111, no drafts.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            drafts: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            quiet: false,
            timings: false,
        }
    }
}

/// A complete site as served: swapped in whole after each successful build.
pub(crate) struct Snapshot {
    /// Rendered files (shared with the builder: a snapshot costs no copy).
    pub files: Arc<crate::incremental::Files>,
    /// Files of content/ served from disk, by output path.
    pub assets: Arc<HashMap<String, PathBuf>>,
    /// 0 while no build has succeeded yet.
    pub generation: u64,
}

/// What the last build said.
#[derive(Clone, Default)]
pub(crate) struct Report {
    pub ok: bool,
    pub pages: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// State shared by the HTTP workers, the event streams and the rebuilder.
pub(crate) struct State {
    /// Unique per server start, so browsers notice a restart.
    pub instance: String,
    pub snapshot: RwLock<Arc<Snapshot>>,
    pub report: Mutex<Report>,
    pub events: events::Broadcaster,
    pub stop: AtomicBool,
    /// Whether the Host header must name this machine (the server listens on loopback only).
    pub loopback: bool,
}

impl State {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn report(&self) -> Report {
        self.report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The id of a served build: browsers compare it with the one they were served.
    pub fn build_id(&self, generation: u64) -> String {
        format!("{}-{generation}", self.instance)
    }
}

/// A running dev server. Dropping it (or calling [`Server::stop`]) stops it.
pub struct Server {
    addr: SocketAddr,
    url: String,
    state: Arc<State>,
    http: Arc<tiny_http::Server>,
    /// Clients connect to the gate, which forwards complete requests to tiny_http.
    gate: gate::Gate,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The site's URL, e.g. `http://127.0.0.1:1111/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the last build succeeded.
    pub fn is_ok(&self) -> bool {
        self.state.report().ok
    }

    /// Blocks until the server is stopped (by another thread, or the process by Ctrl-C).
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Stops watching and serving, and waits for the server's threads to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.gate.stop();
        self.state.events.close_all();
        for _ in 0..WORKERS {
            self.http.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Builds the site at `opts.root`, starts serving it and watching its sources. Returns once the
/// first build is done and the server accepts requests. A first build with errors still starts
/// the server (it shows the errors until they are fixed); a missing site or a port that cannot
/// be bound is an error.
pub fn start(opts: ServeOptions) -> Result<Server, Vec<Diagnostic>> {
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    if !crate::is_site(&root) {
        return Err(vec![
            Diagnostic::error("serve", format!("no site.toml in {}", opts.root.display()))
                .with_help(format!(
                    "run `qunce init {}` to create a new site, or pass --root DIR to point at one",
                    opts.root.display()
                )),
        ]);
    }
    let listener = bind(opts.bind, opts.port)?;
    let addr = listener.local_addr().map_err(|e| {
        vec![Diagnostic::error(
            "serve",
            format!("cannot read the listening address: {e}"),
        )]
    })?;
    let url = format!("http://{}/", host_for(addr));
    let base_url = url.trim_end_matches('/').to_string();

    let state = Arc::new(State {
        instance: format!(
            "{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default()
        ),
        snapshot: RwLock::new(Arc::new(Snapshot {
            files: Arc::default(),
            assets: Arc::default(),
            generation: 0,
        })),
        report: Mutex::new(Report::default()),
        events: events::Broadcaster::default(),
        stop: AtomicBool::new(false),
        loopback: opts.bind.is_loopback(),
    });

    let mut builder = Builder {
        incremental: crate::incremental::Incremental::new(crate::Options {
            root: root.clone(),
            drafts: opts.drafts,
            base_url: Some(base_url),
            output: None,
            offline: false,
            force: false,
        }),
        state: state.clone(),
        assets: Default::default(),
        quiet: opts.quiet,
        color: !opts.quiet
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stderr().is_terminal(),
        printed: String::new(),
        pending: BTreeSet::new(),
        timings: opts.timings && !opts.quiet,
    };
    builder.rebuild(&[], &|| false);
    let output_dir = builder
        .incremental
        .output_dir()
        .unwrap_or_else(|| root.join("public"));

    let (gate, private) = gate::Gate::start(listener).map_err(|e| {
        vec![Diagnostic::error(
            "serve",
            format!("cannot start the HTTP server: {e}"),
        )]
    })?;
    let http = Arc::new(private.serve().map_err(|e| {
        vec![Diagnostic::error(
            "serve",
            format!("cannot start the HTTP server: {e}"),
        )]
    })?);

    let mut threads = Vec::new();
    match watch::Watch::new(&root) {
        Ok(w) => {
            let queue = Arc::new(watch::Queue::default());
            let q = queue.clone();
            threads.push(std::thread::spawn(move || builder.run(&q)));
            let st = state.clone();
            threads.push(std::thread::spawn(move || {
                w.run(&root, &output_dir, &queue, &st.stop)
            }));
        }
        Err(e) => {
            if !opts.quiet {
                eprintln!("warning: cannot watch {} for changes: {e}", root.display());
                eprintln!("  = help: the site is served, but will not rebuild on save");
            }
        }
    }
    for _ in 0..WORKERS {
        let http = http.clone();
        let state = state.clone();
        threads.push(std::thread::spawn(move || {
            while !state.stop.load(Ordering::SeqCst) {
                match http.recv_timeout(Duration::from_millis(250)) {
                    Ok(Some(rq)) => http::handle(&state, rq),
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        }));
    }
    Ok(Server {
        addr,
        url,
        state,
        http,
        gate,
        threads,
    })
}

/// Binds `port` on `ip`, or the next free port when it is taken.
fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, Vec<Diagnostic>> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_TRIES - 1)
    };
    let mut error = None;
    for p in port..=last {
        match TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(l) => return Ok(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => error = Some(e),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let e = error.map(|e| e.to_string()).unwrap_or_default();
    Err(vec![
        Diagnostic::error("serve", format!("cannot listen on {ip}:{port}: {e}"))
            .with_help("choose another port with --port N, or another address with --bind ADDR"),
    ])
}

/// How a browser on this machine reaches `addr` (an unspecified address means loopback too).
fn host_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port()).to_string()
}

/// Opens `url` in the default browser, best effort.
pub fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("warning: cannot open a browser ({e}); open {url} yourself");
    }
}

/// Runs builds and publishes their results.
pub(crate) struct Builder {
    incremental: crate::incremental::Incremental,
    state: Arc<State>,
    quiet: bool,
    color: bool,
    /// The diagnostics last printed, so unchanged warnings are not repeated on every save.
    printed: String,
    /// Changes since the last good build (decides between a stylesheet swap and a reload).
    pending: BTreeSet<String>,
    /// Print the stage timings of every rebuild (`serve --timings`).
    timings: bool,
    /// The assets of the last published build and their table by output path.
    assets: (
        Arc<Vec<crate::content::Asset>>,
        Arc<HashMap<String, PathBuf>>,
    ),
}

impl Builder {
    /// The builder thread: takes batches of changes from the watcher and rebuilds. A batch that
    /// arrives during a rebuild cancels it; the next rebuild covers both batches.
    fn run(mut self, queue: &watch::Queue) {
        let mut carry: Vec<String> = Vec::new();
        let mut superseded = false;
        while !self.state.stop.load(Ordering::SeqCst) {
            let Some(batch) = queue.take(POLL) else {
                continue;
            };
            for c in batch {
                if !carry.contains(&c) {
                    carry.push(c);
                }
            }
            // A rebuild superseded once runs to its end the next time, so saves arriving
            // faster than a rebuild takes can never starve the served site of updates.
            let cancellable = !superseded;
            let done = if cancellable {
                self.rebuild(&carry, &|| queue.has_more())
            } else {
                self.rebuild(&carry, &|| false)
            };
            if done {
                carry.clear();
                superseded = false;
            } else {
                superseded = true;
            }
        }
    }

    /// Rebuilds after `changed` (paths relative to the root; empty for the first build), swaps
    /// the result in if it has no errors, and tells the browsers. Returns false when a newer
    /// change cancelled the rebuild.
    pub fn rebuild(&mut self, changed: &[String], cancel: &dyn Fn() -> bool) -> bool {
        let start = Instant::now();
        let first = self.state.snapshot().generation == 0 && changed.is_empty();
        self.pending.extend(changed.iter().cloned());
        let Some(built) = self.incremental.rebuild(changed, cancel) else {
            return false;
        };
        if self.timings {
            eprint!("{}", built.timings.report());
        }
        let diags = built.diagnostics;
        let pages = built.pages;
        let elapsed = start.elapsed().as_millis();

        let text = diagnostics::render(&diags, Format::Human { color: self.color });
        // Errors are printed after every failed build; unchanged warnings only once.
        if !self.quiet && (text != self.printed || diags.iter().any(Diagnostic::is_error)) {
            eprint!("{text}");
        }
        self.printed = text;

        let what = match changed {
            [] => String::new(),
            [one] => format!("{one}: "),
            [first, rest @ ..] => format!("{first} (+{} more): ", rest.len()),
        };
        if built.ok {
            let old = self.state.snapshot();
            // The asset table is rebuilt only when the assets changed.
            let assets = if Arc::ptr_eq(&built.assets, &self.assets.0) {
                self.assets.1.clone()
            } else {
                let table: HashMap<String, PathBuf> = built
                    .assets
                    .iter()
                    .map(|a| (a.dest.clone(), a.source.clone()))
                    .collect();
                self.assets = (built.assets.clone(), Arc::new(table));
                self.assets.1.clone()
            };
            let snapshot = Snapshot {
                files: built.files.clone(),
                assets,
                generation: old.generation + 1,
            };
            let generation = snapshot.generation;
            *self
                .state
                .snapshot
                .write()
                .unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
            *self.state.report.lock().unwrap_or_else(|e| e.into_inner()) = Report {
                ok: true,
                pages,
                diagnostics: diags,
            };
            let css_only = !self.pending.is_empty()
                && old.generation > 0
                && self.pending.iter().all(|p| p.ends_with(".css"));
            self.pending.clear();
            let build = self.state.build_id(generation);
            let data = serde_json::json!({ "build": build }).to_string();
            self.state
                .events
                .send(if css_only { "css" } else { "reload" }, &data);
            if !self.quiet {
                let css = if css_only {
                    ", stylesheets swapped"
                } else {
                    ""
                };
                if first {
                    eprintln!("{what}built {pages} pages in {elapsed} ms");
                } else {
                    let n = built.changed.len();
                    let s = if n == 1 { "" } else { "s" };
                    eprintln!(
                        "{what}rebuilt in {elapsed} ms: re-rendered {} of {pages} pages, {n} file{s} changed{css}",
                        built.rendered
                    );
                }
            }
        } else {
            let (errors, _) = diagnostics::count(&diags);
            let data = serde_json::to_string(&diags).unwrap_or_else(|_| "[]".into());
            *self.state.report.lock().unwrap_or_else(|e| e.into_inner()) = Report {
                ok: false,
                pages,
                diagnostics: diags,
            };
            self.state.events.send("error", &data);
            if !self.quiet {
                let keeping = if self.state.snapshot().generation > 0 {
                    "still serving the last good build"
                } else {
                    "nothing to serve until it is fixed"
                };
                let s = if errors == 1 { "" } else { "s" };
                eprintln!("{what}build failed with {errors} error{s} in {elapsed} ms; {keeping}");
            }
        }
        true
    }
}
