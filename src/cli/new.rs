//! `qunce new`: a page of a kind, its front matter prefilled from the kind's fields.

use std::path::Path;

use super::{OutputFormat, print_diags, scaffold_error};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The page's kind: element, ritual, role, checklist, page, or one declared in site.toml.
    kind: String,
    /// The page's title; also its file name.
    title: String,
    /// The section (folder under content/) to put it in; default: the kind's section.
    #[arg(long)]
    section: Option<String>,
}

pub(crate) fn run(root: &Path, format: OutputFormat, args: Args) -> i32 {
    match qunce::config::load(root) {
        Err(d) => {
            print_diags(&d, format);
            2
        }
        Ok((config, _)) => match qunce::scaffold::new_page(
            &config,
            &args.kind,
            &args.title,
            args.section.as_deref(),
        ) {
            Ok(path) => {
                let path = path.display();
                eprintln!("{}", super::line("created", &[("path", &path)]));
                0
            }
            Err(e) => scaffold_error(&e),
        },
    }
}
