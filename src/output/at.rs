//! File-system calls relative to an open folder (`mkdirat`, `openat`, `unlinkat`, through
//! rustix's safe wrappers). Writing or removing 10,000 page folders by full path had the kernel
//! walk the same six leading components for every call; relative to the staging (or retired)
//! folder's descriptor it walks only the page's own. Descriptors also pin the folder: a link
//! swapped in for one of its parents cannot redirect a write or a removal elsewhere.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, mkdirat, openat, statat, unlinkat};

/// The flags of a folder opened to be emptied: never through a link.
pub(super) const SUBFOLDER: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// The error `std::fs` gives for a path with a NUL byte, so messages stay the same.
fn refuse_nul(rel: &str) -> io::Result<()> {
    if memchr::memchr(0, rel.as_bytes()).is_some() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "file name contained an unexpected NUL byte",
        ));
    }
    Ok(())
}

/// A folder open to make files in: the staging folder. Each call walks only the path below it.
pub(crate) struct Folder {
    dir: OwnedFd,
    /// The output folder the staging folder will replace, when there is one: a file whose
    /// bytes it already holds is linked from there instead of written again (see
    /// [`Folder::write_file`]).
    previous: Option<OwnedFd>,
    /// False once linking failed the way a file system without hard links fails.
    linking: AtomicBool,
    /// False once a link by descriptor was refused (see [`link_unchanged`]).
    by_descriptor: AtomicBool,
}

impl Folder {
    /// Opens `path`, refusing a link to a folder, and `previous`, the output folder it is to
    /// replace, when there is one to reuse files from and it is a folder (not a link to one).
    pub(crate) fn open(path: &Path, previous: Option<&Path>) -> io::Result<Folder> {
        let dir = open_dir(path)?;
        let previous = previous.and_then(|p| open_dir(p).ok());
        Ok(Folder {
            dir,
            linking: AtomicBool::new(previous.is_some()),
            by_descriptor: AtomicBool::new(true),
            previous,
        })
    }

    /// [`make_dirs`] below this folder.
    pub(crate) fn make_dirs(&self, rel: &str) -> io::Result<()> {
        make_dirs(&self.dir, rel)
    }

    /// This folder, open.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.dir
    }

    /// Puts `bytes` at `rel` below this folder, never reusing an old file.
    pub(crate) fn write_new(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        write_file(&self.dir, rel, bytes)
    }

    /// Puts `bytes` at `rel` below this folder. When the previous output holds exactly these
    /// bytes at the same place, the file is linked from there: nothing is copied, the file
    /// keeps its modification time (so `rsync` and other deploys that compare times send only
    /// what changed), and removing the old output frees nothing that is still in use. Most of
    /// a rebuild's files are unchanged.
    pub(crate) fn write_file(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        if let Some(previous) = &self.previous
            && self.linking.load(Ordering::Relaxed)
        {
            match link_unchanged(previous, &self.dir, rel, bytes, &self.by_descriptor) {
                Reuse::Linked => return Ok(()),
                Reuse::Write => {}
                Reuse::Unsupported => self.linking.store(false, Ordering::Relaxed),
            }
        }
        write_file(&self.dir, rel, bytes)
    }
}

/// What [`link_unchanged`] did.
#[derive(Debug, PartialEq, Eq)]
enum Reuse {
    /// The new file is a link to the old one, whose bytes are the same.
    Linked,
    /// The file has to be written: there is no old one, or it differs.
    Write,
    /// This file system makes no hard links: write every file from now on.
    Unsupported,
}

