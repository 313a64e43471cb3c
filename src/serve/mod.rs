//! `qunce serve`: the dev server. Builds the site in memory, serves it over HTTP on a loopback
//! address, watches the site's sources, rebuilds on every save and tells open browsers to reload
//! (Server-Sent Events). A build with errors never replaces the last good site: the errors go to
//! the terminal and, as an overlay, to the browser (DESIGN.md §1, §5).
//!
//! Nothing is written to disk: every output file lives in a `Snapshot` (path → bytes) that is
//! swapped in whole after each successful build, so a request sees either the old site or the
//! new one, never a mix.
//!
//! - `listen`: the socket: connections handed to hyper (on tokio), timeouts and limits.
//! - `http`: request handling (routing, content types, traversal and cross-site checks,
//!   script injection).
//! - `body`: streamed response bodies and byte ranges.
//! - `events`: the live-reload event stream.
//! - `builder`: rebuilds and their publication.
//! - `watch`: file watching and debouncing.

mod body;
mod builder;
mod events;
mod http;
mod listen;
mod watch;

pub use http::content_type;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::diagnostics::Diagnostic;

/// How many ports after the requested one are tried when it is taken.
const PORT_TRIES: u16 = 100;
/// How often waiting threads check whether the server is stopping.
const POLL: Duration = Duration::from_millis(100);

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
    /// The language of messages (`--lang`); None: `QUNCE_LANG`, else the site's `language`.
    pub lang: Option<crate::messages::Lang>,
}

impl ServeOptions {
    /// Defaults of the command line: 127.0.0.1:1111, no drafts.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            drafts: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 1111,
            lang: None,
            quiet: false,
            timings: false,
        }
    }
}

/// A complete site as served: swapped in whole after each successful build.
pub(crate) struct Snapshot {
    /// Rendered files (shared with the builder: a snapshot costs no copy).
    pub(crate) files: Arc<crate::incremental::Files>,
    /// Files of content/ served from disk, by output path.
    pub(crate) assets: Arc<HashMap<String, PathBuf>>,
    /// 0 while no build has succeeded yet.
    pub(crate) generation: u64,
}

/// What the last build said.
#[derive(Clone, Default)]
pub(crate) struct Report {
    pub(crate) ok: bool,
    pub(crate) pages: usize,
    /// In English, as made; shown in `lang`.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The language the writer reads messages in, decided at each build (site.toml may change).
    pub(crate) lang: crate::messages::Lang,
}

impl Report {
    /// The diagnostics in the writer's language, for the browser.
    pub(crate) fn localized(&self) -> Vec<Diagnostic> {
        self.diagnostics
            .iter()
            .map(|d| crate::diagnostics::localize(d, self.lang))
            .collect()
    }
}

/// State shared by the HTTP workers, the event streams and the rebuilder.
pub(crate) struct State {
    /// Unique per server start, so browsers notice a restart.
    pub(crate) instance: String,
    pub(crate) snapshot: RwLock<Arc<Snapshot>>,
    pub(crate) report: Mutex<Report>,
    pub(crate) events: events::Broadcaster,
    pub(crate) stop: AtomicBool,
    /// Whether the Host header must name this machine (the server listens on loopback only).
    pub(crate) loopback: bool,
    /// The site's folder (canonical): files of `content/` are opened below it, never outside.
    pub(crate) root: PathBuf,
    /// `--lang`, when given: the language of messages whatever the site says.
    pub(crate) lang: Option<crate::messages::Lang>,
}

impl State {
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The language of the last build's messages, without copying its diagnostics.
    pub(crate) fn lang(&self) -> crate::messages::Lang {
        self.report.lock().unwrap_or_else(|e| e.into_inner()).lang
    }

    pub(crate) fn report(&self) -> Report {
        self.report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The id of a served build: browsers compare it with the one they were served.
    pub(crate) fn build_id(&self, generation: u64) -> String {
        format!("{}-{generation}", self.instance)
    }
}

/// A running dev server. Dropping it (or calling [`Server::stop`]) stops it.
pub struct Server {
    addr: SocketAddr,
    url: String,
    state: Arc<State>,
    /// Runs the HTTP side (hyper on tokio); shutting it down closes every connection.
    runtime: Option<tokio::runtime::Runtime>,
    /// The rebuilder and the watcher.
    threads: Vec<JoinHandle<()>>,
    /// Ctrl-C and SIGTERM, once listened for ([`Server::catch_stop_signals`]).
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
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

    /// From now on, Ctrl-C (SIGINT) and SIGTERM stop the server through [`Server::wait`]
    /// instead of killing the process. Call it before telling anyone the URL: a signal sent
    /// right after would otherwise end the process before it could clean up.
    pub fn catch_stop_signals(&mut self) {
        #[cfg(unix)]
        if self.signals.is_none()
            && let Some(rt) = &self.runtime
        {
            use tokio::signal::unix::{SignalKind, signal};
            let _in_runtime = rt.enter();
            if let (Ok(int), Ok(term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                self.signals = Some((int, term));
            }
        }
    }

    /// Serves until the process gets Ctrl-C (SIGINT) or SIGTERM, then stops cleanly: every
    /// connection closed, the port freed, nothing left behind.
    pub fn wait(mut self) {
        self.catch_stop_signals();
        if let Some(rt) = &self.runtime {
            #[cfg(unix)]
            match self.signals.as_mut() {
                Some((int, term)) => rt.block_on(async {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }),
                // Where they cannot be listened for, only killing the process stops it.
                None => rt.block_on(std::future::pending::<()>()),
            }
            #[cfg(not(unix))]
            rt.block_on(async {
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            });
        }
        self.shutdown();
    }

    /// Stops watching and serving, and waits for the server's threads to end.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.state.events.close_all();
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
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
    let cannot =
        |what: &str, e: std::io::Error| vec![Diagnostic::error("serve", format!("{what}: {e}"))];
    let connections = listen::connection_limit(listen::raise_fd_limit());
    let listener = bind(opts.bind, opts.port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| cannot("cannot read the listening address", e))?;
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
        root: root.clone(),
        lang: opts.lang,
    });

    let mut builder = builder::Builder::new(
        crate::incremental::Incremental::new(crate::Options {
            root: root.clone(),
            drafts: opts.drafts,
            base_url: Some(base_url),
            output: None,
            offline: false,
            force: false,
        }),
        state.clone(),
        opts.quiet,
        !opts.quiet
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stderr().is_terminal(),
        opts.timings && !opts.quiet,
    );
    builder.first_build();
    let output_dir = builder.output_dir().unwrap_or_else(|| root.join("public"));

    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("qunce-http")
        .enable_all()
        .build()
        .map_err(|e| cannot("cannot start the HTTP server", e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| cannot("cannot start the HTTP server", e))?;
    let listener = {
        let _entered = runtime.enter();
        tokio::net::TcpListener::from_std(listener)
            .map_err(|e| cannot("cannot start the HTTP server", e))?
    };
    runtime.spawn(listen::accept_loop(listener, state.clone(), connections));

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
    Ok(Server {
        addr,
        url,
        state,
        runtime: Some(runtime),
        threads,
        #[cfg(unix)]
        signals: None,
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
