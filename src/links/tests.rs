use super::body::has_scheme;
use super::names::join;

#[test]
fn joins_relative_paths() {
    assert_eq!(
        join("rituals", "../roles/班长.md").as_deref(),
        Some("roles/班长.md")
    );
    assert_eq!(join("rituals", "./a.md").as_deref(), Some("rituals/a.md"));
    assert_eq!(join("", "../x"), None);
    assert_eq!(join("a/b", "/c.md").as_deref(), Some("c.md"));
}

#[test]
fn schemes() {
    assert!(has_scheme("https://x"));
    assert!(has_scheme("mailto:a@b"));
    assert!(!has_scheme("班长.md"));
    assert!(!has_scheme("a/b:c"));
}