#[cfg(target_os = "linux")]
thread_local! {
    /// The thread's buffer for reading old files back (most pages fit one read).
    static READ_BACK: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What an old output holds at a path, compared with the bytes a build makes for it.
#[cfg(target_os = "linux")]
pub(super) enum Held {
    /// A regular file of the old output, reached through real folders below it (no links at
    /// all), with no other name, holding exactly those bytes: the file, open, and its status.
    Same(OwnedFd, rustix::fs::Stat),
    /// Anything else: no file, another file, or one reached through a link.
    Other,
    /// The kernel cannot open files safely below a folder (before Linux 5.6).
    Unsupported,
}

/// Whether `rel` of the folder `old` is a file of it that holds exactly `bytes` (see
/// [`Held::Same`]). Nothing is ever written into an old file.
#[cfg(target_os = "linux")]
pub(super) fn holds(old: &OwnedFd, rel: &str, bytes: &[u8]) -> Held {
    holds_by(old, rel, bytes.len() as u64, |fd| same_bytes(fd, bytes))
}

/// How the old output's paths are resolved wherever a file of it is kept or removed: below it,
/// through real folders only (no links, no `/proc` magic links).
#[cfg(target_os = "linux")]
pub(super) const BENEATH: rustix::fs::ResolveFlags = rustix::fs::ResolveFlags::BENEATH
    .union(rustix::fs::ResolveFlags::NO_SYMLINKS)
    .union(rustix::fs::ResolveFlags::NO_MAGICLINKS);

/// [`holds`], with the comparison of the open old file (of the right size) by `same`.
#[cfg(target_os = "linux")]
pub(super) fn holds_by(
    old: &OwnedFd,
    rel: &str,
    len: u64,
    same: impl FnOnce(&OwnedFd) -> bool,
) -> Held {
    use rustix::fs::{fstat, openat2};
    use rustix::io::Errno;
    // A path with a NUL byte fails to open here and is refused by `write_file` after.
    let fd = match openat2(
        old,
        rel,
        OFlags::RDONLY | OFlags::CLOEXEC,
        Mode::empty(),
        BENEATH,
    ) {
        Ok(fd) => fd,
        // A kernel older than openat2 (Linux 5.6).
        Err(Errno::NOSYS) => return Held::Unsupported,
        Err(_) => return Held::Other,
    };
    let Ok(st) = fstat(&fd) else {
        return Held::Other;
    };
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile
        || st.st_nlink != 1
        || u64::try_from(st.st_size).ok() != Some(len)
        || !same(&fd)
    {
        return Held::Other;
    }
    Held::Same(fd, st)
}

/// Links `rel` of the folder `old` to `rel` of `new` when it holds exactly `bytes` (see
/// [`holds`]). The name made must lead to the very file compared, so a link never ties the new
/// output to a file outside the old one, nor to one that changed meanwhile.
#[cfg(target_os = "linux")]
fn link_unchanged(
    old: &OwnedFd,
    new: &OwnedFd,
    rel: &str,
    bytes: &[u8],
    by_descriptor: &AtomicBool,
) -> Reuse {
    use rustix::fs::linkat;
    use rustix::io::Errno;
    let (fd, st) = match holds(old, rel, bytes) {
        Held::Same(fd, st) => (fd, st),
        Held::Other => return Reuse::Write,
        Held::Unsupported => return Reuse::Unsupported,
    };
    // The very file compared, by its descriptor: Linux 6.10 allows that to the process that
    // opened it (before, only to one that may read any folder). Else by its name, checked after.
    if by_descriptor.load(Ordering::Relaxed) {
        match linkat(&fd, "", new, rel, AtFlags::EMPTY_PATH) {
            Ok(()) => return Reuse::Linked,
            Err(Errno::NOENT) => by_descriptor.store(false, Ordering::Relaxed),
            Err(_) => {}
        }
    }
    match linkat(old, rel, new, rel, AtFlags::empty()) {
        Ok(()) => {}
        Err(Errno::XDEV | Errno::PERM | Errno::OPNOTSUPP | Errno::MLINK) => {
            return Reuse::Unsupported;
        }
        Err(_) => return Reuse::Write,
    }
    match statat(new, rel, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(made) if made.st_ino == st.st_ino && made.st_dev == st.st_dev => Reuse::Linked,
        _ => {
            let _ = unlinkat(new, rel, AtFlags::empty());
            Reuse::Write
        }
    }
}

/// Never links where hard links cannot be made safely below a folder.
#[cfg(not(target_os = "linux"))]
fn link_unchanged(_: &OwnedFd, _: &OwnedFd, _: &str, _: &[u8], _: &AtomicBool) -> Reuse {
    Reuse::Unsupported
}

/// Whether the rest of the open file `fd` is `bytes`, and nothing more.
#[cfg(target_os = "linux")]
fn same_bytes(fd: &OwnedFd, bytes: &[u8]) -> bool {
    READ_BACK.with_borrow_mut(|buf| {
        // One more byte than expected: a file that grew is told by what is read.
        let want = (bytes.len() + 1).min(1 << 20);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut at = 0;
        loop {
            let Ok(n) = rustix::io::read(fd, &mut buf[..want]) else {
                return false;
            };
            if n == 0 {
                return at == bytes.len();
            }
            if at + n > bytes.len() || buf[..n] != bytes[at..at + n] {
                return false;
            }
            at += n;
            // A read of a file shorter than asked for ends at its end: the read that would
            // return nothing is one system call per linked file saved.
            if n < want && at == bytes.len() {
                return true;
            }
        }
    })
}

/// Removes the folder `dir` and everything in it, its subfolders in parallel. Links are
/// removed, never followed; what cannot be removed stays, as with `remove_dir_all`.
pub(crate) fn remove_tree(dir: &Path) {
    if let Ok(fd) = open_dir(dir) {
        remove_contents(fd);
    }
    let _ = std::fs::remove_dir(dir);
}

/// Opens the folder `path` to make or remove things in it; a link to a folder is refused, so
/// nothing is ever made or removed through one.
pub(super) fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)?;
    Ok(file.into())
}

