//! Helpers shared by the integration tests: a throw-away [`Site`] written into a unique temp
//! folder (removed on drop), wrappers around `qunce::build` / `qunce::check` and the binary, and
//! small assertions on diagnostics and output files.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use qunce::diagnostics::{self, Format};
use qunce::{Diagnostic, Options, Outcome};

/// The `site.toml` every [`Site::new`] starts with.
pub(crate) const SITE_TOML: &str =
    "title = \"测试手册\"\nbase_url = \"https://example.org\"\nlanguage = \"zh-CN\"\n";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A small site in a temp folder of its own, removed when dropped.
pub(crate) struct Site {
    root: PathBuf,
}

impl Default for Site {
    fn default() -> Self {
        Site::new()
    }
}

impl Site {
    /// An empty folder, without site.toml.
    pub(crate) fn bare() -> Site {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let root =
            std::env::temp_dir().join(format!("qunce-test-{}-{n}-{nanos:x}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create temp site");
        // Canonical so that paths compared against the engine's output match (macOS /private).
        let root = std::fs::canonicalize(&root).expect("canonical temp dir");
        Site { root }
    }

    /// A site with [`SITE_TOML`] and an empty content/ folder.
    pub(crate) fn new() -> Site {
        let s = Site::bare();
        s.write("site.toml", SITE_TOML);
        std::fs::create_dir_all(s.root.join("content")).expect("content/");
        s
    }

    /// A copy of the site `tests/fixtures/<name>` in a fresh folder, so a test may change it.
    #[allow(dead_code)]
    pub(crate) fn fixture(name: &str) -> Site {
        let site = Site::bare();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry.expect("fixture folder");
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(&from).expect("below the fixture");
                let text = std::fs::read_to_string(entry.path()).expect("a text file");
                site.write(&rel.to_string_lossy(), &text);
            }
        }
        site
    }

    /// Builder form of [`Site::write`].
    pub(crate) fn file(self, rel: &str, text: &str) -> Site {
        self.write(rel, text);
        self
    }

    /// Builder form of [`Site::write_bytes`].
    pub(crate) fn bytes(self, rel: &str, bytes: &[u8]) -> Site {
        self.write_bytes(rel, bytes);
        self
    }

    /// Writes a file below the site root, creating folders.
    pub(crate) fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub(crate) fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(&path, bytes).expect("write fixture file");
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// A path below the site root.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// The default output folder.
    pub(crate) fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    pub(crate) fn opts(&self) -> Options {
        Options {
            root: self.root.clone(),
            ..Default::default()
        }
    }

    pub(crate) fn build(&self) -> Outcome {
        catalogued(qunce::build(&self.opts()))
    }

    pub(crate) fn build_with(&self, f: impl FnOnce(&mut Options)) -> Outcome {
        let mut o = self.opts();
        f(&mut o);
        catalogued(qunce::build(&o))
    }

    pub(crate) fn check(&self) -> Outcome {
        catalogued(qunce::check(&self.opts()))
    }

    /// Builds and fails the test (printing every diagnostic) unless the build has no errors.
    pub(crate) fn build_ok(&self) -> Outcome {
        let o = self.build();
        assert_eq!(
            o.status,
            qunce::Status::Ok,
            "build failed:\n{}",
            human(&o.diagnostics)
        );
        o
    }

    /// An output file (relative to public/) as text.
    pub(crate) fn read(&self, rel: &str) -> String {
        let path = self.public().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read output {}: {e}\noutput files:\n{}",
                path.display(),
                self.output_files().join("\n")
            )
        })
    }

    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.public().join(rel).exists()
    }

    /// Every file under public/, relative, sorted.
    pub(crate) fn output_files(&self) -> Vec<String> {
        snapshot(&self.public()).into_keys().collect()
    }

    /// Runs the qunce binary with `--root <site>` followed by `args`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = vec!["--root", self.root.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        run_bin(&all, &[])
    }

    /// Like [`Site::run`], with extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut all: Vec<&str> = vec!["--root", self.root.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        run_bin(&all, env)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// What a run of the binary produced.
#[derive(Debug)]
pub(crate) struct Run {
    /// Exit code; None when killed by a signal (a crash such as a stack overflow).
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics (printing the output) unless the exit code is `code`.
    pub(crate) fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// `o`, after failing the test if one of its diagnostics has a message or help the message
/// catalogue (src/messages/en.toml) has no template for: a writer reading another language
/// would see that text in English. Every test that builds a site checks this on the way.
pub(crate) fn catalogued(o: Outcome) -> Outcome {
    for d in &o.diagnostics {
        assert!(
            qunce::messages::is_catalogued(d.code, &d.message, false),
            "no template in src/messages/en.toml for [{}] message: {}",
            d.code,
            d.message
        );
        if let Some(h) = &d.help {
            assert!(
                qunce::messages::is_catalogued(d.code, h, true),
                "no template in src/messages/en.toml for [{}] help: {h}",
                d.code
            );
        }
    }
    o
}

/// The path of the compiled binary.
pub(crate) fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_qunce")
}

