//! One Markdown file read into a [`Page`]: its front matter checked, its title found (front
//! matter, first heading, or file name), its slug made.

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile, display_path};
use crate::text::slug;

use super::{Page, Parsed, SECTION_KIND, SectionData, frontmatter};

pub(super) fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The bytes of the file at `path`, as `std::fs::read` gives them, with one system call in
/// five fewer: a read that comes back shorter than asked for has reached the end of a regular
/// file, so the read that would return nothing is left out.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    // One byte more than the file has: a file that grew meanwhile fills the buffer.
    let mut bytes = vec![0; len + 1];
    let mut at = 0;
    while at < bytes.len() {
        match file.read(&mut bytes[at..]) {
            Ok(0) => break,
            Ok(n) => {
                at += n;
                if at == len {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(at);
    if at > len {
        file.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Reads and parses one Markdown file of `content/`.
pub(crate) fn read_page(config: &Config, path: &Path) -> Parsed {
    let file = display_path(&config.root, path);
    let rel = rel_path(&config.root.join("content"), path);
    let mut diags = Vec::new();
    let bytes = match read_file(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error("io", format!("cannot read {file}: {e}"))
                    .in_file(&file)
                    .with_help("check the file's permissions"),
            );
            return (None, diags);
        }
    };
    // The standard library's check runs at well under 1 GB/s on Chinese text: a third of the
    // load stage's CPU at 10,000 pages. The vectorised check is an order of magnitude faster;
    // the standard one still runs on invalid files, for the error's position.
    let checked = if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: `simdutf8` just checked that `bytes` are valid UTF-8.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        String::from_utf8(bytes)
    };
    let source = match checked {
        Ok(s) => s,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            diags.push(
                Diagnostic::error("invalid-utf8", "the file is not valid UTF-8")
                    .at(&SourceFile::new(&file, &lossy), at)
                    .with_help(
                        "save the file as UTF-8 (GBK and other encodings are not supported)",
                    ),
            );
            return (None, diags);
        }
    };
    let source = match source.strip_prefix('\u{feff}') {
        Some(s) => s.to_string(),
        None => source,
    };
    // CommonMark: NUL must become U+FFFD. Done on the whole file, so front matter and the
    // plain-text summary never carry it into the HTML either.
    // `memchr` rather than `str::contains`: the standard library's byte search is not
    // vectorised, and this reads every byte of every page.
    let source = if memchr::memchr(0, source.as_bytes()).is_some() {
        source.replace('\0', "\u{fffd}")
    } else {
        source
    };
    let src = SourceFile::new(&file, &source);
    let split = match frontmatter::split(&src) {
        Ok(s) => s,
        Err(d) => {
            diags.push(d);
            return (None, diags);
        }
    };
    let meta = frontmatter::parse(&src, &split, config, &mut diags);
    let body_start = split.body_start;
    let is_index = rel == "_index.md" || rel.ends_with("/_index.md");
    let stem = Path::new(&rel)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir_name = rel
        .rsplit('/')
        .nth(1)
        .map(str::to_string)
        .unwrap_or_default();
    let heading = meta
        .title
        .is_none()
        .then(|| first_heading(&source[body_start..]))
        .flatten();
    let title_heading = heading.as_ref().map(|(_, at)| *at);
    let title = meta
        .title
        .clone()
        .or(heading.map(|(t, _)| t))
        .unwrap_or_else(|| {
            if is_index {
                if dir_name.is_empty() {
                    config.title.clone()
                } else {
                    folder_title(&dir_name)
                }
            } else {
                stem.clone()
            }
        });
    let slug_source = if is_index { &dir_name } else { &stem };
    let slug = meta
        .slug
        .clone()
        .map(|s| slug::slugify(&s))
        .unwrap_or_else(|| slug::slugify(slug_source));
    let kind = if is_index {
        SECTION_KIND.to_string()
    } else {
        meta.kind.clone().unwrap_or_else(|| "page".to_string())
    };
    let section = is_index.then(|| SectionData {
        dir: rel
            .trim_end_matches("_index.md")
            .trim_end_matches('/')
            .to_string(),
        ..Default::default()
    });
    let page = Page {
        file,
        rel,
        body_start,
        meta,
        title,
        kind,
        slug,
        url: String::new(),
        parent: None,
        section,
        source,
        title_heading,
    };
    (Some(page), diags)
}

/// The title of a section that has no `_index.md` title: its folder name as a reader would
/// write it. An ordering prefix goes (`02-`, `2_`, `10.`), dashes and underscores become
/// spaces and the first letter is capitalised: `02-getting_started` → `Getting started`.
/// A Chinese name stays as it is.
pub(crate) fn folder_title(name: &str) -> String {
    let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = &name[digits..];
    let unprefixed = match rest.chars().next() {
        Some('-' | '_' | '.' | ' ') if digits > 0 => &rest[1..],
        _ => name,
    };
    let words: Vec<&str> = unprefixed
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return name.to_string();
    }
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => joined,
    }
}

/// The text of the first `# ` heading (its inline markup read as text), used as a title when
/// front matter has none, with the byte offset in `body` of the line it is on.
pub(super) fn first_heading(body: &str) -> Option<(String, usize)> {
    let mut in_fence = false;
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let line_start = at;
        at += line.len();
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence
            && line.len() - t.len() < 4
            && let Some(h) = t.strip_prefix("# ")
        {
            let h = h.trim().trim_end_matches('#').trim();
            let text = crate::markdown::plain::inline_text(h);
            if !text.is_empty() {
                return Some((text, line_start));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::read_file;

    #[test]
    fn reads_files_whole_whatever_their_size() {
        let dir = std::env::temp_dir().join(format!("qunce-read-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sizes = [0usize, 1, 3, 4096, 4097, 300_000];
        for n in sizes {
            let path = dir.join(format!("{n}.md"));
            let bytes: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_file(&path).unwrap(), bytes, "{n} bytes");
        }
        assert!(read_file(&dir.join("missing.md")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
