//! A page's Markdown body as HTML: what the build's markdown stage, the render stage of a
//! streamed build (body by body, right before a page's template) and the dev server's fast
//! path all call, so the three agree byte for byte.

use crate::config::Config;
use crate::content;
use crate::markdown::{self, Scan};

/// A page's Markdown body as HTML, given its scan and resolved links: what the build and the
/// dev server's fast path both call.
pub(crate) fn render_body(
    config: &Config,
    page: &content::Page,
    scan: &Scan,
    resolved: &[markdown::Resolved],
) -> String {
    let mut opts = markdown::RenderOptions::new(config);
    opts.title_heading = page.title_heading;
    markdown::render(page.body(), scan, resolved, &opts)
}
