//! The walk of `content/`: which files and folders it holds, in a stable order, without reading
//! any file. Kept apart from loading because the dev server keeps a [`Tree`] and patches it per
//! change instead of walking 10,000 files again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::is_ignored;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, display_path};

/// What a walk of `content/` found, in walk order (`BTreeSet<PathBuf>` orders paths component
/// by component, the same order as a depth-first walk with names sorted). The dev server keeps
/// it and patches it per change with [`Tree::update`] instead of walking 10,000 files again.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    pub(crate) content_dir: PathBuf,
    pub(crate) markdown: std::collections::BTreeSet<PathBuf>,
    pub(crate) other: std::collections::BTreeSet<PathBuf>,
    pub(crate) dirs: std::collections::BTreeSet<PathBuf>,
    pub(crate) symlinks: std::collections::BTreeSet<PathBuf>,
    /// FIFOs, sockets and devices: skipped, since reading one could block the build forever.
    pub(crate) special: std::collections::BTreeSet<PathBuf>,
    /// Errors of the walk itself (unreadable folders), with the path they concern.
    pub(crate) errors: Vec<(PathBuf, Diagnostic)>,
}

/// Walks `content/` (or nothing when it does not exist) without reading any file.
pub(crate) fn walk(config: &Config) -> Tree {
    let content_dir = config.root.join("content");
    let mut tree = Tree {
        content_dir: content_dir.clone(),
        ..Tree::default()
    };
    tree.walk_from(&config.root, &content_dir);
    tree
}

impl Tree {
    /// Walks `start` the way a depth-first walk with names sorted byte-wise would (the order
    /// of the `BTreeSet`s), with the subfolders of each folder walked in parallel: a 10,000-file
    /// tree took a single thread tens of milliseconds, most of it in path handling. What it
    /// finds, and the errors it reports, are those of the `walkdir` walk this replaced: the
    /// start is followed if it is a symbolic link, nothing below it is.
    fn walk_from(&mut self, root: &Path, start: &Path) {
        let content_dir = &self.content_dir;
        let mut found = Walked::default();
        let meta = match std::fs::symlink_metadata(start) {
            Ok(m) => m,
            Err(e) => {
                self.errors.push(walk_error(root, Some(start), &e));
                return;
            }
        };
        let kept = start == content_dir.as_path()
            || start.strip_prefix(content_dir).is_ok_and(|rel| {
                !rel.components()
                    .any(|c| is_ignored(&c.as_os_str().to_string_lossy()))
            });
        let ft = meta.file_type();
        if ft.is_dir() {
            // An ignored folder is not entered, so not even its read errors are reported.
            if kept {
                found.dirs.push(start.to_path_buf());
                walk_dir(root, start, true, &mut found);
            }
        } else if ft.is_symlink() {
            match std::fs::metadata(start) {
                Err(e) => found.errors.push(walk_error(root, Some(start), &e)),
                Ok(target) => {
                    if kept {
                        found.symlinks.push(start.to_path_buf());
                    }
                    if target.is_dir() {
                        walk_dir(root, start, kept, &mut found);
                    }
                }
            }
        } else if kept {
            found.leaf(start.to_path_buf(), ft);
        }
        self.add(found);
    }

    /// Puts a walk's findings into the sets: into an empty set in one go, since they come in
    /// the set's order (a bulk build instead of 10,000 inserts that compare paths component by
    /// component).
    fn add(&mut self, found: Walked) {
        fn put(set: &mut BTreeSet<PathBuf>, paths: Vec<PathBuf>) {
            if set.is_empty() {
                *set = paths.into_iter().collect();
            } else {
                set.extend(paths);
            }
        }
        put(&mut self.markdown, found.markdown);
        put(&mut self.other, found.other);
        put(&mut self.dirs, found.dirs);
        put(&mut self.symlinks, found.symlinks);
        put(&mut self.special, found.special);
        self.errors.extend(found.errors);
    }

    /// Every entry at or below `path`, with what it is: what [`Tree::update`] may change, so a
    /// caller can tell an edit of files from a change of the tree's shape.
    pub(crate) fn entries_under(&self, path: &Path) -> Vec<(u8, PathBuf)> {
        let sets = [
            &self.markdown,
            &self.other,
            &self.dirs,
            &self.symlinks,
            &self.special,
        ];
        let mut out: Vec<(u8, PathBuf)> = Vec::new();
        for (k, set) in sets.into_iter().enumerate() {
            out.extend(
                set.iter()
                    .filter(|p| p.starts_with(path))
                    .map(|p| (k as u8, p.clone())),
            );
        }
        out.extend(
            self.errors
                .iter()
                .filter(|(p, _)| p.starts_with(path))
                .map(|(p, _)| (5, p.clone())),
        );
        out
    }

