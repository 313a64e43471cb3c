//! The name index: every path, title, alias and slug a link may name, looked up by hash.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::content::{Content, Page};
use crate::diagnostics::{Candidates, Diagnostic, SourceFile, did_you_mean};
use crate::markdown::Scan;

/// The name tables of link resolution: what depends on the site's pages, paths, titles and
/// assets but not on their bodies, so the dev server keeps them across body edits.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// Content-relative path without `.md` (`rituals/开营仪式`), section folders (`rituals`),
    /// and URL paths (`rituals/kai-ying-yi-shi`).
    pub(super) by_path: FxHashMap<String, usize>,
    /// Lowercased titles, aliases, slugs and file stems → pages.
    pub(super) by_name: FxHashMap<String, Vec<usize>>,
    /// Files of assets (content-relative), to check links to them.
    pub(super) asset_dest: HashMap<String, String>,
    /// Lowercased titles, aliases and file stems of drafts left out of the build → their file,
    /// so a link to one says so.
    pub(super) drafts: FxHashMap<String, String>,
}

impl std::ops::Deref for Index<'_> {
    type Target = Names;
    fn deref(&self) -> &Names {
        &self.tables
    }
}

/// Name lookups for link targets.
pub(crate) struct Index<'a> {
    pub(super) content: &'a Content,
    pub(super) tables: std::borrow::Cow<'a, Names>,
    /// Heading ids of pages with many headings, so that checking many anchors into one page
    /// stays linear (100,000 links into a 100,000-heading page); small pages are scanned.
    pub(super) anchors: Vec<Option<std::collections::HashSet<&'a str>>>,
    /// Every name, prepared for "did you mean" on the first miss (misses can be thousands).
    pub(super) names: std::sync::OnceLock<Candidates<String>>,
    /// Every page file (content-relative), likewise, for broken Markdown links.
    pub(super) files: std::sync::OnceLock<Candidates<&'a str>>,
    /// Every page path and URL, likewise, for broken site-absolute links.
    pub(super) paths: std::sync::OnceLock<Candidates<String>>,
    /// Titles by sound, see [`Index::sounds`].
    pub(super) sounds: std::sync::OnceLock<FxHashMap<String, String>>,
    /// Suggestions already computed, by missing target: a renamed page leaves many links to
    /// the same old name.
    pub(super) suggested: std::sync::Mutex<HashMap<String, Vec<String>>>,
    /// Names that some link found ambiguous → the pages they name, to report the cause once.
    pub(super) ambiguities: std::sync::Mutex<FxHashMap<String, Vec<usize>>>,
}

/// Pages with more headings than this get an id set for anchor checks.
pub(super) const ANCHOR_SET_ABOVE: usize = 32;

/// Why a target did not resolve.
pub(super) enum Miss {
    NotFound,
    Ambiguous(Vec<usize>),
}

impl<'a> Index<'a> {
    /// Builds the lookups once per build: O(pages).
    pub(crate) fn new(content: &'a Content, config: &Config) -> Index<'a> {
        Index::with_names(
            content,
            std::borrow::Cow::Owned(Names::new(content, config)),
        )
    }

    /// The lookups over name tables built before (see [`Names`]).
    pub(crate) fn with_names(
        content: &'a Content,
        tables: std::borrow::Cow<'a, Names>,
    ) -> Index<'a> {
        Index {
            content,
            tables,
            anchors: Vec::new(),
            names: std::sync::OnceLock::new(),
            files: std::sync::OnceLock::new(),
            paths: std::sync::OnceLock::new(),
            sounds: std::sync::OnceLock::new(),
            suggested: std::sync::Mutex::new(HashMap::new()),
            ambiguities: Default::default(),
        }
    }
}

