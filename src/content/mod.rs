//! Stage 1, load: walks `content/`, reads every Markdown file (in parallel), splits and checks
//! its front matter, and arranges pages into sections with their URLs. The result, [`Content`],
//! is plain data; nothing here knows about links or HTML.

pub mod frontmatter;
pub mod natural;
pub mod slug;
mod tree;
mod yaml;

pub use tree::{Tree, walk};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile, display_path};
use frontmatter::FrontMatter;

/// The pseudo-kind of `_index.md` pages.
pub const SECTION_KIND: &str = "section";

/// One Markdown document: a page, or a section's `_index.md` (then `section` is set).
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root, `/`-separated (what diagnostics print).
    pub file: String,
    /// Path relative to `content/`, `/`-separated, e.g. `rituals/开营仪式.md`.
    pub rel: String,
    /// The whole file, BOM removed.
    pub source: String,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
    pub meta: FrontMatter,
    pub title: String,
    pub kind: String,
    pub slug: String,
    /// URL path below the site root, without leading slash, with trailing slash; `""` is home.
    pub url: String,
    /// The section this document belongs to (for a section: its parent).
    pub parent: Option<usize>,
    pub section: Option<SectionData>,
    /// Where in the body the `#` heading the title was taken from starts (pages without a
    /// `title` field): the theme shows the title, so the body leaves that heading out.
    pub title_heading: Option<usize>,
}

impl Page {
    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    pub fn is_section(&self) -> bool {
        self.section.is_some()
    }

    /// The source as a [`SourceFile`] for locating diagnostics.
    pub fn src(&self) -> SourceFile<'_> {
        SourceFile::new(&self.file, &self.source)
    }
}

/// What a section (a folder with `_index.md`) holds, in reading order.
#[derive(Debug, Clone, Default)]
pub struct SectionData {
    /// Folder relative to `content/` (`""` for the root).
    pub dir: String,
    pub pages: Vec<usize>,
    pub subsections: Vec<usize>,
}

/// A non-Markdown file beside pages, copied to the output as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub source: PathBuf,
    /// Destination below the output root (section URL + file name).
    pub dest: String,
}

/// Everything loaded from `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    /// Index of the home section (`content/_index.md`, synthesized when missing).
    pub root: usize,
    pub assets: Vec<Asset>,
}

impl Content {
    /// Page index by content path: how two builds of the same site are matched page to page.
    pub fn index_by_rel(&self) -> HashMap<&str, usize> {
        self.pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.as_str(), i))
            .collect()
    }

    /// Pages of a kind in site order (section order, then reading order inside sections).
    pub fn in_order(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.pages.len());
        let mut stack = vec![self.root];
        while let Some(s) = stack.pop() {
            out.push(s);
            if let Some(sec) = &self.pages[s].section {
                out.extend(sec.pages.iter().copied());
                stack.extend(sec.subsections.iter().rev().copied());
            }
        }
        out
    }
}

/// Options that change what is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub drafts: bool,
}

/// Files editors and operating systems leave behind, which must never become pages.
pub fn is_ignored(name: &str) -> bool {
    (name.starts_with('.') || name.starts_with('_')) && name != "_index.md"
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name == "4913"
        || name == "Thumbs.db"
}

/// Loads `content/` under the config's root: [`walk`], [`read_page`] for every Markdown file in
/// parallel, then [`assemble`].
pub fn load(config: &Config, opts: LoadOptions) -> (Content, Vec<Diagnostic>) {
    let tree = walk(config);
    // Reading and parsing are independent per file: do them in parallel.
    let parsed: Vec<Parsed> = tree
        .markdown
        .par_iter()
        .map(|path| read_page(config, path))
        .collect();
    assemble(config, opts, &tree, parsed.into_iter())
}

/// A Markdown file after reading and front-matter parsing: a page, or only diagnostics when
/// it could not be read. The dev server keeps these per file and re-reads only what changed.
pub type Parsed = (Option<Page>, Vec<Diagnostic>);

