//! Security: what a hostile writer can put into a handbook must not run in a reader's browser.
//!
//! - Raw HTML goes through the sanitizer: a list of known XSS payloads (script, event handlers,
//!   `javascript:`/`data:` URLs, SVG and MathML tricks, CSS expressions, mutation XSS) must
//!   leave no script-capable tag, attribute or URL, both through `markdown::sanitize` and
//!   through a real build.
//! - Front-matter and site.toml values are escaped by every template of the default theme.
//! - Content is never evaluated as a template.
//! - Links to `javascript:` (in every Markdown spelling) are dropped and reported.
//!
//! The checks read the HTML as serialized by qunce (every literal `<` opens a tag; text is
//! escaped), so a payload that survives as escaped text is fine and one that survives as a
//! tag or attribute is caught.

mod common;

use common::{SITE_TOML, Site, body_of, handbook, human, snapshot};
use qunce::Status;

/// Known XSS vectors, one per line of thought. Sources: OWASP's filter evasion cheat sheet,
/// PortSwigger's XSS cheat sheet, and published mutation-XSS bypasses of HTML sanitizers.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script/xss src=//evil.example/x.js></script>",
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<img src=x onerror=&#97;lert(1)>",
    "<img src=`x` onerror=alert(1)>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<img src=javascript:alert(1)>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<body onload=alert(1)>",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<input type=image src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"x\" onclick=\"alert(1)\">x</a>",
    "<a href=\"x\" target=\"_blank\" style=\"position:fixed;top:0\">x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html,<script>alert(1)</script>\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<style>body{background:url(\"javascript:alert(1)\")}</style>",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<div style=\"background-image: url(javascript:alert(1))\">x</div>",
    "<td style=\"text-align:left;background:url(javascript:alert(1))\">x</td>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=\"href\" to=\"javascript:alert(1)\"/></svg>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<template><script>alert(1)</script></template>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<object data=\"data:text/html,<script>alert(1)</script>\"></object>",
    "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<a id=x tabindex=1 onfocusin=alert(1)></a>",
    "<div id=\"x\" class=\"y\" aria-label=\"z\" data-x=\"1\" onpointerenter=alert(1)>x</div>",
    "<li data-task-id=\"\\\" onclick=alert(1)\">x</li>",
];

/// Tags that can run script, load active content or change how the page is read.
const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "button",
    "meta",
    "link",
    "base",
    "svg",
    "math",
    "template",
    "noscript",
    "xmp",
    "textarea",
    "video",
    "audio",
    "source",
    "marquee",
    "isindex",
    "body",
    "html",
    "head",
    "title",
    "animate",
    "set",
    "foreignobject",
    "maction",
    "param",
    "portal",
];

/// One tag of serialized HTML: its lowercase name and its attributes (lowercase name, value
/// with entities for `&`, `<`, `>`, `"` decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Every opening tag in HTML as html5ever/pulldown-cmark/Tera serialize it: attributes quoted
/// with `"`, text escaped, so each literal `<` starts a tag or a comment.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        let start = i + at + 1;
        if html[start..].starts_with("!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        if html[start..].starts_with('/') || html[start..].starts_with('!') {
            i = start;
            continue;
        }
        let mut j = start;
        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attrs = Vec::new();
        // Attributes until `>`, values in double quotes (which never contain `"` raw).
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                break;
            }
            let ns = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                j += 1;
            }
            let an = html[ns..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && b[j] == b'"' {
                    let end = html[j + 1..].find('"').map_or(html.len(), |e| j + 1 + e);
                    value = html[j + 1..end].to_string();
                    j = (end + 1).min(html.len());
                } else if j < b.len() && b[j] == b'\'' {
                    let end = html[j + 1..].find('\'').map_or(html.len(), |e| j + 1 + e);
                    value = html[j + 1..end].to_string();
                    j = (end + 1).min(html.len());
                } else {
                    let vs = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[vs..j].to_string();
                }
            }
            let value = value
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            attrs.push((an, value));
        }
        out.push(Tag { name, attrs });
        i = j.min(html.len());
    }
    out
}

