//! The `Site` model and the pipeline that fills it: config → load → scan → resolve → render
//! markdown → render templates. Each step is a plain function of the previous steps' output
//! (DESIGN.md §5); this module only sequences them, times them and gathers diagnostics.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, LoadOptions};
use crate::diagnostics::{self, Diagnostic};
use crate::links::{self, Graph};
use crate::markdown::{self, Scan};
use crate::outlinks;
use crate::output::Staging;
use crate::render::{self, Engine, OutputFile};

/// Everything known about a site after resolution and Markdown rendering.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub content: Content,
    pub scans: Vec<Scan>,
    pub graph: Graph,
    /// Rendered Markdown body of each page; empty in a streamed build, which renders each
    /// body in the render stage (see [`analyse_with`]).
    pub bodies: Vec<String>,
    /// URL prefix of every internal link (`/` or `/handbook/`).
    pub base: String,
    /// A hash of the theme's static files; themes use it to bust caches of their assets.
    pub build_id: String,
    /// Where each page sits in its parent section's `pages` (`usize::MAX` for sections and
    /// the root): prev/next links and the sidebar's block need it for every page, and a search
    /// per page would be quadratic in the size of a section.
    pub positions: Vec<usize>,
    /// Diagnostics of the per-page stages, by page.
    pub notes: PageNotes,
    /// The name tables links were resolved with (the dev server re-resolves pages with them).
    pub names: links::Names,
    /// Each page's "last updated" day, or empty (see [`crate::lastmod`]).
    pub updated: Vec<String>,
}

/// Diagnostics of the per-page stages (scan, links), kept by page so that a rebuild of a few
/// pages can replace just their share instead of re-checking the site.
#[derive(Debug, Clone, Default)]
pub struct PageNotes {
    /// Scan warnings (raw HTML nested too deep), by page.
    pub scan: Vec<Vec<Diagnostic>>,
    pub links: links::LinkDiagnostics,
}

impl PageNotes {
    /// Every diagnostic, in the order a full build reports them before sorting.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.scan.iter().flatten().chain(self.links.all())
    }
}

/// A page's Markdown body as HTML, given its scan and resolved links: what the build and the
/// dev server's fast path both call.
pub fn render_body(
    config: &Config,
    page: &content::Page,
    scan: &Scan,
    resolved: &[markdown::Resolved],
) -> String {
    let mut opts = markdown::RenderOptions::new(config);
    opts.title_heading = page.title_heading;
    markdown::render(page.body(), scan, resolved, &opts)
}

/// The scan warnings of one page.
pub fn scan_notes(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    let mut notes = undeclared_placeholders(config, page, scan);
    if config.language == crate::config::Language::ZhCn {
        notes.extend(typography_notes(page));
    }
    notes.extend(crate::bodychecks::warnings(page, scan, config.raw_html));
    if config.raw_html != crate::config::RawHtml::Safe {
        return notes;
    }
    if scan.raw_html_depth > markdown::MAX_RAW_HTML_DEPTH {
        notes.push(
            Diagnostic::warning(
                "raw-html-too-deep",
                format!(
                    "raw HTML nested {} levels deep is shown as text",
                    scan.raw_html_depth
                ),
            )
            .in_file(&page.file)
            .with_help(format!(
                "keep raw HTML under {} levels of nesting",
                markdown::MAX_RAW_HTML_DEPTH
            )),
        );
    } else {
        notes.extend(removed_iframes(config, page, scan));
    }
    notes
}

/// The `zh-typography` warnings of a page of a Chinese site, one per text range to fix.
fn typography_notes(page: &content::Page) -> Vec<Diagnostic> {
    let src = page.src();
    crate::typography::page_fixes(&page.source, page.body_start)
        .into_iter()
        .map(|f| {
            Diagnostic::warning(
                crate::typography::LINT,
                format!(
                    "Chinese typography: `{}` reads better as `{}`",
                    f.before, f.after
                ),
            )
            .at(&src, f.start)
            .with_help(
                "`qunce fmt` applies every typography fix in place; \
                 `[lints] zh-typography = \"allow\"` in site.toml turns this check off",
            )
        })
        .collect()
}

