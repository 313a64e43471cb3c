//! Response bodies of the dev server, all streamed in bounded chunks so that a slow reader
//! costs a chunk of memory, never a copy of the file: a slice of a file of the build's
//! in-memory snapshot (shared, never copied), a file of `content/` read from disk as the client
//! takes it, or the live-reload event stream.
//!
//! Hyper asks for the next chunk only once the previous one is written to the socket, so at
//! most [`CHUNK`] bytes per connection wait in this process beyond hyper's own write buffer.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

/// The largest chunk handed to hyper at once.
pub(crate) const CHUNK: usize = 64 * 1024;

/// A response body.
pub(crate) struct Body {
    kind: Kind,
}

enum Kind {
    /// Bytes in memory (a snapshot file, or a small generated reply), handed out in chunks.
    Memory(Bytes),
    /// `remaining` bytes of an open file, read as the client takes them.
    File {
        file: tokio::fs::File,
        remaining: u64,
        buf: Vec<u8>,
    },
    /// An unending stream of live-reload events.
    Events(super::events::Stream),
}

impl Body {
    /// A body of bytes already in memory.
    pub(crate) fn memory(bytes: impl Into<Bytes>) -> Body {
        Body {
            kind: Kind::Memory(bytes.into()),
        }
    }

    /// No body (a range that can no longer be read).
    pub(crate) fn empty() -> Body {
        Body::memory(Bytes::new())
    }

    /// `len` bytes of `file` from its current position.
    pub(crate) fn file(file: std::fs::File, len: u64) -> Body {
        Body {
            kind: Kind::File {
                file: tokio::fs::File::from_std(file),
                remaining: len,
                buf: Vec::new(),
            },
        }
    }

    /// The live-reload stream of one tab.
    pub(crate) fn events(stream: super::events::Stream) -> Body {
        Body {
            kind: Kind::Events(stream),
        }
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Memory(bytes) => {
                if bytes.is_empty() {
                    return Poll::Ready(None);
                }
                let chunk = bytes.split_to(bytes.len().min(CHUNK));
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Kind::File {
                file,
                remaining,
                buf,
            } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let want = (*remaining).min(CHUNK as u64) as usize;
                buf.resize(want, 0);
                let mut read = ReadBuf::new(&mut buf[..want]);
                match Pin::new(file).poll_read(cx, &mut read) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
                    // The file shrank after it was opened: the promised length cannot be kept,
                    // so the connection is cut rather than padded.
                    Poll::Ready(Ok(())) if read.filled().is_empty() => Poll::Ready(Some(Err(
                        io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while served"),
                    ))),
                    Poll::Ready(Ok(())) => {
                        let chunk = Bytes::copy_from_slice(read.filled());
                        *remaining -= chunk.len() as u64;
                        Poll::Ready(Some(Ok(Frame::data(chunk))))
                    }
                }
            }
            Kind::Events(stream) => stream.poll_next(cx).map(|m| m.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Memory(b) => b.is_empty(),
            Kind::File { remaining, .. } => *remaining == 0,
            Kind::Events(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Memory(b) => SizeHint::with_exact(b.len() as u64),
            Kind::File { remaining, .. } => SizeHint::with_exact(*remaining),
            Kind::Events(_) => SizeHint::default(),
        }
    }
}

/// A snapshot file as a [`Bytes`] without copying it.
pub(crate) fn shared(bytes: &Arc<[u8]>) -> Bytes {
    Bytes::from_owner(ArcBytes(bytes.clone()))
}

struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// What a `Range` header asks of a body of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Range {
    /// No (usable) range: the whole body, 200.
    Whole,
    /// Bytes `start..end` (end exclusive), 206.
    Part { start: u64, end: u64 },
    /// A range wholly past the end, 416.
    Unsatisfiable,
}

/// Reads a `Range` header. Only one `bytes=` range is honoured; several ranges (which would
/// need a multipart body) or a malformed header get the whole body, as RFC 9110 allows.
pub(crate) fn range(header: Option<&str>, len: u64) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Range::Whole;
    };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Range::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if first.is_empty() {
        // A suffix: the last N bytes.
        let Some(n) = number(last) else {
            return Range::Whole;
        };
        if n == 0 || len == 0 {
            return Range::Unsatisfiable;
        }
        return Range::Part {
            start: len.saturating_sub(n),
            end: len,
        };
    }
    let Some(start) = number(first) else {
        return Range::Whole;
    };
    let end = if last.is_empty() {
        len
    } else {
        match number(last) {
            Some(l) if l >= start => l.saturating_add(1).min(len),
            _ => return Range::Whole,
        }
    };
    if start >= len {
        return Range::Unsatisfiable;
    }
    Range::Part { start, end }
}