/// Whether `rel` below `dir` is a folder, links followed (`follow`, as `Path::is_dir` does)
/// or not.
pub(super) fn is_dir<P: rustix::path::Arg>(dir: BorrowedFd<'_>, rel: P, follow: bool) -> bool {
    let flags = if follow {
        AtFlags::empty()
    } else {
        AtFlags::SYMLINK_NOFOLLOW
    };
    statat(dir, rel, flags)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Directory)
}

/// Makes the folder `rel` below `dir` and any missing folders above it, as
/// `std::fs::create_dir_all` does: an existing folder is fine, an existing file an error.
fn make_dirs(dir: &OwnedFd, rel: &str) -> io::Result<()> {
    refuse_nul(rel)?;
    let mkdir = |rel: &str| -> io::Result<()> {
        match mkdirat(dir, rel, Mode::from_raw_mode(0o777)) {
            Ok(()) => Ok(()),
            Err(e) if e != rustix::io::Errno::NOENT && is_dir(dir.as_fd(), rel, true) => Ok(()),
            Err(e) => Err(e.into()),
        }
    };
    match mkdir(rel) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => match rel.rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => {
                make_dirs(dir, parent)?;
                mkdir(rel)
            }
            _ => Err(e),
        },
        other => other,
    }
}

/// Creates the file `rel` below `dir` (replacing any file of that name) and writes `bytes`
/// into it.
pub(super) fn write_file(dir: &OwnedFd, rel: &str, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    refuse_nul(rel)?;
    // A new file each time, never one truncated in place: a file written twice may be a link
    // to the old output's, which must stay as it was.
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
    let mode = Mode::from_raw_mode(0o666);
    let fd = match openat(dir, rel, flags, mode) {
        Err(rustix::io::Errno::EXIST) => {
            unlinkat(dir, rel, AtFlags::empty())?;
            openat(dir, rel, flags, mode)?
        }
        other => other?,
    };
    std::fs::File::from(fd).write_all(bytes)
}

