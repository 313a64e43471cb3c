//! What a site has without declaring it: the built-in kinds and the default theme's UI strings
//! in the site's language.

use std::collections::BTreeMap;

use super::{FieldDef, FieldType, KindDef, Language};

/// The hosts whose players are kept when a site does not set `embed_hosts`: Bilibili,
/// Tencent Video and YouTube (with its cookie-less domain).
pub(crate) const DEFAULT_EMBED_HOSTS: [&str; 5] = [
    "player.bilibili.com",
    "v.qq.com",
    "www.youtube.com",
    "www.youtube-nocookie.com",
    "youtube-nocookie.com",
];

fn field(name: &str, label: &str, ty: FieldType) -> FieldDef {
    FieldDef {
        name: name.to_string(),
        label: label.to_string(),
        ty,
        required: false,
        values: Vec::new(),
        labels: Vec::new(),
        kinds: Vec::new(),
    }
}

fn link(name: &str, label: &str, ty: FieldType, kinds: &[&str]) -> FieldDef {
    FieldDef {
        kinds: kinds.iter().map(|s| s.to_string()).collect(),
        ..field(name, label, ty)
    }
}

/// The kinds every site has unless it declares its own of the same name (DESIGN.md §3). Their
/// labels are UI strings (`kind_ritual`, `field_stage`, `stage_intro`, …), so they follow the
/// site's language and its `[ui]` overrides.
pub(crate) fn builtin_kinds(ui: &BTreeMap<String, String>) -> Vec<KindDef> {
    let t = |key: &str| ui.get(key).cloned().unwrap_or_else(|| key.to_string());
    let kind = |name: &str, label: String, section: Option<&str>, fields: Vec<FieldDef>| KindDef {
        name: name.to_string(),
        label,
        section: section.map(str::to_string),
        fields,
    };
    let stage = FieldDef {
        values: ["intro", "growth", "maturity", "decline"]
            .map(String::from)
            .to_vec(),
        labels: [
            "stage_intro",
            "stage_growth",
            "stage_maturity",
            "stage_decline",
        ]
        .map(t)
        .to_vec(),
        ..field("stage", &t("field_stage"), FieldType::Enum)
    };
    vec![
        kind(
            "element",
            t("kind_element"),
            Some("elements"),
            vec![
                field("letter", &t("field_letter"), FieldType::String),
                field("order", &t("field_order"), FieldType::Int),
            ],
        ),
        kind(
            "ritual",
            t("kind_ritual"),
            Some("rituals"),
            vec![
                link(
                    "element",
                    &t("field_element"),
                    FieldType::Link,
                    &["element"],
                ),
                link("roles", &t("field_roles"), FieldType::Raci, &["role"]),
                stage,
                field("schedule", &t("field_schedule"), FieldType::Schedule),
                field("frequency", &t("field_frequency"), FieldType::String),
                field("duration", &t("field_duration"), FieldType::String),
                link(
                    "checklist",
                    &t("field_checklist"),
                    FieldType::Link,
                    &["checklist"],
                ),
            ],
        ),
        kind(
            "role",
            t("kind_role"),
            Some("roles"),
            vec![
                field(
                    "responsibilities",
                    &t("field_responsibilities"),
                    FieldType::List,
                ),
                link(
                    "reports_to",
                    &t("field_reports_to"),
                    FieldType::Link,
                    &["role"],
                ),
                link(
                    "element",
                    &t("field_element"),
                    FieldType::Link,
                    &["element"],
                ),
            ],
        ),
        kind(
            "checklist",
            t("kind_checklist"),
            Some("checklists"),
            vec![link(
                "for",
                &t("field_for"),
                FieldType::Links,
                &["ritual", "role", "element"],
            )],
        ),
        kind("page", t("kind_page"), None, Vec::new()),
    ]
}
/// The UI strings of the default theme in `lang` (see [`crate::ui`]); `[ui]` in site.toml
/// overrides any.
pub(crate) fn default_ui(lang: Language) -> BTreeMap<String, String> {
    crate::ui::table(lang).clone()
}