/// A warning at the first use on the page of each template placeholder that site.toml's
/// `[placeholders]` does not declare: no reader could fill it in.
fn undeclared_placeholders(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    if scan.placeholders.is_empty() {
        return Vec::new();
    }
    let src = page.src();
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (name, offset) in &scan.placeholders {
        if seen.contains(&name.as_str()) || config.placeholders.iter().any(|p| &p.name == name) {
            continue;
        }
        seen.push(name);
        let declared = config.placeholders.iter().map(|p| p.name.as_str());
        let help = diagnostics::did_you_mean(&diagnostics::suggest(name, declared), |s| {
            format!("{{{s}}}")
        })
        .map_or_else(String::new, |d| format!("{d} Otherwise "))
            + &format!(
                "declare it in site.toml: [placeholders.\"{name}\"] with label = \"{name}\" and default = \"\""
            );
        out.push(
            Diagnostic::warning(
                "undeclared-placeholder",
                format!("the placeholder `{{{name}}}` is not declared"),
            )
            .at(&src, *offset)
            .with_help(help),
        );
    }
    out
}

/// A warning at each `<iframe>` the safe policy removes: its host is not an embed host.
fn removed_iframes(config: &Config, page: &content::Page, scan: &Scan) -> Vec<Diagnostic> {
    let src = page.src();
    scan.iframes
        .iter()
        .filter(|(_, url)| !markdown::embed::allowed(url, &config.embed_hosts))
        .map(|(at, url)| {
            let (what, help) = match markdown::embed::host(url) {
                Some(host) => (
                    format!("`<iframe>` from `{host}` removed: not an embed host"),
                    format!(
                        "if you trust it, add \"{host}\" to `embed_hosts` under [markdown] in site.toml"
                    ),
                ),
                None => (
                    "`<iframe>` removed: its `src` is not an https address".to_string(),
                    "embed a player from a host listed in `embed_hosts` under [markdown] in site.toml".to_string(),
                ),
            };
            Diagnostic::warning("removed-html", what)
                .at(&src, *at)
                .with_help(help)
        })
        .collect()
}

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub drafts: bool,
    /// Leave out the search index: it reports no problems, so `qunce check` does not need it,
    /// and it is half of the work of a large site's build.
    pub no_search: bool,
}

/// How long each stage took, for `--timings` and the benchmarks.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<Stage>,
}

/// One stage's wall time and the process's CPU time while it ran: their ratio shows how many
/// cores a stage kept busy, which wall time alone hides on a machine with few of them.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: &'static str,
    pub wall: Duration,
    /// User and system time of every thread of the process over the stage (background work
    /// such as loading the search dictionary counts where it overlaps); `None` where the
    /// platform does not tell.
    pub cpu: Option<Duration>,
}

/// When a stage started, by the wall clock and the process's CPU clock ([`Timings::clock`]).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    at: Instant,
    cpu: Option<Duration>,
}

/// User plus system time of the whole process so far.
#[cfg(unix)]
fn process_cpu() -> Option<Duration> {
    // SAFETY: getrusage only writes the struct it is given, which is plain data.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return None;
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Some(tv(u.ru_utime) + tv(u.ru_stime))
}

#[cfg(not(unix))]
fn process_cpu() -> Option<Duration> {
    None
}

