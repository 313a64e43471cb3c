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
use rustc_hash::{FxHashMap, FxHashSet};
use rustix::fs::{
    AtFlags, Dir, FileType, Mode, OFlags, mkdirat, openat, openat2, renameat, statat, unlinkat,
};
use rustix::io::Errno;

use super::at::{self, Held, SUBFOLDER};
use super::guard;
use super::manifest::{Manifest, Stamp};

/// An output folder to update in place: open, with the list its marker holds.
pub(crate) struct Old {
    fd: OwnedFd,
    /// The files the marker lists, with their fingerprints.
    listed: FxHashMap<String, Option<u64>>,
    /// The folders above them, sorted.
    folders: Vec<String>,
    /// Those that are folders reached through folders only (no links).
    real: FxHashSet<String>,
    /// The folders to read for entries the new output does not hold: the root, and every
    /// listed folder changed after the marker (or that is no folder now).
    read: Vec<String>,
    /// The marker's text, so an unchanged list is not written again.
    marker: String,
    /// The marker's status change time: a file whose own is earlier is as the last build
    /// left it (no write, rename or change of times since; unlike the modification time, no
    /// one can set it back).
    listed_at: Stamp,
    /// Files found right by reading them, though changed (in status) since the marker, with
    /// their status change time then: the new marker vouches for those still at that time.
    read_back: std::sync::Mutex<Vec<(String, Stamp)>>,
}

/// A folder below the output opened through real folders only.
fn open_beneath(root: &OwnedFd, rel: &str) -> io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    Ok(openat2(root, rel, flags, Mode::empty(), at::BENEATH)?)
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

/// The modification and status change times of a status (whose field types differ between
/// targets).
#[allow(clippy::useless_conversion, clippy::unnecessary_cast)]
fn times(st: &rustix::fs::Stat) -> (Stamp, Stamp) {
    let stamp = |sec, nsec| Stamp {
        sec: sec as i64,
        nsec: nsec as u32,
    };
    (
        stamp(st.st_mtime, st.st_mtime_nsec),
        stamp(st.st_ctime, st.st_ctime_nsec),
    )
}

