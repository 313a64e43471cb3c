//! `qunce build`: writes the site into its output folder.

use std::path::PathBuf;

use qunce::{Options, Status};

use super::{OutputFormat, print_diags};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Output folder (default: output_dir in site.toml, else public/).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Override base_url, e.g. https://example.org/handbook
    #[arg(long)]
    base_url: Option<String>,
    /// Include pages with draft = true.
    #[arg(long)]
    drafts: bool,
    /// Print how long each stage took.
    #[arg(long)]
    timings: bool,
    /// Write a site that works opened from disk (file://) or a zip: relative links.
    #[arg(long)]
    offline: bool,
    /// Replace the output folder even though qunce did not write it (its dotfiles are kept).
    #[arg(long)]
    force: bool,
}

pub(crate) fn run(root: PathBuf, format: OutputFormat, args: Args) -> i32 {
    let opts = Options {
        root,
        drafts: args.drafts,
        base_url: args.base_url,
        output: args.output,
        offline: args.offline,
        force: args.force,
    };
    let out = qunce::build(&opts);
    print_diags(&out.diagnostics, format);
    if out.status == Status::Ok && matches!(format, OutputFormat::Human) {
        let dir = out
            .output_dir
            .as_ref()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let built = super::line(
            "built",
            &[("pages", &out.pages), ("files", &out.files), ("dir", &dir)],
        );
        eprintln!("{built}");
    }
    if args.timings {
        eprint!("{}", out.timings.report());
    }
    out.status.code()
}
