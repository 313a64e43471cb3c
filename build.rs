//! Embeds the default theme (themes/handbook) in the binary, so `qunce init` sites build with no
//! theme folder. Generates a table of (relative path, bytes) included with `include_bytes!`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let theme = Path::new("themes/handbook");
    println!("cargo:rerun-if-changed=themes/handbook");
    let mut files = Vec::new();
    collect(theme, theme, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The default theme's files: (path below the theme folder, contents).\npub(crate) static EMBEDDED_THEME: &[(&str, &[u8])] = &[\n",
    );
    for rel in &files {
        let abs = std::fs::canonicalize(theme.join(rel)).expect("theme file");
        println!("cargo:rerun-if-changed={}", abs.display());
        let _ = writeln!(
            out,
            "    ({rel:?}, include_bytes!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded_theme.rs");
    std::fs::write(dest, out).expect("write embedded theme table");
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
            continue;
        }
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(base, &path, files);
        } else {
            let rel = path
                .strip_prefix(base)
                .expect("inside theme")
                .to_string_lossy()
                .replace('\\', "/");
            files.push(rel);
        }
    }
}