/// The modification time of the folder `rel` below `root`, when it is a folder (its last part
/// not followed if it is a link).
fn stamp(root: &OwnedFd, rel: &str) -> Option<Stamp> {
    let st = statat(root, rel, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    (FileType::from_raw_mode(st.st_mode) == FileType::Directory).then(|| times(&st).0)
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
        let st = rustix::fs::fstat(&marker_fd).ok()?;
        let (since, listed_at) = times(&st);
        let mut marker = String::new();
        std::fs::File::from(marker_fd)
            .read_to_string(&mut marker)
            .ok()?;
        let manifest = Manifest::parse(&marker)?;
        let folders: Vec<String> =
            Manifest::folders_of(manifest.files.iter().map(|(f, _)| f.as_str()))
                .into_iter()
                .map(String::from)
                .collect();
        let stamps: Vec<Option<Stamp>> = folders.par_iter().map(|d| stamp(&fd, d)).collect();
        // Sorted, a folder comes after the folders above it.
        let mut real: FxHashSet<String> = FxHashSet::default();
        let mut read = vec![String::new()];
        for (d, s) in folders.iter().zip(&stamps) {
            let parent = split(d).0;
            if s.is_some() && (parent.is_empty() || real.contains(parent)) {
                real.insert(d.clone());
            }
            // A time equal to the marker's may be later within the clock's tick.
            if !carried(d) && (!real.contains(d) || s.is_none_or(|s| s >= since)) {
                read.push(d.clone());
            }
        }
        Some(Old {
            fd,
            listed: manifest.files.into_iter().collect(),
            folders,
            real,
            read,
            marker,
            listed_at,
            read_back: Default::default(),
        })
    }

    /// Whether the output holds exactly `bytes` at `rel` (a file of its own, see [`Held`]);
    /// `hash` is their [`super::manifest::fingerprint`]. A file the marker lists with that
    /// fingerprint, of that size, untouched since the marker and reached through folders only,
    /// is not read back.
    pub(crate) fn holds(&self, rel: &str, bytes: &[u8], hash: u64) -> bool {
        if self.listed.get(rel) == Some(&Some(hash)) && self.untouched(rel, bytes.len()) {
            return true;
        }
        let Held::Same(_, st) = at::holds(&self.fd, rel, bytes) else {
            return false;
        };
        if let Ok(mut list) = self.read_back.lock() {
            list.push((rel.to_string(), times(&st).1));
        }
        true
    }

    /// Whether `rel` is a file of `len` bytes with no other name, in a folder reached through
    /// folders only, not changed since the marker was written.
    fn untouched(&self, rel: &str, len: usize) -> bool {
        let d = split(rel).0;
        if !(d.is_empty() || self.real.contains(d)) {
            return false;
        }
        statat(&self.fd, rel, AtFlags::SYMLINK_NOFOLLOW).is_ok_and(|st| {
            FileType::from_raw_mode(st.st_mode) == FileType::RegularFile
                && st.st_nlink == 1
                && u64::try_from(st.st_size).ok() == Some(len as u64)
                && times(&st).1 < self.listed_at
        })
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
        written: Vec<(String, Option<u64>)>,
        changed: &[String],
    ) -> io::Result<()> {
        let new_folders = Manifest::folders_of(written.iter().map(|(f, _)| f.as_str()));
        let new: FxHashSet<&str> = written
            .iter()
            .map(|(f, _)| f.as_str())
            .chain(new_folders.iter().copied())
            .collect();
        changed
            .par_iter()
            .try_for_each(|rel| place(staging, &self.fd, rel))?;
        // The folders changed since the marker (chosen before this build changed any) are
        // read, and whatever in them the new output does not hold goes.
        self.read.par_iter().for_each(|d| sweep(&self.fd, d, &new));
        let stale: Vec<&str> = self
            .listed
            .keys()
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
        let mut gone: Vec<&str> = self
            .folders
            .iter()
            .map(String::as_str)
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
        // A file read back and found right is vouched for only if nothing changed it since;
        // else the list gives it no fingerprint, and the next build reads it back again.
        let read_back = self
            .read_back
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let moved: FxHashSet<&str> = read_back
            .par_iter()
            .filter(|(rel, then)| {
                statat(&self.fd, rel.as_str(), AtFlags::SYMLINK_NOFOLLOW)
                    .map_or(true, |st| times(&st).1 != *then)
            })
            .map(|(rel, _)| rel.as_str())
            .collect();
        let files = written
            .into_iter()
            .map(|(f, hash)| {
                let hash = hash.filter(|_| !moved.contains(f.as_str()));
                (f, hash)
            })
            .collect();
        // The marker, written or touched last, is newer than every folder and file changed
        // above (the folders read and files read back, too, so they are not read next time).
        let text = Manifest { files }.marker_text();
        if text != self.marker {
            at::write_file(staging, guard::MARKER, text.as_bytes())?;
            renameat(staging, guard::MARKER, &self.fd, guard::MARKER)?;
        } else if !changed.is_empty()
            || !stale.is_empty()
            || self.read.len() > 1
            || !read_back.is_empty()
        {
            touch(&self.fd)?;
        }
        Ok(())
    }
}

/// Sets the marker's times to now in the output folder open as `root`.
fn touch(root: &OwnedFd) -> io::Result<()> {
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
    Ok(rustix::fs::utimensat(
        root,
        guard::MARKER,
        &now,
        AtFlags::SYMLINK_NOFOLLOW,
    )?)
}

/// After an output was replaced whole, makes its marker newer than its files, whose status
/// changed when the old output's names for them were removed: the next build can then take
/// them as listed. (A hand edit made to the old output while that build ran is in the new one
/// as well, as it was before: the files were linked from there.)
pub(crate) fn settle(out_dir: &Path) {
    if let Ok(fd) = at::open_dir(out_dir) {
        let _ = touch(&fd);
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
