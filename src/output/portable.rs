//! The staging folder's file calls where `at` (unix: calls relative to an open folder) is not
//! available: the same operations by full path, through `std::fs`.

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// The staging folder, by path.
pub(crate) struct Folder(PathBuf);

impl Folder {
    /// Remembers `path`, which must be a folder. The old output (`_previous`) is not reused:
    /// files are always written.
    pub(crate) fn open(path: &Path, _previous: Option<&Path>) -> io::Result<Folder> {
        if !path.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "not a folder"));
        }
        Ok(Folder(path.to_path_buf()))
    }

    /// Makes the folder `rel` below this one and any missing folders above it.
    pub(crate) fn make_dirs(&self, rel: &str) -> io::Result<()> {
        std::fs::create_dir_all(self.0.join(rel))
    }

    /// Creates (or truncates) the file `rel` below this folder and writes `bytes` into it.
    pub(crate) fn write_file(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(self.0.join(rel), bytes)
    }

    /// The same as [`Folder::write_file`]: no old file is ever reused here.
    pub(crate) fn write_new(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        self.write_file(rel, bytes)
    }
}

/// Removes the folder `dir` and everything in it, its subfolders in parallel. Links are
/// removed, never followed (`DirEntry::file_type` does not follow them); what cannot be
/// removed stays, as with `remove_dir_all`.
pub(crate) fn remove_tree(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let (dirs, files): (Vec<_>, Vec<_>) = entries
            .flatten()
            .partition(|e| e.file_type().is_ok_and(|t| t.is_dir()));
        for f in files {
            let _ = std::fs::remove_file(f.path());
        }
        dirs.par_iter().for_each(|d| remove_tree(&d.path()));
    }
    let _ = std::fs::remove_dir(dir);
}
