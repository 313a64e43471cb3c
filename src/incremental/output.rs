//! The dev server's output: the last good build's files, patched with what a rebuild makes.

use std::sync::{Arc, Mutex};

use super::Files;
use crate::build::Sink;
use crate::diagnostics::Diagnostic;
use crate::output::OutputFile;

/// The dev server's [`Sink`]: the last good output, copied (cheaply: see [`super::filemap`]) and
/// patched with each file put, noting every path whose bytes changed, appeared or went.
pub(super) struct Output {
    state: Mutex<(Files, Vec<String>)>,
}

impl Output {
    pub(super) fn new(files: Files) -> Output {
        Output {
            state: Mutex::new((files, Vec::new())),
        }
    }

    /// The new output and the paths that changed, sorted.
    pub(super) fn finish(self) -> (Files, Vec<String>) {
        let (files, mut changed) = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        changed.sort();
        changed.dedup();
        (files, changed)
    }
}

impl Sink for Output {
    fn put(&self, f: OutputFile) -> Result<(), Diagnostic> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (files, changed) = &mut *state;
        if files.get(&f.path).is_none_or(|b| **b != *f.bytes) {
            changed.push(f.path.clone());
            files.insert(f.path, Arc::from(f.bytes));
        }
        Ok(())
    }

    fn remove(&self, path: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (files, changed) = &mut *state;
        if files.remove(path).is_some() {
            changed.push(path.to_string());
        }
    }

    /// The dev server does not check output links: a rebuild renders a few pages, and the
    /// check needs every file's ids.
    fn checks_links(&self) -> bool {
        false
    }
}
