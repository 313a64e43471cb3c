//! Updating an output folder in place (Linux), when its marker lists what the last build wrote
//! (see `manifest`). The staging folder then receives only the files whose bytes changed; once
//! the build has succeeded they are renamed into the output, the files the build no longer
//! writes are removed, and so is anything else found in a folder changed after the marker was
//! last written (a file left there by hand): every build leaves the marker newer than every
//! folder it made or changed, so a folder that is not older than the marker is read. An unchanged rebuild makes no folder, link or file:
//! where replacing the whole folder made, linked and removed every file and folder again, 10,000
//! pages cost 70,000 system calls that this does not make. The output folder itself stays, so a
//! shell or a server working in it keeps working. Entries a build carries over (dotfiles, CNAME)
//! are never removed.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use rustix::fs::{
    AtFlags, Dir, FileType, Mode, OFlags, ResolveFlags, mkdirat, openat, openat2, renameat, statat,
    unlinkat,
};
use rustix::io::Errno;

use super::at::{self, Held, SUBFOLDER};
use super::guard;
use super::manifest::{Manifest, Stamp};

/// An output folder to update in place: open, with the list its marker holds.
pub(crate) struct Old {
    fd: OwnedFd,
    manifest: Manifest,
    /// The marker's text, so an unchanged list is not written again.
    marker: String,
    /// The marker's modification time: a folder older than it is as the last build left it.
    since: Stamp,
}

/// A folder below the output opened through real folders only.
fn open_beneath(root: &OwnedFd, rel: &str) -> io::Result<OwnedFd> {
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(openat2(root, rel, flags, Mode::empty(), resolve)?)
}

/// The folder `rel` below `root` opened through real folders only, `root` itself for `""`.
fn folder<'a>(
    root: &'a OwnedFd,
    rel: &str,
    hold: &'a mut Option<OwnedFd>,
) -> Option<BorrowedFd<'a>> {
    if rel.is_empty() {
        return Some(root.as_fd());
    }
    *hold = open_beneath(root, rel).ok();
    hold.as_ref().map(|fd| fd.as_fd())
}

/// The modification time of a status (whose field types differ between targets).
#[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
fn time_of(st: &rustix::fs::Stat) -> Stamp {
    Stamp {
        sec: i64::from(st.st_mtime),
        nsec: st.st_mtime_nsec as u32,
    }
}

/// The time of the folder `rel` below `root`, when it is a folder.
fn stamp(root: &OwnedFd, rel: &str) -> Option<Stamp> {
    let st = statat(root, rel, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    (FileType::from_raw_mode(st.st_mode) == FileType::Directory).then(|| time_of(&st))
}

/// Whether `rel` lies under an entry every build carries over (or is the marker).
fn carried(rel: &str) -> bool {
    let top = rel.split('/').next().unwrap_or(rel);
    guard::is_carried(top) || top == guard::MARKER
}

/// `(folder, name)` of a path below the output (`""` for the root).
fn split(rel: &str) -> (&str, &str) {
    rel.rsplit_once('/').unwrap_or(("", rel))
}

/// Removes the entry `name` of `dir`, a folder with everything in it; links are removed, never
/// followed.
fn remove_entry<P: rustix::path::Arg + Copy>(dir: BorrowedFd<'_>, name: P) {
    if unlinkat(dir, name, AtFlags::empty()).is_ok() {
        return;
    }
    if let Ok(sub) = openat(dir, name, SUBFOLDER, Mode::empty()) {
        at::remove_contents(sub);
    }
    let _ = unlinkat(dir, name, AtFlags::REMOVEDIR);
}

impl Old {
    /// The output folder `out_dir` with the list in its marker, when it is a folder (not a link
    /// to one) whose marker has a list.
    pub(crate) fn open(out_dir: &Path) -> Option<Old> {
        use std::io::Read as _;
        let fd = at::open_dir(out_dir).ok()?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let marker_fd = openat(&fd, guard::MARKER, flags, Mode::empty()).ok()?;
        let since = time_of(&rustix::fs::fstat(&marker_fd).ok()?);
        let mut marker = String::new();
        std::fs::File::from(marker_fd)
            .read_to_string(&mut marker)
            .ok()?;
        let manifest = Manifest::parse(&marker)?;
        Some(Old {
            fd,
            manifest,
            marker,
            since,
        })
    }

    /// Whether the output holds exactly `bytes` at `rel` (a file of its own, see [`Held`]).
    pub(crate) fn holds(&self, rel: &str, bytes: &[u8]) -> bool {
        matches!(at::holds(&self.fd, rel, bytes), Held::Same(..))
    }

    /// Whether the output holds at `rel` exactly the bytes of the file `source`, compared a
    /// block at a time (an asset may be a large video).
    pub(crate) fn holds_file(&self, rel: &str, source: &Path) -> bool {
        use std::io::Read as _;
        let Ok(mut src) = std::fs::File::open(source) else {
            return false;
        };
        let Ok(len) = src.metadata().map(|m| m.len()) else {
            return false;
        };
        let mut same = |fd: &OwnedFd| {
            let mut old = std::fs::File::from(fd.try_clone().ok()?);
            let (mut a, mut b) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
            loop {
                let n = src.read(&mut a).ok()?;
                if n == 0 {
                    return Some(old.read(&mut b[..1]).ok()? == 0);
                }
                old.read_exact(&mut b[..n]).ok()?;
                if a[..n] != b[..n] {
                    return Some(false);
                }
            }
        };
        matches!(
            at::holds_by(&self.fd, rel, len, |fd| same(fd) == Some(true)),
            Held::Same(..)
        )
    }

    /// Brings the output up to date: renames `changed` (files in `staging`, by path) into
    /// it, removes what it no longer holds, and writes the marker's new list. `written` is
    /// every file of the new output, sorted, each once.
    pub(crate) fn update(
        self,
        staging: &OwnedFd,
        written: Vec<String>,
        changed: &[String],
    ) -> io::Result<()> {
        let new_folders = Manifest::folders_of(written.iter().map(String::as_str));
        let new: FxHashSet<&str> = written
            .iter()
            .map(String::as_str)
            .chain(new_folders.iter().copied())
            .collect();
        // The folders changed since the marker (and the root, which the marker is in) are
        // read, and whatever in them the new output does not hold goes; which ones is decided
        // before this build changes any. A time equal to the marker's may be later within the
        // clock's tick.
        let old = &self.manifest;
        let old_folders = Manifest::folders_of(old.files.iter().map(String::as_str));
        let read: Vec<&str> = std::iter::once("")
            .chain(
                old_folders
                    .par_iter()
                    .copied()
                    .filter(|d| !carried(d) && stamp(&self.fd, d).is_none_or(|s| s >= self.since))
                    .collect::<Vec<_>>(),
            )
            .collect();
        changed
            .par_iter()
            .try_for_each(|rel| place(staging, &self.fd, rel))?;
        read.par_iter().for_each(|d| sweep(&self.fd, d, &new));
        let stale: Vec<&str> = old
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| !new.contains(f) && !carried(f))
            .collect();
        stale.par_iter().for_each(|rel| {
            let (d, name) = split(rel);
            let mut hold = None;
            if let Some(dir) = folder(&self.fd, d, &mut hold) {
                let _ = unlinkat(dir, name, AtFlags::empty());
            }
        });
        // Folders left empty, the deepest first.
        let mut gone: Vec<&str> = old_folders
            .iter()
            .copied()
            .filter(|d| !new.contains(d) && !carried(d))
            .collect();
        gone.sort_by_key(|d| std::cmp::Reverse(d.matches('/').count()));
        for d in gone {
            let (parent, name) = split(d);
            let mut hold = None;
            if let Some(dir) = folder(&self.fd, parent, &mut hold) {
                let _ = unlinkat(dir, name, AtFlags::REMOVEDIR);
            }
        }
        // The marker, written or touched last, is newer than every folder changed above (the
        // folders read, too, so they are not read again next time).
        let text = Manifest { files: written }.marker_text();
        if text != self.marker {
            at::write_file(staging, guard::MARKER, text.as_bytes())?;
            renameat(staging, guard::MARKER, &self.fd, guard::MARKER)?;
        } else if !changed.is_empty() || !stale.is_empty() || read.len() > 1 {
            let now = rustix::fs::Timestamps {
                last_access: rustix::fs::Timespec {
                    tv_sec: 0,
                    tv_nsec: rustix::fs::UTIME_OMIT,
                },
                last_modification: rustix::fs::Timespec {
                    tv_sec: 0,
                    tv_nsec: rustix::fs::UTIME_NOW,
                },
            };
            rustix::fs::utimensat(&self.fd, guard::MARKER, &now, AtFlags::SYMLINK_NOFOLLOW)?;
        }
        Ok(())
    }
}

