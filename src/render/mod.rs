//! Stage 3b, render: runs the theme's Tera templates over the resolved site and produces every
//! output file in memory. Templates are compiled once per build; the data every page shares
//! (site, kinds, sections) goes into Tera's global context once; page refs are precomputed
//! once and shared by `Arc`-backed Tera values, so no page deep-clones the site. Pages render
//! in parallel.

pub(crate) mod body;
mod budget;
pub(crate) mod context;
mod errors;
pub(crate) mod feeds;
pub(crate) mod generated;
pub(crate) mod kept;
pub(crate) mod offline;
pub(crate) mod print;
pub(crate) mod redirects;
mod shared;
pub(crate) mod sidebar;
pub(crate) mod theme;

use std::collections::HashMap;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::diagnostics::Diagnostic;
use crate::site::Site;
use context::Values;
use errors::{error_chain_says, tera_diagnostic, tera_diagnostics};
pub(crate) use sidebar::{key as sidebar_key, nav_section};
pub(crate) use theme::Theme;

pub(crate) use crate::output::OutputFile;

/// Compiled templates plus the template-name → file-path map for error messages.
pub(crate) struct Engine {
    pub(crate) tera: Tera,
    displays: HashMap<String, (String, String)>,
}

impl Engine {
    /// Compiles the theme's templates and registers qunce's functions. Syntax errors come back
    /// as diagnostics at the template's file and line.
    pub(crate) fn new(theme: &Theme) -> Result<Engine, Vec<Diagnostic>> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml", ".htm"]);
        context::register_functions(&mut tera);
        let displays: HashMap<String, (String, String)> = theme
            .templates
            .iter()
            .map(|t| (t.name.clone(), (t.display.clone(), t.text.clone())))
            .collect();
        let engine_err = |e: tera::Error| tera_diagnostics(&e, &displays);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|t| (t.name.as_str(), t.text.as_str())),
        )
        .map_err(engine_err)?;
        Ok(Engine { tera, displays })
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Renders one template; an error becomes a diagnostic naming the template's file and line.
    pub(crate) fn render(&self, name: &str, cx: &Context) -> Result<String, Diagnostic> {
        let bytes = self.render_bytes(name, cx, 0)?;
        String::from_utf8(bytes).map_err(|_| {
            Diagnostic::error("template", format!("template `{name}` wrote invalid UTF-8"))
                .in_file(self.display(name))
        })
    }

    /// The file a template name comes from, for diagnostics.
    fn display<'a>(&'a self, name: &'a str) -> &'a str {
        self.displays.get(name).map_or(name, |(d, _)| d.as_str())
    }

    /// Renders one template straight into bytes, into a buffer of `capacity` bytes to start
    /// with: output files are bytes anyway, and this spares the copy-and-validate of a
    /// `String` and most of the buffer's regrowth on large pages.
    pub(crate) fn render_bytes(
        &self,
        name: &str,
        cx: &Context,
        capacity: usize,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut out = Vec::with_capacity(capacity);
        budget::start();
        self.tera
            .render_to(name, cx, budget::Capped(&mut out))
            .map_err(|e| {
                if error_chain_says(&e, budget::OVER) {
                    Diagnostic::error(
                        "template",
                        format!(
                            "render budget exceeded: template `{name}` wrote more than {} MiB \
                             for one page (a loop that never ends?)",
                            budget::MAX_OUTPUT >> 20
                        ),
                    )
                    .in_file(self.display(name))
                    .with_help("look for loops and components that call themselves in this template and those it includes")
                } else {
                    tera_diagnostic(&e, &self.displays)
                }
            })?;
        Ok(out)
    }
}

/// Renders every page, section and generated page, handing each file to `put` as soon as it
/// is rendered and keeping none: `qunce build` writes pages out while others
/// render, so peak memory does not grow with the size of the output. Returns how many files
/// were put.
pub(crate) fn render_site_with(
    site: &Site,
    engine: &mut Engine,
    put: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
) -> (usize, Vec<Diagnostic>) {
    let mut prepared = prepare(site, engine);
    let all: Vec<usize> = (0..site.content.pages.len()).collect();
    // The generated pages' listings are gathered on one thread: beside the pages, not after
    // them, that thread's time is not a core left idle.
    let ((mut count, mut diags), (gen_files, gen_diags)) = rayon::join(
        || prepared.render_pages_with(&all, put),
        || prepared.render_generated(),
    );
    diags.extend(gen_diags);
    count += gen_files.len();
    if let Err(d) = gen_files.into_par_iter().try_for_each(put) {
        diags.push(d);
    }
    // Freeing every page's refs is serial and a build's next stage waits for nothing in them.
    drop_later((
        std::mem::take(&mut prepared.values.refs),
        std::mem::take(&mut prepared.values.plain),
        std::mem::take(&mut prepared.sidebars),
    ));
    (count, diags)
}