/// The reasons `html` could run script, if any.
fn dangers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for t in tags(html) {
        if FORBIDDEN_TAGS.contains(&t.name.as_str()) {
            found.push(format!("<{}>", t.name));
        }
        for (name, value) in &t.attrs {
            if name.starts_with("on") {
                found.push(format!("<{} {name}=…>", t.name));
            }
            if matches!(
                name.as_str(),
                "srcdoc" | "formaction" | "xlink:href" | "action" | "background" | "dynsrc"
            ) {
                found.push(format!("<{} {name}>", t.name));
            }
            if name == "style"
                && !value
                    .split(';')
                    .all(|d| d.trim().is_empty() || d.trim().starts_with("text-align"))
            {
                found.push(format!("<{} style={value:?}>", t.name));
            }
            if matches!(name.as_str(), "href" | "src" | "data" | "poster" | "cite") {
                let v: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if ["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| v.starts_with(s))
                {
                    found.push(format!("<{} {name}={value:?}>", t.name));
                }
            }
        }
    }
    found
}

#[test]
fn the_tag_reader_sees_what_it_must() {
    // The checks below are only as good as this reader: it must flag live payloads.
    assert_eq!(dangers("<p>x</p>"), Vec::<String>::new());
    assert_eq!(dangers("<img src=\"x\" onerror=\"alert(1)\">").len(), 1);
    assert_eq!(dangers("<a href=\" JavaScript:x\">").len(), 1);
    assert_eq!(dangers("<SCRIPT>").len(), 1);
    assert_eq!(dangers("<td style=\"color:red\">").len(), 1);
    assert!(dangers("<td style=\"text-align: left\">").is_empty());
    assert!(dangers("&lt;script&gt; onerror=").is_empty());
    assert!(dangers("<!-- <script> -->").is_empty());
}

#[test]
fn sanitizer_removes_every_payload() {
    for p in PAYLOADS {
        let clean = qunce::markdown::sanitize(p);
        let found = dangers(&clean);
        assert!(found.is_empty(), "{p}\n→ {clean}\n{found:?}");
    }
}

#[test]
fn payloads_in_pages_do_not_survive_a_build() {
    let mut body = String::from("+++\ntitle = \"攻击\"\n+++\n[[班长]]\n\n");
    for p in PAYLOADS {
        // As a block of raw HTML and inline in a paragraph.
        body.push_str(&format!("{p}\n\n文字 {p} 文字\n\n"));
    }
    // The payloads link to `x` and the like, which the output does not have: the output link
    // check would fail the build, which is not what this test is about.
    let site = handbook()
        .file(
            "site.toml",
            &format!("{SITE_TOML}\n[lints]\ndead-output-link = \"warn\"\n"),
        )
        .file("content/guides/攻击.md", &body);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let html = site.read("guides/gong-ji/index.html");
    let found = dangers(body_of(&html));
    assert!(found.is_empty(), "{found:?}");
    assert!(body_of(&html).contains("文字"));
}

/// A value that breaks out of text, of double- and single-quoted attributes, of a script
/// string and of a template expression, all at once. `7 * 7` shows up as 49 if evaluated.
const HOSTILE: &str = "<img src=x onerror=alert(1)>\"'><svg onload=alert(2)>{{ 7 * 7 }}</script>";