/// Removes from the folder `d` of the output every entry the new output (`new`, files and
/// folders) does not have, but those a build carries over.
fn sweep(root: &OwnedFd, d: &str, new: &FxHashSet<&str>) {
    let mut hold = None;
    let Some(dir) = folder(root, d, &mut hold) else {
        return;
    };
    let Ok(entries) = Dir::read_from(dir) else {
        return;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            break;
        };
        let Ok(name) = entry.file_name().to_str() else {
            // Not a name any build writes.
            remove_entry(dir, entry.file_name());
            continue;
        };
        if matches!(name, "." | "..") {
            continue;
        }
        let rel = if d.is_empty() {
            name.to_string()
        } else {
            format!("{d}/{name}")
        };
        if new.contains(rel.as_str()) || (d.is_empty() && carried(name)) {
            continue;
        }
        remove_entry(dir, name);
    }
}

/// Renames the file `rel` of `staging` to `rel` of the output, making its folders. Whatever
/// stands in the way (a file or a link where a folder goes, a folder where the file goes) is
/// removed first, as replacing the whole output would have removed it; no link is followed.
/// A file the staging folder does not have (an asset put over a page) is left alone.
fn place(staging: &OwnedFd, root: &OwnedFd, rel: &str) -> io::Result<()> {
    let (d, name) = split(rel);
    let mut parent: Option<OwnedFd> = None;
    for part in d.split('/').filter(|p| !p.is_empty()) {
        let at = parent.as_ref().map_or(root.as_fd(), |p| p.as_fd());
        // Other threads place files beside this one: a folder another made meanwhile, or a
        // file another removed, is no error.
        let mut tries = 0;
        let next = loop {
            match openat(at, part, SUBFOLDER, Mode::empty()) {
                Ok(fd) => break fd,
                Err(e) if tries == 3 => return Err(e.into()),
                Err(e) => {
                    if e != Errno::NOENT {
                        let _ = unlinkat(at, part, AtFlags::empty());
                    }
                    match mkdirat(at, part, Mode::from_raw_mode(0o777)) {
                        Ok(()) | Err(Errno::EXIST) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            tries += 1;
        };
        parent = Some(next);
    }
    let at = parent.as_ref().map_or(root.as_fd(), |p| p.as_fd());
    match renameat(staging, rel, at, name) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(Errno::ISDIR | Errno::NOTEMPTY | Errno::EXIST) => {
            remove_entry(at, name);
            Ok(renameat(staging, rel, at, name)?)
        }
        Err(e) => Err(e.into()),
    }
}
