//! The path `qunce build` takes (streamed into a staging folder, then swapped in) against the
//! in-memory path every other equivalence test uses (`qunce::compile`), and the output's
//! stability from one process to the next.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

/// What `qunce::compile` produces for `opts`, plus the assets `build` copies beside it, as
/// path → bytes.
fn compiled(opts: &qunce::Options) -> BTreeMap<String, Vec<u8>> {
    let c = match qunce::compile(opts) {
        Ok(c) => c,
        Err(o) => panic!("compile failed:\n{}", human(&o.diagnostics)),
    };
    assert!(!c.has_errors(), "{}", human(&c.diagnostics));
    let mut files: BTreeMap<String, Vec<u8>> =
        c.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    for a in &c.site.content.assets {
        files.insert(a.dest.clone(), std::fs::read(&a.source).expect("asset"));
    }
    files
}

/// The files `qunce build` wrote, without the bookkeeping files that mark the folder as qunce's.
fn written(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.retain(|path, _| !path.starts_with(".qunce"));
    files
}

fn assert_same(built: &BTreeMap<String, Vec<u8>>, compiled: &BTreeMap<String, Vec<u8>>) {
    let only_built: Vec<_> = built
        .keys()
        .filter(|k| !compiled.contains_key(*k))
        .collect();
    let only_compiled: Vec<_> = compiled
        .keys()
        .filter(|k| !built.contains_key(*k))
        .collect();
    assert!(
        only_built.is_empty(),
        "written by build only: {only_built:?}"
    );
    assert!(only_compiled.is_empty(), "compiled only: {only_compiled:?}");
    for (path, bytes) in built {
        assert!(
            bytes == &compiled[path],
            "{path} differs between `qunce build` and `qunce::compile`"
        );
    }
    assert!(built.len() > 10, "{} files", built.len());
}

#[test]
fn build_writes_exactly_what_compile_produces_for_the_bundled_handbook() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for offline in [false, true] {
        let out = Site::bare();
        let out_dir = out.path("public");
        let mut args = vec![
            "--root",
            root.to_str().unwrap(),
            "build",
            "--output",
            out_dir.to_str().unwrap(),
        ];
        if offline {
            args.push("--offline");
        }
        run_bin(&args, &[]).expect_code(0);
        let opts = qunce::Options {
            root: root.to_path_buf(),
            offline,
            ..Default::default()
        };
        assert_same(&written(&out_dir), &compiled(&opts));
    }
}

#[test]
fn build_writes_exactly_what_compile_produces_with_assets_and_a_custom_kind() {
    let site = custom_kind_site().bytes("content/events/poster.png", b"\x89PNG fake");
    site.run(&["build"]).expect_code(0);
    assert_same(&written(&site.public()), &compiled(&site.opts()));
    assert!(site.public().join("events/poster.png").is_file());
}

/// A site with a custom kind of many fields, in an order that is neither alphabetical nor the
/// front matter's.
fn custom_kind_site() -> Site {
    Site::new()
        .file(
            "site.toml",
            &format!(
                "{SITE_TOML}[kinds.event]\nlabel = \"活动\"\nsection = \"events\"\n\
                 [kinds.event.fields.host]\ntype = \"string\"\nlabel = \"主持人\"\n\
                 [kinds.event.fields.size]\ntype = \"enum\"\nvalues = [\"small\", \"large\"]\nlabels = [\"小型\", \"大型\"]\nlabel = \"规模\"\n\
                 [kinds.event.fields.place]\ntype = \"string\"\nlabel = \"地点\"\n\
                 [kinds.event.fields.cost]\ntype = \"int\"\nlabel = \"费用\"\n\
                 [kinds.event.fields.zeta]\ntype = \"list\"\nlabel = \"备注\"\n\
                 [kinds.event.fields.alpha]\ntype = \"bool\"\nlabel = \"公开\"\n"
            ),
        )
        .file("content/_index.md", "+++\ntitle = \"首页\"\n+++\n\n[[读书会]]\n")
        .file("content/events/_index.md", "+++\ntitle = \"活动\"\n+++\n")
        .file(
            "content/events/读书会.md",
            "+++\ntitle = \"读书会\"\nkind = \"event\"\nalpha = true\nzeta = [\"带书\"]\ncost = 30\n\
             place = \"线上\"\nsize = \"small\"\nhost = \"小王\"\n+++\n\n每月一次。\n",
        )
}

/// Tera's maps iterate in an order chosen per process; the default theme must not let it show.
/// Six separate processes build the same site; every file must be the same, and the custom
/// kind's card lists its fields by their labels in the declared order.
#[test]
fn output_is_identical_from_one_process_to_the_next() {
    let site = custom_kind_site();
    let mut first: Option<BTreeMap<String, Vec<u8>>> = None;
    for n in 0..6 {
        let out = site.path(&format!("out{n}"));
        site.run(&["build", "--output", out.to_str().unwrap()])
            .expect_code(0);
        let files = written(&out);
        match &first {
            None => first = Some(files),
            Some(f) => {
                for (path, bytes) in f {
                    assert!(
                        files.get(path) == Some(bytes),
                        "{path} differs in build {n}"
                    );
                }
                assert_eq!(f.len(), files.len());
            }
        }
    }
    let html = std::fs::read_to_string(site.path("out0/events/du-shu-hui/index.html")).unwrap();
    let labels: Vec<&str> = html
        .match_indices("<dt>")
        .map(|(i, _)| {
            let rest = &html[i + 4..];
            &rest[..rest.find("</dt>").unwrap()]
        })
        .collect();
    assert_eq!(labels, ["主持人", "规模", "地点", "费用", "备注", "公开"]);
}
