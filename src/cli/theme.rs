//! `qunce theme …`: the site's copy of the built-in theme.

use std::path::Path;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Copy the default theme into themes/handbook/ for editing; never overwrites a file.
    Unpack,
}

pub(crate) fn run(root: &Path, command: Command) -> i32 {
    match command {
        Command::Unpack => match qunce::scaffold::unpack_theme(root) {
            Ok(u) => {
                report_unpack(root, &u);
                0
            }
            Err(e) => super::scaffold_error(&e),
        },
    }
}

/// Prints what an unpack did; `init --theme-files` in an existing site says the same.
pub(crate) fn report_unpack(root: &Path, u: &qunce::scaffold::Unpacked) {
    eprintln!(
        "unpacked {} theme files into {}",
        u.written.len(),
        root.join("themes/handbook").display()
    );
    if !u.kept.is_empty() {
        eprintln!(
            "kept {} files that were already there (never overwritten)",
            u.kept.len()
        );
    }
    eprintln!("edit the templates there; a file you delete comes from the built-in theme again");
}
