//! Stage 4, write: puts a compiled site on disk atomically. Everything is written into a fresh
//! staging folder beside the output folder, which replaces the old output only once complete,
//! so a failed or killed build never leaves a half-written site.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::Asset;
use crate::diagnostics::Diagnostic;
use crate::render::OutputFile;

const STAGING: &str = ".qunce-staging-";
const RETIRED: &str = ".qunce-old-";

/// Writes `files` and copies `assets` into `out_dir`, replacing its previous contents.
pub fn write(
    out_dir: &Path,
    root: &Path,
    files: &[OutputFile],
    assets: &[Asset],
) -> Result<(), Diagnostic> {
    let staging = Staging::create(out_dir, root)?;
    staging.put_all(files)?;
    staging.finish(assets)
}

/// A staging folder being filled beside the output folder. `qunce build` streams each page into
/// it as soon as the page is rendered, so the site never has to fit in memory; it replaces the
/// output folder only in [`Staging::finish`], and is removed when dropped unfinished (a failed
/// build), so the old output stands.
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    done: bool,
    /// Folders made so far: most files share a folder with others (search cards, assets), and
    /// asking the file system to make an existing folder again took two system calls per file.
    made: std::sync::Mutex<rustc_hash::FxHashSet<PathBuf>>,
}

impl Staging {
    /// Checks that `out_dir` may be replaced, removes what killed builds left, and creates a
    /// fresh staging folder.
    pub fn create(out_dir: &Path, root: &Path) -> Result<Staging, Diagnostic> {
        guard(out_dir, root)?;
        let parent = out_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = out_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        std::fs::create_dir_all(&parent).map_err(|e| io_error(&parent, e))?;
        clean_leftovers(&parent, &name);
        let dir = parent.join(format!("{STAGING}{name}-{}", std::process::id()));
        let staging = Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            done: false,
            made: Default::default(),
        };
        std::fs::create_dir_all(&staging.dir).map_err(|e| io_error(&staging.dir, e))?;
        Ok(staging)
    }

    /// Writes one file (creating its folders); callable from many threads at once.
    pub fn put(&self, file: &OutputFile) -> Result<(), Diagnostic> {
        let path = self.dir.join(&file.path);
        self.make_parent(&path)?;
        let mut f = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        f.write_all(&file.bytes).map_err(|e| io_error(&path, e))
    }

    /// Makes the folder `path` goes in, unless this staging folder has made it already.
    fn make_parent(&self, path: &Path) -> Result<(), Diagnostic> {
        let Some(d) = path.parent() else {
            return Ok(());
        };
        if self.made.lock().is_ok_and(|set| set.contains(d)) {
            return Ok(());
        }
        std::fs::create_dir_all(d).map_err(|e| io_error(d, e))?;
        if let Ok(mut set) = self.made.lock() {
            set.insert(d.to_path_buf());
        }
        Ok(())
    }

    /// Writes many files in parallel.
    pub fn put_all(&self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        files.par_iter().try_for_each(|f| self.put(f))
    }

    /// Copies the assets in and puts the staging folder in the output folder's place.
    pub fn finish(mut self, assets: &[Asset]) -> Result<(), Diagnostic> {
        assets.par_iter().try_for_each(|a| {
            let path = self.dir.join(&a.dest);
            self.make_parent(&path)?;
            std::fs::copy(&a.source, &path)
                .map(|_| ())
                .map_err(|e| io_error(&path, e))
        })?;
        swap(&self.dir, &self.out_dir, &self.parent, &self.name)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Refuses output folders that would destroy the site's own sources.
fn guard(out_dir: &Path, root: &Path) -> Result<(), Diagnostic> {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let out = abs(out_dir);
    let root = abs(root);
    let bad = out == root
        || root.starts_with(&out)
        || ["content", "templates", "static", "themes"]
            .iter()
            .any(|d| out.starts_with(root.join(d)));
    if bad {
        return Err(Diagnostic::error(
            "config",
            format!("refusing to write the site into {}: it would replace the site's own files", out_dir.display()),
        )
        .in_file("site.toml")
        .with_help("choose an output folder of its own, e.g. `output_dir = \"public\"` or `--output public`"));
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display()))
        .with_help("check that the output folder is writable and the disk is not full")
}

/// Staging folders of killed builds are removed before a new build starts.
fn clean_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&format!("{STAGING}{name}-"))
            || n.starts_with(&format!("{RETIRED}{name}-"))
        {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn swap(staging: &Path, out_dir: &Path, parent: &Path, name: &str) -> Result<(), Diagnostic> {
    if out_dir.exists() {
        let retired = parent.join(format!("{RETIRED}{name}-{}", std::process::id()));
        std::fs::rename(out_dir, &retired).map_err(|e| io_error(out_dir, e))?;
        std::fs::rename(staging, out_dir).map_err(|e| {
            // Put the old site back rather than leave nothing.
            let _ = std::fs::rename(&retired, out_dir);
            io_error(out_dir, e)
        })?;
        let _ = std::fs::remove_dir_all(&retired);
    } else {
        std::fs::rename(staging, out_dir).map_err(|e| io_error(out_dir, e))?;
    }
    Ok(())
}
