//! The date a page shows as "最后更新" (last updated): its `updated` field, else its `date`,
//! else the date of the last commit that touched its file when the site is in a git
//! repository. One `git log` over the whole content folder gives every file's date, not one
//! process per page; without git, or outside a repository, pages simply have no such date.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::content::Content;

/// The last commit date (`YYYY-MM-DD`) of every file under `content_dir` that git knows, by
/// path relative to it (`/`-separated, as [`crate::content::Page::rel`]). Empty when git is
/// missing, fails, or the folder is not in a repository.
pub(crate) fn git_dates(content_dir: &Path) -> HashMap<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(content_dir)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "--format=%x00%cs",
            "--name-only",
            "--no-renames",
            "--relative",
            "--",
            ".",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => parse_log(&String::from_utf8_lossy(&o.stdout)),
        _ => HashMap::new(),
    }
}

/// Reads `git log --format=%x00%cs --name-only` output, newest commit first: a file's first
/// appearance is its last change.
fn parse_log(log: &str) -> HashMap<String, String> {
    let mut dates = HashMap::new();
    let mut date = "";
    for line in log.lines() {
        if let Some(d) = line.strip_prefix('\0') {
            date = d.trim();
        } else if !line.is_empty() && !date.is_empty() {
            dates
                .entry(line.to_string())
                .or_insert_with(|| date.to_string());
        }
    }
    dates
}

/// The `YYYY-MM-DD` day of a front-matter date (`2026-01-31` or `2026-01-31T08:00:00Z`), if it
/// starts with one.
fn day(s: &str) -> Option<&str> {
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10)).then_some(d)
}

/// Each page's "last updated" day (see the module documentation), empty when unknown.
pub(crate) fn updated(content: &Content, git: &HashMap<String, String>) -> Vec<String> {
    content
        .pages
        .iter()
        .map(|p| {
            p.meta
                .updated
                .as_deref()
                .and_then(day)
                .or_else(|| p.meta.date.as_deref().and_then(day))
                .or_else(|| git.get(p.rel.as_str()).map(String::as_str))
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_commit_of_a_file_wins() {
        let log =
            "\0 2026-03-02\n\nroles/班长.md\n\n\0 2026-01-05\n\nroles/班长.md\nrituals/破冰.md\n";
        let d = parse_log(log);
        assert_eq!(d["roles/班长.md"], "2026-03-02");
        assert_eq!(d["rituals/破冰.md"], "2026-01-05");
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn days_of_front_matter_dates() {
        assert_eq!(day("2026-01-31"), Some("2026-01-31"));
        assert_eq!(day("2026-01-31T08:00:00Z"), Some("2026-01-31"));
        assert_eq!(day("去年"), None);
        assert_eq!(day("2026-1-3"), None);
    }

    #[test]
    fn no_git_repository_means_no_dates() {
        let dir = std::env::temp_dir().join(format!("qunce-lastmod-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(git_dates(&dir).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }
}
