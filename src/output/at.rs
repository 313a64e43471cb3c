//! File-system calls relative to an open folder (`mkdirat`, `openat`, `unlinkat`, through
//! rustix's safe wrappers). Writing or removing 10,000 page folders by full path had the kernel
//! walk the same six leading components for every call; relative to the staging (or retired)
//! folder's descriptor it walks only the page's own. Descriptors also pin the folder: a link
//! swapped in for one of its parents cannot redirect a write or a removal elsewhere.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rayon::prelude::*;
use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, mkdirat, openat, statat, unlinkat};

/// The flags of a folder opened to be emptied: never through a link.
const SUBFOLDER: OFlags = OFlags::RDONLY
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
pub(crate) struct Folder(OwnedFd);

impl Folder {
    /// Opens `path`, refusing a link to a folder.
    pub(crate) fn open(path: &Path) -> io::Result<Folder> {
        open_dir(path).map(Folder)
    }

    /// [`make_dirs`] below this folder.
    pub(crate) fn make_dirs(&self, rel: &str) -> io::Result<()> {
        make_dirs(&self.0, rel)
    }

    /// [`write_file`] below this folder.
    pub(crate) fn write_file(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        write_file(&self.0, rel, bytes)
    }
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
fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)?;
    Ok(file.into())
}

/// Whether `rel` below `dir` is a folder, links followed (`follow`, as `Path::is_dir` does)
/// or not.
fn is_dir<P: rustix::path::Arg>(dir: BorrowedFd<'_>, rel: P, follow: bool) -> bool {
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

/// Creates (or truncates) the file `rel` below `dir` and writes `bytes` into it, as
/// `std::fs::write` does.
fn write_file(dir: &OwnedFd, rel: &str, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    refuse_nul(rel)?;
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::TRUNC | OFlags::CLOEXEC;
    let fd = openat(dir, rel, flags, Mode::from_raw_mode(0o666))?;
    std::fs::File::from(fd).write_all(bytes)
}

/// Removes everything in the folder open as `dir` (which is then closed), its subfolders in
/// parallel. Links are removed, never followed; what cannot be removed stays.
fn remove_contents(dir: OwnedFd) {
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
