//! The bad-input suite: malformed and hostile sites, each generated here, each built by the real
//! binary under a hang guard. Every case states its exact outcome (exit code and every
//! diagnostic with file, line and column), and a failed build must leave the previous output
//! byte for byte as it was.
//!
//! Each case starts from a good handbook that builds cleanly, builds it, breaks it, builds
//! again. The guard kills a run that takes far longer than any normal build (a hang or a
//! quadratic blow-up); it is not a speed assertion.

mod common;

// The cases, by theme; this file holds the harness and one case per diagnostic kind.
#[path = "bad_input/config.rs"]
mod config;
#[path = "bad_input/encodings.rs"]
mod encodings;
#[path = "bad_input/filesystem.rs"]
mod filesystem;
#[path = "bad_input/size.rs"]
mod size;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Site, handbook, run_bin_guarded, snapshot};

/// Far above a normal build of these sites in a debug binary; only a hang reaches it.
const GUARD: Duration = Duration::from_secs(60);
/// For the cases that are large on purpose (tens of megabytes, 100,000 links).
const BIG_GUARD: Duration = Duration::from_secs(180);

/// One diagnostic as reported in `--format json`: severity, code, file, line, column.
type Diag = (String, String, String, usize, usize);

/// What a build printed and returned.
struct Built {
    code: Option<i32>,
    diags: Vec<Diag>,
    stderr: String,
    /// The raw JSON lines, for failure messages.
    json: String,
}

impl Built {
    fn show(&self) -> String {
        format!("exit {:?}\n{}\n{}", self.code, self.json, self.stderr)
    }
}

/// Builds the site with the binary (`--format json build`) under `guard`. The base URL is given
/// on the command line as a deployment would: site.toml's example.org would otherwise add the
/// `placeholder-base-url` warning (tests/start.rs) to every case's exact diagnostics.
fn build(site: &Site, guard: Duration) -> Built {
    let root = site.root().to_str().expect("utf-8 temp path");
    let run = run_bin_guarded(
        &[
            "--root",
            root,
            "--format",
            "json",
            "build",
            "--base-url",
            "https://example.org",
        ],
        guard,
    );
    assert!(
        !run.stderr.contains("panicked") && matches!(run.code, Some(0..=2)),
        "qunce crashed (exit {:?}):\n{}",
        run.code,
        run.stderr
    );
    let diags = run
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("not a JSON diagnostic ({e}): {l}"));
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let n = |k: &str| v[k].as_u64().unwrap_or_default() as usize;
            // Shown to a Chinese writer translated: the catalogue has every text.
            assert!(
                qunce::messages::is_catalogued(&s("code"), &s("message"), false)
                    && (v["help"].is_null()
                        || qunce::messages::is_catalogued(&s("code"), &s("help"), true)),
                "no template in src/messages/en.toml for {l}"
            );
            (s("severity"), s("code"), s("file"), n("line"), n("column"))
        })
        .collect();
    Built {
        code: run.code,
        diags,
        json: run.stdout,
        stderr: run.stderr,
    }
}

/// The good starting point of every case, already built once.
struct Case {
    site: Site,
    before: BTreeMap<String, Vec<u8>>,
}

fn good() -> Case {
    let site = handbook();
    let b = build(&site, GUARD);
    assert_eq!((b.code, b.diags.len()), (Some(0), 0), "{}", b.show());
    let before = snapshot(&site.public());
    assert!(before.contains_key("index.html"));
    Case { site, before }
}

fn e(code: &str, file: &str, line: usize, column: usize) -> Diag {
    ("error".into(), code.into(), file.into(), line, column)
}

fn w(code: &str, file: &str, line: usize, column: usize) -> Diag {
    ("warning".into(), code.into(), file.into(), line, column)
}

impl Case {
    fn write(&self, rel: &str, text: &str) -> &Case {
        self.site.write(rel, text);
        self
    }

    fn bytes(&self, rel: &str, bytes: &[u8]) -> &Case {
        self.site.write_bytes(rel, bytes);
        self
    }

    /// Builds the broken site and checks the exit code and the exact diagnostics. When the
    /// build fails, the output of the good build must be untouched.
    fn expect(&self, code: i32, diags: &[Diag]) -> Built {
        self.expect_within(GUARD, code, diags)
    }

