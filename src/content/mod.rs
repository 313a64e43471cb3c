//! Stage 1, load: walks `content/`, reads every Markdown file (in parallel), splits and checks
//! its front matter, and arranges pages into sections with their URLs. The result, [`Content`],
//! is plain data; nothing here knows about links or HTML.
//!
//! `page` reads one file into a [`Page`]; `arrange` puts the pages into sections, with their
//! order and URLs.

mod arrange;
pub(crate) mod frontmatter;
pub(crate) mod natural;
mod page;
#[cfg(test)]
mod tests;
mod tree;
mod yaml;

pub(crate) use page::folder_title;
pub(crate) use page::read_page;
pub(crate) use tree::{Tree, walk};

use arrange::arrange;
use page::rel_path;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, SourceFile, display_path};
use frontmatter::FrontMatter;

/// The pseudo-kind of `_index.md` pages.
pub(crate) const SECTION_KIND: &str = "section";

/// One Markdown document: a page, or a section's `_index.md` (then `section` is set).
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Path relative to the site root, `/`-separated (what diagnostics print).
    pub(crate) file: String,
    /// Path relative to `content/`, `/`-separated, e.g. `rituals/开营仪式.md`.
    pub(crate) rel: String,
    /// The whole file, BOM removed.
    pub(crate) source: String,
    /// Byte offset where the Markdown body starts.
    pub(crate) body_start: usize,
    pub(crate) meta: FrontMatter,
    pub(crate) title: String,
    pub(crate) kind: String,
    pub(crate) slug: String,
    /// URL path below the site root, without leading slash, with trailing slash; `""` is home.
    pub(crate) url: String,
    /// The section this document belongs to (for a section: its parent).
    pub(crate) parent: Option<usize>,
    pub(crate) section: Option<SectionData>,
    /// Where in the body the `#` heading the title was taken from starts (pages without a
    /// `title` field): the theme shows the title, so the body leaves that heading out.
    pub(crate) title_heading: Option<usize>,
}

impl Page {
    pub(crate) fn body(&self) -> &str {
        &self.source[self.body_start..]
    }

    /// The file's name without `.md` (`组长` for `roles/组长.md`): one of the names a link can
    /// use for the page.
    pub(crate) fn file_stem(&self) -> &str {
        self.rel
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".md")
    }

    pub(crate) fn is_section(&self) -> bool {
        self.section.is_some()
    }

    /// The page's file as messages name it (`content/roles/班长.md`), also for a section made
    /// up for a folder without `_index.md`, which has no file of its own.
    pub(crate) fn file_name(&self) -> String {
        if self.file.is_empty() {
            format!("content/{}", self.rel)
        } else {
            self.file.clone()
        }
    }

    /// The source as a [`SourceFile`] for locating diagnostics.
    pub(crate) fn src(&self) -> SourceFile<'_> {
        SourceFile::new(&self.file, &self.source)
    }
}

/// What a section (a folder with `_index.md`) holds, in reading order.
#[derive(Debug, Clone, Default)]
pub(crate) struct SectionData {
    /// Folder relative to `content/` (`""` for the root).
    pub(crate) dir: String,
    pub(crate) pages: Vec<usize>,
    pub(crate) subsections: Vec<usize>,
}

/// A non-Markdown file beside pages, copied to the output as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The file under `content/`, read again when the output is written (never held in memory).
    pub source: PathBuf,
    /// Destination below the output root (section URL + file name).
    pub dest: String,
}

/// Everything loaded from `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub(crate) pages: Vec<Page>,
    /// Index of the home section (`content/_index.md`, synthesized when missing).
    pub(crate) root: usize,
    /// The files beside the pages that the output gets copies of.
    pub assets: Vec<Asset>,
    /// Drafts left out of this build: a link to one says it is a draft, not that it is missing.
    pub(crate) drafts: Vec<Draft>,
}

/// A page left out because it is a draft: the names a link could use for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub(crate) file: String,
    /// Title, aliases, file stem and content path without `.md`.
    pub(crate) names: Vec<String>,
}

impl Content {
    /// Page index by content path: how two builds of the same site are matched page to page.
    pub(crate) fn index_by_rel(&self) -> HashMap<&str, usize> {
        self.pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.rel.as_str(), i))
            .collect()
    }

    /// Pages of a kind in site order (section order, then reading order inside sections).
    pub(crate) fn in_order(&self) -> Vec<usize> {
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

/// The `allow` lists of a site's pages by file, for [`crate::lints::apply`].
pub(crate) fn page_allows(content: &Content) -> HashMap<&str, &[String]> {
    content
        .pages
        .iter()
        .filter(|p| !p.meta.allow.is_empty())
        .map(|p| (p.file.as_str(), p.meta.allow.as_slice()))
        .collect()
}

/// [`crate::lints::apply`] with the levels of `config` and the `allow` lists of `content`'s
/// pages: every stage's diagnostics go through it once they are all known.
pub(crate) fn apply_lints(diags: &mut Vec<Diagnostic>, config: &Config, content: &Content) {
    crate::lints::apply(diags, &config.lints, &page_allows(content));
}

/// Options that change what is loaded.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoadOptions {
    pub(crate) drafts: bool,
}

/// Files editors and operating systems leave behind, which must never become pages.
pub(crate) fn is_ignored(name: &str) -> bool {
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
pub(crate) fn load(config: &Config, opts: LoadOptions) -> (Content, Vec<Diagnostic>) {
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
pub(crate) type Parsed = (Option<Page>, Vec<Diagnostic>);

/// Turns a walked tree and its parsed Markdown files (in the tree's order) into [`Content`]:
/// drafts dropped, sections arranged, URLs computed, assets placed.
pub(crate) fn assemble(
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
    let mut drafts = Vec::new();
    for (page, d) in parsed {
        diags.extend(d);
        match page {
            Some(p) if opts.drafts || !p.meta.draft => pages.push(p),
            Some(p) => {
                let mut names = vec![p.title.clone(), p.file_stem().to_string()];
                names.push(p.rel.trim_end_matches(".md").to_string());
                names.extend(p.meta.aliases.iter().cloned());
                drafts.push(Draft {
                    file: p.file.clone(),
                    names,
                });
            }
            None => {}
        }
    }

    let mut content = Content {
        pages,
        root: 0,
        assets: Vec::new(),
        drafts,
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
    asset_collisions(root, &content, &mut diags);
    (content, diags)
}

/// A file beside the pages that lands on a page's own output file (`content/guide/index.html`
/// beside `content/guide/_index.md`) would replace the page in the built site while the dev
/// server shows the page: an error naming both, as for two pages of one URL.
fn asset_collisions(root: &Path, content: &Content, diags: &mut Vec<Diagnostic>) {
    // Only a file named index.html can land on a page's file: keyed by the URL it would take.
    let by_url: HashMap<&str, &Asset> = (content.assets.iter())
        .filter_map(|a| Some((a.dest.strip_suffix("index.html")?, a)))
        .filter(|(url, _)| url.is_empty() || url.ends_with('/'))
        .collect();
    if by_url.is_empty() {
        return;
    }
    for page in &content.pages {
        let Some(a) = by_url.get(page.url.as_str()) else {
            continue;
        };
        let asset = display_path(root, &a.source);
        diags.push(
            Diagnostic::error(
                "url-collision",
                format!(
                    "`{asset}` and `{}` would both be written to /{}",
                    page.file_name(),
                    a.dest
                ),
            )
            .in_file(&asset)
            .with_help(
                "rename the file, or give the page another `slug = \"...\"` in its front matter",
            ),
        );
    }
}