/// Turns a walked tree and its parsed Markdown files (in the tree's order) into [`Content`]:
/// drafts dropped, sections arranged, URLs computed, assets placed.
pub fn assemble(
    config: &Config,
    opts: LoadOptions,
    tree: &Tree,
    parsed: impl Iterator<Item = Parsed>,
) -> (Content, Vec<Diagnostic>) {
    let root = &config.root;
    let content_dir = &tree.content_dir;
    let mut diags: Vec<Diagnostic> = tree.errors.iter().map(|(_, d)| d.clone()).collect();
    for path in &tree.symlinks {
        diags.push(
            Diagnostic::warning("symlink", "symbolic links in content/ are not followed")
                .in_file(&display_path(root, path))
                .with_help("copy the file into content/ instead of linking to it"),
        );
    }
    for path in &tree.special {
        diags.push(
            Diagnostic::warning("special-file", "not a regular file; skipped")
                .in_file(&display_path(root, path))
                .with_help("content/ may only hold regular files and folders"),
        );
    }
    if !content_dir.is_dir() {
        diags.push(
            Diagnostic::error("config", "the site has no content/ folder")
                .in_file("content")
                .with_help("create content/_index.md, or run `qunce init` for a starter site"),
        );
    }
    let mut pages = Vec::with_capacity(tree.markdown.len() + 1);
    for (page, d) in parsed {
        diags.extend(d);
        if let Some(p) = page
            && (opts.drafts || !p.meta.draft)
        {
            pages.push(p);
        }
    }

    let mut content = Content {
        pages,
        root: 0,
        assets: Vec::new(),
    };
    let dirs: Vec<PathBuf> = tree.dirs.iter().cloned().collect();
    arrange(config, &mut content, content_dir, &dirs, &mut diags);
    let url_of_dir: HashMap<&str, &str> = content
        .pages
        .iter()
        .filter_map(|p| p.section.as_ref().map(|s| (s.dir.as_str(), p.url.as_str())))
        .collect();
    let mut assets = Vec::with_capacity(tree.other.len());
    for path in &tree.other {
        let rel = rel_path(content_dir, path);
        let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let base = url_of_dir.get(dir).copied().unwrap_or("");
        assets.push(Asset {
            source: path.clone(),
            dest: format!("{base}{name}"),
        });
    }
    content.assets = assets;
    (content, diags)
}

