//! File-system calls relative to an open folder (`mkdirat`, `openat`, `unlinkat`). Writing or
//! removing 10,000 page folders by full path had the kernel walk the same six leading
//! components for every call; relative to the staging (or retired) folder's descriptor it
//! walks only the page's own. Descriptors also pin the folder: a link swapped in for one of
//! its parents cannot redirect a write or a removal elsewhere.

use std::ffi::{CStr, CString};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::Path;

use rayon::prelude::*;

/// Calls `f` with `path` as a C string, on the stack when it is short (page paths are).
fn with_c_path<T>(path: &[u8], f: impl FnOnce(&CStr) -> io::Result<T>) -> io::Result<T> {
    const MAX: usize = 256;
    let nul = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "file name contained an unexpected NUL byte",
        )
    };
    if path.len() < MAX {
        let mut buf = [0u8; MAX];
        buf[..path.len()].copy_from_slice(path);
        let c = CStr::from_bytes_with_nul(&buf[..=path.len()]).map_err(|_| nul())?;
        f(c)
    } else {
        let c = CString::new(path).map_err(|_| nul())?;
        f(&c)
    }
}

/// The result of a call that returns -1 on failure.
fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// Opens the folder `path` to make or remove things in it; a link to a folder is refused, so
/// nothing is ever made or removed through one.
pub(crate) fn open_dir(path: &Path) -> io::Result<OwnedFd> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW)
        .open(path)?;
    Ok(file.into())
}

/// Whether `rel` below `dir` is a folder (links followed, as `Path::is_dir` does).
fn is_dir(dir: RawFd, rel: &CStr) -> bool {
    // SAFETY: fstatat writes only the struct it is given, which is plain data.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let ret = unsafe { libc::fstatat(dir, rel.as_ptr(), &mut st, 0) };
    ret == 0 && st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

/// Makes the folder `rel` below `dir` and any missing folders above it, as
/// `std::fs::create_dir_all` does: an existing folder is fine, an existing file an error.
pub(crate) fn make_dirs(dir: &OwnedFd, rel: &str) -> io::Result<()> {
    let fd = dir.as_raw_fd();
    let mkdir = |rel: &str| {
        with_c_path(rel.as_bytes(), |c| {
            // SAFETY: a plain system call on a valid descriptor and C string.
            match check(unsafe { libc::mkdirat(fd, c.as_ptr(), 0o777) }) {
                Ok(_) => Ok(()),
                Err(e) if e.kind() != io::ErrorKind::NotFound && is_dir(fd, c) => Ok(()),
                Err(e) => Err(e),
            }
        })
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
pub(crate) fn write_file(dir: &OwnedFd, rel: &str, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
    let fd = with_c_path(rel.as_bytes(), |c| {
        // SAFETY: a plain system call on a valid descriptor and C string.
        check(unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags, 0o666) })
    })?;
    // SAFETY: openat just returned this descriptor, owned by no one else.
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    file.write_all(bytes)
}

/// Removes everything in the folder open as `dir` (which is then closed), its subfolders in
/// parallel. Links are removed, never followed; what cannot be removed stays.
pub(crate) fn remove_contents(dir: OwnedFd) {
    // SAFETY: fdopendir takes the descriptor over; closedir below closes both.
    let stream = unsafe { libc::fdopendir(dir.as_raw_fd()) };
    if stream.is_null() {
        return;
    }
    let dir = std::mem::ManuallyDrop::new(dir);
    let fd = dir.as_raw_fd();
    let mut subdirs: Vec<CString> = Vec::new();
    loop {
        // SAFETY: the stream is open and read by this thread only.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir returned an entry whose name is NUL-terminated.
        let (name, kind) = unsafe { (CStr::from_ptr((*entry).d_name.as_ptr()), (*entry).d_type) };
        if matches!(name.to_bytes(), b"." | b"..") {
            continue;
        }
        let is_dir = match kind {
            libc::DT_DIR => true,
            libc::DT_UNKNOWN => is_dir_no_follow(fd, name),
            _ => false,
        };
        if is_dir {
            subdirs.push(name.to_owned());
        } else {
            // SAFETY: a plain system call on a valid descriptor and C string.
            unsafe { libc::unlinkat(fd, name.as_ptr(), 0) };
        }
    }
    subdirs.par_iter().for_each(|name| {
        if remove_page_folder(fd, name) {
            return;
        }
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: plain system calls on a valid descriptor and C string; the descriptor
        // openat returns is owned here alone.
        let sub = unsafe { libc::openat(fd, name.as_ptr(), flags) };
        if sub != -1 {
            remove_contents(unsafe { OwnedFd::from_raw_fd(sub) });
        }
        unsafe { libc::unlinkat(fd, name.as_ptr(), libc::AT_REMOVEDIR) };
    });
    // SAFETY: the stream is open; this closes it and the descriptor it took over.
    unsafe { libc::closedir(stream) };
}

/// Removes the folder `name` of `dir` when it holds nothing but an `index.html` file, as every
/// page's folder of a site with pretty URLs does, without reading the folder. False (and
/// nothing but that file removed) for any other folder, which the caller then reads. The
/// folder is opened without following links first: a link swapped in for it after `readdir`
/// cannot lead the removal of `index.html` elsewhere.
fn remove_page_folder(dir: RawFd, name: &CStr) -> bool {
    let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // SAFETY: a plain system call on a valid descriptor and C string.
    let sub = unsafe { libc::openat(dir, name.as_ptr(), flags) };
    if sub == -1 {
        return false;
    }
    // SAFETY: openat just returned this descriptor, owned here alone.
    let sub = unsafe { OwnedFd::from_raw_fd(sub) };
    // SAFETY: as above. A folder named `index.html` is not removed by it (unlinkat without
    // AT_REMOVEDIR refuses).
    unsafe { libc::unlinkat(sub.as_raw_fd(), c"index.html".as_ptr(), 0) };
    drop(sub);
    // SAFETY: as above; fails, removing nothing, unless the folder is empty now.
    unsafe { libc::unlinkat(dir, name.as_ptr(), libc::AT_REMOVEDIR) == 0 }
}

/// Whether `name` in `dir` is a folder itself (not a link to one).
fn is_dir_no_follow(dir: RawFd, name: &CStr) -> bool {
    // SAFETY: fstatat writes only the struct it is given, which is plain data.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let ret = unsafe { libc::fstatat(dir, name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
    ret == 0 && st.st_mode & libc::S_IFMT == libc::S_IFDIR
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
        // Longer than the stack buffer for C paths.
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
        assert!(!remove_page_folder(dir.as_raw_fd(), c"page"));
        assert_eq!(
            std::fs::read_to_string(keep.join("index.html")).unwrap(),
            "mine"
        );
        std::fs::create_dir(d.join("real")).unwrap();
        std::fs::write(d.join("real/index.html"), "x").unwrap();
        assert!(remove_page_folder(dir.as_raw_fd(), c"real"));
        assert!(!d.join("real").exists());
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&keep).unwrap();
    }
}
