//! Stage 4, write: puts a compiled site on disk. What a build writes goes into a staging folder
//! beside the output folder first, and reaches the output only once the build has succeeded, so
//! a failed build never touches it. When the output's marker lists what the last build wrote
//! (Linux), only the changed files are staged and then renamed in, and what the build no
//! longer writes is removed (`delta`, `manifest`); otherwise the staging folder holds the whole
//! site and replaces the output folder, its unchanged files linked from the old one (see
//! `at::Folder::write_file`). `guard` decides whether the old output may be replaced at all.

#[cfg(unix)]
mod at;
#[cfg(target_os = "linux")]
mod delta;
pub(crate) mod guard;

/// Elsewhere than Linux an output is always replaced whole: there is never an `Old`.
#[cfg(not(target_os = "linux"))]
mod delta {
    pub(crate) enum Old {}

    impl Old {
        pub(crate) fn open(_: &std::path::Path) -> Option<Old> {
            None
        }

        pub(crate) fn holds(&self, _: &str, _: &[u8], _: u64) -> bool {
            match *self {}
        }
    }
}
// Off Linux only the fingerprint is used: the list is written and read for the in-place update.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod manifest;
#[cfg(not(unix))]
mod portable;

#[cfg(unix)]
use at as platform;
#[cfg(not(unix))]
use portable as platform;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::content::Asset;
use crate::diagnostics::Diagnostic;

/// One file of the output, relative to the output root: what the render and search stages
/// make and every `crate::build::Sink` takes.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Where it goes below the output root, with `/` separators (`roles/ban-zhang/index.html`).
    pub path: String,
    /// Its contents.
    pub bytes: Vec<u8>,
}

const STAGING: &str = ".qunce-staging-";
const RETIRED: &str = ".qunce-old-";

/// A staging folder being filled beside the output folder. `qunce build` streams each page into
/// it as soon as the page is rendered, so the site never has to fit in memory; it replaces the
/// output folder only in [`Staging::finish`], and is removed when dropped unfinished (a failed
/// build), so the old output stands.
pub(crate) struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    parent: PathBuf,
    name: String,
    done: bool,
    /// Held from creation until the new output is in place (or the staging folder is gone).
    _lock: guard::Lock,
    /// Folders made so far, below `dir`: most files share a folder with others (search cards,
    /// assets), and asking the file system to make an existing folder again took two system
    /// calls per file.
    made: std::sync::Mutex<rustc_hash::FxHashSet<String>>,
    /// `dir`, open: files are made relative to it.
    folder: platform::Folder,
    /// The output folder, when it is updated in place (see `delta`) rather than replaced.
    old: Option<delta::Old>,
    /// Every file put so far, by path, with the fingerprint of its bytes (none for assets).
    written: std::sync::Mutex<Vec<(String, Option<u64>)>>,
    /// The files of `dir` to rename into the output when it is updated in place.
    changed: std::sync::Mutex<FxHashSet<String>>,
}

impl Staging {
    /// Waits for any other build into the same place, checks that `out_dir` may be replaced
    /// (`force` replaces a folder qunce did not write), removes what killed builds left, and
    /// creates a fresh staging folder. A refusal has the code [`guard::CODE`].
    pub(crate) fn create(out_dir: &Path, root: &Path, force: bool) -> Result<Staging, Diagnostic> {
        // Refuse before making any folder: a source path must not even get a parent made.
        guard::check(out_dir, root, force)?;
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
        let lock = guard::Lock::take(&parent)?;
        // Again under the lock: the build that held it may have changed the folder.
        guard::check(out_dir, root, force)?;
        clean_leftovers(&parent, &name);
        let dir = parent.join(format!("{STAGING}{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        let old = delta::Old::open(out_dir);
        // Replaced whole, the old output lends its unchanged files to the new one.
        let previous = old.is_none().then_some(out_dir);
        let folder = platform::Folder::open(&dir, previous).map_err(|e| {
            let _ = std::fs::remove_dir_all(&dir);
            io_error(&dir, e)
        })?;
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            parent,
            name,
            done: false,
            _lock: lock,
            made: Default::default(),
            folder,
            old,
            written: Default::default(),
            changed: Default::default(),
        })
    }

