//! `qunce --help` in the reader's language. The command line is declared once (clap's derive,
//! with English doc comments); before parsing, its texts are replaced from the catalogue's
//! `[help]` table (keyed by command path and argument id: `build.output`), clap's own headings
//! too, and every command gets one example. A text the table lacks stays English.

use clap::Command;

use super::{Lang, help_text, locale, requested};

/// The language of `--help`: `--lang` from the raw arguments (clap has not parsed them yet),
/// else `QUNCE_LANG`, else the locale. The site's language does not count: help is about the
/// program, and may be asked for outside any site.
pub fn language(args: &[std::ffi::OsString]) -> Lang {
    let mut flag = None;
    let mut it = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let value = match a.strip_prefix("--lang") {
            Some("") => it.next(),
            Some(v) => v.strip_prefix('='),
            None => None,
        };
        if let Some(l) = value.and_then(Lang::parse) {
            flag = Some(l);
        }
    }
    requested(flag).unwrap_or_else(locale)
}

/// `cmd` (the whole `qunce` command) with its help in `lang` and an example on each command.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let mut cmd = walk(cmd, "qunce", lang, true);
    if lang != Lang::En {
        // The auto-generated flags exist only once the command is built.
        cmd.build();
        cmd = headings(cmd, lang);
    }
    cmd
}

fn text(lang: Lang, key: &str) -> Option<&'static str> {
    help_text(lang, key)
}

/// Texts, example and subcommands of the command at `path` (`qunce`, `build`, `theme.unpack`).
fn walk(mut cmd: Command, path: &str, lang: Lang, top: bool) -> Command {
    let translate = lang != Lang::En;
    if translate && let Some(about) = text(lang, path) {
        cmd = cmd.about(about).long_about(None::<&str>);
    }
    if let Some(example) = text(lang, &format!("{path}.example")) {
        let heading = text(lang, "example").unwrap_or("Example:");
        cmd = cmd.after_help(format!("{heading}\n  {example}"));
    }
    if translate {
        let ids: Vec<String> = cmd
            .get_arguments()
            .map(|a| a.get_id().to_string())
            .collect();
        for id in ids {
            // Global options are declared on `qunce` and shown under every command.
            let key = format!("{path}.{id}");
            let found = text(lang, &key).or_else(|| text(lang, &format!("qunce.{id}")));
            if let Some(h) = found {
                cmd = cmd.mut_arg(id.as_str(), |a| a.help(h).long_help(None::<&str>));
            }
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .filter(|s| s != "help")
        .collect();
    for name in subs {
        let sub_path = if top {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        cmd = cmd.mut_subcommand(name.as_str(), |s| walk(s, &sub_path, lang, false));
    }
    cmd
}

/// clap's own words (`Usage:`, `Options`, `Print help`) in `lang`, on `cmd` and below.
fn headings(mut cmd: Command, lang: Lang) -> Command {
    let word = |k: &str, default: &'static str| text(lang, k).unwrap_or(default);
    let usage = word("usage", "Usage:");
    // A full-width colon carries its own space.
    let gap = if usage.ends_with('：') { "" } else { " " };
    cmd = cmd
        .help_template(format!(
            "{{about-with-newline}}\n{usage}{gap}{{usage}}\n\n{{all-args}}{{after-help}}"
        ))
        .subcommand_help_heading(word("commands", "Commands"));
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let heading = if positional {
            word("arguments", "Arguments")
        } else {
            word("options", "Options")
        };
        cmd = cmd.mut_arg(id.as_str(), |a| {
            let a = a.help_heading(heading);
            match id.as_str() {
                "help" => a.help(word("help-flag", "Print help")),
                "version" => a.help(word("version-flag", "Print version")),
                _ => a,
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name.as_str(), |s| {
            let s = if name == "help" {
                s.about(word("help-command", "Print help"))
            } else {
                s
            };
            headings(s, lang)
        });
    }
    cmd
}