/// Drops `x` on a thread of its own. Freeing a large tree of template values takes one core a
/// while; the build goes on meanwhile.
pub(crate) fn drop_later<T: Send + 'static>(x: T) {
    std::thread::spawn(move || drop(x));
}

/// Everything pages share in one build, computed once: page refs, the global context and the
/// sidebar of each block of pages. The dev server renders only some pages with it.
pub(crate) struct Prepared<'a> {
    pub(crate) site: &'a Site,
    pub(crate) engine: &'a Engine,
    pub(crate) values: Values<'a>,
    /// Rendered sidebar per sidebar key (see [`sidebar_key`]; `usize::MAX`: pages outside any
    /// section).
    pub(crate) sidebars: HashMap<usize, String>,
    /// The sidebar key of each page.
    pub(crate) keys: Vec<Option<usize>>,
    /// The template global `sections`.
    pub(crate) sections: tera::Value,
    /// What every content page's context takes from the globals (see [`PageGlobals`]).
    globals: PageGlobals,
    /// By page: whether it is a section with an Atom feed of its own (see [`feeds`]).
    pub(crate) section_feeds: Vec<bool>,
}

/// By page index, whether the page is a section with a feed of its own.
fn section_feed_flags(site: &Site) -> Vec<bool> {
    let mut flags = vec![false; site.content.pages.len()];
    for s in feeds::section_feeds(site).0 {
        flags[s] = true;
    }
    flags
}

/// Templates whose output is the same on every content page, rendered once per build rather
/// than once per page, and the variable each reaches the page templates as. The top bar and the
/// footer were a fifth of the work of rendering a page; of what was left, the sidebar's links to
/// the views were 7 % and the head's tags that depend on the site alone 6 %. They see only the
/// globals and `current_url`, which is empty for content pages (no content page is one of the
/// generated views they link to); a generated page renders them with its own `current_url`.
pub(crate) const SITE_WIDE: [(&str, &str); 5] = [
    ("header.html", "header_html"),
    ("footer.html", "footer_html"),
    ("partials/views_links.html", "views_html"),
    ("partials/head_social.html", "head_social_html"),
    ("partials/head_assets.html", "head_assets_html"),
];

