//! Pages and files no writer writes: the role × ritual matrix, the lifecycle timeline, the
//! ISOOC coverage view, the run sheet, tag pages, the search page, the 404 page,
//! `previews.json` for hover previews, `sitemap.xml`, `robots.txt`, the Atom feeds and the
//! redirect pages of old URLs ([`super::redirects`]). Each is computed from the resolved graph
//! in one pass; one function per page, grouped by file, with what several of them read in
//! `facts`.

use rayon::prelude::*;
use tera::{Context, Value};

use super::context::{Values, obj};
use super::{Engine, OutputFile};
use crate::diagnostics::Diagnostic;
use crate::site::Site;

mod calendar;
mod facts;
mod files;
mod matrix;
mod stages;
mod tags;

/// Rituals in one table of the role × ritual matrix (see `matrix`).
pub(crate) const MATRIX_ROWS: usize = 50;

/// A page to render: `(template, output path, context)`.
type Job = (String, String, Context);

/// Makes the context a generated page starts from, given its title and URL.
type BaseCx<'a> = dyn Fn(String, String) -> Context + 'a;

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::from(items.into_iter().collect::<Vec<Value>>())
}

/// Renders the generated pages whose templates the theme has, plus the plain files.
pub(crate) fn render(
    site: &Site,
    engine: &Engine,
    values: &Values<'_>,
    sidebar: &str,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let f = facts::Facts::new(site);
    let base_cx = |title: String, url: String| base_context(site, sidebar, title, url);
    let tags = tags::collect(&f);

    let mut jobs: Vec<Job> = vec![
        matrix::job(&f, values, &base_cx),
        stages::lifecycle(&f, values, &base_cx),
        calendar::job(&f, values, &base_cx),
        stages::coverage(&f, values, &base_cx),
    ];
    jobs.extend(tags::jobs(&f, &tags, values, &base_cx));
    // The search page runs the query in its URL (`search/?q=班长`); search.js does the work.
    if site.config.search {
        jobs.push((
            "search.html".into(),
            "search/index.html".into(),
            base_cx(f.ui("search"), format!("{}search/", site.base)),
        ));
    }
    jobs.extend(super::print::jobs(site, values, base_cx));
    jobs.push((
        "404.html".into(),
        "404.html".into(),
        base_cx(f.ui("not_found"), format!("{}404.html", site.base)),
    ));

    let (mut files, diags) = render_jobs(engine, jobs);

    files.push(files::previews(site, values));
    if site.config.offline {
        files.push(files::offline_previews(site, values));
    }
    files.push(files::sitemap(site, &tags));
    let (feeds, feed_warnings) = super::feeds::render(site, values);
    files.extend(feeds);
    files.extend(files::robots(site));
    let taken: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let (redirects, d) = super::redirects::render(site, &taken);
    files.extend(redirects);
    (
        files,
        diags.into_iter().chain(feed_warnings).chain(d).collect(),
    )
}

/// The context every generated page starts from: its sidebar, URL and a small `page`.
fn base_context(site: &Site, sidebar: &str, title: String, url: String) -> Context {
    let mut cx = Context::new();
    cx.insert_value("sidebar_html", Value::safe_string(sidebar));
    cx.insert("current_url", &url);
    // Generated pages belong to no section: they link the site's feed only.
    cx.insert_value("feeds", super::feed_links(site, site.content.root, &[]));
    let permalink = format!(
        "{}/{}",
        site.config.base_url,
        url.strip_prefix(site.base.as_str()).unwrap_or(&url)
    );
    cx.insert_value(
        "page",
        obj([
            ("title", title.into()),
            ("url", url.into()),
            ("permalink", permalink.into()),
            ("kind", "generated".into()),
        ]),
    );
    cx
}

/// Renders `(template, output path, context)` jobs whose template exists, in parallel.
fn render_jobs(
    engine: &Engine,
    jobs: Vec<(String, String, Context)>,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let results: Vec<Result<OutputFile, Diagnostic>> = jobs
        .into_par_iter()
        .filter(|(tpl, _, _)| engine.has(tpl))
        .map(|(tpl, path, mut cx)| {
            // A generated page is one of the views the top bar links to: its site-wide
            // fragments see its own `current_url`.
            let fragments = super::fragments(engine, &cx);
            super::insert_fragments(&mut cx, &fragments)?;
            engine.render(&tpl, &cx).map(|html| OutputFile {
                path,
                bytes: html.into_bytes(),
            })
        })
        .collect();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => diags.push(d),
        }
    }
    (files, diags)
}

/// The print books alone (see [`super::print`]): they show every page's body, so the dev
/// server renders them again after an edit that leaves the other generated pages standing.
pub(crate) fn render_print(
    site: &Site,
    engine: &Engine,
    values: &Values<'_>,
    sidebar: &str,
) -> (Vec<OutputFile>, Vec<Diagnostic>) {
    let jobs = super::print::jobs(site, values, |title, url| {
        base_context(site, sidebar, title, url)
    });
    render_jobs(engine, jobs)
}