impl Names {
    /// Builds the tables: O(pages). Each page's keys (lowercased titles and aliases, most of
    /// the work) are made in parallel; the two tables are then filled at the same time, each
    /// in page order, since which page a shared key goes to depends on that order.
    pub(crate) fn new(content: &Content, config: &Config) -> Names {
        let (paths, names): (Vec<(String, String)>, Vec<Vec<String>>) = content
            .pages
            .par_iter()
            .map(|p| {
                let path = match &p.section {
                    Some(s) => s.dir.clone(),
                    None => p.rel.trim_end_matches(".md").to_string(),
                };
                let url = p.url.trim_end_matches('/').to_string();
                let stem = p.file_stem();
                let mut names: Vec<String> = vec![p.title.to_lowercase(), p.slug.clone()];
                if !p.is_section() {
                    names.push(stem.to_lowercase());
                }
                names.extend(p.meta.aliases.iter().map(|a| a.to_lowercase()));
                names.sort();
                names.dedup();
                names.retain(|n| !n.is_empty());
                ((path, url), names)
            })
            .unzip();
        let (by_path, by_name) = rayon::join(
            || {
                let mut by_path =
                    FxHashMap::with_capacity_and_hasher(paths.len() * 2, Default::default());
                for (i, (path, url)) in paths.into_iter().enumerate() {
                    by_path.insert(path, i);
                    by_path.entry(url).or_insert(i);
                }
                by_path
            },
            || {
                let mut by_name: FxHashMap<String, Vec<usize>> =
                    FxHashMap::with_capacity_and_hasher(names.len() * 3, Default::default());
                for (i, names) in names.into_iter().enumerate() {
                    for n in names {
                        by_name.entry(n).or_default().push(i);
                    }
                }
                by_name
            },
        );
        let root = config.root.join("content");
        let asset_dest = content
            .assets
            .iter()
            .map(|a| {
                let rel = a.source.strip_prefix(&root).unwrap_or(&a.source);
                (rel.to_string_lossy().replace('\\', "/"), a.dest.clone())
            })
            .collect();
        let mut drafts = FxHashMap::default();
        for d in &content.drafts {
            for name in &d.names {
                drafts.insert(name.to_lowercase(), d.file.clone());
            }
        }
        Names {
            by_path,
            by_name,
            asset_dest,
            drafts,
        }
    }
}

impl<'a> Index<'a> {
    /// Whether page `t` has a heading with id `a`.
    pub(super) fn has_anchor(&self, scans: &[Scan], t: usize, a: &str) -> bool {
        match self.anchors.get(t) {
            Some(Some(set)) => set.contains(a),
            _ => scans[t].headings.iter().any(|h| h.id == a),
        }
    }