    fn expect_within(&self, guard: Duration, code: i32, diags: &[Diag]) -> Built {
        let b = build(&self.site, guard);
        assert_eq!(b.code, Some(code), "{}", b.show());
        assert_eq!(b.diags, diags, "{}", b.show());
        if code != 0 {
            assert!(
                snapshot(&self.site.public()) == self.before,
                "a failed build changed public/"
            );
        }
        self.no_leftovers();
        b
    }

    /// No staging or retired output folders are left beside public/.
    fn no_leftovers(&self) {
        let names: Vec<String> = std::fs::read_dir(self.site.root())
            .expect("site root")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".qunce-"))
            .collect();
        assert!(names.is_empty(), "left behind: {names:?}");
    }

    fn read(&self, rel: &str) -> String {
        self.site.read(rel)
    }
}

const RITUAL: &str = "content/rituals/开营仪式.md";
const ROLE: &str = "content/roles/班长.md";
/// A new page nothing links to: breaking it affects nothing else.
const BAD: &str = "content/guides/坏.md";

// ---------------------------------------------------------------------------------------------
// Every diagnostic kind
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_toml_in_front_matter() {
    good()
        .write(BAD, "+++\ntitle = \"坏\"\nkind = role\n+++\n")
        .expect(1, &[e("invalid-toml", BAD, 3, 8)]);
}

#[test]
fn unterminated_front_matter() {
    good()
        .write(BAD, "+++\ntitle = \"坏\"\nkind = \"role\"\n\n## 职责\n")
        .expect(1, &[e("unterminated-front-matter", BAD, 1, 1)]);
}

#[test]
fn invalid_yaml_front_matter() {
    good()
        .write(BAD, "---\ntitle: 坏\nkind: [role\n---\n## 职责\n")
        .expect(1, &[e("invalid-yaml", BAD, 4, 1)]);
}

#[test]
fn unknown_kind() {
    good()
        .write(BAD, "+++\ntitle = \"坏\"\nkind = \"rol\"\n+++\n## 职责\n")
        .expect(1, &[e("unknown-kind", BAD, 3, 8)]);
}

#[test]
fn wrong_type_of_a_standard_field() {
    good()
        .write(ROLE, "+++\ntitle = 42\nkind = \"role\"\n+++\n## 职责\n")
        .expect(1, &[e("wrong-type", ROLE, 2, 9)]);
}

#[test]
fn wrong_type_inside_a_list() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\ntags = [\"a\", 2]\n+++\n## 职责\n",
        )
        .expect(1, &[e("wrong-type", ROLE, 4, 14)]);
}

#[test]
fn unknown_enum_value() {
    let c = good();
    let text = c.read("rituals/kai-ying-yi-shi/index.html");
    assert!(text.contains("开营仪式"));
    c.write(
        RITUAL,
        "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"grow\"\nchecklist = \"开营准备\"\n+++\n## 流程\n",
    )
    .expect(1, &[e("unknown-enum-value", RITUAL, 6, 9)]);
}

#[test]
fn missing_required_field_of_a_declared_kind() {
    let c = good();
    c.write(
        "site.toml",
        &format!(
            "{}[kinds.event]\nlabel = \"活动\"\n[kinds.event.fields.host]\ntype = \"link\"\nrequired = true\n",
            common::SITE_TOML
        ),
    )
    .write(
        "content/guides/聚会.md",
        "+++\ntitle = \"聚会\"\nkind = \"event\"\n+++\n[[班长]]\n",
    )
    .expect(
        1,
        &[
            e("missing-field", "content/guides/聚会.md", 3, 1),
            ],
    );
}

#[test]
fn broken_wiki_link() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n见 [[班常]]。\n",
        )
        .expect(1, &[e("broken-link", ROLE, 7, 3)]);
}

#[test]
fn broken_markdown_link_to_a_page_file() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n[x](../rituals/没有.md)\n",
        )
        .expect(1, &[e("broken-link", ROLE, 7, 1)]);
}

#[test]
fn broken_link_to_an_asset() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n![图](photo.png)\n",
        )
        .expect(1, &[e("broken-link", ROLE, 7, 1)]);
}

#[test]
fn broken_anchor() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n[[开营仪式#没有]]\n",
        )
        .expect(1, &[e("broken-anchor", ROLE, 7, 1)]);
}

