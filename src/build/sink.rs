//! Where a build's files go: one [`Sink`] trait, whatever the destination (memory for tests and
//! [`crate::compile`], the staging folder for `qunce build`, nowhere for `qunce check`), so the
//! build's stages are the same for all of them. [`Writer`] stands between the stages and the
//! sink: it gathers what the output link check needs and makes pages relative for an offline
//! site, file by file, as each is made.

use std::sync::Mutex;

use crate::diagnostics::Diagnostic;
use crate::outlinks::{self, FileLinks};
use crate::output::{OutputFile, Staging};
use crate::render;
use crate::site::Site;

/// A destination of output files. Files arrive from many threads, in no particular order, each
/// as soon as it is made, so a sink that writes them on needs no memory for the whole output.
pub(crate) trait Sink: Sync {
    /// Takes one finished file; an error (a disk that is full) fails the build.
    fn put(&self, file: OutputFile) -> Result<(), Diagnostic>;

    /// Whether the build checks the links of the files put here (the output link check): it
    /// needs every file of the site to have passed through the sink.
    fn checks_links(&self) -> bool {
        true
    }

    /// Drops the file at `path` from the output, if it is there: a build with a
    /// [`super::Cache`] writes only what changed into a sink that starts from the last good
    /// output (the dev server's), so it must also say what went. Sinks that start empty have
    /// nothing to drop.
    fn remove(&self, _path: &str) {}
}

/// Keeps every file in memory: [`crate::compile`] and the tests read them.
#[derive(Default)]
pub(crate) struct Memory {
    files: Mutex<Vec<OutputFile>>,
}

impl Memory {
    /// The files put so far, by path (they arrive in no fixed order).
    pub(crate) fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.files.into_inner().unwrap_or_else(|e| e.into_inner());
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

impl Sink for Memory {
    fn put(&self, file: OutputFile) -> Result<(), Diagnostic> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(file);
        Ok(())
    }
}

/// Drops every file at once: `qunce check` runs every template and checks the links of every
/// file as `build` does (their errors are the check's), and never needs more memory than a
/// build.
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&self, _file: OutputFile) -> Result<(), Diagnostic> {
        Ok(())
    }
}

/// `qunce build`'s sink: each file is written into the staging folder as soon as it is made.
impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<(), Diagnostic> {
        Staging::put(self, &file)
    }
}

/// The stages' way to a [`Sink`]: notes each HTML file's links and ids for the output link
/// check, then makes the file relative when the site is built for file://.
pub(crate) struct Writer<'a> {
    sink: &'a dyn Sink,
    base: String,
    base_url: String,
    offline: bool,
    scanned: Option<Mutex<Vec<FileLinks>>>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(site: &Site, sink: &'a dyn Sink) -> Writer<'a> {
        Writer {
            sink,
            base: site.base.clone(),
            base_url: site.config.base_url.clone(),
            offline: site.config.offline,
            scanned: sink.checks_links().then(Mutex::default),
        }
    }

    /// Hands `f` on to the sink.
    pub(crate) fn put(&self, mut f: OutputFile) -> Result<(), Diagnostic> {
        if let Some(scanned) = &self.scanned {
            let links = scan_output(&f, &self.base_url);
            scanned
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(links);
        }
        if self.offline
            && f.path.ends_with(".html")
            && let Ok(html) = std::str::from_utf8(&f.bytes)
        {
            f.bytes =
                render::offline::relativize(html, &f.path, &self.base, &self.base_url).into_bytes();
        }
        self.sink.put(f)
    }

    /// Drops the file at `path` from the sink's output.
    pub(crate) fn remove(&self, path: &str) {
        self.sink.remove(path);
    }

    /// The links and ids of every file put (none when the sink does not check links).
    pub(crate) fn into_scanned(self) -> Vec<FileLinks> {
        self.scanned
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or_default()
    }
}

/// The links and ids of one output file (none for files other than HTML).
fn scan_output(f: &OutputFile, base_url: &str) -> FileLinks {
    if f.path.ends_with(".html") {
        outlinks::scan(&f.path, &f.bytes, base_url)
    } else {
        FileLinks {
            path: f.path.clone(),
            ..Default::default()
        }
    }
}