fn rel_path(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads and parses one Markdown file of `content/`.
pub fn read_page(config: &Config, path: &Path) -> Parsed {
    let file = display_path(&config.root, path);
    let rel = rel_path(&config.root.join("content"), path);
    let mut diags = Vec::new();
    let bytes = match std::fs::read(path) {
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
    let source = if source.contains('\0') {
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
fn first_heading(body: &str) -> Option<(String, usize)> {
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

/// Builds the section tree, computes URLs and reading order, and reports URL collisions.
fn arrange(
    config: &Config,
    content: &mut Content,
    content_dir: &Path,
    dirs: &[PathBuf],
    diags: &mut Vec<Diagnostic>,
) {
    // Every folder is a section even without _index.md, so pages are never orphaned from the
    // tree; a synthesized section has no file and takes its title from the folder name.
    let mut section_of_dir: HashMap<String, usize> = HashMap::new();
    for (i, p) in content.pages.iter().enumerate() {
        if let Some(s) = &p.section {
            section_of_dir.insert(s.dir.clone(), i);
        }
    }
    let mut dir_list: Vec<String> = dirs.iter().map(|d| rel_path(content_dir, d)).collect();
    dir_list.sort_by_key(|d| d.matches('/').count());
    if !section_of_dir.contains_key("") {
        dir_list.insert(0, String::new());
    }
    for dir in dir_list {
        if section_of_dir.contains_key(&dir) {
            continue;
        }
        let name = dir.rsplit('/').next().unwrap_or("").to_string();
        let title = if dir.is_empty() {
            config.title.clone()
        } else {
            folder_title(&name)
        };
        content.pages.push(Page {
            file: String::new(),
            rel: if dir.is_empty() {
                "_index.md".into()
            } else {
                format!("{dir}/_index.md")
            },
            source: String::new(),
            body_start: 0,
            meta: FrontMatter::default(),
            title,
            kind: SECTION_KIND.to_string(),
            slug: slug::slugify(&name),
            url: String::new(),
            parent: None,
            section: Some(SectionData {
                dir: dir.clone(),
                ..Default::default()
            }),
            title_heading: None,
        });
        section_of_dir.insert(dir, content.pages.len() - 1);
    }
    content.root = section_of_dir[""];

    // Parents: a page's parent is its folder's section; a section's is the folder above.
    for i in 0..content.pages.len() {
        let p = &content.pages[i];
        let parent = match &p.section {
            Some(s) if s.dir.is_empty() => None,
            Some(s) => Some(parent_dir(&s.dir)),
            None => Some(parent_dir(&p.rel)),
        }
        .map(|d| section_of_dir[d]);
        content.pages[i].parent = parent;
        if let Some(par) = parent {
            let is_section = content.pages[i].section.is_some();
            let sec = content.pages[par]
                .section
                .as_mut()
                .expect("parent is a section");
            if is_section {
                sec.subsections.push(i);
            } else {
                sec.pages.push(i);
            }
        }
    }

    // Reading order: weight first (unweighted last), then title and file name. The lists are taken out of
    // their sections to be sorted (in parallel) by keys borrowed from the pages.
    let mut lists: Vec<(usize, Vec<usize>, Vec<usize>)> = content
        .pages
        .iter_mut()
        .enumerate()
        .filter_map(|(i, p)| {
            let s = p.section.as_mut()?;
            Some((
                i,
                std::mem::take(&mut s.pages),
                std::mem::take(&mut s.subsections),
            ))
        })
        .collect();
    // Equal weights fall back to the title, then the file name, both in natural order (第 2 期
    // before 第 10 期): the sidebar, section lists and the matrix all follow this order.
    let pages = &content.pages;
    // Pages with a `schedule` come in cohort order, before the pages without one.
    let when: Vec<(i32, bool)> = pages.par_iter().map(|p| schedule_key(config, p)).collect();
    let order = |a: &usize, b: &usize| {
        let (p, q) = (&pages[*a], &pages[*b]);
        let weight = |p: &Page| p.meta.weight.unwrap_or(i64::MAX);
        when[*a]
            .cmp(&when[*b])
            .then_with(|| weight(p).cmp(&weight(q)))
            .then_with(|| natural::cmp(&p.title, &q.title))
            .then_with(|| natural::cmp(&p.rel, &q.rel))
    };
    lists.par_iter_mut().for_each(|(_, pages, subsections)| {
        pages.sort_by(order);
        subsections.sort_by(order);
    });
    for (i, pages, subsections) in lists {
        let s = content.pages[i].section.as_mut().expect("a section");
        s.pages = pages;
        s.subsections = subsections;
    }

    // URLs top-down, so each section's URL is known before its children's.
    let mut stack = vec![content.root];
    while let Some(s) = stack.pop() {
        let base = content.pages[s].url.clone();
        let sec = content.pages[s].section.clone().expect("section");
        for &c in sec.pages.iter().chain(sec.subsections.iter()) {
            let page = &mut content.pages[c];
            page.url = if page.slug.is_empty() {
                base.clone()
            } else {
                let mut url = String::with_capacity(base.len() + page.slug.len() + 1);
                url.push_str(&base);
                url.push_str(&page.slug);
                url.push('/');
                url
            };
        }
        stack.extend(sec.subsections.iter().copied());
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, p) in content.pages.iter().enumerate() {
        if let Some(&first) = seen.get(p.url.as_str()) {
            let other = &content.pages[first];
            let name = |p: &Page| {
                if p.file.is_empty() {
                    format!("content/{}", p.rel)
                } else {
                    p.file.clone()
                }
            };
            diags.push(
                Diagnostic::error(
                    "url-collision",
                    format!(
                        "`{}` and `{}` would both be written to /{}",
                        name(other),
                        name(p),
                        p.url
                    ),
                )
                // Report at a real file: a synthesized section (a folder without _index.md)
                // has none.
                .at(&if p.file.is_empty() { other } else { p }.src(), 0)
                .with_help("give one of them a different `slug = \"...\"` in its front matter"),
            );
        } else {
            seen.insert(&p.url, i);
        }
    }
}

/// Where a page falls in a cohort, by the first `schedule`-typed field of its kind that it
/// sets; `(i32::MAX, true)` without one.
fn schedule_key(config: &Config, p: &Page) -> (i32, bool) {
    let none = (i32::MAX, true);
    let Some(kind) = config.kind(&p.kind) else {
        return none;
    };
    p.meta
        .fields
        .iter()
        .filter(|(k, _)| {
            kind.field(k)
                .is_some_and(|f| f.ty == crate::config::FieldType::Schedule)
        })
        .find_map(|(_, v)| v.value.as_str().and_then(crate::playbook::Schedule::parse))
        .map_or(none, |s| s.sort_key(config.playbook.cohort_days))
}

fn parent_dir(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_editor_and_hidden_files() {
        for name in [
            ".hidden.md",
            "_draft.md",
            "a.md~",
            "#a.md#",
            ".#a.md",
            "a.md.swp",
            "a.swx",
            "4913",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in ["_index.md", "开营仪式.md", "photo.png"] {
            assert!(!is_ignored(name), "{name}");
        }
    }

    #[test]
    fn folder_titles_read_like_titles() {
        assert_eq!(folder_title("02-getting_started"), "Getting started");
        assert_eq!(folder_title("templates"), "Templates");
        assert_eq!(folder_title("2024"), "2024");
        assert_eq!(folder_title("10.年度复盘"), "年度复盘");
        assert_eq!(folder_title("社群-运营"), "社群 运营");
        assert_eq!(folder_title("--"), "--");
    }

    #[test]
    fn title_from_first_heading_outside_code() {
        assert_eq!(
            first_heading("```\n# not\n```\n# 班长 #\n"),
            Some(("班长".to_string(), 14))
        );
        assert_eq!(
            first_heading("    # code\n# **ISOOC** `手册`\n"),
            Some(("ISOOC 手册".to_string(), 11))
        );
        assert_eq!(first_heading("text only"), None);
    }
}
