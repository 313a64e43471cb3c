//! Stage 2, resolve: turns every written link (wiki links, Markdown links to `.md` files,
//! images, front-matter link fields) into a page or URL, checks anchors against the target's
//! real heading ids, and derives the graph templates need: backlinks and typed reverse
//! relations. All lookups are hash lookups; only misses scan for suggestions.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::{Config, FieldType};
use crate::content::{Content, Page, SECTION_KIND};
use crate::diagnostics::{Candidates, Diagnostic, SourceFile, did_you_mean, suggest};
use crate::markdown::{Resolved, Scan, percent_decode};
use crate::playbook::{RaciRole, Schedule};
use crate::spanned::Value;

/// A kind field after resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<String>),
    Enum(String),
    Link(Option<usize>),
    Links(Vec<usize>),
    /// A parsed `schedule`; `None` when written empty.
    Schedule(Option<crate::playbook::Schedule>),
    /// A `raci` field: the linked pages and, aligned with them, each one's part (a plain list
    /// gives every page [`RaciRole::Participant`]).
    Raci {
        targets: Vec<usize>,
        parts: Vec<RaciRole>,
    },
}

impl FieldValue {
    /// The pages a link field points to (none for other fields): refs, backlink-style reverse
    /// relations, search and the dev server's dirty sets all follow them.
    pub fn targets(&self) -> &[usize] {
        match self {
            FieldValue::Link(Some(t)) => std::slice::from_ref(t),
            FieldValue::Links(ts) | FieldValue::Raci { targets: ts, .. } => ts,
            _ => &[],
        }
    }
}

/// The resolved link graph of the site.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Per page, aligned with its `Scan::links`.
    pub resolved: Vec<Vec<Resolved>>,
    /// Per page, its kind fields in declaration order.
    pub fields: Vec<Vec<(String, FieldValue)>>,
    /// Per page, the pages linking to it (any link), in site order, without duplicates.
    pub backlinks: Vec<Vec<usize>>,
    /// Per page, reverse relations: `"<source kind>.<field>"` → sources in site order.
    pub incoming: Vec<Vec<(String, Vec<usize>)>>,
    /// Relations that some page wrote but that could not be read (a wrong type, a front matter
    /// that does not parse): warnings that depend on them would follow from that error.
    pub unreadable: Unreadable,
}

/// See [`Graph::unreadable`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unreadable {
    /// Some ritual's `roles` (so no role can be called unused).
    pub roles: bool,
    /// Some ritual's `element`.
    pub element: bool,
}

/// The name tables of link resolution: what depends on the site's pages, paths, titles and
/// assets but not on their bodies, so the dev server keeps them across body edits.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Content-relative path without `.md` (`rituals/开营仪式`), section folders (`rituals`),
    /// and URL paths (`rituals/kai-ying-yi-shi`).
    by_path: FxHashMap<String, usize>,
    /// Lowercased titles, aliases, slugs and file stems → pages.
    by_name: FxHashMap<String, Vec<usize>>,
    /// Files of assets (content-relative), to check links to them.
    asset_dest: HashMap<String, String>,
    /// Lowercased titles, aliases and file stems of drafts left out of the build → their file,
    /// so a link to one says so.
    drafts: FxHashMap<String, String>,
}

impl std::ops::Deref for Index<'_> {
    type Target = Names;
    fn deref(&self) -> &Names {
        &self.tables
    }
}

/// Name lookups for link targets.
pub struct Index<'a> {
    content: &'a Content,
    tables: std::borrow::Cow<'a, Names>,
    /// Heading ids of pages with many headings, so that checking many anchors into one page
    /// stays linear (100,000 links into a 100,000-heading page); small pages are scanned.
    anchors: Vec<Option<std::collections::HashSet<&'a str>>>,
    /// Every name, prepared for "did you mean" on the first miss (misses can be thousands).
    names: std::sync::OnceLock<Candidates<String>>,
    /// Every page file (content-relative), likewise, for broken Markdown links.
    files: std::sync::OnceLock<Candidates<&'a str>>,
    /// Every page path and URL, likewise, for broken site-absolute links.
    paths: std::sync::OnceLock<Candidates<String>>,
    /// Titles by sound, see [`Index::sounds`].
    sounds: std::sync::OnceLock<FxHashMap<String, String>>,
    /// Suggestions already computed, by missing target: a renamed page leaves many links to
    /// the same old name.
    suggested: std::sync::Mutex<HashMap<String, Vec<String>>>,
    /// Names that some link found ambiguous → the pages they name, to report the cause once.
    ambiguities: std::sync::Mutex<FxHashMap<String, Vec<usize>>>,
}

/// Pages with more headings than this get an id set for anchor checks.
const ANCHOR_SET_ABOVE: usize = 32;

/// Why a target did not resolve.
enum Miss {
    NotFound,
    Ambiguous(Vec<usize>),
}