#[test]
fn ambiguous_link() {
    // `roles = ["班长"]` looks among roles first: a guide of the same title is no ambiguity.
    good()
        .write(
            "content/guides/班长.md",
            "+++\ntitle = \"班长\"\n+++\n[[开营仪式]]\n",
        )
        .expect(0, &[]);
}

#[test]
fn link_field_to_the_wrong_kind() {
    good()
        .write(
            RITUAL,
            "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"开营准备\"]\nstage = \"intro\"\nchecklist = \"开营准备\"\n+++\n## 流程\n",
        )
        .expect(
            1,
            &[
                e("wrong-kind", RITUAL, 5, 10),
                w("unused-role", ROLE, 1, 1),
                ],
        );
}

#[test]
fn url_collision() {
    good()
        .write(
            "content/roles/ban-zhang.md",
            "+++\ntitle = \"另一个\"\n+++\n[[班长]]\n",
        )
        .expect(1, &[e("url-collision", "content/roles/班长.md", 1, 1)]);
}

#[test]
fn case_only_collision() {
    good()
        .write(
            "content/guides/Guide.md",
            "+++\ntitle = \"大写\"\n+++\n[[班长]]\n",
        )
        .write(
            "content/guides/guide.md",
            "+++\ntitle = \"小写\"\n+++\n[[大写]]\n",
        )
        .expect(1, &[e("url-collision", "content/guides/guide.md", 1, 1)]);
}

#[test]
fn javascript_links_are_dropped_and_reported() {
    let c = good();
    c.write(
        ROLE,
        "+++\ntitle = \"班长\"\nkind = \"role\"\n+++\n## 职责\n\n[点我](javascript:alert(1)) [也点我]( JaVaScRiPt:alert(2)) [数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n",
    )
    .expect(
        0,
        &[
            w("unsafe-link", ROLE, 7, 1),
            w("unsafe-link", ROLE, 7, 27),
            w("unsafe-link", ROLE, 7, 55),
        ],
    );
    let html = c.read("roles/ban-zhang/index.html");
    let body = common::body_of(&html).to_ascii_lowercase();
    assert!(!body.contains("javascript:"), "{body}");
    assert!(!body.contains("data:text"), "{body}");
    assert!(
        body.contains("点我") && body.contains("数据"),
        "the text stays"
    );
}

#[test]
fn structure_warnings_do_not_fail_the_build() {
    let c = good();
    c.write("content/guides/孤儿.md", "+++\ntitle = \"孤儿\"\n+++\n没人理我。\n")
        .write("content/roles/闲人.md", "+++\ntitle = \"闲人\"\nkind = \"role\"\n+++\n[[孤儿]]\n")
        .write(
            "content/rituals/破冰.md",
            "+++\ntitle = \"破冰\"\nkind = \"ritual\"\nelement = \"同好\"\nstage = \"intro\"\n+++\n[[闲人]] [[复制]]\n",
        )
        .write(
            "content/elements/复制.md",
            "+++\ntitle = \"复制\"\nkind = \"element\"\nletter = \"C\"\norder = 5\n+++\n[[破冰]]\n",
        )
        .expect(
            0,
            &[
                w("element-without-rituals", "content/elements/复制.md", 1, 1),
                w("ritual-without-roles", "content/rituals/破冰.md", 1, 1),
                w("unused-role", "content/roles/闲人.md", 1, 1),
            ],
        );
    assert!(c.site.exists("guides/gu-er/index.html"));
}

#[test]
fn unknown_front_matter_key_is_a_warning() {
    good()
        .write(
            ROLE,
            "+++\ntitle = \"班长\"\nkind = \"role\"\nrespons = [\"x\"]\n+++\n## 职责\n",
        )
        .expect(0, &[w("unknown-key", ROLE, 4, 1)]);
}

#[test]
fn raw_html_nested_too_deep_is_shown_as_text() {
    let c = good();
    c.write(
        "content/guides/深.md",
        &format!(
            "+++\ntitle = \"深\"\n+++\n[[班长]]\n\n{}x\n",
            "<div>".repeat(600)
        ),
    )
    .expect(0, &[w("raw-html-too-deep", "content/guides/深.md", 0, 0)]);
    assert!(
        c.read("guides/shen/index.html")
            .contains("&lt;div&gt;&lt;div&gt;")
    );
}