    /// Writes one file (creating its folders); callable from many threads at once. When the
    /// output is updated in place, a file it already holds is only noted.
    pub(crate) fn put(&self, file: &OutputFile) -> Result<(), Diagnostic> {
        let fail = |e| io_error(&self.dir.join(&file.path), e);
        let hash = manifest::fingerprint(&file.bytes);
        match &self.old {
            Some(old) if old.holds(&file.path, &file.bytes, hash) => self.unstage(&file.path),
            Some(_) => {
                self.make_parent(&file.path)?;
                self.folder
                    .write_new(&file.path, &file.bytes)
                    .map_err(fail)?;
                if let Ok(mut set) = self.changed.lock() {
                    set.insert(file.path.clone());
                }
            }
            None => {
                self.make_parent(&file.path)?;
                self.folder
                    .write_file(&file.path, &file.bytes)
                    .map_err(fail)?;
            }
        }
        if let Ok(mut list) = self.written.lock() {
            list.push((file.path.clone(), Some(hash)));
        }
        Ok(())
    }

    /// Forgets a file put into the staging folder earlier, which a later put of the same path
    /// matches in the old output: the last put wins, as when the output is replaced whole.
    fn unstage(&self, rel: &str) {
        if let Ok(mut set) = self.changed.lock()
            && set.remove(rel)
        {
            let _ = std::fs::remove_file(self.dir.join(rel));
        }
    }

    /// The files put so far, sorted by path, each path once (its last put).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn take_written(&self) -> Vec<(String, Option<u64>)> {
        let mut list = self
            .written
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        // Stable: of two puts of one path, the later stays last, and is kept.
        list.par_sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Option<u64>)> = Vec::with_capacity(list.len());
        for item in list {
            match out.last_mut() {
                Some(last) if last.0 == item.0 => *last = item,
                _ => out.push(item),
            }
        }
        out
    }

    /// Makes the folder that `rel` (a path below the staging folder) goes in, unless this
    /// staging folder has made it already.
    fn make_parent(&self, rel: &str) -> Result<(), Diagnostic> {
        let Some((d, _)) = rel.rsplit_once('/') else {
            return Ok(());
        };
        if self.made.lock().is_ok_and(|set| set.contains(d)) {
            return Ok(());
        }
        self.folder
            .make_dirs(d)
            .map_err(|e| io_error(&self.dir.join(d), e))?;
        if let Ok(mut set) = self.made.lock() {
            set.insert(d.to_string());
        }
        Ok(())
    }

    /// Copies the assets in, marks the folder as qunce's, carries the old output's dotfiles
    /// over and puts the staging folder in the output folder's place.
    pub(crate) fn finish(mut self, assets: &[Asset]) -> Result<(), Diagnostic> {
        #[cfg(target_os = "linux")]
        if let Some(old) = self.old.take() {
            return self.finish_in_place(old, assets);
        }
        assets.par_iter().try_for_each(|a| {
            self.make_parent(&a.dest)?;
            let path = self.dir.join(&a.dest);
            // Never copied into a file already there, which may be a link to the old output's.
            let _ = std::fs::remove_file(&path);
            std::fs::copy(&a.source, &path)
                .map(|_| ())
                .map_err(|e| io_error(&path, e))
        })?;
        if let Ok(mut list) = self.written.lock() {
            list.extend(assets.iter().map(|a| (a.dest.clone(), None)));
        }
        let marker = self.dir.join(guard::MARKER);
        std::fs::write(&marker, self.marker_text()).map_err(|e| io_error(&marker, e))?;
        let carried = carry_over(&self.out_dir, &self.dir)?;
        if let Err(e) = swap(&self.dir, &self.out_dir, &self.parent, &self.name) {
            // The old output is still in place: give it back what was moved out of it.
            for name in carried {
                let _ = std::fs::rename(self.dir.join(&name), self.out_dir.join(&name));
            }
            return Err(e);
        }
        #[cfg(target_os = "linux")]
        delta::settle(&self.out_dir);
        self.done = true;
        Ok(())
    }

    /// The marker of an output replaced whole: with the list of its files, from which the next
    /// build can update it in place (Linux).
    #[cfg(target_os = "linux")]
    fn marker_text(&self) -> String {
        let files = self.take_written();
        manifest::Manifest { files }.marker_text()
    }

    #[cfg(not(target_os = "linux"))]
    fn marker_text(&self) -> String {
        guard::MARKER_TEXT.to_string()
    }

    /// [`Staging::finish`] for an output updated in place: the assets it does not hold yet are
    /// copied in too, then `old` is brought up to date and the staging folder removed.
    #[cfg(target_os = "linux")]
    fn finish_in_place(mut self, old: delta::Old, assets: &[Asset]) -> Result<(), Diagnostic> {
        assets.par_iter().try_for_each(|a| {
            // An asset replaces a page put at the same path, as when the output is replaced.
            self.unstage(&a.dest);
            if !old.holds_file(&a.dest, &a.source) {
                self.make_parent(&a.dest)?;
                let path = self.dir.join(&a.dest);
                std::fs::copy(&a.source, &path).map_err(|e| io_error(&path, e))?;
                if let Ok(mut set) = self.changed.lock() {
                    set.insert(a.dest.clone());
                }
            }
            if let Ok(mut list) = self.written.lock() {
                list.push((a.dest.clone(), None));
            }
            Ok::<(), Diagnostic>(())
        })?;
        let written = self.take_written();
        let mut changed: Vec<String> = self
            .changed
            .lock()
            .map(|mut s| s.drain().collect())
            .unwrap_or_default();
        changed.sort_unstable();
        old.update(self.folder.fd(), written, &changed)
            .map_err(|e| io_error(&self.out_dir, e))?;
        self.done = true;
        platform::remove_tree(&self.dir);
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

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error("io", format!("cannot write {}: {e}", path.display()))
        .with_help("check that the output folder is writable and the disk is not full")
}

