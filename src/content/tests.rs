use super::page::first_heading;
use super::*;

#[test]
fn ignores_editor_and_hidden_files() {
    for name in [
        ".hidden.md",
        "_draft.md",
        "a.md~",
        "#a.md#",
        ".#a.md",
        "a.md.swp",
        "a.swx",
        "4913",
    ] {
        assert!(is_ignored(name), "{name}");
    }
    for name in ["_index.md", "开营仪式.md", "photo.png"] {
        assert!(!is_ignored(name), "{name}");
    }
}

#[test]
fn folder_titles_read_like_titles() {
    assert_eq!(folder_title("02-getting_started"), "Getting started");
    assert_eq!(folder_title("templates"), "Templates");
    assert_eq!(folder_title("2024"), "2024");
    assert_eq!(folder_title("10.年度复盘"), "年度复盘");
    assert_eq!(folder_title("社群-运营"), "社群 运营");
    assert_eq!(folder_title("--"), "--");
}

#[test]
fn title_from_first_heading_outside_code() {
    assert_eq!(
        first_heading("```\n# not\n```\n# 班长 #\n"),
        Some(("班长".to_string(), 14))
    );
    assert_eq!(
        first_heading("    # code\n# **ISOOC** `手册`\n"),
        Some(("ISOOC 手册".to_string(), 11))
    );
    assert_eq!(first_heading("text only"), None);
}