/// The rendered [`SITE_WIDE`] fragments of one context, as safe strings. A fragment that failed
/// to render keeps its error, reported on the pages that would show it.
pub(crate) type Fragments = Vec<(&'static str, Result<tera::Value, Diagnostic>)>;

/// Renders the [`SITE_WIDE`] templates the theme has with `cx`.
pub(crate) fn fragments(engine: &Engine, cx: &Context) -> Fragments {
    SITE_WIDE
        .iter()
        .filter(|(template, _)| engine.has(template))
        .map(|&(template, var)| {
            let html = engine
                .render(template, cx)
                .map(|h| tera::Value::safe_string(&h));
            (var, html)
        })
        .collect()
}

/// Puts `fragments` into `cx`, or returns the first one's error.
pub(crate) fn insert_fragments(cx: &mut Context, fragments: &Fragments) -> Result<(), Diagnostic> {
    for (var, html) in fragments {
        cx.insert_value(*var, html.clone()?);
    }
    Ok(())
}

/// The fragments content pages show: rendered with an empty `current_url`.
fn content_fragments(engine: &Engine) -> Fragments {
    let mut cx = Context::new();
    cx.insert_value("current_url", "".into());
    fragments(engine, &cx)
}

/// The content pages' site-wide fragments and the global `site`, made once per build.
struct PageGlobals {
    /// The site-wide fragments every content page shows (see [`SITE_WIDE`]).
    fragments: Fragments,
    /// Whether `fragments` are in the engine's global context (none failed to render), so no
    /// page inserts them into its own.
    in_global: bool,
    /// How many bytes `fragments` are together, for each page buffer's first size.
    len: usize,
    /// The global `site`, which each page's context holds too: Tera looks a name up in the
    /// page's context before the global one, and templates read `site` more than anything.
    site: tera::Value,
}

impl PageGlobals {
    /// Copies of the values every page reads, for one thread's pages. Tera clones a value each
    /// time a template reads it, and a shared value's reference count is one cache line that
    /// every core's clones and drops fight over; each thread's own copy has its own. The
    /// fragments join `site` here when they are global, since a page's context is read first.
    fn for_thread(&self) -> ThreadGlobals {
        let mut values = vec![("site", tera::Value::from_serializable(&self.site))];
        if self.in_global {
            for (var, html) in &self.fragments {
                if let Ok(html) = html {
                    let text = html.as_str().unwrap_or_default();
                    values.push((*var, tera::Value::safe_string(text)));
                }
            }
        }
        ThreadGlobals { values }
    }
}

/// One thread's copies of what every content page's context holds (see
/// [`PageGlobals::for_thread`]).
struct ThreadGlobals {
    values: Vec<(&'static str, tera::Value)>,
}

/// Renders the content pages' fragments and puts them into the engine's global context,
/// unless one failed (then each page inserts them and reports the error). A generated page's
/// own fragments, in its context, come first.
fn page_globals(engine: &mut Engine) -> PageGlobals {
    let fragments = content_fragments(engine);
    let g = engine.tera.global_context();
    for (var, _) in SITE_WIDE {
        g.remove(var);
    }
    let in_global = fragments.iter().all(|(_, html)| html.is_ok());
    if in_global {
        for (var, html) in &fragments {
            if let Ok(html) = html {
                g.insert_value(*var, html.clone());
            }
        }
    }
    let site = g.get("site").cloned().unwrap_or_else(tera::Value::none);
    let len = fragments
        .iter()
        .filter_map(|(_, html)| html.as_ref().ok()?.as_str().map(str::len))
        .sum();
    PageGlobals {
        fragments,
        in_global,
        len,
        site,
    }
}

/// Computes the shared data of a build and installs the global context on the engine.
pub(crate) fn prepare<'a>(site: &'a Site, engine: &'a mut Engine) -> Prepared<'a> {
    let values = Values::new(site);
    let sections = context::install(engine, site, &values, None);
    let globals = page_globals(engine);
    let engine = &*engine;

    // The sidebar is rendered once per block of pages (see `sidebar`), never per page.
    let keys: Vec<Option<usize>> = (0..site.content.pages.len())
        .into_par_iter()
        .map(|i| sidebar_key(site, i))
        .collect();
    let sidebars: HashMap<usize, String> = if engine.has("sidebar.html") {
        let mut distinct: Vec<Option<usize>> = keys.clone();
        distinct.push(None);
        distinct.sort_unstable();
        distinct.dedup();
        distinct
            .par_iter()
            .filter_map(|&key| {
                let mut cx = Context::new();
                let list = key.and_then(|k| nav_section(site, k));
                let url = list.map(|t| values.url(t)).unwrap_or_default();
                cx.insert("current_section_url", &url);
                cx.insert_value("nav", sidebar::nav(site, &values, key));
                engine
                    .render("sidebar.html", &cx)
                    .ok()
                    .map(|html| (key.unwrap_or(usize::MAX), html))
            })
            .collect()
    } else {
        HashMap::new()
    };
    Prepared {
        site,
        engine,
        values,
        sidebars,
        keys,
        sections,
        globals,
        section_feeds: section_feed_flags(site),
    }
}

/// What [`prepare`] computed for an earlier build that the dev server can hand back when only
/// page bodies changed: layout, titles and front matter as before.
pub(crate) struct Reuse {
    /// Page refs by page index.
    pub(crate) refs: Vec<tera::Value>,
    /// Plain refs (without reverse relations) by page index.
    pub(crate) plain: Vec<tera::Value>,
    /// The pages whose refs must be computed again.
    pub(crate) changed: Vec<usize>,
    pub(crate) sidebars: HashMap<usize, String>,
    pub(crate) sections: tera::Value,
    pub(crate) tables: context::Tables,
    /// Whether the engine's global context is still the one installed for the earlier build.
    pub(crate) globals_current: bool,
}

/// [`prepare`] from an earlier build's [`Reuse`]: no sidebar rendering, no page refs beyond
/// the changed ones, and the global context installed again only when a ref changed. Also
/// returns the pages whose ref changed.
pub(crate) fn prepare_reusing<'a>(
    site: &'a Site,
    engine: &'a mut Engine,
    reuse: Reuse,
) -> (Prepared<'a>, Vec<usize>) {
    let (values, refs_changed) = Values::reusing(
        site,
        (reuse.refs, reuse.plain),
        &reuse.changed,
        reuse.tables,
    );
    let sections = if reuse.globals_current && refs_changed.is_empty() {
        reuse.sections
    } else {
        context::install(engine, site, &values, Some(reuse.sections))
    };
    let keys: Vec<Option<usize>> = (0..site.content.pages.len())
        .into_par_iter()
        .map(|i| sidebar_key(site, i))
        .collect();
    let globals = page_globals(engine);
    let engine = &*engine;
    let prepared = Prepared {
        site,
        engine,
        values,
        sidebars: reuse.sidebars,
        keys,
        sections,
        globals,
        section_feeds: section_feed_flags(site),
    };
    (prepared, refs_changed)
}

impl Prepared<'_> {
    /// The sidebar key of page `i` (see [`Prepared::sidebars`]).
    pub(crate) fn sidebar_key(&self, i: usize) -> usize {
        let top = self.keys[i].unwrap_or(usize::MAX);
        if self.sidebars.contains_key(&top) {
            top
        } else {
            usize::MAX
        }
    }

    /// Renders page `i`.
    fn render_one(&self, i: usize, own: &ThreadGlobals) -> Result<OutputFile, Diagnostic> {
        let (site, engine, values) = (self.site, self.engine, &self.values);
        let page = &site.content.pages[i];
        let template = values.template_for(engine, i);
        let url = values.url(i);
        let sidebar = self
            .sidebars
            .get(&self.sidebar_key(i))
            .map(|s| mark_current(s, &url))
            .unwrap_or_default();
        // A streamed build renders each page's Markdown here, just before its template reads
        // it (see `build::analyse`); the dev server keeps every body between builds.
        let body: std::borrow::Cow<'_, str> = match site.bodies.get(i) {
            Some(body) => body.into(),
            None => body::render_body(&site.config, page, &site.scans[i], &site.graph.resolved[i])
                .into(),
        };
        let mut cx = Context::new();
        if !self.globals.in_global {
            insert_fragments(&mut cx, &self.globals.fragments)?;
        }
        for (var, value) in &own.values {
            cx.insert_value(*var, value.clone());
        }
        cx.insert_value("sidebar_html", tera::Value::safe_string(&sidebar));
        cx.insert_value("current_url", url.as_str().into());
        cx.insert_value("feeds", feed_links(site, i, &self.section_feeds));
        if page.is_section() {
            cx.insert_value("section", values.section_full(i, &body));
            cx.insert_value("page", values.page_full(i, &body));
        } else {
            cx.insert_value("page", values.page_full(i, &body));
            if let Some(parent) = page.parent {
                cx.insert_value("section", values.section_ref(parent));
            }
        }
        // The page's body, sidebar and site-wide fragments plus room for the rest of the layout:
        // growing the buffer copies the page so far.
        let capacity = body.len() + sidebar.len() + self.globals.len + 16 * 1024;
        engine
            .render_bytes(&template, &cx, capacity)
            .map(|bytes| OutputFile {
                path: format!("{}index.html", page.url),
                bytes,
            })
    }

    /// Renders the pages `which` (in parallel). Template errors are reported once per distinct
    /// error, naming the first page it happened on and how many others.
    pub(crate) fn render_pages(
        &self,
        which: &[usize],
    ) -> (Vec<(usize, OutputFile)>, Vec<Diagnostic>) {
        let results: Vec<Result<(usize, OutputFile), (Diagnostic, usize)>> = which
            .par_iter()
            .map_init(
                || self.globals.for_thread(),
                |own, &i| self.render_one(i, own).map(|f| (i, f)).map_err(|d| (d, i)),
            )
            .collect();
        let mut files = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            }
        }
        (files, self.page_errors(errors))
    }

    /// Renders the pages `which` (in parallel) and hands each to `put` at once, keeping none
    /// (see [`render_site_with`]). Returns how many were put and the diagnostics: template
    /// errors as in [`Prepared::render_pages`], and only the first error of `put` (when the
    /// disk is full, every later page fails the same way).
    pub(crate) fn render_pages_with(
        &self,
        which: &[usize],
        put: &(dyn Fn(OutputFile) -> Result<(), Diagnostic> + Sync),
    ) -> (usize, Vec<Diagnostic>) {
        let failed: Vec<(Diagnostic, Option<usize>)> = which
            .par_iter()
            .map_init(
                || self.globals.for_thread(),
                |own, &i| match self.render_one(i, own) {
                    Ok(f) => put(f).err().map(|d| (d, None)),
                    Err(d) => Some((d, Some(i))),
                },
            )
            .flatten()
            .collect();
        let mut template_errors = Vec::new();
        let mut put_error = None;
        for (d, page) in failed {
            match page {
                Some(i) => template_errors.push((d, i)),
                None => put_error = put_error.or(Some(d)),
            }
        }
        let written = which.len() - template_errors.len() - usize::from(put_error.is_some());
        let mut diags = self.page_errors(template_errors);
        diags.extend(put_error);
        (written, diags)
    }

    /// One diagnostic per distinct template error, naming the first page it happened on and
    /// how many others.
    fn page_errors(&self, failed: Vec<(Diagnostic, usize)>) -> Vec<Diagnostic> {
        let site = self.site;
        let mut errors: Vec<(Diagnostic, Vec<usize>)> = Vec::new();
        for (d, page) in failed {
            match errors.iter_mut().find(|(e, _)| e == &d) {
                Some((_, pages)) => pages.push(page),
                None => errors.push((d, vec![page])),
            }
        }
        errors
            .into_iter()
            .map(|(mut d, pages)| {
                let first = &site.content.pages[pages[0]];
                let name = if first.file.is_empty() {
                    format!("content/{}", first.rel)
                } else {
                    first.file.clone()
                };
                let note = if pages.len() == 1 {
                    format!("while rendering {name}")
                } else {
                    format!("while rendering {name} and {} other pages", pages.len() - 1)
                };
                d.help = Some(format!("{note}; {}", d.help.unwrap_or_default()));
                d
            })
            .collect()
    }

    /// Renders the generated pages (matrix, lifecycle, coverage, tags, 404, data files).
    pub(crate) fn render_generated(&self) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let sidebar_any = self.sidebars.get(&usize::MAX).cloned().unwrap_or_default();
        generated::render(self.site, self.engine, &self.values, &sidebar_any)
    }

    /// The print books alone ([`generated::render_print`]).
    pub(crate) fn render_print(&self) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let sidebar_any = self.sidebars.get(&usize::MAX).cloned().unwrap_or_default();
        generated::render_print(self.site, self.engine, &self.values, &sidebar_any)
    }
}