impl<'a> Index<'a> {
    /// Builds the lookups once per build: O(pages).
    pub fn new(content: &'a Content, config: &Config) -> Index<'a> {
        Index::with_names(
            content,
            std::borrow::Cow::Owned(Names::new(content, config)),
        )
    }

    /// The lookups over name tables built before (see [`Names`]).
    pub fn with_names(content: &'a Content, tables: std::borrow::Cow<'a, Names>) -> Index<'a> {
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
    pub fn new(content: &Content, config: &Config) -> Names {
        let (paths, names): (Vec<(String, String)>, Vec<Vec<String>>) = content
            .pages
            .par_iter()
            .map(|p| {
                let path = match &p.section {
                    Some(s) => s.dir.clone(),
                    None => p.rel.trim_end_matches(".md").to_string(),
                };
                let url = p.url.trim_end_matches('/').to_string();
                let stem = p
                    .rel
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(".md");
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
    fn has_anchor(&self, scans: &[Scan], t: usize, a: &str) -> bool {
        match self.anchors.get(t) {
            Some(Some(set)) => set.contains(a),
            _ => scans[t].headings.iter().any(|h| h.id == a),
        }
    }

    /// Resolves a wiki-style target: a path, slug, title or alias.
    fn lookup(&self, target: &str, from: &Page) -> Result<usize, Miss> {
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
    fn lookup_kinds(&self, target: &str, from: &Page, kinds: &[String]) -> Result<usize, Miss> {
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
    fn sounds(&self) -> &FxHashMap<String, String> {
        self.sounds.get_or_init(|| {
            let mut m = FxHashMap::default();
            for p in &self.content.pages {
                let key = crate::content::slug::slugify(&p.title).replace('-', "");
                if !key.is_empty() {
                    m.entry(key).or_insert_with(|| p.title.clone());
                }
            }
            m
        })
    }

    /// Every name a writer could have meant, for suggestions.
    fn names(&self) -> &Candidates<String> {
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

    fn miss_diagnostic(
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
                    let sound = crate::content::slug::slugify(target).replace('-', "");
                    if let Some(title) = self.sounds().get(&sound)
                        && !found.iter().any(|f| f.eq_ignore_ascii_case(title))
                    {
                        found.insert(0, title.clone());
                    }
                    // A page's slug is one of its names; next to its title it says nothing more.
                    let mut sounds_seen = std::collections::HashSet::new();
                    found.retain(|f| {
                        sounds_seen.insert(crate::content::slug::slugify(f).replace('-', ""))
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
    fn unique_path(&self, i: usize) -> String {
        let p = &self.content.pages[i];
        match &p.section {
            Some(s) => s.dir.clone(),
            None => p.rel.trim_end_matches(".md").to_string(),
        }
    }
}

fn display_file(p: &Page) -> String {
    if p.file.is_empty() {
        format!("content/{}", p.rel)
    } else {
        p.file.clone()
    }
}

/// The content-relative folder of a page's source (for relative links).
fn page_dir(p: &Page) -> &str {
    match &p.section {
        Some(s) => &s.dir,
        None => p.rel.rsplit_once('/').map_or("", |(d, _)| d),
    }
}

/// Joins a relative path onto a folder, resolving `.` and `..`; None if it climbs above root.
fn join(dir: &str, rel: &str) -> Option<String> {
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

/// Schemes a link may rightly have; a scheme a typo away from http, https or mailto is not
/// one of them.
const KNOWN_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "ftp", "sftp", "ssh", "git", "irc", "ircs", "magnet", "sms",
    "file", "news", "xmpp", "geo", "webcal", "weixin", "alipays", "taobao", "bilibili", "zhihu",
];

/// File extensions that make `name.ext` a file rather than a domain.
const FILE_EXTENSIONS: &[&str] = &[
    "md", "html", "htm", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "pdf", "txt",
    "css", "js", "json", "zip", "mp3", "mp4", "csv", "xml", "doc", "docx", "xls", "xlsx", "ppt",
    "pptx", "toml", "yaml", "yml",
];

/// A link that is most likely a mistyped URL: the message and the URL meant.
fn scheme_typo(url: &str) -> Option<(String, String)> {
    // The same, percent-encoded (`%EF%BC%9Ahttps://…` is `：https://…`).
    if url.starts_with('%') {
        let decoded = percent_decode(url);
        if decoded != url {
            return scheme_typo(&decoded);
        }
    }
    // Stray punctuation or space copied in front of a URL (`：https://…`).
    let stripped = url.trim_start_matches(|c: char| !c.is_ascii() || c == ':');
    if stripped.len() < url.len() && has_scheme(stripped) {
        let lead = &url[..url.len() - stripped.len()];
        return Some((
            format!("`{lead}` before `{stripped}` makes it a relative link"),
            stripped.to_string(),
        ));
    }
    if let Some(i) = url.find(':').filter(|_| has_scheme(url)) {
        let scheme = url[..i].to_ascii_lowercase();
        let rest = &url[i + 1..];
        if (scheme == "http" || scheme == "https") && !rest.starts_with("//") {
            let fixed = format!("{scheme}://{}", rest.trim_start_matches('/'));
            return Some((
                format!("`{url}` is missing the `//` after `{scheme}:`"),
                fixed,
            ));
        }
        if KNOWN_SCHEMES.contains(&scheme.as_str()) {
            return None;
        }
        let meant = ["https", "http", "mailto"]
            .into_iter()
            .map(|m| (crate::diagnostics::levenshtein(&scheme, m), m))
            .filter(|&(d, m)| d > 0 && d <= if m == "mailto" { 2 } else { 1 })
            .min()?
            .1;
        let rest = if meant == "mailto" {
            rest.trim_start_matches('/').to_string()
        } else {
            format!("//{}", rest.trim_start_matches('/'))
        };
        return Some((
            format!("`{}:` looks like a typo of `{meant}:`", &url[..i]),
            format!("{meant}:{rest}"),
        ));
    }
    // `http//…`, or a bare domain written as a relative link: `example.com/path`.
    for (typo, meant) in [("https//", "https://"), ("http//", "http://")] {
        if let Some(rest) = url.strip_prefix(typo) {
            return Some((
                format!("`{url}` is missing the `:` of `{meant}`"),
                format!("{meant}{rest}"),
            ));
        }
    }
    let host = url.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    let domain_like = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (2..=6).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_lowercase())
        && !FILE_EXTENSIONS.contains(&tld);
    (domain_like || host.starts_with("www.")).then(|| {
        (
            format!("`{url}` looks like a web address written without `https://`"),
            format!("https://{url}"),
        )
    })
}

/// Schemes that run code when followed; `data:` can carry a whole HTML page with scripts. The
/// sanitizer refuses the same ones in raw HTML.
const UNSAFE_SCHEMES: [&str; 3] = ["javascript:", "vbscript:", "data:"];

/// The unsafe scheme a link target would reach a reader with, however it is written: as is,
/// or once a rewrite takes off the site's root (`/javascript:…`, `/handbook/javascript:…`,
/// `https://<base_url>/javascript:…`, which an offline build makes relative to the home page
/// and so `javascript:…` again), percent-encoded, or with the tabs and line breaks browsers
/// drop from a URL inside it.
pub fn unsafe_scheme(target: &str, base: &str, base_url: &str) -> Option<&'static str> {
    let decoded = percent_decode(target);
    let mut forms = vec![target, decoded.as_str()];
    for i in 0..forms.len() {
        let form = forms[i];
        let base_url = base_url.trim_end_matches('/');
        if !base_url.is_empty()
            && let Some(rest) = form.strip_prefix(base_url)
        {
            forms.push(rest.trim_start_matches('/'));
        }
        if let Some(rest) = form.strip_prefix(base) {
            forms.push(rest);
        }
        if !form.starts_with("//")
            && let Some(rest) = form.strip_prefix('/')
        {
            forms.push(rest);
        }
    }
    forms.iter().find_map(|form| {
        let plain: String = form
            .trim_start_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .take(16)
            .collect::<String>()
            .to_ascii_lowercase();
        UNSAFE_SCHEMES.into_iter().find(|s| plain.starts_with(s))
    })
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

/// What the links stage found for one page, before the graph is put together.
pub struct PageLinks {
    pub resolved: Vec<Resolved>,
    pub fields: Vec<(String, FieldValue)>,
    /// `(target, field name)`; `None` for links in the body.
    pub edges: Vec<(usize, Option<String>)>,
    pub diags: Vec<Diagnostic>,
}

/// The link diagnostics of a build, by page, so that the dev server can redo one page's share
/// of them without re-resolving the site.
#[derive(Debug, Clone, Default)]
pub struct LinkDiagnostics {
    /// Broken links and bad fields, by the page they are written in.
    pub pages: Vec<Vec<Diagnostic>>,
    /// Shape warnings (orphans, unused roles …), by the page they are about.
    pub structure: Vec<Vec<Diagnostic>>,
}

impl LinkDiagnostics {
    /// Every diagnostic, page by page.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.pages.iter().chain(&self.structure).flatten()
    }
}

/// The lookups of one build, anchors included. O(pages).
pub fn index<'a>(content: &'a Content, scans: &'a [Scan], config: &Config) -> Index<'a> {
    with_anchors(Index::new(content, config), scans)
}

/// [`index`] over name tables kept from an earlier build of the same layout.
pub fn index_with<'a>(content: &'a Content, scans: &'a [Scan], names: &'a Names) -> Index<'a> {
    with_anchors(
        Index::with_names(content, std::borrow::Cow::Borrowed(names)),
        scans,
    )
}

fn with_anchors<'a>(mut index: Index<'a>, scans: &'a [Scan]) -> Index<'a> {
    index.anchors = scans
        .par_iter()
        .map(|s| {
            (s.headings.len() > ANCHOR_SET_ABOVE)
                .then(|| s.headings.iter().map(|h| h.id.as_str()).collect())
        })
        .collect();
    index
}

/// Resolves page `i`'s body links and typed fields.
pub fn resolve_page(
    index: &Index<'_>,
    scans: &[Scan],
    config: &Config,
    base: &str,
    i: usize,
) -> PageLinks {
    let page = &index.content.pages[i];
    let mut diags = Vec::new();
    let mut edges = Vec::new();
    // Pages linked from the body, with where.
    let mut body: Vec<(usize, usize)> = Vec::new();
    // One source per page: it indexes lines once for all of the page's diagnostics.
    let src = page.src();
    let resolved = scans[i]
        .links
        .iter()
        .map(|l| {
            let r = resolve_link(
                index,
                scans,
                page,
                &src,
                i,
                l.wiki,
                &l.target,
                l.offset,
                (base, &config.base_url),
                &mut diags,
            );
            if let Some(t) = r.1 {
                edges.push((t, None));
                body.push((t, l.offset));
            }
            r.0
        })
        .collect();
    let fields = resolve_fields(index, config, page, &mut edges, &mut diags);
    unlisted_roles(index, config, &body, i, &src, &fields, &mut diags);
    PageLinks {
        resolved,
        fields,
        edges,
        diags,
    }
}

/// Warns about a page linked from the body whose kind a `raci` field takes (a role linked
/// from a ritual's steps) but that the field does not name: the matrix would hide it. Only
/// when the field names someone; a ritual without roles has a warning of its own.
fn unlisted_roles(
    index: &Index<'_>,
    config: &Config,
    body: &[(usize, usize)],
    i: usize,
    src: &SourceFile<'_>,
    fields: &[(String, FieldValue)],
    diags: &mut Vec<Diagnostic>,
) {
    let pages = &index.content.pages;
    let Some(kind) = config.kind(&pages[i].kind) else {
        return;
    };
    for field in kind
        .fields
        .iter()
        .filter(|f| f.ty == FieldType::Raci && !f.kinds.is_empty())
    {
        let Some(named) = fields
            .iter()
            .find(|(n, _)| n == &field.name)
            .map(|(_, v)| v.targets())
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let mut warned: Vec<usize> = Vec::new();
        for &(t, offset) in body {
            if named.contains(&t) || warned.contains(&t) || !field.kinds.contains(&pages[t].kind) {
                continue;
            }
            warned.push(t);
            let title = &pages[t].title;
            diags.push(
                Diagnostic::warning(
                    "unlisted-role",
                    format!(
                        "`{title}` is linked here but not listed in `{}`",
                        field.name
                    ),
                )
                .at(src, offset)
                .with_help(format!(
                    "add \"{title}\" to `{}` (lead, run, support or informed), so the matrix shows what it does",
                    field.name
                )),
            );
        }
    }
}

/// The reading-order rank of every page: backlinks and reverse relations are listed in it.
pub fn ranks(content: &Content) -> Vec<usize> {
    let mut rank = vec![usize::MAX; content.pages.len()];
    for (r, i) in content.in_order().into_iter().enumerate() {
        rank[i] = r;
    }
    rank
}

/// Resolves everything and builds the graph. `base` is the URL prefix every internal URL gets.
pub fn resolve(
    content: &Content,
    scans: &[Scan],
    config: &Config,
    base: &str,
) -> (Graph, LinkDiagnostics, Names) {
    let index = index(content, scans, config);
    let rank = ranks(content);
    let outs: Vec<PageLinks> = (0..content.pages.len())
        .into_par_iter()
        .map(|i| resolve_page(&index, scans, config, base, i))
        .collect();

    let n = content.pages.len();
    let mut graph = Graph {
        resolved: Vec::with_capacity(n),
        fields: Vec::with_capacity(n),
        backlinks: vec![Vec::new(); n],
        incoming: vec![Vec::new(); n],
        unreadable: Unreadable {
            roles: content
                .pages
                .iter()
                .any(|p| p.meta.broken || p.meta.bad_keys.iter().any(|k| k == "roles")),
            element: content
                .pages
                .iter()
                .any(|p| p.meta.broken || p.meta.bad_keys.iter().any(|k| k == "element")),
        },
    };
    let mut diags = LinkDiagnostics {
        pages: Vec::with_capacity(n),
        structure: Vec::new(),
    };
    let mut incoming_maps: Vec<HashMap<String, Vec<usize>>> = vec![HashMap::new(); n];
    for (i, out) in outs.into_iter().enumerate() {
        for (target, field) in &out.edges {
            if *target != i {
                graph.backlinks[*target].push(i);
            }
            if let Some(f) = field {
                let key = format!("{}.{}", content.pages[i].kind, f);
                incoming_maps[*target].entry(key).or_default().push(i);
            }
        }
        graph.resolved.push(out.resolved);
        graph.fields.push(out.fields);
        diags.pages.push(out.diags);
    }
    graph
        .backlinks
        .par_iter_mut()
        .zip(&mut graph.incoming)
        .zip(incoming_maps)
        .for_each(|((b, incoming), map)| {
            b.sort_by_key(|&p| rank[p]);
            b.dedup();
            let mut inc: Vec<(String, Vec<usize>)> = map.into_iter().collect();
            for (_, v) in inc.iter_mut() {
                v.sort_by_key(|&p| rank[p]);
                v.dedup();
            }
            inc.sort_by(|a, b| a.0.cmp(&b.0));
            *incoming = inc;
        });
    diags.structure = (0..n)
        .into_par_iter()
        .map(|i| structure_warnings(content, &graph, i))
        .collect();
    let ambiguities =
        std::mem::take(&mut *index.ambiguities.lock().unwrap_or_else(|e| e.into_inner()));
    let mut ambiguities: Vec<(String, Vec<usize>)> = ambiguities.into_iter().collect();
    ambiguities.sort();
    for (name, pages) in ambiguities {
        if let Some((at, d)) = duplicate_name(content, &name, &pages) {
            diags.structure[at].push(d);
        }
    }
    (graph, diags, index.tables.into_owned())
}

#[allow(clippy::too_many_arguments)]
fn resolve_link(
    index: &Index<'_>,
    scans: &[Scan],
    page: &Page,
    src: &SourceFile<'_>,
    me: usize,
    wiki: bool,
    target: &str,
    offset: usize,
    (base, base_url): (&str, &str),
    diags: &mut Vec<Diagnostic>,
) -> (Resolved, Option<usize>) {
    let trimmed = target.trim();
    if !wiki {
        if let Some(scheme) = unsafe_scheme(trimmed, base, base_url) {
            diags.push(
                Diagnostic::warning("unsafe-link", format!("`{scheme}` links are dropped"))
                    .at(src, offset)
                    .with_help("link to a page or an http(s) URL instead"),
            );
            return (Resolved::Drop, None);
        }
        if let Some((message, fixed)) = scheme_typo(trimmed) {
            let start = src.text[offset..]
                .find(trimmed)
                .filter(|&i| !src.text[offset..offset + i].contains('\n'))
                .map(|i| offset + i);
            let mut d = Diagnostic::warning("scheme-typo", message)
                .at(src, start.unwrap_or(offset))
                .with_help(format!("write `{fixed}`"));
            if let Some(st) = start {
                d = d.with_fix(src, st, st + trimmed.len(), fixed.clone());
            }
            diags.push(d);
            return (Resolved::Url(fixed), None);
        }
        if has_scheme(trimmed) || trimmed.starts_with("//") {
            return (Resolved::Url(trimmed.to_string()), None);
        }
    }
    let (path_part, anchor) = match trimmed.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a))),
        None => (trimmed, None),
    };
    let path_part = path_part.split_once('?').map_or(path_part, |(p, _)| p);
    let path_part = percent_decode(path_part);

    // A pure in-page anchor.
    let target_page = if path_part.is_empty() {
        Some(me)
    } else if wiki {
        match index.lookup(&path_part, page) {
            Ok(i) => Some(i),
            Err(miss) => {
                diags.push(index.miss_diagnostic(miss, &path_part, src, offset, true));
                return (Resolved::Broken, None);
            }
        }
    } else if path_part.ends_with(".md") {
        let joined = join(page_dir(page), &path_part);
        match joined
            .as_deref()
            .and_then(|j| index.by_path.get(j.trim_end_matches(".md")))
        {
            Some(&i) => Some(i),
            None => {
                let files = index.files.get_or_init(|| {
                    Candidates::new(index.content.pages.iter().map(|p| p.rel.as_str()))
                });
                let wanted = joined.clone().unwrap_or_else(|| path_part.clone());
                let sugg: Vec<&str> = files.suggest(&wanted).into_iter().copied().collect();
                let help = did_you_mean(&sugg, |s| format!("`{s}`")).unwrap_or_else(|| {
                    "Markdown links to pages are relative to this file, e.g. `../roles/班长.md`"
                        .to_string()
                });
                diags.push(
                    Diagnostic::error(
                        "broken-link",
                        format!("link to a missing file `{path_part}`"),
                    )
                    .at(src, offset)
                    .with_help(help),
                );
                return (Resolved::Broken, None);
            }
        }
    } else {
        // A site-absolute link: a page's URL or path, an asset, or something only the output
        // has (the matrix page, the style sheet), which the output link check then verifies.
        if let Some(rest) = path_part.strip_prefix('/') {
            let key = rest.trim_matches('/');
            let key = key.strip_suffix("/index.html").unwrap_or(key);
            if let Some(&i) = index.by_path.get(key) {
                Some(i)
            } else if index.asset_dest.values().any(|d| d == key) {
                return (
                    Resolved::Url(format!("{base}{}", rest) + &anchor_suffix(&anchor)),
                    None,
                );
            } else if key
                .split('/')
                .next()
                .is_some_and(|first| key.contains('/') && index.by_path.contains_key(first))
            {
                let paths = index
                    .paths
                    .get_or_init(|| Candidates::new(index.by_path.keys().cloned()));
                let sugg: Vec<String> = paths
                    .suggest(key)
                    .into_iter()
                    .map(|s| format!("/{s}/"))
                    .collect();
                let sugg: Vec<&str> = sugg.iter().map(String::as_str).collect();
                let help = did_you_mean(&sugg, |s| format!("`{s}`")).unwrap_or_else(|| {
                    "link by title with [[...]], which is checked and follows renames".to_string()
                });
                diags.push(
                    Diagnostic::error("broken-link", format!("no page or file at `/{}`", rest))
                        .at(src, offset)
                        .with_help(help),
                );
                return (Resolved::Broken, None);
            } else {
                return (
                    Resolved::Url(format!("{base}{}", rest) + &anchor_suffix(&anchor)),
                    None,
                );
            }
        } else {
            let joined = join(page_dir(page), &path_part).unwrap_or_default();
            if let Some(dest) = index.asset_dest.get(&joined) {
                return (Resolved::Url(format!("{base}{dest}")), None);
            }
            let (dir, file) = joined.rsplit_once('/').unwrap_or(("", joined.as_str()));
            diags.push(
                Diagnostic::error(
                    "broken-link",
                    format!("link to a missing file `{path_part}`"),
                )
                .at(src, offset)
                .with_help(format!(
                    "put `{file}` beside the page in content/{dir}, or link to an http(s) URL"
                )),
            );
            return (Resolved::Broken, None);
        }
    };
    let t = target_page.expect("resolved");
    let tp = &index.content.pages[t];
    if let Some(a) = &anchor
        && !a.is_empty()
        && !index.has_anchor(scans, t, a)
    {
        let ids = scans[t].headings.iter().map(|h| h.id.as_str());
        let help = did_you_mean(&suggest(a, ids), |s| format!("`#{s}`")).unwrap_or_else(|| {
            let all: Vec<_> = scans[t]
                .headings
                .iter()
                .map(|h| format!("#{}", h.id))
                .collect();
            if all.is_empty() {
                format!("`{}` has no headings", tp.title)
            } else {
                format!("headings of `{}`: {}", tp.title, all.join(", "))
            }
        });
        diags.push(
            Diagnostic::error(
                "broken-anchor",
                format!("`{}` has no heading `#{a}`", tp.title),
            )
            .at(src, offset)
            .with_help(help),
        );
        return (Resolved::Broken, None);
    }
    let url = format!("{base}{}{}", tp.url, anchor_suffix(&anchor));
    (
        Resolved::Internal {
            url,
            title: tp.title.clone(),
        },
        (t != me).then_some(t),
    )
}

fn anchor_suffix(anchor: &Option<String>) -> String {
    match anchor {
        Some(a) if !a.is_empty() => format!("#{a}"),
        _ => String::new(),
    }
}

fn resolve_fields(
    index: &Index<'_>,
    config: &Config,
    page: &Page,
    edges: &mut Vec<(usize, Option<String>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, FieldValue)> {
    let Some(kind) = config.kind(&page.kind) else {
        return Vec::new();
    };
    let src = page.src();
    let cx = FieldCx {
        index,
        config,
        page,
        src: &src,
    };
    let mut out = Vec::with_capacity(kind.fields.len());
    for field in &kind.fields {
        let Some((_, raw)) = page.meta.fields.iter().find(|(k, _)| k == &field.name) else {
            continue;
        };
        let value = match field.ty {
            FieldType::String => {
                FieldValue::Str(raw.value.as_str().unwrap_or_default().to_string())
            }
            // A label written for the value (`成长期`) means the value (`growth`) from here on.
            FieldType::Enum => {
                let written = raw.value.as_str().unwrap_or_default();
                FieldValue::Enum(field.enum_value(written).unwrap_or(written).to_string())
            }
            FieldType::Int => FieldValue::Int(match raw.value {
                Value::Integer(i) => i,
                _ => 0,
            }),
            FieldType::Bool => FieldValue::Bool(matches!(raw.value, Value::Bool(true))),
            FieldType::List => FieldValue::List(match &raw.value {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.value.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }),
            FieldType::Schedule => {
                FieldValue::Schedule(raw.value.as_str().and_then(Schedule::parse))
            }
            FieldType::Link | FieldType::Links => {
                // Empty strings are unset links (`qunce new` writes them as placeholders).
                let items: Vec<(&str, usize)> = match &raw.value {
                    Value::String(s) => vec![(s.as_str(), raw.span.start)],
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|v| v.value.as_str().map(|s| (s, v.span.start)))
                        .collect(),
                    _ => Vec::new(),
                };
                let targets = resolve_targets(&cx, field, items, edges, diags);
                if field.ty == FieldType::Link {
                    FieldValue::Link(targets.first().copied())
                } else {
                    FieldValue::Links(targets)
                }
            }
            FieldType::Raci => {
                let mut items: Vec<(RaciRole, &str, usize)> = Vec::new();
                fn push<'v>(
                    items: &mut Vec<(RaciRole, &'v str, usize)>,
                    part: RaciRole,
                    v: &'v crate::spanned::Spanned,
                ) {
                    match &v.value {
                        Value::String(s) => items.push((part, s.as_str(), v.span.start)),
                        Value::Array(a) => items.extend(
                            a.iter()
                                .filter_map(|x| x.value.as_str().map(|s| (part, s, x.span.start))),
                        ),
                        _ => {}
                    }
                }
                match &raw.value {
                    Value::Table(t) => {
                        for (k, _, v) in t {
                            if let Some(part) = RaciRole::from_key(k) {
                                push(&mut items, part, v);
                            }
                        }
                    }
                    _ => push(&mut items, RaciRole::Participant, raw),
                }
                // Listed by part (lead first), each page once, with its first part.
                items.sort_by_key(|(part, _, _)| *part);
                let mut targets = Vec::with_capacity(items.len());
                let mut parts = Vec::with_capacity(items.len());
                for (part, target, offset) in items {
                    let found = resolve_targets(&cx, field, vec![(target, offset)], edges, diags);
                    for t in found {
                        if !targets.contains(&t) {
                            targets.push(t);
                            parts.push(part);
                        }
                    }
                }
                FieldValue::Raci { targets, parts }
            }
        };
        out.push((field.name.clone(), value));
    }
    out
}

/// What resolving one page's fields needs at hand.
#[derive(Clone, Copy)]
struct FieldCx<'a, 'i> {
    index: &'a Index<'i>,
    config: &'a Config,
    page: &'a Page,
    src: &'a SourceFile<'a>,
}

/// Resolves the targets of one link-typed field, checking each against the field's kinds.
/// Empty strings are unset links (`qunce new` writes them as placeholders).
fn resolve_targets(
    cx: &FieldCx<'_, '_>,
    field: &crate::config::FieldDef,
    items: Vec<(&str, usize)>,
    edges: &mut Vec<(usize, Option<String>)>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let FieldCx {
        index,
        config,
        page,
        src,
    } = *cx;
    let items: Vec<(&str, usize)> = items
        .into_iter()
        .filter(|(s, _)| !s.trim().is_empty())
        .collect();
    let mut targets = Vec::with_capacity(items.len());
    for (target, offset) in items {
        match index.lookup_kinds(target, page, &field.kinds) {
            Ok(t) => {
                let tp = &index.content.pages[t];
                // A page whose front matter did not parse has no known kind: the error about it
                // is enough.
                if !field.kinds.is_empty() && !field.kinds.contains(&tp.kind) && !tp.meta.broken {
                    let kind_label = |k: &str| {
                        config
                            .kind(k)
                            .map_or_else(|| k.to_string(), |kd| format!("{k} ({})", kd.label))
                    };
                    let wanted: Vec<String> = field.kinds.iter().map(|k| kind_label(k)).collect();
                    let same_name: Vec<String> = index
                        .by_name
                        .get(&target.to_lowercase())
                        .into_iter()
                        .flatten()
                        .filter(|&&c| field.kinds.contains(&index.content.pages[c].kind))
                        .map(|&c| index.content.pages[c].title.clone())
                        .collect();
                    let shown_kind = if tp.kind == SECTION_KIND {
                        "section".to_string()
                    } else {
                        kind_label(&tp.kind)
                    };
                    diags.push(
                        Diagnostic::error(
                            "wrong-kind",
                            format!(
                                "`{}` must link to {}, but `{target}` is a {shown_kind}",
                                field.name,
                                wanted.join(" or ")
                            ),
                        )
                        .at(src, offset)
                        .with_help(match same_name.first() {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => format!("link to a page with `kind = \"{}\"`", field.kinds[0]),
                        }),
                    );
                    continue;
                }
                edges.push((t, Some(field.name.clone())));
                targets.push(t);
            }
            Err(miss) => {
                let ambiguous = matches!(miss, Miss::Ambiguous(_));
                let mut d = index.miss_diagnostic(miss, target, src, offset, false);
                if !ambiguous && d.message.starts_with("no page named ") {
                    d.message = format!(
                        "`{}` links to {} (no such page)",
                        field.name,
                        d.message.trim_start_matches("no page named ")
                    );
                } else if ambiguous {
                    d.message = format!("`{}`: {}", field.name, d.message);
                }
                if let Some(h) = &d.help
                    && h.starts_with("did you mean")
                {
                    d.help = Some(h.replace('`', "\""));
                }
                diags.push(d);
            }
        }
    }
    targets
}

/// Whether a link field's value names nothing: empty strings, in a list or a RACI table (as
/// `qunce new` writes them).
fn all_blank(v: &Value) -> bool {
    match v {
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(|x| all_blank(&x.value)),
        Value::Table(t) => t.iter().all(|(_, _, x)| all_blank(&x.value)),
        _ => false,
    }
}

/// The error at the cause of an ambiguity: the page whose title or alias repeats another
/// page's name (an alias before a title; else the later file), naming every file.
fn duplicate_name(content: &Content, name: &str, pages: &[usize]) -> Option<(usize, Diagnostic)> {
    let place = |i: usize| -> Option<usize> {
        let m = &content.pages[i].meta;
        m.aliases
            .iter()
            .zip(&m.alias_offsets)
            .find(|(a, _)| a.to_lowercase() == name)
            .map(|(_, &o)| o)
    };
    let by_alias = pages.iter().copied().find(|&i| place(i).is_some());
    let cause = by_alias.or_else(|| {
        pages
            .iter()
            .copied()
            .filter(|&i| !content.pages[i].file.is_empty())
            .max_by(|&a, &b| content.pages[a].file.cmp(&content.pages[b].file))
    })?;
    let p = &content.pages[cause];
    let offset = place(cause)
        .or_else(|| {
            (p.title.to_lowercase() == name)
                .then_some(p.meta.title_offset)
                .flatten()
        })
        .unwrap_or(0);
    let mut files: Vec<String> = pages
        .iter()
        .map(|&i| display_file(&content.pages[i]))
        .collect();
    files.sort();
    let shown = &content.pages[cause].title;
    let name_shown = if shown.to_lowercase() == name {
        shown.as_str()
    } else {
        name
    };
    let d = Diagnostic::error(
        "duplicate-name",
        format!(
            "`{name_shown}` names {} pages: {}",
            files.len(),
            files.join(" and ")
        ),
    )
    .at(&p.src(), offset)
    .with_help(format!(
        "links by this name are ambiguous; give one page another title or alias, or link by path, e.g. [[{}]]",
        p.rel.trim_end_matches(".md")
    ))
    .with_candidates(files);
    Some((cause, d))
}

/// Warnings about the handbook's shape: orphans, unused roles, rituals without roles,
/// elements without rituals.
pub fn structure_warnings(content: &Content, graph: &Graph, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let has = |i: usize, key: &str| {
        graph.incoming[i]
            .iter()
            .any(|(k, v)| k == key && !v.is_empty())
    };
    let p = &content.pages[i];
    // A page whose front matter did not parse was reported; its shape is unknown.
    if p.is_section() || p.file.is_empty() || p.meta.broken {
        return out;
    }
    {
        let src = p.src();
        // A page in a section is reachable from the section's listing; the home page lists
        // sections, not the pages beside it, so those need a link.
        let listed = p.parent.is_some_and(|s| s != content.root);
        if graph.backlinks[i].is_empty() && !listed {
            out.push(
                Diagnostic::warning("orphan-page", format!("nothing links to `{}`", p.title))
                    .at(&src, 0)
                    .with_help(format!(
                        "link to it from a related page, e.g. [[{}]], or move it into a section's folder",
                        p.title
                    )),
            );
        }
        match p.kind.as_str() {
            "role" if !has(i, "ritual.roles") && !graph.unreadable.roles => out.push(
                Diagnostic::warning(
                    "unused-role",
                    format!("no ritual lists the role `{}`", p.title),
                )
                .at(&src, 0)
                .with_help(format!(
                    "add \"{}\" to the `roles` of the rituals it takes part in",
                    p.title
                )),
            ),
            "ritual" => {
                let roles = graph.fields[i]
                    .iter()
                    .any(|(k, v)| k == "roles" && !v.targets().is_empty());
                // Roles that were written but did not resolve (a type error, a broken link, a
                // link to another kind) were already reported; do not repeat it.
                let written = p.meta.keys.iter().any(|k| k == "roles")
                    && !p
                        .meta
                        .fields
                        .iter()
                        .any(|(k, v)| k == "roles" && all_blank(&v.value));
                if !roles && !written {
                    out.push(
                        Diagnostic::warning(
                            "ritual-without-roles",
                            format!("the ritual `{}` has no roles", p.title),
                        )
                        .at(&src, 0)
                        .with_help(
                            "add `roles = [\"群主\", \"班长\"]` (who runs it) to the front matter",
                        ),
                    );
                }
            }
            "element" if !has(i, "ritual.element") && !graph.unreadable.element => out.push(
                Diagnostic::warning(
                    "element-without-rituals",
                    format!("no ritual belongs to the element `{}`", p.title),
                )
                .at(&src, 0)
                .with_help(format!(
                    "set `element = \"{}\"` on the rituals that serve it",
                    p.title
                )),
            ),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_paths() {
        assert_eq!(
            join("rituals", "../roles/班长.md").as_deref(),
            Some("roles/班长.md")
        );
        assert_eq!(join("rituals", "./a.md").as_deref(), Some("rituals/a.md"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a/b", "/c.md").as_deref(), Some("c.md"));
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:a@b"));
        assert!(!has_scheme("班长.md"));
        assert!(!has_scheme("a/b:c"));
    }
}