/// Moves the entries of the old output that every build keeps ([`guard::is_carried`]) into
/// the staging folder, unless the new build wrote one of the same name (the site's static/ wins).
/// Moving is one rename each, however large a `.git` is. Returns the names moved.
fn carry_over(out_dir: &Path, staging: &Path) -> Result<Vec<std::ffi::OsString>, Diagnostic> {
    let mut moved = Vec::new();
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return Ok(moved);
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if !guard::is_carried(&name.to_string_lossy()) {
            continue;
        }
        let to = staging.join(&name);
        if std::fs::symlink_metadata(&to).is_ok() {
            continue;
        }
        if let Err(err) = std::fs::rename(e.path(), &to) {
            for back in &moved {
                let _ = std::fs::rename(staging.join(back), out_dir.join(back));
            }
            return Err(io_error(&e.path(), err));
        }
        moved.push(name);
    }
    Ok(moved)
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
            platform::remove_tree(&e.path());
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
        platform::remove_tree(&retired);
    } else {
        std::fs::rename(staging, out_dir).map_err(|e| io_error(out_dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether another open file of `dir` could lock it now.
    fn lockable(dir: &Path) -> bool {
        match std::fs::File::open(dir).unwrap().try_lock() {
            Ok(()) => true,
            Err(std::fs::TryLockError::WouldBlock) => false,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_staging_folder_holds_the_lock_until_it_is_gone() {
        let tmp = std::env::temp_dir().join(format!("qunce-lock-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let (root, parent) = (tmp.join("site"), tmp.join("out"));
        std::fs::create_dir_all(&root).unwrap();
        let staging = Staging::create(&parent.join("public"), &root, false).unwrap();
        assert!(
            !lockable(&parent),
            "a second build could start writing beside this one"
        );
        drop(staging);
        assert!(lockable(&parent));
        let staging = Staging::create(&parent.join("public"), &root, false).unwrap();
        assert!(!lockable(&parent));
        staging.finish(&[]).unwrap();
        assert!(lockable(&parent));
        assert!(parent.join("public").join(guard::MARKER).is_file());
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