    /// Resolves a wiki-style target: a path, slug, title or alias.
    pub(super) fn lookup(&self, target: &str, from: &Page) -> Result<usize, Miss> {
        let t = target.trim().trim_start_matches('/').trim_end_matches('/');
        let t = t.strip_suffix(".md").unwrap_or(t);
        if let Some(&i) = self.by_path.get(t) {
            return Ok(i);
        }
        if t.contains('/') {
            let dir = page_dir(from);
            if let Some(joined) = join(dir, t)
                && let Some(&i) = self.by_path.get(joined.as_str())
            {
                return Ok(i);
            }
        }
        match self.by_name.get(&t.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) if !many.is_empty() => Err(Miss::Ambiguous(many.to_vec())),
            _ => Err(Miss::NotFound),
        }
    }

    /// Resolves a typed field's target: among several pages of the same name, those of the
    /// field's kinds come first (`roles = ["班长"]` means the role, not a guide titled 班长).
    pub(super) fn lookup_kinds(
        &self,
        target: &str,
        from: &Page,
        kinds: &[String],
    ) -> Result<usize, Miss> {
        match self.lookup(target, from) {
            Err(Miss::Ambiguous(many)) if !kinds.is_empty() => {
                let allowed: Vec<usize> = many
                    .iter()
                    .copied()
                    .filter(|&c| kinds.contains(&self.content.pages[c].kind))
                    .collect();
                match allowed.as_slice() {
                    [one] => Ok(*one),
                    [] => Ok(many[0]),
                    _ => Err(Miss::Ambiguous(allowed)),
                }
            }
            other => other,
        }
    }

    /// Page titles by the pinyin of their slug without separators, for suggestions.
    pub(super) fn sounds(&self) -> &FxHashMap<String, String> {
        self.sounds.get_or_init(|| {
            let mut m = FxHashMap::default();
            for p in &self.content.pages {
                let key = crate::text::slug::slugify(&p.title).replace('-', "");
                if !key.is_empty() {
                    m.entry(key).or_insert_with(|| p.title.clone());
                }
            }
            m
        })
    }

    /// Every name a writer could have meant, for suggestions.
    pub(super) fn names(&self) -> &Candidates<String> {
        self.names.get_or_init(|| {
            Candidates::new(
                self.by_name.keys().cloned().chain(
                    self.content.pages.iter().map(|p| p.title.clone()).chain(
                        self.content
                            .pages
                            .iter()
                            .flat_map(|p| p.meta.aliases.iter().cloned()),
                    ),
                ),
            )
        })
    }

    pub(super) fn miss_diagnostic(
        &self,
        miss: Miss,
        target: &str,
        src: &SourceFile<'_>,
        offset: usize,
        wiki: bool,
    ) -> Diagnostic {
        match miss {
            Miss::NotFound if self.drafts.contains_key(&target.trim().to_lowercase()) => {
                let file = &self.drafts[&target.trim().to_lowercase()];
                Diagnostic::error(
                    "broken-link",
                    format!("`{target}` is a draft ({file}), so it is not built"),
                )
                .at(src, offset)
                .with_help(
                    "build with `--drafts` to include drafts, or remove the link until the page \
                     is published (`draft = false`)",
                )
            }
            Miss::NotFound => {
                let cached = self
                    .suggested
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(target)
                    .cloned();
                let owned = cached.unwrap_or_else(|| {
                    let mut found: Vec<String> =
                        self.names().suggest(target).into_iter().cloned().collect();
                    // Same sound, other characters (`班张`), or pinyin (`banzhang`): the title.
                    let sound = crate::text::slug::slugify(target).replace('-', "");
                    if let Some(title) = self.sounds().get(&sound)
                        && !found.iter().any(|f| f.eq_ignore_ascii_case(title))
                    {
                        found.insert(0, title.clone());
                    }
                    // A page's slug is one of its names; next to its title it says nothing more.
                    let mut sounds_seen = std::collections::HashSet::new();
                    found.retain(|f| {
                        sounds_seen.insert(crate::text::slug::slugify(f).replace('-', ""))
                    });
                    found.truncate(3);
                    self.suggested
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(target.to_string(), found.clone());
                    found
                });
                let sugg: Vec<&str> = owned.iter().map(String::as_str).collect();
                let mut d = Diagnostic::error("broken-link", format!("no page named `{target}`"))
                    .at(src, offset);
                let help = did_you_mean(&sugg, |s| {
                    if wiki {
                        format!("[[{s}]]")
                    } else {
                        format!("`{s}`")
                    }
                });
                d = d.with_help(help.unwrap_or_else(|| {
                    "link by title, alias, slug or path, e.g. [[班长]] or [[roles/班长]]"
                        .to_string()
                }));
                d
            }
            Miss::Ambiguous(candidates) => {
                self.ambiguities
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(target.trim().to_lowercase())
                    .or_insert_with(|| candidates.clone());
                let files: Vec<String> = candidates
                    .iter()
                    .map(|&c| display_file(&self.content.pages[c]))
                    .collect();
                let list = candidates
                    .iter()
                    .map(|&c| {
                        let p = &self.content.pages[c];
                        format!("[[{}]] ({})", self.unique_path(c), display_file(p))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                Diagnostic::error(
                    "ambiguous-link",
                    format!("`{target}` matches {} pages", candidates.len()),
                )
                .at(src, offset)
                .with_help(format!("use a path to pick one: {list}"))
                .with_candidates(files)
            }
        }
    }

    /// A path that names exactly this page.
    pub(super) fn unique_path(&self, i: usize) -> String {
        let p = &self.content.pages[i];
        match &p.section {
            Some(s) => s.dir.clone(),
            None => p.rel.trim_end_matches(".md").to_string(),
        }
    }
}

pub(super) fn display_file(p: &Page) -> String {
    if p.file.is_empty() {
        format!("content/{}", p.rel)
    } else {
        p.file.clone()
    }
}

/// The content-relative folder of a page's source (for relative links).
pub(super) fn page_dir(p: &Page) -> &str {
    match &p.section {
        Some(s) => &s.dir,
        None => p.rel.rsplit_once('/').map_or("", |(d, _)| d),
    }
}

/// Joins a relative path onto a folder, resolving `.` and `..`; None if it climbs above root.
pub(super) fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}
