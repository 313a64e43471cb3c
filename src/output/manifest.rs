//! What the marker file lists below its sentence: every file the build wrote, in order, with a
//! fingerprint of its bytes. The next build reads it to update the output in place (see
//! `delta`): a file it no longer writes is known without reading every folder, and a file
//! untouched since whose fingerprint matches the new bytes need not be read back. The list is
//! the same for the same output, so two builds of one site still give byte-identical folders.

use std::fmt::Write as _;

use super::guard;

/// A modification time, in seconds and nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Stamp {
    pub(crate) sec: i64,
    pub(crate) nsec: u32,
}

/// The files of an output, as the marker lists them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// Paths of the files below the output root (`/` separators), sorted, each once, with the
    /// [`fingerprint`] of their bytes when the build had them in memory (not for assets, which
    /// are copied). The marker itself and the entries a build carries over are not listed.
    pub(crate) files: Vec<(String, Option<u64>)>,
}

/// A 64-bit fingerprint (XXH3) of a file's bytes: equal fingerprints, an equal size and a file
/// untouched since the list was written stand for equal bytes.
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

/// The line that starts the list, after the marker's sentence and a blank line.
const HEADER: &str = "Files written by the last build:";

/// Whether `path` can be listed and read back as a path below the output: relative, no empty,
/// `.` or `..` part, and no byte that would end a line.
pub(crate) fn listable(path: &str) -> bool {
    !path.is_empty()
        && !path.bytes().any(|b| matches!(b, b'\n' | b'\r' | 0))
        && path.split('/').all(|part| !matches!(part, "" | "." | ".."))
}

impl Manifest {
    /// The folders above `files`: each file's parent folders but the root, sorted, each once.
    pub(crate) fn folders_of<'a>(files: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let mut folders: Vec<&str> = Vec::new();
        for f in files {
            let mut at = f.len();
            while let Some(slash) = f[..at].rfind('/') {
                folders.push(&f[..slash]);
                at = slash;
            }
        }
        folders.sort_unstable();
        folders.dedup();
        folders
    }

    /// The marker's text: its sentence, then the list, a file a line: its fingerprint in 16
    /// hexadecimal digits (`-` when there is none), a space and its path. Paths that could not
    /// be read back (see [`listable`]) leave the list out, so the next build replaces the
    /// folder whole.
    pub(crate) fn marker_text(&self) -> String {
        if !self.files.iter().all(|(f, _)| listable(f)) {
            return guard::MARKER_TEXT.to_string();
        }
        let bytes: usize = self.files.iter().map(|(f, _)| f.len() + 18).sum();
        let mut text = String::with_capacity(guard::MARKER_TEXT.len() + HEADER.len() + 2 + bytes);
        text.push_str(guard::MARKER_TEXT);
        text.push('\n');
        text.push_str(HEADER);
        text.push('\n');
        for (f, hash) in &self.files {
            match hash {
                Some(h) => {
                    let _ = write!(text, "{h:016x} ");
                }
                None => text.push_str("- "),
            }
            text.push_str(f);
            text.push('\n');
        }
        text
    }

    /// The list of a marker's `text`, or `None` when it has none (a marker of an older qunce)
    /// or one that is not exactly what [`Manifest::marker_text`] writes: then nothing in it is
    /// trusted, and the build replaces the folder whole.
    pub(crate) fn parse(text: &str) -> Option<Manifest> {
        let list = text.strip_prefix(guard::MARKER_TEXT)?.strip_prefix('\n')?;
        let list = list.strip_prefix(HEADER)?.strip_prefix('\n')?;
        if !(list.is_empty() || list.ends_with('\n')) {
            return None;
        }
        let mut files = Vec::new();
        for line in list.lines() {
            let (hash, path) = line.split_once(' ')?;
            let hash = match hash {
                "-" => None,
                h if h.len() == 16 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
                    Some(u64::from_str_radix(h, 16).ok()?)
                }
                _ => return None,
            };
            if !listable(path) {
                return None;
            }
            files.push((path.to_string(), hash));
        }
        files
            .windows(2)
            .all(|w| w[0].0 < w[1].0)
            .then_some(Manifest { files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let files = ["a/b/index.html", "a/index.html", "index.html", "s/f/1.js"];
        Manifest {
            files: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.to_string(), (i != 2).then_some(0xab << (i * 8))))
                .collect(),
        }
    }

    #[test]
    fn a_list_reads_back_as_written() {
        let m = sample();
        let text = m.marker_text();
        assert_eq!(
            text.strip_prefix(guard::MARKER_TEXT).unwrap(),
            "\nFiles written by the last build:\n00000000000000ab a/b/index.html\n\
             000000000000ab00 a/index.html\n- index.html\n00000000ab000000 s/f/1.js\n"
        );
        assert_eq!(Manifest::parse(&text), Some(m));
        let files = sample().files;
        assert_eq!(
            Manifest::folders_of(files.iter().map(|(f, _)| f.as_str())),
            ["a", "a/b", "s", "s/f"]
        );
        // XXH3's test vector for no input: the fingerprint must not change between versions.
        assert_eq!(fingerprint(b""), 0x2d06800538d394c2);
        let empty = Manifest::default();
        assert_eq!(Manifest::parse(&empty.marker_text()), Some(empty));
    }

    #[test]
    fn anything_but_an_exact_list_is_no_list() {
        let text = sample().marker_text();
        // An older marker, and lists that are not what a build writes.
        assert_eq!(Manifest::parse(guard::MARKER_TEXT), None);
        for (from, to) in [
            (" a/index.html", " ../index.html"),
            (" a/index.html", " /etc/passwd"),
            (" a/index.html", " a//index.html"),
            (" a/index.html", " a/./index.html"),
            (" a/index.html", "a/index.html"),
            ("- index.html", "- zz.html"),
            ("- index.html", "\n- index.html"),
            ("- index.html", "index.html"),
            ("000000000000ab00", "000000000000AB00"),
            ("000000000000ab00", "00000000000ab00"),
            ("1.js\n", "1.js"),
            ("Files written", "Files"),
        ] {
            let bad = text.replacen(from, to, 1);
            assert_ne!(bad, text, "{from}");
            assert_eq!(Manifest::parse(&bad), None, "{to}");
        }
    }

    #[test]
    fn a_path_that_cannot_be_read_back_leaves_the_list_out() {
        let m = Manifest {
            files: vec![("a\nb.html".into(), None)],
        };
        assert_eq!(m.marker_text(), guard::MARKER_TEXT);
        assert!(!listable("a\rb") && !listable("") && listable("a b/ü.html"));
    }
}