impl Timings {
    /// Runs `f`, recording how long it took under `name`.
    pub fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Timings::clock();
        let out = f();
        self.record(name, start);
        out
    }

    /// Now, for a stage that [`Timings::record`] ends later.
    pub fn clock() -> Clock {
        Clock {
            at: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// Records the stage `name` that started at `start`.
    pub fn record(&mut self, name: &'static str, start: Clock) {
        let wall = start.at.elapsed();
        let cpu = start
            .cpu
            .zip(process_cpu())
            .map(|(a, b)| b.saturating_sub(a));
        self.stages.push(Stage { name, wall, cpu });
    }

    /// Whether a stage called `name` ran.
    pub fn has(&self, name: &str) -> bool {
        self.stages.iter().any(|s| s.name == name)
    }

    /// One line per stage, for the terminal: wall time, then CPU time and the cores it kept
    /// busy (CPU ÷ wall) where the platform tells.
    pub fn report(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let line = |name: &str, wall: Duration, cpu: Option<Duration>| {
            let mut l = format!("  {name:<13} {:>9.1} ms", ms(wall));
            if let Some(cpu) = cpu {
                let cores = if wall.is_zero() {
                    0.0
                } else {
                    cpu.as_secs_f64() / wall.as_secs_f64()
                };
                l.push_str(&format!("  cpu {:>9.1} ms  {cores:>4.2} cores", ms(cpu)));
            }
            l.push('\n');
            l
        };
        let mut s = String::new();
        for st in &self.stages {
            s.push_str(&line(st.name, st.wall, st.cpu));
        }
        let total: Duration = self.stages.iter().map(|st| st.wall).sum();
        let cpu: Option<Duration> = self.stages.iter().map(|st| st.cpu).sum();
        s.push_str(&line("total", total, cpu));
        s
    }
}

/// The result of compiling a site: its output files (in memory, unless they were streamed
/// into a staging folder) and every diagnostic.
pub struct Compiled {
    pub site: Site,
    /// The output files, when compiled with [`Sink::Memory`]; empty when streamed.
    pub files: Vec<OutputFile>,
    /// How many output files were produced, kept or streamed.
    pub file_count: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Where [`compile_into`] puts the output files.
pub enum Sink<'a> {
    /// Kept in [`Compiled::files`]: the dev server serves from memory, tests read them.
    Memory,
    /// Written into a staging folder as soon as each is rendered, then dropped: `qunce build`
    /// then needs memory for the site model only, not for its whole output. The site model
    /// comes back without its [`Site::bodies`], dropped once the pages were rendered.
    Stream(&'a Staging),
    /// Rendered and dropped at once, for `qunce check`: every template runs (its errors are
    /// the check's), and check never needs more memory than a streamed build.
    Discard,
}

/// Runs every stage except writing. Errors do not stop later stages where they can still find
/// more problems: a writer wants all of them at once.
pub fn compile(config: Config, opts: &BuildOptions) -> Compiled {
    compile_into(config, opts, Sink::Memory)
}

/// [`compile`], with the output going to `sink`.
pub fn compile_into(config: Config, opts: &BuildOptions, sink: Sink<'_>) -> Compiled {
    let mut t = Timings::default();
    let mut diags = Vec::new();
    let (content, d) = t.time("load", || {
        content::load(
            &config,
            LoadOptions {
                drafts: opts.drafts,
            },
        )
    });
    diags.extend(d);
    // The search stage's segmenter depends on the titles and aliases alone: it is made on a
    // thread of its own from here on, in the time the serial parts of the next stages leave.
    let streaming = !matches!(sink, Sink::Memory);
    let segmenter = (config.search && !opts.no_search && streaming).then(|| {
        let words: Vec<String> = crate::search::user_words(&content.pages)
            .into_iter()
            .map(String::from)
            .collect();
        std::thread::spawn(move || crate::search::Segmenter::new(words.iter().map(String::as_str)))
    });
    let theme = render::theme::load(&config);
    let statics = match &theme {
        Ok(theme) => t.time("static", || read_static(theme, &mut diags)),
        Err(_) => Vec::new(),
    };
    // The templates' text, to name the template line a dead output link comes from.
    let templates: Vec<(String, String)> = theme.as_ref().map_or_else(
        |_| Vec::new(),
        |th| {
            th.templates
                .iter()
                .map(|f| (f.display.clone(), f.text.clone()))
                .collect()
        },
    );
    let site = analyse_with(config, content, &statics, None, &mut t, !streaming);
    diags.extend(site.notes.all().cloned());
    // The links and ids of every file written, gathered as files are rendered.
    let scanned: std::sync::Mutex<Vec<outlinks::FileLinks>> = Default::default();
    let (base, base_url) = (site.base.clone(), site.config.base_url.clone());
    let offline = site.config.offline;
    // In a streamed build each HTML file is made relative on its way to the disk.
    let stream = match sink {
        Sink::Stream(staging) => Some(staging),
        Sink::Memory | Sink::Discard => None,
    };
    // `check` (the discarding sink) scans every file as `build` does, then drops it.
    let put = |mut f: OutputFile| -> Result<(), Diagnostic> {
        let links = scan_output(&f, &base_url);
        scanned
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(links);
        let Some(staging) = stream else {
            return Ok(());
        };
        if offline
            && f.path.ends_with(".html")
            && let Ok(html) = std::str::from_utf8(&f.bytes)
        {
            f.bytes = render::offline::relativize(html, &f.path, &base, &base_url).into_bytes();
        }
        staging.put(&f)
    };
    let streamed = streaming;
    let mut files = Vec::new();
    let mut count = 0;
    let search_on = site.config.search && !opts.no_search;
    let engine = theme.and_then(|theme| Engine::new(&theme));
    if streamed {
        let search = || {
            search_on.then(|| {
                let seg = match segmenter.map(std::thread::JoinHandle::join) {
                    Some(Ok(seg)) => seg,
                    _ => crate::search::Segmenter::new(crate::search::user_words(
                        &site.content.pages,
                    )),
                };
                crate::search::build_streamed_with(&site, &seg, crate::search::BATCH, &put)
            })
        };
        // Pages and the search index are made side by side: neither needs the other, and each
        // fills the cores the other leaves idle at its joins (the index's batches, the last
        // pages of the render).
        let searched = match engine {
            Ok(mut engine) => {
                let name = if search_on { "render+search" } else { "render" };
                let ((n, d), searched) = t.time(name, || {
                    rayon::join(
                        || render::render_site_with(&site, &mut engine, &put),
                        search,
                    )
                });
                count += n;
                diags.extend(d);
                files.extend(statics);
                render::drop_later(engine);
                searched
            }
            Err(d) => {
                diags.extend(d);
                t.time("search", search)
            }
        };
        match searched {
            Some(Ok(n)) => count += n,
            Some(Err(d)) => diags.push(d),
            None => {}
        }
    } else {
        match engine {
            Ok(mut engine) => {
                let (f, d) = t.time("render", || render::render_site(&site, &mut engine));
                files = f;
                diags.extend(d);
                files.extend(statics);
            }
            Err(d) => diags.extend(d),
        }
        if search_on {
            files.extend(t.time("search", || crate::search::build(&site)));
        }
    }
    if streamed {
        count += files.len();
        if let Err(d) = t.time("write", || {
            std::mem::take(&mut files).into_par_iter().try_for_each(put)
        }) {
            diags.push(d);
        }
    } else {
        let found: Vec<_> = files
            .par_iter()
            .map(|f| scan_output(f, &site.config.base_url))
            .collect();
        *scanned.lock().unwrap_or_else(|e| e.into_inner()) = found;
    }
    let scanned = std::mem::take(&mut *scanned.lock().unwrap_or_else(|e| e.into_inner()));
    let dead = t.time("links", || {
        check_output(&site, &scanned, &templates, search_on, &diags)
    });
    diags.extend(dead);
    drop(scanned);
    if !streamed {
        count = files.len();
        if offline {
            t.time("offline", || {
                render::offline::relativize_all(&mut files, &site.base, &site.config.base_url)
            });
        }
    }
    crate::content::apply_lints(&mut diags, &site.config, &site.content);
    diagnostics::sort(&mut diags);
    Compiled {
        site,
        files,
        file_count: count,
        diagnostics: diags,
        timings: t,
    }
}

/// The links and ids of one output file (none for files other than HTML).
fn scan_output(f: &OutputFile, base_url: &str) -> outlinks::FileLinks {
    if f.path.ends_with(".html") {
        outlinks::scan(&f.path, &f.bytes, base_url)
    } else {
        outlinks::FileLinks {
            path: f.path.clone(),
            ..Default::default()
        }
    }
}

/// The output link check of a compiled site (see [`outlinks`]). Skipped after errors that
/// leave files unwritten (a template error, a URL collision): its findings would follow from
/// them.
fn check_output(
    site: &Site,
    scanned: &[outlinks::FileLinks],
    templates: &[(String, String)],
    search_built: bool,
    diags: &[Diagnostic],
) -> Vec<Diagnostic> {
    let upstream = diags
        .iter()
        .any(|d| d.is_error() && matches!(d.code, "template" | "io" | "url-collision" | "config"));
    if upstream || scanned.is_empty() {
        return Vec::new();
    }
    let sources = site
        .content
        .pages
        .iter()
        .filter(|p| !p.file.is_empty())
        .map(|p| {
            (
                format!("{}index.html", p.url),
                (p.file.as_str(), p.source.as_str()),
            )
        })
        .collect();
    let inputs = outlinks::Inputs {
        base: &site.base,
        other_files: site
            .content
            .assets
            .iter()
            .map(|a| a.dest.as_str())
            .collect(),
        // `check` does not build the search index that `build` writes.
        other_dirs: if site.config.search && !search_built {
            vec!["search"]
        } else {
            Vec::new()
        },
        sources,
        templates: templates
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect(),
    };
    outlinks::check(scanned, &inputs)
}

/// Reads the theme's static files (its style sheets and scripts) into output files.
pub fn read_static(theme: &render::Theme, diags: &mut Vec<Diagnostic>) -> Vec<OutputFile> {
    let mut files = Vec::with_capacity(theme.static_files.len());
    for (dest, source) in &theme.static_files {
        match source.read() {
            Ok(bytes) => files.push(OutputFile {
                path: dest.clone(),
                bytes,
            }),
            Err(e) => diags.push(
                Diagnostic::error("io", format!("cannot read static file {dest}: {e}"))
                    .in_file(dest),
            ),
        }
    }
    files
}

/// The cache-busting id of a build's assets: a hash of the static files, so it changes exactly
/// when they do and two builds of the same sources are byte-identical.
fn build_id(statics: &[OutputFile]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in statics {
        for b in f.path.bytes().chain([0]).chain(f.bytes.iter().copied()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{:x}", h & 0xffff_ffff_ffff)
}

/// Stages after loading: scan, resolve, render Markdown bodies. Their diagnostics are kept in
/// [`Site::notes`]. `previous` is an earlier site of
/// the same config whose per-page results are reused for pages that did not change (a page's
/// scan depends only on its source; its body on its source and its resolved links).
pub fn analyse(
    config: Config,
    content: Content,
    statics: &[OutputFile],
    previous: Option<&Site>,
    t: &mut Timings,
) -> Site {
    analyse_with(config, content, statics, previous, t, true)
}

/// [`analyse`], with the Markdown bodies rendered only when `bodies`: a streamed build renders
/// each page's body in the render stage instead, right before its template reads it, so the
/// bodies of all pages (a hundred megabytes at 10,000 pages) are never held at once and a page's
/// body is still in the cache when the template copies it. [`Site::bodies`] is then empty.
pub fn analyse_with(
    config: Config,
    content: Content,
    statics: &[OutputFile],
    previous: Option<&Site>,
    t: &mut Timings,
    bodies: bool,
) -> Site {
    // One `git log` for the whole site, while the pages are scanned and resolved.
    let content_dir = config.root.join("content");
    let git = std::thread::spawn(move || crate::lastmod::git_dates(&content_dir));
    let old: HashMap<&str, usize> = previous
        .map(|s| s.content.index_by_rel())
        .unwrap_or_default();
    // The previous page of the same path, if its source is unchanged.
    let same = |p: &content::Page| -> Option<usize> {
        let prev = previous?;
        let &j = old.get(p.rel.as_str())?;
        let q = &prev.content.pages[j];
        (q.source == p.source && q.body_start == p.body_start).then_some(j)
    };
    let scans: Vec<Scan> = t.time("scan", || {
        content
            .pages
            .par_iter()
            .map(|p| match (same(p), previous) {
                (Some(j), Some(prev)) => prev.scans[j].clone(),
                _ => markdown::scan(p.body(), p.body_start),
            })
            .collect()
    });
    let scan_diags: Vec<Vec<Diagnostic>> = content
        .pages
        .par_iter()
        .zip(&scans)
        .map(|(p, s)| scan_notes(&config, p, s))
        .collect();
    let base = config.base_path();
    let (graph, link_diags, names) = t.time("resolve", || {
        links::resolve(&content, &scans, &config, &base)
    });
    let bodies: Vec<String> = if !bodies {
        Vec::new()
    } else {
        t.time("markdown", || {
            content
                .pages
                .par_iter()
                .enumerate()
                .map(|(i, p)| {
                    if let (Some(j), Some(prev)) = (same(p), previous)
                        && prev.graph.resolved[j] == graph.resolved[i]
                    {
                        return prev.bodies[j].clone();
                    }
                    render_body(&config, p, &scans[i], &graph.resolved[i])
                })
                .collect()
        })
    };
    let positions = positions(&content);
    let updated = crate::lastmod::updated(&content, &git.join().unwrap_or_default());
    Site {
        config,
        content,
        scans,
        graph,
        bodies,
        base,
        build_id: build_id(statics),
        positions,
        notes: PageNotes {
            scan: scan_diags,
            links: link_diags,
        },
        names,
        updated,
    }
}

/// See [`Site::positions`].
fn positions(content: &Content) -> Vec<usize> {
    let mut pos = vec![usize::MAX; content.pages.len()];
    for sec in content.pages.iter().filter_map(|p| p.section.as_ref()) {
        for (k, &p) in sec.pages.iter().enumerate() {
            pos[p] = k;
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timings_count_the_cpu_of_every_thread() {
        let mut t = Timings::default();
        // Another thread busy until it has used 60 ms of CPU while this one waits: the stage
        // has that CPU time only if the time of every thread counts, not just the caller's.
        #[cfg(unix)]
        fn thread_cpu() -> Duration {
            let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
            // SAFETY: clock_gettime only writes the struct it is given.
            unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
            Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
        }
        #[cfg(not(unix))]
        fn thread_cpu() -> Duration {
            Duration::MAX
        }
        let spin = || {
            let (start, mut x) = (thread_cpu(), 0u64);
            while thread_cpu().saturating_sub(start) < Duration::from_millis(60) {
                for _ in 0..10_000 {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            }
        };
        t.time("spin", || {
            std::thread::spawn(spin).join().expect("the thread ends")
        });
        let st = &t.stages[0];
        assert_eq!(st.name, "spin");
        if cfg!(unix) {
            let cpu = st.cpu.expect("getrusage works on unix");
            assert!(cpu >= Duration::from_millis(60), "{st:?}");
            let report = t.report();
            let line = report.lines().next().unwrap_or_default();
            assert!(
                line.starts_with("  spin ") && line.contains(" ms  cpu "),
                "{report}"
            );
            assert!(line.ends_with(" cores"), "{report}");
            assert!(
                report
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .starts_with("  total ")
            );
        }
    }
}