/// Opens `rel` (a `/`-separated path below `root`) for reading if, at this moment, it is a
/// regular file reached without following any symbolic link. Each folder on the way is opened
/// with `O_NOFOLLOW` relative to the previous one, so a file or folder swapped for a link after
/// the build is refused rather than followed out of the site; `O_NONBLOCK` keeps a FIFO put in
/// a file's place from blocking the open. Returns the file and its length.
#[cfg(unix)]
pub(crate) fn open_regular(root: &std::path::Path, rel: &str) -> io::Result<(std::fs::File, u64)> {
    use std::ffi::CString;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;

    let refuse = || io::Error::new(io::ErrorKind::NotFound, "not a regular file of the site");
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(refuse());
    }
    let open = |dir: Option<&OwnedFd>, name: &[u8], flags: libc::c_int| -> io::Result<OwnedFd> {
        let name = CString::new(name).map_err(|_| refuse())?;
        let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK;
        // SAFETY: `name` is a valid C string; the descriptor returned is owned by nobody else.
        let fd = unsafe {
            match dir {
                Some(d) => {
                    use std::os::fd::AsRawFd;
                    libc::openat(d.as_raw_fd(), name.as_ptr(), flags)
                }
                None => libc::open(name.as_ptr(), flags),
            }
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is not owned elsewhere.
        Ok(unsafe { OwnedFd::from_raw_fd(fd) })
    };
    let mut dir = open(None, root.as_os_str().as_bytes(), libc::O_DIRECTORY)?;
    let (name, folders) = parts.split_last().ok_or_else(refuse)?;
    for folder in folders {
        dir = open(Some(&dir), folder.as_bytes(), libc::O_DIRECTORY)?;
    }
    let fd = open(Some(&dir), name.as_bytes(), libc::O_RDONLY)?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(refuse());
    }
    Ok((file, meta.len()))
}

/// Elsewhere, the best that std offers: the path's own metadata, links not followed.
#[cfg(not(unix))]
pub(crate) fn open_regular(root: &std::path::Path, rel: &str) -> io::Result<(std::fs::File, u64)> {
    let mut path = root.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Err(io::Error::new(io::ErrorKind::NotFound, "bad path"));
        }
        path.push(part);
        if std::fs::symlink_metadata(&path)?.file_type().is_symlink() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "a link"));
        }
    }
    let file = std::fs::File::open(&path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "not a file"));
    }
    Ok((file, meta.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = |h: &str| range(Some(h), 100);
        assert_eq!(range(None, 100), Range::Whole);
        assert_eq!(r("bytes=0-9"), Range::Part { start: 0, end: 10 });
        assert_eq!(
            r("bytes=90-"),
            Range::Part {
                start: 90,
                end: 100
            }
        );
        assert_eq!(
            r("bytes=90-1000"),
            Range::Part {
                start: 90,
                end: 100
            }
        );
        assert_eq!(
            r("bytes=-10"),
            Range::Part {
                start: 90,
                end: 100
            }
        );
        assert_eq!(r("bytes=-1000"), Range::Part { start: 0, end: 100 });
        assert_eq!(r("bytes=100-"), Range::Unsatisfiable);
        assert_eq!(r("bytes=-0"), Range::Unsatisfiable);
        for whole in [
            "bytes=5-1",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=a-b",
            "bytes=-",
            "bytes=+1-2",
        ] {
            assert_eq!(r(whole), Range::Whole, "{whole}");
        }
        assert_eq!(range(Some("bytes=0-"), 0), Range::Unsatisfiable);
    }

    #[cfg(unix)]
    #[test]
    fn opens_only_regular_files_without_links() {
        let dir = std::env::temp_dir().join(format!("qunce-open-regular-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).unwrap();
        std::fs::write(dir.join("a/f.txt"), "hello").unwrap();
        std::os::unix::fs::symlink(dir.join("a/f.txt"), dir.join("a/link.txt")).unwrap();
        std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).unwrap();
        let (_, len) = open_regular(&dir, "a/f.txt").unwrap();
        assert_eq!(len, 5);
        for bad in [
            "a/link.txt",
            "b/f.txt",
            "a",
            "a/../a/f.txt",
            "a//f.txt",
            "a/missing",
        ] {
            assert!(open_regular(&dir, bad).is_err(), "{bad}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
