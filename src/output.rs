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
    guard(out_dir, root)?;
    let parent = out_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    clean_leftovers(parent, &name);
    let staging = parent.join(format!("{STAGING}{name}-{}", std::process::id()));
    let result =
        fill(&staging, files, assets).and_then(|()| swap(&staging, out_dir, parent, &name));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
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

fn fill(staging: &Path, files: &[OutputFile], assets: &[Asset]) -> Result<(), Diagnostic> {
    std::fs::create_dir_all(staging).map_err(|e| io_error(staging, e))?;
    // Create every folder first (sequentially, cheap), then write files in parallel.
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(assets.iter().map(|a| a.dest.as_str()))
        .filter_map(|p| Path::new(p).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        let full = staging.join(d);
        std::fs::create_dir_all(&full).map_err(|e| io_error(&full, e))?;
    }
    files.par_iter().try_for_each(|f| {
        let path = staging.join(&f.path);
        let mut file = std::fs::File::create(&path).map_err(|e| io_error(&path, e))?;
        file.write_all(&f.bytes).map_err(|e| io_error(&path, e))
    })?;
    assets.par_iter().try_for_each(|a| {
        let path = staging.join(&a.dest);
        std::fs::copy(&a.source, &path)
            .map(|_| ())
            .map_err(|e| io_error(&path, e))
    })?;
    Ok(())
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
