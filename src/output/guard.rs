//! Which folder a build may replace. qunce replaces only what it wrote: a missing folder, an
//! empty one, or one holding the marker file an earlier build put there. Anything else (the
//! user's notes, another tool's output, a source folder of the site) is refused with an error
//! that names it, unless `--force` says to replace a foreign folder; sources are never replaced.

use std::path::Path;

use crate::diagnostics::Diagnostic;
use crate::paths;

/// The file every build writes at the top of its output, so the next build knows the folder
/// is qunce's to replace.
pub(crate) const MARKER: &str = ".qunce-output";

/// What the marker file says to someone who finds it.
pub(crate) const MARKER_TEXT: &str = "This folder was written by qunce, the static-site generator. \
`qunce build` replaces it as a whole, keeping only its dotfiles and CNAME; \
remove this file to stop that.\n";

/// The code of every refusal, so callers can tell "you chose the wrong folder" (a usage
/// error) from a failing disk.
pub(crate) const CODE: &str = "output-dir";

/// Whether a top-level entry of an old output is carried into the new one: dotfiles and
/// dot-folders (`.git` of a pages worktree, `.nojekyll`, `.well-known/`) and `CNAME`, which a
/// static host reads and no build writes unless the site's static/ holds one.
pub(crate) fn is_carried(name: &str) -> bool {
    (name.starts_with('.') && name != MARKER) || name == "CNAME"
}

/// Checks that `out_dir` may be replaced by a build of the site at `root`.
pub(crate) fn check(out_dir: &Path, root: &Path, force: bool) -> Result<(), Diagnostic> {
    let shown = out_dir.display();
    if let Some(what) = paths::source_clash(out_dir, root) {
        return Err(Diagnostic::error(
            CODE,
            format!("refusing to write the site into {shown}: it is {what}"),
        )
        .with_help(
            "choose an output folder of its own, e.g. `--output public`; \
             qunce never replaces the site's sources, not even with --force",
        ));
    }
    let meta = match std::fs::symlink_metadata(out_dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(
                Diagnostic::error(CODE, format!("cannot inspect {shown}: {e}"))
                    .with_help("check that the output folder's parent is readable"),
            );
        }
    };
    if meta.file_type().is_symlink() {
        return Err(Diagnostic::error(
            CODE,
            format!("refusing to replace {shown}: it is a symbolic link"),
        )
        .with_help("point --output at a real folder; qunce never writes through a link"));
    }
    if !meta.is_dir() {
        return Err(Diagnostic::error(
            CODE,
            format!("refusing to replace {shown}: it is a file, not a folder"),
        )
        .with_help("choose another output folder; qunce never replaces a file with its output"));
    }
    if force || is_qunce_output(out_dir) {
        return Ok(());
    }
    Err(Diagnostic::error(
        CODE,
        format!(
            "refusing to replace {shown}: it is not empty and qunce did not write it \
             (no {MARKER} file)"
        ),
    )
    .with_help(format!(
        "choose an empty or new folder, or pass --force to replace {shown} \
         (its dotfiles and CNAME are kept)"
    )))
}

/// Whether replacing `dir` loses nothing qunce did not write: it holds the marker, or nothing
/// but entries a build carries over.
fn is_qunce_output(dir: &Path) -> bool {
    let marker = dir.join(MARKER);
    if std::fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file()) {
        return true;
    }
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .all(|e| is_carried(&e.file_name().to_string_lossy())),
        Err(_) => false,
    }
}

/// Holds the output folder's parent locked for one build, so a second build into the same
/// place waits instead of removing the first one's staging folder as a leftover. The lock is
/// on the parent folder itself (no lock file to leave behind) and ends when this is dropped.
pub(crate) struct Lock {
    _file: std::fs::File,
}

impl Lock {
    /// Waits until no other build holds `parent`, then holds it.
    pub(crate) fn take(parent: &Path) -> Result<Lock, Diagnostic> {
        let fail = |e: std::io::Error| {
            Diagnostic::error("io", format!("cannot lock {}: {e}", parent.display()))
                .with_help("check that the output folder's parent is readable")
        };
        let file = open_for_lock(parent).map_err(fail)?;
        file.lock().map_err(fail)?;
        Ok(Lock { _file: file })
    }
}

#[cfg(unix)]
fn open_for_lock(parent: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(parent)
}

/// Folders cannot be opened as files everywhere; elsewhere a lock file beside the output
/// serves.
#[cfg(not(unix))]
fn open_for_lock(parent: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(parent.join(".qunce-lock"))
}
