#[test]
fn dates_the_sitemap_can_carry() {
    for good in [
        "2026-01-31",
        "2024-02-29",
        "2026-01-31T20:00:00+08:00",
        "2026-01-31 20:00",
        "2026-01-31T20:00:00.123Z",
    ] {
        assert!(is_date(good), "{good}");
    }
    for bad in [
        "",
        "2023-02-29",
        "2026-13-01",
        "2026-04-31",
        "2026-1-31",
        "yesterday",
        "2026-01-31]]></lastmod><x>",
        "2026-01-31T25:00",
        "2026-01-31T20:00+8",
        "20:00:00",
        "２０２６-01-31",
    ] {
        assert!(!is_date(bad), "{bad}");
    }
}

use super::*;
use std::path::Path;

fn run(text: &str) -> (FrontMatter, Vec<Diagnostic>) {
    let config = Config::defaults(Path::new("/s"));
    let src = SourceFile::new("content/a.md", text);
    let mut diags = Vec::new();
    let split = split(&src).unwrap();
    (parse(&src, &split, &config, &mut diags), diags)
}

#[test]
fn splits_and_reads_standard_fields() {
    let (fm, d) =
        run("+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nstage = \"intro\"\n+++\n# body\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(fm.title.as_deref(), Some("开营仪式"));
    assert_eq!(fm.fields.len(), 1);
}

#[test]
fn unterminated_front_matter() {
    let src = SourceFile::new("content/a.md", "+++\ntitle = \"x\"\n# body\n");
    let e = split(&src).unwrap_err();
    assert_eq!(
        (e.code, e.line, e.column),
        ("unterminated-front-matter", 1, 1)
    );
}

#[test]
fn enum_and_type_errors_are_located() {
    let (_, d) = run("+++\nkind = \"ritual\"\nstage = \"grow\"\nroles = \"班长\"\n+++\n");
    assert_eq!(d.len(), 2);
    assert_eq!(
        (d[0].code, d[0].line, d[0].column),
        ("unknown-enum-value", 3, 9)
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("did you mean `growth`?")
    );
    assert_eq!((d[1].code, d[1].line), ("wrong-type", 4));
}

#[test]
fn unknown_kind_and_key_suggest() {
    let (_, d) = run("+++\nkind = \"ritul\"\n+++\n");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `ritual`?"));
    let (_, d) = run("+++\nkind = \"ritual\"\nstag = \"intro\"\n+++\n");
    assert_eq!((d[0].code, d[0].line), ("unknown-key", 3));
    assert_eq!(d[0].help.as_deref(), Some("did you mean `stage`?"));
}
