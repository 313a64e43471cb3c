//! `qunce init`: a new site that builds at once, or (in an existing site, with only
//! `--theme-files`) the default theme unpacked for editing.

use std::path::{Path, PathBuf};

use super::scaffold_error;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder for the new site (default: the current folder).
    dir: Option<PathBuf>,
    /// The site's title.
    #[arg(long)]
    title: Option<String>,
    /// Where the site will be published, e.g. https://example.cn/handbook
    #[arg(long)]
    base_url: Option<String>,
    /// Also unpack the default theme into themes/handbook/ for editing; in a folder that
    /// already has a site, only that (never overwriting a file).
    #[arg(long)]
    theme_files: bool,
}

pub(crate) fn run(root: PathBuf, args: Args) -> i32 {
    let dir = args.dir.unwrap_or(root);
    let opts = qunce::scaffold::InitOptions {
        title: args.title,
        base_url: args.base_url,
        theme_files: args.theme_files,
    };
    let existing = qunce::is_site(&dir);
    let result = if existing && opts.theme_files && opts.title.is_none() && opts.base_url.is_none()
    {
        qunce::scaffold::unpack_theme(&dir).map(|u| super::theme::report_unpack(&dir, &u))
    } else {
        qunce::scaffold::init_with(&dir, &opts).map(|files| {
            let n = files.len();
            let count = super::line(
                if n == 1 {
                    "file-count-one"
                } else {
                    "file-count"
                },
                &[("n", &n)],
            );
            let shown = dir.display();
            eprintln!(
                "{}",
                super::line("init-created", &[("dir", &shown), ("files", &count)])
            );
            let root = shell_word(&dir);
            eprintln!("{}", super::line("init-next", &[("root", &root)]));
        })
    };
    match result {
        Ok(()) => 0,
        Err(e) => scaffold_error(&e),
    }
}

/// `path` as one shell word, so the `next:` lines can be pasted as printed.
fn shell_word(path: &Path) -> String {
    let s = path.display().to_string();
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