/// A site whose every free-text value (site.toml, front matter of every kind, kind fields,
/// tags, headings, task items) is `value`, with one page of each kind so every template of
/// the default theme renders it.
fn site_with_values(value: &str) -> Site {
    let t = format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
    // In Markdown the value is escaped text (raw HTML in content is the sanitizer's job, tested
    // above), so heading titles in the table of contents carry it as text.
    let md = value.replace('<', "\\<");
    Site::new()
        .file(
            "site.toml",
            &format!(
                "title = {t}\ndescription = {t}\nbase_url = \"https://example.org\"\nlanguage = \"zh-CN\"\n[extra]\nfooter = {t}\n"
            ),
        )
        .file(
            "content/_index.md",
            &format!("+++\ntitle = {t}\ndescription = {t}\n+++\n[[e1]] [[r1]] [[c1]] [[g1]]\n"),
        )
        .file(
            "content/elements/_index.md",
            &format!("+++\ntitle = {t}\ndescription = {t}\n+++\n"),
        )
        .file(
            "content/elements/e1.md",
            &format!(
                "+++\ntitle = {t}\ndescription = {t}\nkind = \"element\"\nletter = {t}\norder = 1\naliases = [\"e1\"]\ntags = [{t}]\n+++\n## {md}\n"
            ),
        )
        .file(
            "content/roles/r1.md",
            &format!(
                "+++\ntitle = {t}\ndescription = {t}\nkind = \"role\"\naliases = [\"r1\"]\ntags = [{t}, \"普通\"]\nresponsibilities = [{t}]\n+++\n"
            ),
        )
        // `date` is checked to be a date (a payload there is an `invalid-date` error, see
        // tests/safe_output.rs), so it holds a real one here.
        .file(
            "content/rituals/x1.md",
            &format!(
                "+++\ntitle = {t}\ndescription = {t}\nkind = \"ritual\"\nelement = \"e1\"\nroles = [\"r1\"]\nstage = \"intro\"\nfrequency = {t}\nduration = {t}\nchecklist = \"c1\"\ntags = [{t}]\ndate = 2026-01-31\n+++\n- [ ] {md}\n"
            ),
        )
        .file(
            "content/checklists/c1.md",
            &format!(
                "+++\ntitle = {t}\nkind = \"checklist\"\naliases = [\"c1\"]\nfor = [\"x1\"]\n+++\n- [ ] 一项\n"
            ),
        )
        .file(
            "content/guides/g1.md",
            &format!(
                "+++\ntitle = {t}\ndescription = {t}\naliases = [\"g1\"]\ntags = [{t}]\n+++\n[[x1]]\n"
            ),
        )
}

