//! The `Site` model and the pipeline that fills it: config → load → scan → resolve → render
//! markdown → render templates. Each step is a plain function of the previous steps' output
//! (DESIGN.md §5); this module only sequences them, times them and gathers diagnostics.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Content, LoadOptions};
use crate::diagnostics::{self, Diagnostic};
use crate::links::{self, Graph};
use crate::markdown::{self, Scan};
use crate::render::{self, Engine, OutputFile};

/// Everything known about a site after resolution and Markdown rendering.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub content: Content,
    pub scans: Vec<Scan>,
    pub graph: Graph,
    /// Rendered Markdown body of each page.
    pub bodies: Vec<String>,
    /// URL prefix of every internal link (`/` or `/handbook/`).
    pub base: String,
    /// Changes every build; themes use it to bust caches of their assets.
    pub build_id: String,
}

impl Site {
    /// The top-level section a page belongs to (for the sidebar), or None for the home page.
    pub fn top_section(&self, i: usize) -> Option<usize> {
        let mut cur = i;
        loop {
            let parent = self.content.pages[cur].parent?;
            if parent == self.content.root {
                return self.content.pages[cur].is_section().then_some(cur);
            }
            cur = parent;
        }
    }
}

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub drafts: bool,
}

/// How long each stage took, for `--timings` and the benchmarks.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.stages.push((name, start.elapsed()));
        out
    }

    /// One line per stage, for the terminal.
    pub fn report(&self) -> String {
        let total: Duration = self.stages.iter().map(|(_, d)| *d).sum();
        let mut s = String::new();
        for (name, d) in &self.stages {
            s.push_str(&format!(
                "  {name:<10} {:>9.1} ms\n",
                d.as_secs_f64() * 1000.0
            ));
        }
        s.push_str(&format!(
            "  {:<10} {:>9.1} ms\n",
            "total",
            total.as_secs_f64() * 1000.0
        ));
        s
    }
}

/// The result of compiling a site: its output files (in memory) and every diagnostic.
pub struct Compiled {
    pub site: Site,
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs every stage except writing. Errors do not stop later stages where they can still find
/// more problems: a writer wants all of them at once.
pub fn compile(config: Config, opts: &BuildOptions) -> Compiled {
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
    let scans: Vec<Scan> = t.time("scan", || {
        content
            .pages
            .par_iter()
            .map(|p| markdown::scan(p.body(), p.body_start))
            .collect()
    });
    for (p, s) in content.pages.iter().zip(&scans) {
        if s.raw_html_depth > markdown::MAX_RAW_HTML_DEPTH
            && config.raw_html == crate::config::RawHtml::Safe
        {
            diags.push(
                Diagnostic::warning(
                    "raw-html-too-deep",
                    format!(
                        "raw HTML nested {} levels deep is shown as text",
                        s.raw_html_depth
                    ),
                )
                .in_file(&p.file)
                .with_help(format!(
                    "keep raw HTML under {} levels of nesting",
                    markdown::MAX_RAW_HTML_DEPTH
                )),
            );
        }
    }
    let base = config.base_path();
    let (graph, d) = t.time("resolve", || {
        links::resolve(&content, &scans, &config, &base)
    });
    diags.extend(d);
    let anchor_label = config
        .ui
        .get("anchor")
        .cloned()
        .unwrap_or_else(|| "#".to_string());
    let bodies: Vec<String> = t.time("markdown", || {
        content
            .pages
            .par_iter()
            .enumerate()
            .map(|(i, p)| {
                markdown::render(
                    p.body(),
                    &scans[i],
                    &graph.resolved[i],
                    config.raw_html,
                    &anchor_label,
                )
            })
            .collect()
    });
    let build_id = format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default()
    );
    let site = Site {
        config,
        content,
        scans,
        graph,
        bodies,
        base,
        build_id,
    };
    let mut files = Vec::new();
    match render::theme::load(&site.config)
        .and_then(|theme| Engine::new(&theme).map(|e| (theme, e)))
    {
        Ok((theme, mut engine)) => {
            let (f, d) = t.time("render", || render::render_site(&site, &mut engine));
            files = f;
            diags.extend(d);
            t.time("static", || {
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
            });
        }
        Err(d) => diags.extend(d),
    }
    files.extend(t.time("search", || crate::search::build(&site)));
    if site.config.offline {
        t.time("offline", || {
            render::offline::relativize_all(&mut files, &site.base, &site.config.base_url)
        });
    }
    diagnostics::sort(&mut diags);
    Compiled {
        site,
        files,
        diagnostics: diags,
        timings: t,
    }
}
