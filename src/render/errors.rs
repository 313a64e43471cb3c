//! Tera's errors as qunce diagnostics: at the template file and line, one per problem.

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;

/// Whether `e` or an error it wraps says `what`.
pub(super) fn error_chain_says(e: &tera::Error, what: &str) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.to_string().contains(what) {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Maps a Tera error to diagnostics. Template loading reports all reference errors (unknown
/// function, missing include, …) as one message of compiler-style reports; split it so each
/// becomes a diagnostic at its own template line.
pub(super) fn tera_diagnostics(
    e: &tera::Error,
    displays: &HashMap<String, (String, String)>,
) -> Vec<Diagnostic> {
    if let tera::ErrorKind::Msg(msg) = e.kind() {
        let mut out = Vec::new();
        for report in msg.split("\n\n") {
            let mut lines = report.lines();
            let Some(first) = lines.next() else { continue };
            let message = first.trim().trim_start_matches("error:").trim();
            let loc = lines.find_map(|l| l.trim().strip_prefix("--> ").map(str::to_string));
            let Some(loc) = loc else { continue };
            let mut parts = loc.rsplitn(3, ':');
            let (col, line, name) = (parts.next(), parts.next(), parts.next());
            let (Some(name), Some(line), Some(col)) = (
                name,
                line.and_then(|l| l.parse::<usize>().ok()),
                col.and_then(|c| c.parse::<usize>().ok()),
            ) else {
                continue;
            };
            let (display, text) = displays
                .get(name)
                .cloned()
                .unwrap_or_else(|| (name.to_string(), String::new()));
            let line_text = text.lines().nth(line.saturating_sub(1)).map(str::to_string);
            out.push(
                Diagnostic::error("template", format!("template error in `{name}`: {message}"))
                    .at_line(&display, line, col, line_text)
                    .with_help("fix the template; the site's own templates/ folder overrides the theme's file of the same name"),
            );
        }
        if !out.is_empty() {
            return out;
        }
    }
    vec![tera_diagnostic(e, displays)]
}

/// Maps a Tera error to a diagnostic at the template file's line and column.
pub(super) fn tera_diagnostic(
    e: &tera::Error,
    displays: &HashMap<String, (String, String)>,
) -> Diagnostic {
    // Tera may wrap the located error; find the innermost one with a report.
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(te) = err.downcast_ref::<tera::Error>()
            && let tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) = te.kind()
        {
            let (display, text) = displays
                .get(r.filename())
                .cloned()
                .unwrap_or_else(|| (r.filename().to_string(), String::new()));
            let span = r.span();
            let line_text = text
                .lines()
                .nth(span.start_line.saturating_sub(1))
                .map(str::to_string);
            let kind = if matches!(te.kind(), tera::ErrorKind::SyntaxError(_)) {
                "template syntax error"
            } else {
                "template error"
            };
            return Diagnostic::error("template", format!("{kind} in `{}`: {}", r.filename(), r.message()))
                .at_line(&display, span.start_line, span.start_col + 1, line_text)
                .with_help("fix the template; the site's own templates/ folder overrides the theme's file of the same name");
        }
        cur = err.source();
    }
    Diagnostic::error("template", format!("template error: {e}"))
        .in_file("templates")
        .with_help("check the theme's templates")
}