    /// Brings the tree up to date after `path` (anything under `content/`) changed: forgets it
    /// and everything below it, then walks it again if it still exists. Returns the Markdown
    /// files now at or below `path`, which need reading.
    pub(crate) fn update(&mut self, root: &Path, path: &Path) -> Vec<PathBuf> {
        let under = |p: &PathBuf| p.starts_with(path);
        self.markdown.retain(|p| !under(p));
        self.other.retain(|p| !under(p));
        self.dirs.retain(|p| !under(p));
        self.symlinks.retain(|p| !under(p));
        self.special.retain(|p| !under(p));
        self.errors.retain(|(p, _)| !p.starts_with(path));
        if path.symlink_metadata().is_ok() {
            self.walk_from(root, path);
        }
        self.markdown.iter().filter(|p| under(p)).cloned().collect()
    }
}

/// What a walk found below one folder, each list in walk order.
#[derive(Default)]
struct Walked {
    markdown: Vec<PathBuf>,
    other: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    symlinks: Vec<PathBuf>,
    special: Vec<PathBuf>,
    errors: Vec<(PathBuf, Diagnostic)>,
}

impl Walked {
    /// Files, links and special files: anything but a folder to enter.
    fn leaf(&mut self, path: PathBuf, ft: std::fs::FileType) {
        if ft.is_symlink() {
            self.symlinks.push(path);
        } else if !ft.is_file() {
            self.special.push(path);
        } else if path.extension().is_some_and(|e| e == "md") {
            self.markdown.push(path);
        } else {
            self.other.push(path);
        }
    }

    fn append(&mut self, mut below: Walked) {
        self.markdown.append(&mut below.markdown);
        self.other.append(&mut below.other);
        self.dirs.append(&mut below.dirs);
        self.symlinks.append(&mut below.symlinks);
        self.special.append(&mut below.special);
        self.errors.append(&mut below.errors);
    }
}

/// Lists `dir` into `out`, then its subfolders (in parallel), in walk order. With `kept` false
/// (a followed link whose own name is ignored) only errors are reported.
fn walk_dir(root: &Path, dir: &Path, kept: bool, out: &mut Walked) {
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            out.errors.push(walk_error(root, Some(dir), &e));
            return;
        }
    };
    let mut entries: Vec<(std::ffi::OsString, std::fs::FileType)> = Vec::new();
    for entry in listing {
        // Errors come before the entries, as a sorted walkdir listing had them.
        match entry {
            Err(e) => out.errors.push(walk_error(root, None, &e)),
            Ok(entry) => match entry.file_type() {
                Ok(ft) => entries.push((entry.file_name(), ft)),
                Err(e) => out.errors.push(walk_error(root, Some(&entry.path()), &e)),
            },
        }
    }
    if !kept {
        return;
    }
    entries.retain(|(name, _)| !is_ignored(&name.to_string_lossy()));
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let below: Vec<Walked> = entries
        .par_iter()
        .filter(|(_, ft)| ft.is_dir())
        .map(|(name, _)| {
            let path = dir.join(name);
            let mut sub = Walked::default();
            walk_dir(root, &path, true, &mut sub);
            sub.dirs.insert(0, path);
            sub
        })
        .collect();
    let mut below = below.into_iter();
    for (name, ft) in entries {
        if ft.is_dir() {
            out.append(below.next().expect("one walk per folder"));
        } else {
            out.leaf(dir.join(name), ft);
        }
    }
}

/// An error of the walk, worded as `walkdir` worded it.
fn walk_error(root: &Path, at: Option<&Path>, e: &std::io::Error) -> (PathBuf, Diagnostic) {
    let (at, what) = match at {
        Some(p) => (
            p.to_path_buf(),
            format!("IO error for operation on {}: {e}", p.display()),
        ),
        None => (PathBuf::new(), e.to_string()),
    };
    let path = if at.as_os_str().is_empty() {
        String::new()
    } else {
        display_path(root, &at)
    };
    (
        at,
        Diagnostic::error("io", format!("cannot read {path}: {what}"))
            .in_file(&path)
            .with_help("check the file's permissions"),
    )
}