/// The output's files, tag pages renamed to `tags/*` (their paths come from the tag's text).
fn outputs(site: &Site) -> std::collections::BTreeMap<String, String> {
    snapshot(&site.public())
        .into_iter()
        .map(|(path, bytes)| {
            let path = match path.strip_prefix("tags/") {
                Some(rest) if rest.contains('/') && rest.ends_with("/index.html") => {
                    if rest.starts_with("pu-tong/") {
                        "tags/pu-tong/index.html".to_string()
                    } else {
                        "tags/*".to_string()
                    }
                }
                _ => path,
            };
            (path, String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect()
}

#[test]
fn front_matter_and_config_values_are_escaped_in_every_template() {
    // The theme has its own <script>, <meta>, <button>…: compare every page against the same
    // site with a harmless value. The hostile value must add no tag and no attribute.
    // Starts with ASCII punctuation like the hostile value, so both sort the same way.
    let benign = site_with_values("!平常值");
    let o = benign.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let hostile = site_with_values(HOSTILE);
    let o = hostile.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let (base, got) = (outputs(&benign), outputs(&hostile));
    assert_eq!(
        base.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "the same pages"
    );
    // Every kind of page the default theme renders is there.
    for expected in [
        "index.html",
        "404.html",
        "elements/index.html",
        "elements/e1/index.html",
        "roles/r1/index.html",
        "rituals/x1/index.html",
        "checklists/c1/index.html",
        "guides/g1/index.html",
        "matrix/index.html",
        "lifecycle/index.html",
        "coverage/index.html",
        "tags/index.html",
        "tags/*",
    ] {
        assert!(
            got.contains_key(expected),
            "{expected} not rendered: {:?}",
            got.keys()
        );
    }
    let shape = |html: &str| -> Vec<(String, Vec<String>)> {
        tags(html)
            .into_iter()
            .map(|t| (t.name, t.attrs.into_iter().map(|(n, _)| n).collect()))
            .collect()
    };
    for (path, text) in &got {
        if path.ends_with(".html") {
            let (mine, theirs) = (shape(text), shape(&base[path]));
            if let Some(at) =
                (0..mine.len().max(theirs.len())).find(|&i| mine.get(i) != theirs.get(i))
            {
                panic!(
                    "{path}: the value changed the markup at tag {at}: {:?} instead of {:?}",
                    mine.get(at),
                    theirs.get(at)
                );
            }
            assert_eq!(dangers(text), dangers(&base[path]), "{path}");
            assert!(
                !text.contains("<img src=x") && !text.contains("<svg onload"),
                "{path}"
            );
            // The cache-busting build id is a hash of the theme's files: any digits.
            let without_ids: String = text
                .split("v=")
                .enumerate()
                .map(|(k, part)| {
                    if k == 0 {
                        part
                    } else {
                        part.trim_start_matches('"')
                            .trim_start_matches(|c: char| c.is_ascii_hexdigit())
                    }
                })
                .collect();
            assert!(!without_ids.contains("49"), "{path}: a value was evaluated");
        }
        if path.ends_with(".json") {
            // JSON is parsed, never pasted into HTML: it must stay valid JSON.
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"));
        }
        if path.ends_with(".xml") {
            assert!(!text.contains("<img") && !text.contains("<svg"), "{path}");
        }
    }
    // The value did reach every template (escaped), so the comparisons above saw it.
    let escaped = "&lt;img src=x onerror=alert(1)&gt;";
    for (path, text) in got.iter().filter(|(p, _)| p.ends_with(".html")) {
        assert!(text.contains(escaped), "{path} does not show the value");
    }
}

#[test]
fn content_is_never_evaluated_as_a_template() {
    let body = "+++\ntitle = \"{{ 6 * 7 }} {% raw %}\"\ndescription = \"{{ site.title }}\"\n+++\n[[班长]]\n\n算式 {{ 6 * 7 }} 与 {% include \"base.html\" %} 与 {{ config }} 与 {# note #}。\n\n```\n{% for x in [1,2] %}{{ x }}{% endfor %}\n```\n";
    let site = handbook().file("content/guides/模板.md", body);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let html = site.read("guides/mo-ban/index.html");
    let b = body_of(&html);
    for literal in [
        "{{ 6 * 7 }}",
        "{% include \"base.html\" %}",
        "{{ config }}",
        "{# note #}",
        "{% for x in [1,2] %}{{ x }}{% endfor %}",
    ] {
        assert!(b.contains(literal), "{literal} not literal in:\n{b}");
    }
    assert!(!b.contains("42"), "{b}");
    assert!(
        html.contains("<h1>{{ 6 * 7 }} {% raw %}</h1>") || html.contains("{{ 6 * 7 }} {% raw %}")
    );
    assert!(
        html.contains("content=\"{{ site.title }}\""),
        "description evaluated"
    );
}

#[test]
fn javascript_links_in_every_markdown_spelling_are_dropped_and_reported() {
    let body = "+++\ntitle = \"链接\"\n+++\n[[班长]]\n\n\
[a](javascript:alert(1))\n\n\
[b](JAVASCRIPT:alert(1))\n\n\
[c](<javascript:alert(1)>)\n\n\
[d](&#106;avascript:alert(1))\n\n\
[e][ref]\n\n\
<javascript:alert(1)>\n\n\
![f](javascript:alert(1))\n\n\
[g](vbscript:msgbox(1))\n\n\
[h](data:text/html,<script>alert(1)</script>)\n\n\
[ref]: javascript:alert(1)\n";
    let site = handbook().file("content/guides/链接.md", body);
    let o = site.build();
    assert_eq!(o.status, Status::Ok, "{}", human(&o.diagnostics));
    let lines: Vec<usize> = o
        .diagnostics
        .iter()
        .filter(|d| d.code == "unsafe-link")
        .map(|d| {
            assert_eq!(d.file, "content/guides/链接.md");
            d.line
        })
        .collect();
    assert_eq!(
        lines,
        [6, 8, 10, 12, 14, 16, 18, 20, 22],
        "{}",
        human(&o.diagnostics)
    );
    let html = site.read("guides/lian-jie/index.html");
    let b = body_of(&html);
    assert!(dangers(b).is_empty(), "{:?}", dangers(b));
    assert!(!b.to_ascii_lowercase().contains("href=\"javascript"), "{b}");
    for text in ["a", "b", "e", "g", "h"] {
        assert!(
            b.contains(&format!("<p>{text}</p>")),
            "link text {text} kept:\n{b}"
        );
    }
}
