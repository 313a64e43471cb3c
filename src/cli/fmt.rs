//! `qunce fmt`: Chinese typography fixes, applied or (with `--check`) only listed.

use std::path::Path;

use super::{OutputFormat, print_diags};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Change nothing; list what would change and exit 1 if anything would.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(root: &Path, format: OutputFormat, args: Args) -> i32 {
    match fix(root, !args.check, format) {
        Err(code) => code,
        Ok(places) if args.check && places > 0 => {
            eprintln!("{}", super::line("run-fmt", &[]));
            1
        }
        Ok(_) => 0,
    }
}

/// Runs the fixes, printing each one; `check --fix` shares it. `Err` carries the exit code of a
/// failure, `Ok` how many places were (or would be) fixed.
pub(crate) fn fix(root: &Path, write: bool, format: OutputFormat) -> Result<usize, i32> {
    match qunce::typography::fmt_site(root, write) {
        Err(d) => {
            print_diags(&d, format);
            Err(2)
        }
        Ok(files) => {
            let places: usize = files.iter().map(|f| f.fixes.len()).sum();
            for f in &files {
                for (line, col, fix) in &f.fixes {
                    eprintln!(
                        "{}:{line}:{col}: `{}` → `{}`",
                        f.file,
                        fix.shown_before(),
                        fix.shown_after()
                    );
                }
            }
            let id = if write { "fixed" } else { "would-fix" };
            let count = files.len();
            eprintln!(
                "{}",
                super::line(id, &[("places", &places), ("files", &count)])
            );
            Ok(places)
        }
    }
}