/// Runs the binary with `args`, NO_COLOR unset unless given in `env`. Messages are in English
/// (`QUNCE_LANG=en`) unless `env` sets `QUNCE_LANG` (to "" for the site's or locale's language).
pub(crate) fn run_bin(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .env_remove("NO_COLOR")
        .env("QUNCE_LANG", "en");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("run qunce"))
}

/// Runs the binary with a deadline: a run that does not finish within `limit` is killed and the
/// test fails as a hang (the limit is a hang guard, far above any normal run, not a timing
/// assertion).
pub(crate) fn run_bin_guarded(args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("NO_COLOR")
        .env("QUNCE_LANG", "en")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn qunce");
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("qunce {args:?} hung (still running after {limit:?}); killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned(),
    }
}

/// The human rendering of diagnostics, for assertion messages.
pub(crate) fn human(diags: &[Diagnostic]) -> String {
    diagnostics::render(diags, Format::Human { color: false })
}

/// Errors only.
pub(crate) fn errors(o: &Outcome) -> Vec<&Diagnostic> {
    o.diagnostics.iter().filter(|d| d.is_error()).collect()
}

/// Warnings only.
pub(crate) fn warnings(o: &Outcome) -> Vec<&Diagnostic> {
    o.diagnostics.iter().filter(|d| !d.is_error()).collect()
}

/// Diagnostics with `code`.
pub(crate) fn with_code<'a>(o: &'a Outcome, code: &str) -> Vec<&'a Diagnostic> {
    o.diagnostics.iter().filter(|d| d.code == code).collect()
}

/// The one diagnostic with `code` in `file`; fails (printing all diagnostics) otherwise.
pub(crate) fn one<'a>(o: &'a Outcome, code: &str, file: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == code && d.file == file)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one `{code}` in {file}, got {}:\n{}",
        found.len(),
        human(&o.diagnostics)
    );
    found[0]
}

/// Asserts a diagnostic's place, printing it in full on failure.
pub(crate) fn assert_at(d: &Diagnostic, file: &str, line: usize, column: usize) {
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        (file, line, column),
        "wrong place for:\n{}",
        human(std::slice::from_ref(d))
    );
}

/// Asserts the help line contains `needle`.
pub(crate) fn assert_help(d: &Diagnostic, needle: &str) {
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains(needle),
        "help should contain {needle:?}:\n{}",
        human(std::slice::from_ref(d))
    );
}

/// 1-based line and character column of the first occurrence of `needle` in `text`.
pub(crate) fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in fixture"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

/// Every file below `dir` (relative path → bytes).
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let ft = e.file_type().expect("file type");
            if ft.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .expect("below base")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// The `<main>…</main>` part of a page: what the page itself shows, without the sidebar (which
/// lists every page and would make "is X linked here" assertions meaningless).
pub(crate) fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("page has <main>");
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |i| start + i);
    &html[start..end]
}

/// The rendered Markdown body of a page in the default theme (`<div class="content">…`), up to
/// the end of the article.
pub(crate) fn body_of(html: &str) -> &str {
    let start = html
        .find("<div class=\"content\">")
        .expect("page has a content div");
    let end = html[start..]
        .find("</article>")
        .map_or(html.len(), |i| start + i);
    &html[start..end]
}

/// Every value of `attr="…"` in `html`.
pub(crate) fn attr_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        // Only whole attribute names: preceded by whitespace.
        let ok = rest[..i].ends_with(|c: char| c.is_whitespace());
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        if ok {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// A small, consistent handbook with one page of each kind, every page linked and every
/// relation filled in: it builds and checks with no error and no warning.
pub(crate) fn handbook() -> Site {
    Site::new()
        .file(
            "content/_index.md",
            "+++\ntitle = \"首页\"\n+++\n\n从 [[同好]] 开始。\n",
        )
        .file(
            "content/elements/同好.md",
            "+++\ntitle = \"同好\"\nkind = \"element\"\nletter = \"I\"\norder = 1\n+++\n\n因为共同的爱好聚在一起。\n",
        )
        .file(
            "content/roles/班长.md",
            "+++\ntitle = \"班长\"\nkind = \"role\"\naliases = [\"monitor\"]\nresponsibilities = [\"主持开营\"]\n+++\n\n## 职责\n\n每天提醒大家。\n",
        )
        .file(
            "content/rituals/开营仪式.md",
            "+++\ntitle = \"开营仪式\"\nkind = \"ritual\"\nelement = \"同好\"\nroles = [\"班长\"]\nstage = \"intro\"\nchecklist = \"开营准备\"\n+++\n\n## 流程\n\n1. 班长发布欢迎词。\n",
        )
        .file(
            "content/checklists/开营准备.md",
            "+++\ntitle = \"开营准备\"\nkind = \"checklist\"\nfor = [\"开营仪式\"]\n+++\n\n- [ ] 写好欢迎词 {#welcome}\n- [ ] 准备自我介绍模板\n",
        )
}

/// The diagnostics besides `placeholder-base-url`: every `build` of a fixture on
/// [`SITE_TOML`]'s example.org address has that warning, and `check` never does (it publishes
/// no address).
#[allow(dead_code)]
pub(crate) fn besides_placeholder(o: &Outcome) -> Vec<qunce::diagnostics::Diagnostic> {
    o.diagnostics
        .iter()
        .filter(|d| d.code != "placeholder-base-url")
        .cloned()
        .collect()
}
