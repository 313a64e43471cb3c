//! Where qunce may write. A site is something people clone from strangers and build, so every
//! path qunce writes to (the output folder, `new` and `init` files) is first resolved the way
//! the file system will resolve it and compared with the site's own sources, which nothing may
//! replace. Config, output and scaffold all ask here, so they agree on what a source is.

use std::path::{Component, Path, PathBuf};

/// The name of the configuration file at the site root.
pub(crate) const CONFIG_FILE: &str = "site.toml";

/// The folders below a site root that hold what the writer wrote (or their history): never an
/// output folder, never inside one.
pub(crate) const SOURCE_DIRS: [&str; 7] = [
    "content",
    "templates",
    "static",
    "themes",
    "archetypes",
    "data",
    ".git",
];

/// `path` made absolute and resolved as the file system would: the longest part that exists
/// is canonicalized (following its symbolic links), the rest is appended with `.` and `..`
/// applied by hand. So a folder that does not exist yet resolves too, through a symlinked
/// parent if it has one.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut rest: Vec<Component<'_>> = Vec::new();
    let mut base = abs.as_path();
    let existing = loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            break c;
        }
        match (base.parent(), base.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                base = parent;
            }
            _ => break base.to_path_buf(),
        }
    };
    let mut out = existing;
    for c in rest.into_iter().rev() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Whether the relative path `rel` stays below the folder it is joined to when read without
/// the file system (no absolute part, no `..` that climbs above its start).
pub(crate) fn stays_inside(rel: &Path) -> bool {
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// The site source that writing a folder at `out` would replace or write into, described for
/// an error message: the root itself or a parent of it, `site.toml`, or one of
/// [`SOURCE_DIRS`]. `None` when `out` is clear of them all. Both paths are resolved first, so a
/// symbolic link cannot hide a source.
pub(crate) fn source_clash(out: &Path, root: &Path) -> Option<String> {
    let out = resolve(out);
    let root = resolve(root);
    if out == root {
        return Some("the site's root folder".into());
    }
    if root.starts_with(&out) {
        return Some("a folder holding the site".into());
    }
    let config = root.join(CONFIG_FILE);
    if out.starts_with(&config) || out.starts_with(resolve(&config)) {
        return Some("the site's site.toml".into());
    }
    SOURCE_DIRS.iter().find_map(|d| {
        let lexical = root.join(d);
        (out.starts_with(&lexical) || out.starts_with(resolve(&lexical)))
            .then(|| format!("the site's {d}/ folder"))
    })
}

/// The first part of `rel` below `base` that is a symbolic link (dangling or not), if any:
/// writing there would write wherever the link points.
pub(crate) fn symlink_on_the_way(base: &Path, rel: &Path) -> Option<PathBuf> {
    let mut p = base.to_path_buf();
    for c in rel.components() {
        p.push(c);
        if std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(p);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_inside_refuses_climbing_and_absolute_paths() {
        assert!(stays_inside(Path::new("public")));
        assert!(stays_inside(Path::new("out/../public")));
        assert!(stays_inside(Path::new("./a/b")));
        assert!(!stays_inside(Path::new("../sibling")));
        assert!(!stays_inside(Path::new("a/../../x")));
        assert!(!stays_inside(Path::new("/home/me/Documents")));
    }

    #[test]
    fn resolve_applies_dots_past_the_existing_part() {
        let tmp = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let r = resolve(&tmp.join("qunce-no-such-dir/a/../b/./c"));
        assert_eq!(r, tmp.join("qunce-no-such-dir/b/c"));
    }

    #[test]
    fn source_clash_names_the_source() {
        let tmp = std::fs::canonicalize(std::env::temp_dir()).unwrap();
        let root = tmp.join("qunce-clash-site");
        assert_eq!(
            source_clash(&root.join("content/x"), &root).as_deref(),
            Some("the site's content/ folder")
        );
        assert_eq!(
            source_clash(&root.join(".git"), &root).as_deref(),
            Some("the site's .git/ folder")
        );
        assert_eq!(
            source_clash(&root.join("site.toml"), &root).as_deref(),
            Some("the site's site.toml")
        );
        assert_eq!(
            source_clash(&root, &root).as_deref(),
            Some("the site's root folder")
        );
        assert_eq!(
            source_clash(&tmp, &root).as_deref(),
            Some("a folder holding the site")
        );
        assert_eq!(source_clash(&root.join("public"), &root), None);
        assert_eq!(source_clash(&root.join("contents"), &root), None);
    }
}
