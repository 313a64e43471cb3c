//! Watches the site's sources (site.toml, content/, templates/, themes/, static/) and runs a
//! rebuild after each burst of changes. Bursts are debounced by hand: the first relevant event
//! starts a batch that closes after 15 ms without another (or 1 s in all), since one save is
//! often several events (write, rename, chmod) across several files.

use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use crate::config::CONFIG_FILE;

/// The folders under the root whose changes trigger a rebuild.
const WATCHED_DIRS: [&str; 4] = ["content", "templates", "themes", "static"];
/// The events of one save (write, rename, chmod) arrive within a millisecond or two; a batch
/// split by a slow editor only costs a second rebuild, never a wrong one.
const QUIET: Duration = Duration::from_millis(15);
const MAX_BATCH: Duration = Duration::from_secs(1);
/// How often the watcher thread checks whether the server is stopping.
const POLL: Duration = Duration::from_millis(100);

/// Batches of changed paths from the watcher to the builder. Not a channel of batches: the
/// builder takes everything queued at once (a save storm becomes one rebuild), and a running
/// rebuild asks [`Queue::has_more`] to learn that it is superseded.
#[derive(Default)]
pub(crate) struct Queue {
    paths: Mutex<Vec<String>>,
    ready: Condvar,
}

impl Queue {
    fn push(&self, changed: &[String]) {
        let mut q = self.paths.lock().unwrap_or_else(|e| e.into_inner());
        for c in changed {
            if !q.contains(c) {
                q.push(c.clone());
            }
        }
        self.ready.notify_all();
    }

    /// Everything queued, waiting up to `timeout` for something to arrive.
    pub(crate) fn take(&self, timeout: Duration) -> Option<Vec<String>> {
        let q = self.paths.lock().unwrap_or_else(|e| e.into_inner());
        let (mut q, _) = self
            .ready
            .wait_timeout_while(q, timeout, |q| q.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        (!q.is_empty()).then(|| std::mem::take(&mut *q))
    }

    /// Whether changes arrived since the last [`Queue::take`].
    pub(crate) fn has_more(&self) -> bool {
        !self
            .paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }
}

pub(crate) struct Watch {
    watcher: RecommendedWatcher,
    rx: Receiver<notify::Result<notify::Event>>,
}

impl Watch {
    /// Starts watching `root` (not recursively: site.toml and new folders) and each watched
    /// folder under it (recursively). The root itself is not watched recursively, so a big
    /// `target/` or `node_modules/` beside the site costs nothing.
    pub(crate) fn new(root: &Path) -> notify::Result<Watch> {
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for d in WATCHED_DIRS {
            let dir = root.join(d);
            if dir.is_dir() {
                watcher.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
        Ok(Watch { watcher, rx })
    }

    /// The watcher thread: collects changes into debounced batches for the builder, until the
    /// server stops. It never waits for a rebuild, so a save during one supersedes it.
    pub(crate) fn run(mut self, root: &Path, output_dir: &Path, queue: &Queue, stop: &AtomicBool) {
        let mut changed: Vec<String> = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            match self.rx.recv_timeout(POLL) {
                Ok(event) => self.collect(event, root, output_dir, &mut changed),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if changed.is_empty() {
                continue;
            }
            let start = Instant::now();
            while start.elapsed() < MAX_BATCH {
                match self.rx.recv_timeout(QUIET) {
                    Ok(event) => self.collect(event, root, output_dir, &mut changed),
                    Err(_) => break,
                }
            }
            queue.push(&changed);
            changed.clear();
        }
    }

    /// Adds the relevant paths of one event to `changed` (relative, `/`-separated, deduplicated),
    /// and starts watching a watched folder that was just created.
    fn collect(
        &mut self,
        event: notify::Result<notify::Event>,
        root: &Path,
        output_dir: &Path,
        changed: &mut Vec<String>,
    ) {
        let Ok(event) = event else {
            return;
        };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            let Some(rel) = relevant(root, output_dir, path) else {
                continue;
            };
            if WATCHED_DIRS.contains(&rel.as_str()) && path.is_dir() {
                let _ = self.watcher.watch(path, RecursiveMode::Recursive);
            }
            if !changed.contains(&rel) {
                changed.push(rel);
            }
        }
    }
}

/// The path relative to the root if a change there matters: site.toml, or a file in a watched
/// folder that is neither an editor's temporary file nor in the output folder.
pub(crate) fn relevant(root: &Path, output_dir: &Path, path: &Path) -> Option<String> {
    if path.starts_with(output_dir) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let first = parts.first()?;
    if parts.len() == 1 {
        return (first == CONFIG_FILE || WATCHED_DIRS.contains(&first.as_str()))
            .then(|| first.clone());
    }
    if !WATCHED_DIRS.contains(&first.as_str()) {
        return None;
    }
    let name = parts.last()?;
    // Under content/ the loader skips `_` and `.` files (except `_index.md`) anyway; elsewhere
    // a template named `_macros.html` is real, so only editors' leftovers are ignored there.
    let ignored = if first == "content" {
        parts[1..].iter().any(|p| crate::content::is_ignored(p))
    } else {
        crate::content::is_ignored(name) && !name.starts_with('_')
    };
    (!ignored).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_paths() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        let r = |p: &str| relevant(root, out, Path::new(p));
        assert_eq!(r("/site/site.toml").as_deref(), Some("site.toml"));
        assert_eq!(r("/site/content/a.md").as_deref(), Some("content/a.md"));
        assert_eq!(
            r("/site/content/_index.md").as_deref(),
            Some("content/_index.md")
        );
        assert_eq!(
            r("/site/templates/_macros.html").as_deref(),
            Some("templates/_macros.html")
        );
        assert_eq!(r("/site/static").as_deref(), Some("static"));
        for p in [
            "/site/content/a.md~",
            "/site/content/.a.md.swp",
            "/site/content/4913",
            "/site/content/#a.md#",
            "/site/content/.#a.md",
            "/site/templates/page.html~",
            "/site/public/index.html",
            "/site/target/debug/x",
            "/site/README.md",
            "/elsewhere/content/a.md",
        ] {
            assert_eq!(r(p), None, "{p}");
        }
    }
}