/// The template variable `feeds` of page `i`: the Atom feeds its head links to.
pub(crate) fn feed_links(site: &Site, i: usize, section_feeds: &[bool]) -> tera::Value {
    tera::Value::from(
        feeds::links_of(site, i, section_feeds)
            .into_iter()
            .map(|(title, url)| context::obj([("title", title.into()), ("url", url.into())]))
            .collect::<Vec<tera::Value>>(),
    )
}

/// Marks the current page's link in a pre-rendered sidebar (a string replace is O(sidebar
/// size), far cheaper than rendering the sidebar template for every page).
fn mark_current(sidebar: &str, url: &str) -> String {
    let needle = format!("href=\"{}\"", crate::text::escape(url));
    // memchr's searcher: a page's sidebar is kilobytes long and `str::find` went through it
    // byte by byte, once per page.
    match memchr::memmem::find(sidebar.as_bytes(), needle.as_bytes()) {
        Some(pos) => {
            let mut s = String::with_capacity(sidebar.len() + 24);
            s.push_str(&sidebar[..pos + needle.len()]);
            s.push_str(" aria-current=\"page\"");
            s.push_str(&sidebar[pos + needle.len()..]);
            s
        }
        None => sidebar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_exact_link() {
        let s = "<a href=\"/a/\">A</a><a href=\"/a/b/\">B</a>";
        assert_eq!(
            mark_current(s, "/a/b/"),
            "<a href=\"/a/\">A</a><a href=\"/a/b/\" aria-current=\"page\">B</a>"
        );
        assert_eq!(mark_current(s, "/c/"), s);
    }
}
