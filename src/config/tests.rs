use super::parse::parse;
use super::*;

fn parse_ok(text: &str) -> (Config, Vec<Diagnostic>) {
    parse(Path::new("/site"), text).expect("config parses")
}

#[test]
fn base_path_from_sub_path_url() {
    let (c, _) = parse_ok("base_url = \"https://example.org/handbook/\"");
    assert_eq!(c.base_path(), "/handbook/");
    let (c, _) = parse_ok("base_url = \"https://example.org\"");
    assert_eq!(c.base_path(), "/");
}

#[test]
fn builtin_kinds_without_declaration() {
    let (c, w) = parse_ok("title = \"x\"");
    assert!(w.is_empty());
    let names: Vec<_> = c.kinds.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["element", "ritual", "role", "checklist", "page"]);
    assert_eq!(
        c.kind("ritual")
            .unwrap()
            .field("stage")
            .unwrap()
            .value_label("intro"),
        "导入期"
    );
}

#[test]
fn declared_kind_with_typed_fields() {
    let (c, _) = parse_ok(
        "[kinds.event]\nlabel = \"活动\"\n[kinds.event.fields.host]\ntype = \"link\"\nkinds = [\"role\"]\nrequired = true\n",
    );
    let f = c.kind("event").unwrap().field("host").unwrap();
    assert_eq!(f.ty, FieldType::Link);
    assert!(f.required);
}

#[test]
fn unknown_keys_warn_with_suggestion() {
    let (_, w) = parse_ok("titel = \"x\"");
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].line, 1);
    assert_eq!(w[0].help.as_deref(), Some("did you mean `title`?"));
}

#[test]
fn wrong_types_and_bad_field_types_are_errors_at_their_line() {
    let e = parse(
        Path::new("/s"),
        "title = 3\n[kinds.x.fields.a]\ntype = \"lnk\"\n",
    )
    .unwrap_err();
    assert_eq!(e[0].line, 1);
    assert!(e[0].message.contains("`title` must be a string"));
    assert_eq!(e[1].line, 3);
    assert_eq!(e[1].help.as_deref(), Some("did you mean `link`?"));
}

#[test]
fn an_unquoted_chinese_key_gets_the_quoted_form_as_help() {
    let e = parse(
        Path::new("/s"),
        "title = \"x\"\n[placeholders.群名]\nlabel = \"群名\"\n",
    )
    .unwrap_err();
    assert_eq!((e[0].code, e[0].line, e[0].column), ("invalid-toml", 2, 15));
    assert_eq!(
        e[0].help.as_deref(),
        Some("a key that is not plain ASCII must be quoted in TOML: `[placeholders.\"群名\"]`")
    );
}

#[test]
fn invalid_toml_is_located() {
    let e = parse(Path::new("/s"), "title = \"x\"\nbase_url = \n").unwrap_err();
    assert_eq!(e[0].code, "invalid-toml");
    assert_eq!(e[0].line, 2);
}
