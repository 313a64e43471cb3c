//! `qunce check`: every diagnostic a build would give, without writing anything.

use std::path::PathBuf;

use qunce::diagnostics;
use qunce::{Options, Status};

use super::{OutputFormat, print_diags};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Include pages with draft = true.
    #[arg(long)]
    drafts: bool,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Apply the typography fixes first (as `qunce fmt` does), then check.
    #[arg(long)]
    fix: bool,
}

pub(crate) fn run(root: PathBuf, format: OutputFormat, args: Args) -> i32 {
    if args.fix
        && let Err(code) = super::fmt::fix(&root, true, format)
    {
        return code;
    }
    let opts = Options {
        root,
        drafts: args.drafts,
        ..Default::default()
    };
    let out = qunce::check(&opts);
    print_diags(&out.diagnostics, format);
    let (errors, warnings) = diagnostics::count(&out.diagnostics);
    if out.status == Status::Ok && matches!(format, OutputFormat::Human) {
        let checked = super::line(
            "checked",
            &[
                ("pages", &out.pages),
                ("errors", &errors),
                ("warnings", &warnings),
            ],
        );
        eprintln!("{checked}");
    }
    match out.status {
        Status::Ok if args.deny_warnings && warnings > 0 => {
            // The summary says "0 errors": say why the exit status is still 1.
            let counted = diagnostics::counted(warnings, true, super::lang());
            eprintln!(
                "{}",
                super::line("deny-warnings", &[("warnings", &counted)])
            );
            1
        }
        s => s.code(),
    }
}