/// Removes everything in the folder open as `dir` (which is then closed), its subfolders in
/// parallel. Links are removed, never followed; what cannot be removed stays.
pub(super) fn remove_contents(dir: OwnedFd) {
    let Ok(entries) = Dir::read_from(&dir) else {
        return;
    };
    let mut subdirs: Vec<CString> = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            break;
        };
        let name = entry.file_name();
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let is_folder = match entry.file_type() {
            FileType::Directory => true,
            FileType::Unknown => is_dir(dir.as_fd(), name, false),
            _ => false,
        };
        if is_folder {
            subdirs.push(name.to_owned());
        } else {
            let _ = unlinkat(&dir, name, AtFlags::empty());
        }
    }
    subdirs.par_iter().for_each(|name| {
        if remove_page_folder(dir.as_fd(), name) {
            return;
        }
        if let Ok(sub) = openat(&dir, name.as_c_str(), SUBFOLDER, Mode::empty()) {
            remove_contents(sub);
        }
        let _ = unlinkat(&dir, name.as_c_str(), AtFlags::REMOVEDIR);
    });
}

/// Removes the folder `name` of `dir` when it holds nothing but an `index.html` file, as every
/// page's folder of a site with pretty URLs does, without reading the folder. False (and
/// nothing but that file removed) for any other folder, which the caller then reads. The
/// folder is opened without following links first: a link swapped in for it after `readdir`
/// cannot lead the removal of `index.html` elsewhere.
fn remove_page_folder(dir: BorrowedFd<'_>, name: &CStr) -> bool {
    let Ok(sub) = openat(dir, name, SUBFOLDER, Mode::empty()) else {
        return false;
    };
    // A folder named `index.html` is not removed by this (no REMOVEDIR).
    let _ = unlinkat(&sub, c"index.html", AtFlags::empty());
    drop(sub);
    // Fails, removing nothing, unless the folder is empty now.
    unlinkat(dir, name, AtFlags::REMOVEDIR).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("qunce-at-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn makes_missing_folders_and_writes_files() {
        let d = tmp("write");
        let fd = open_dir(&d).unwrap();
        make_dirs(&fd, "a/b/c").unwrap();
        make_dirs(&fd, "a/b/c").unwrap();
        write_file(&fd, "a/b/c/index.html", b"<p>one</p>").unwrap();
        write_file(&fd, "a/b/c/index.html", b"two").unwrap();
        assert_eq!(std::fs::read(d.join("a/b/c/index.html")).unwrap(), b"two");
        // A file where a folder should be is an error, as with create_dir_all.
        let e = make_dirs(&fd, "a/b/c/index.html").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        let e = make_dirs(&fd, "a/b/c/index.html/x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotADirectory);
        let e = write_file(&fd, "a/b\0c", b"").unwrap_err();
        assert_eq!(e.to_string(), "file name contained an unexpected NUL byte");
        // Longer than the stack buffer rustix puts short paths in.
        let folder = ["x".repeat(100), "y".repeat(100), "z".repeat(100)].join("/");
        let long = format!("{folder}/f");
        make_dirs(&fd, &folder).unwrap();
        write_file(&fd, &long, b"long").unwrap();
        assert_eq!(std::fs::read(d.join(&long)).unwrap(), b"long");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn only_the_same_bytes_are_linked() {
        let d = tmp("link");
        let (old, new) = (d.join("old"), d.join("new"));
        std::fs::create_dir_all(old.join("p")).unwrap();
        std::fs::create_dir_all(new.join("p")).unwrap();
        // Longer than one read (1 MiB), so the comparison goes on past its first chunk.
        let big: Vec<u8> = (0..(5u32 << 19)).map(|i| (i % 251) as u8).collect();
        std::fs::write(old.join("p/big.html"), &big).unwrap();
        std::fs::write(old.join("p/empty.html"), b"").unwrap();
        std::fs::write(old.join("p/short.html"), b"abc").unwrap();
        let (old_fd, new_fd) = (open_dir(&old).unwrap(), open_dir(&new).unwrap());
        let by_descriptor = AtomicBool::new(true);
        let link =
            |rel: &str, bytes: &[u8]| link_unchanged(&old_fd, &new_fd, rel, bytes, &by_descriptor);
        let mut last_differs = big.clone();
        *last_differs.last_mut().unwrap() ^= 1;
        assert_eq!(link("p/big.html", &last_differs), Reuse::Write);
        assert_eq!(link("p/big.html", &big[..big.len() - 1]), Reuse::Write);
        assert_eq!(link("p/short.html", b"abcd"), Reuse::Write);
        assert_eq!(link("p/missing.html", b""), Reuse::Write);
        // Out of the old output and back into it: refused, however it ends.
        assert_eq!(link("../old/p/short.html", b"abc"), Reuse::Write);
        assert!(!new.join("p/big.html").exists());
        assert_eq!(link("p/big.html", &big), Reuse::Linked);
        // By name where a link by descriptor is refused (before Linux 6.10, without privilege).
        by_descriptor.store(false, Ordering::Relaxed);
        assert_eq!(link("p/empty.html", b""), Reuse::Linked);
        let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        assert_eq!(ino(&new.join("p/big.html")), ino(&old.join("p/big.html")));
        // Written again over a link, the old file keeps its bytes.
        write_file(&new_fd, "p/big.html", b"new").unwrap();
        assert_eq!(std::fs::read(old.join("p/big.html")).unwrap(), big);
        assert_eq!(std::fs::read(new.join("p/big.html")).unwrap(), b"new");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn removes_a_tree_without_following_links() {
        let d = tmp("remove");
        let keep = tmp("remove-keep");
        std::fs::write(keep.join("precious.txt"), "mine").unwrap();
        let old = d.join("old");
        for i in 0..50 {
            std::fs::create_dir_all(old.join(format!("p{i}/q"))).unwrap();
            std::fs::write(old.join(format!("p{i}/index.html")), "x").unwrap();
            std::fs::write(old.join(format!("p{i}/q/index.html")), "y").unwrap();
        }
        std::fs::write(old.join("top.html"), "t").unwrap();
        // Folders that are not a lone page: a folder named index.html, other files, a link
        // named index.html.
        std::fs::create_dir_all(old.join("d/index.html")).unwrap();
        std::fs::write(old.join("d/index.html/x"), "x").unwrap();
        std::fs::create_dir_all(old.join("e")).unwrap();
        std::fs::write(old.join("e/other.txt"), "o").unwrap();
        std::fs::create_dir_all(old.join("f")).unwrap();
        std::os::unix::fs::symlink(keep.join("precious.txt"), old.join("f/index.html")).unwrap();
        std::os::unix::fs::symlink(&keep, old.join("link-to-dir")).unwrap();
        std::os::unix::fs::symlink(keep.join("precious.txt"), old.join("p3/link")).unwrap();
        remove_contents(open_dir(&old).unwrap());
        assert_eq!(std::fs::read_dir(&old).unwrap().count(), 0);
        assert_eq!(
            std::fs::read_to_string(keep.join("precious.txt")).unwrap(),
            "mine"
        );
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&keep).unwrap();
    }

    #[test]
    fn a_page_folder_swapped_for_a_link_keeps_the_links_target() {
        // What `readdir` reported as a page folder may be a link by the time it is removed
        // (someone else writing into the retired folder): the file behind the link stays.
        let d = tmp("swap");
        let keep = tmp("swap-keep");
        std::fs::write(keep.join("index.html"), "mine").unwrap();
        std::os::unix::fs::symlink(&keep, d.join("page")).unwrap();
        let dir = open_dir(&d).unwrap();
        assert!(!remove_page_folder(dir.as_fd(), c"page"));
        assert_eq!(
            std::fs::read_to_string(keep.join("index.html")).unwrap(),
            "mine"
        );
        std::fs::create_dir(d.join("real")).unwrap();
        std::fs::write(d.join("real/index.html"), "x").unwrap();
        assert!(remove_page_folder(dir.as_fd(), c"real"));
        assert!(!d.join("real").exists());
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&keep).unwrap();
    }
}
