//! The rebuilder: runs builds on the watcher's batches of changes and publishes each good one
//! as the served snapshot; tells the browsers what happened.
//!
//! A build that failed because the process ran out of file descriptors (a burst of connections,
//! another program) says nothing about the site: it is retried, with growing pauses, until the
//! descriptors are back, so its error never sticks once the cause is gone.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{POLL, Report, Snapshot, State, watch};
use crate::diagnostics::{self, Diagnostic, Format};
use crate::messages;

/// The first pause before a build starved of file descriptors is tried again.
const RETRY_FIRST: Duration = Duration::from_millis(200);
/// The longest pause between such tries.
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Whether a diagnostic's message reports the process or the system out of file descriptors
/// (the text `std::io::Error` gives EMFILE and ENFILE, which read errors quote).
fn is_starved(message: &str) -> bool {
    #[cfg(unix)]
    {
        [libc::EMFILE, libc::ENFILE]
            .iter()
            .any(|&code| message.contains(&std::io::Error::from_raw_os_error(code).to_string()))
    }
    #[cfg(not(unix))]
    {
        let _ = message;
        false
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
    /// A builder publishing into `state`; `color` and `timings` shape what it prints unless
    /// `quiet`.
    pub(super) fn new(
        incremental: crate::incremental::Incremental,
        state: Arc<State>,
        quiet: bool,
        color: bool,
        timings: bool,
    ) -> Builder {
        Builder {
            incremental,
            state,
            quiet,
            color,
            printed: String::new(),
            pending: BTreeSet::new(),
            timings,
            assets: Default::default(),
        }
    }

    /// The build the server starts with.
    pub(super) fn first_build(&mut self) {
        self.rebuild(&[], &|| false);
    }

    /// Where `qunce build` would write (ignored by the watcher), once a config has loaded.
    pub(super) fn output_dir(&self) -> Option<PathBuf> {
        self.incremental.output_dir()
    }

    /// Whether the last build failed because the process had no file descriptor to spare:
    /// a failure of the moment, not of the site.
    fn starved(&self) -> bool {
        let report = self.state.report();
        !report.ok && report.diagnostics.iter().any(|d| is_starved(&d.message))
    }

    /// The builder thread: takes batches of changes from the watcher and rebuilds. A batch that
    /// arrives during a rebuild cancels it; the next rebuild covers both batches. A build
    /// starved of file descriptors is run again after a pause (doubling up to [`RETRY_MAX`]),
    /// in full, since any file may have failed to read, until it is not starved.
    pub(super) fn run(mut self, queue: &watch::Queue) {
        let mut carry: Vec<String> = Vec::new();
        let mut superseded = false;
        let mut retry: Option<(Instant, Duration)> = None;
        if self.starved() {
            carry.push(crate::config::CONFIG_FILE.to_string());
            retry = Some((Instant::now() + RETRY_FIRST, RETRY_FIRST));
        }
        while !self.state.stop.load(Ordering::SeqCst) {
            let wait = retry.map_or(POLL, |(at, _)| {
                at.saturating_duration_since(Instant::now()).min(POLL)
            });
            match queue.take(wait) {
                Some(batch) => {
                    for c in batch {
                        if !carry.contains(&c) {
                            carry.push(c);
                        }
                    }
                }
                None if retry.is_some_and(|(at, _)| Instant::now() >= at) => {}
                None => continue,
            }
            // A rebuild superseded once runs to its end the next time, so saves arriving
            // faster than a rebuild takes can never starve the served site of updates.
            let cancellable = !superseded;
            let done = if cancellable {
                self.rebuild(&carry, &|| queue.has_more())
            } else {
                self.rebuild(&carry, &|| false)
            };
            if !done {
                superseded = true;
                continue;
            }
            superseded = false;
            if self.starved() {
                let config = crate::config::CONFIG_FILE.to_string();
                if !carry.contains(&config) {
                    carry.push(config);
                }
                let pause = retry.map_or(RETRY_FIRST, |(_, p)| (p * 2).min(RETRY_MAX));
                retry = Some((Instant::now() + pause, pause));
            } else {
                carry.clear();
                retry = None;
            }
        }
    }

    /// Rebuilds after `changed` (paths relative to the root; empty for the first build), swaps
    /// the result in if it has no errors, and tells the browsers. Returns false when a newer
    /// change cancelled the rebuild.
    fn rebuild(&mut self, changed: &[String], cancel: &dyn Fn() -> bool) -> bool {
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

        let lang = crate::messages::for_site(self.state.lang, &self.state.root);
        let text = diagnostics::render_in(&diags, Format::Human { color: self.color }, lang);
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
                lang,
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
                    messages::cli(lang, "serve-css", &[])
                } else {
                    String::new()
                };
                let line = if first {
                    messages::cli(
                        lang,
                        "serve-built",
                        &[("what", &what), ("pages", &pages), ("ms", &elapsed)],
                    )
                } else {
                    let n = built.changed.len();
                    let id = if n == 1 {
                        "file-count-one"
                    } else {
                        "file-count"
                    };
                    let files = messages::cli(lang, id, &[("n", &n)]);
                    messages::cli(
                        lang,
                        "serve-rebuilt",
                        &[
                            ("what", &what),
                            ("ms", &elapsed),
                            ("rendered", &built.rendered),
                            ("pages", &pages),
                            ("files", &files),
                            ("css", &css),
                        ],
                    )
                };
                eprintln!("{line}");
            }
        } else {
            let (errors, _) = diagnostics::count(&diags);
            let report = Report {
                ok: false,
                pages,
                diagnostics: diags,
                lang,
            };
            let data = serde_json::to_string(&report.localized()).unwrap_or_else(|_| "[]".into());
            *self.state.report.lock().unwrap_or_else(|e| e.into_inner()) = report;
            self.state.events.send("error", &data);
            if !self.quiet {
                let keeping = if self.state.snapshot().generation > 0 {
                    "serve-keeping"
                } else {
                    "serve-nothing"
                };
                let line = messages::cli(
                    lang,
                    "serve-failed",
                    &[
                        ("what", &what),
                        ("errors", &diagnostics::counted(errors, false, lang)),
                        ("ms", &elapsed),
                        ("keeping", &messages::cli(lang, keeping, &[])),
                    ],
                );
                eprintln!("{line}");
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn knows_a_read_error_for_lack_of_descriptors() {
        let e = std::io::Error::from_raw_os_error(libc::EMFILE);
        assert!(is_starved(&format!("cannot read content/a.md: {e}")));
        let e = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert!(!is_starved(&format!("cannot read content/a.md: {e}")));
        assert!(!is_starved("too many open files in this paragraph"));
    }
}
