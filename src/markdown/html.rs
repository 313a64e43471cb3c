//! The second pass over a page's body: HTML, with the links the links stage resolved, heading
//! anchors, alerts, template cards, embeds and interactive checklist markup.

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd,
};

use super::{
    Labels, MAX_RAW_HTML_DEPTH, Resolved, Scan, autolink, embed, highlight, options, sanitize,
    strip_task_id, task_id,
};
use crate::config::{Config, RawHtml};
use crate::playbook::template;
use crate::text::{escape, percent_decode, push_escaped};

/// What [`render`] takes from the site's configuration and the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RenderOptions<'a> {
    pub(crate) raw_html: RawHtml,
    /// The anchor links' accessible name.
    pub(crate) anchor_label: &'a str,
    /// UI strings, for the kinds of template blocks (see [`Labels::ui`]).
    pub(crate) ui: Option<&'a std::collections::BTreeMap<String, String>>,
    /// Hosts whose `<iframe>`s the safe policy keeps.
    pub(crate) embed_hosts: &'a [String],
    /// Alert titles by kind: note, tip, important, warning, caution.
    pub(crate) alert_titles: [&'a str; 5],
    /// The body offset of the `#` heading the page's title was taken from: the theme shows
    /// the title already, so the heading is not rendered a second time.
    pub(crate) title_heading: Option<usize>,
}

impl<'a> RenderOptions<'a> {
    /// The options of a page of a site configured by `config`.
    pub(crate) fn new(config: &'a Config) -> Self {
        let ui = |k: &str| config.ui.get(k).map_or("", String::as_str);
        RenderOptions {
            raw_html: config.raw_html,
            anchor_label: config.ui.get("anchor").map_or("#", String::as_str),
            ui: Some(&config.ui),
            embed_hosts: &config.embed_hosts,
            alert_titles: [
                ui("alert_note"),
                ui("alert_tip"),
                ui("alert_important"),
                ui("alert_warning"),
                ui("alert_caution"),
            ],
            title_heading: None,
        }
    }
}

/// The CSS class and title index of a GitHub alert kind.
fn alert(kind: BlockQuoteKind) -> (&'static str, usize) {
    match kind {
        BlockQuoteKind::Note => ("note", 0),
        BlockQuoteKind::Tip => ("tip", 1),
        BlockQuoteKind::Important => ("important", 2),
        BlockQuoteKind::Warning => ("warning", 3),
        BlockQuoteKind::Caution => ("caution", 4),
    }
}

/// Second pass: HTML for the body, with links replaced by their resolutions.
pub(crate) fn render(
    body: &str,
    scan: &Scan,
    resolved: &[Resolved],
    opts: &RenderOptions<'_>,
) -> String {
    let raw_html = opts.raw_html;
    let anchor_label = opts.anchor_label;
    let labels = Labels { ui: opts.ui };
    // The scan's events when it recorded them from this body, else a parse of the same.
    let mut events: Vec<Event<'_>> = match scan.tape.as_ref().and_then(|t| t.replay(body)) {
        Some(events) => events,
        None => {
            let mut events = Vec::with_capacity(scan.events);
            events.extend(Parser::new_ext(body, options()));
            events
        }
    };
    if scan.has_raw_html {
        join_html(&mut events);
    }
    // The heading the title came from is left out (see [`RenderOptions::title_heading`]).
    let skip_heading = match (opts.title_heading, scan.first_h1) {
        (Some(at), Some((ix, h1_at))) if at == h1_at => Some(ix),
        _ => None,
    };
    // Allowed embeds, kept away from the sanitizer and put back after it.
    let mut embeds: Vec<String> = Vec::new();
    let checklists = lists_with_tasks(&events);
    // Raw HTML nested deeper than the sanitizer handles in reasonable time is shown as text:
    // safe by construction, and reported as a warning by the caller.
    let escape_raw = raw_html == RawHtml::Safe && scan.raw_html_depth > MAX_RAW_HTML_DEPTH;
    let mut out_events: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut heading_ix = 0;
    let mut link_ix = 0;
    // For each open list: whether we rewrote it as a checklist.
    let mut lists: Vec<bool> = Vec::new();
    // Inside a wiki link without display text: its inner text is replaced by the page title.
    let mut skip_text = false;
    let mut link_open = false;
    // A broken link's text is wrapped in a marker instead of `<a>`.
    let mut broken_open = false;
    let mut i = 0;
    while i < events.len() {
        let ev = &events[i];
        match ev {
            Event::Start(Tag::Heading { .. }) if skip_heading == Some(heading_ix) => {
                while i < events.len() && !matches!(events[i], Event::End(TagEnd::Heading(_))) {
                    // Its links still own their place in `resolved`.
                    if matches!(
                        events[i],
                        Event::Start(Tag::Link { .. } | Tag::Image { .. })
                    ) {
                        link_ix += 1;
                    }
                    i += 1;
                }
                heading_ix += 1;
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if !highlight::is_template(info) =>
            {
                let mut code = String::new();
                i += 1;
                while let Some(Event::Text(t)) = events.get(i) {
                    code.push_str(t);
                    i += 1;
                }
                // `events[i]` is the block's end.
                out_events.push(Event::Html(highlight::code_block(info, &code).into()));
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = alert(*kind);
                let mut h = String::with_capacity(80);
                h.push_str("<div class=\"callout callout-");
                h.push_str(class);
                h.push_str("\">\n<p class=\"callout-title\">");
                push_escaped(&mut h, opts.alert_titles[title]);
                h.push_str("</p>\n");
                out_events.push(Event::Html(h.into()));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                out_events.push(Event::Html("</div>\n".into()));
            }
            Event::Html(h) | Event::InlineHtml(h)
                if raw_html == RawHtml::Safe
                    && !escape_raw
                    && h.len() > 7
                    && h.to_ascii_lowercase().contains("<iframe") =>
            {
                let kept = keep_embeds(h, opts.embed_hosts, &mut embeds);
                out_events.push(match ev {
                    Event::Html(_) => Event::Html(kept.into()),
                    _ => Event::InlineHtml(kept.into()),
                });
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                let mut h = String::with_capacity(id.len() + 12);
                h.push('<');
                h.push_str(tag_of(*level));
                h.push_str(" id=\"");
                push_escaped(&mut h, id);
                h.push_str("\">");
                out_events.push(Event::Html(h.into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                heading_ix += 1;
                let mut h = String::with_capacity(id.len() + anchor_label.len() + 50);
                h.push_str("<a class=\"anchor\" href=\"#");
                push_escaped(&mut h, id);
                h.push_str("\" aria-label=\"");
                push_escaped(&mut h, anchor_label);
                h.push_str("\">#</a></");
                h.push_str(tag_of(*level));
                h.push_str(">\n");
                out_events.push(Event::Html(h.into()));
            }
            Event::Start(Tag::List(None)) => {
                let is_checklist = checklists.contains(&i);
                lists.push(is_checklist);
                if is_checklist {
                    out_events.push(Event::Html("<ul class=\"checklist\">\n".into()));
                } else {
                    out_events.push(take(&mut events, i));
                }
            }
            Event::Start(Tag::List(Some(_))) => {
                lists.push(false);
                out_events.push(take(&mut events, i));
            }
            Event::End(TagEnd::List(false)) => {
                if lists.pop() == Some(true) {
                    out_events.push(Event::Html("</ul>\n".into()));
                } else {
                    out_events.push(take(&mut events, i));
                }
            }
            Event::End(TagEnd::List(true)) => {
                lists.pop();
                out_events.push(take(&mut events, i));
            }
            Event::Start(Tag::Item) if lists.last() == Some(&true) => {
                match task_item_text(&events, i) {
                    Some(text) => {
                        let (clean, explicit) = strip_task_id(&text);
                        let id = explicit.map_or_else(|| task_id(clean), str::to_string);
                        out_events.push(Event::Html(
                            format!("<li class=\"task\" data-task-id=\"{}\">", escape(&id)).into(),
                        ));
                    }
                    None => out_events.push(take(&mut events, i)),
                }
            }
            Event::TaskListMarker(done) => {
                out_events.push(Event::Html(
                    if *done {
                        "<input type=\"checkbox\" disabled checked> "
                    } else {
                        "<input type=\"checkbox\" disabled> "
                    }
                    .into(),
                ));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if template::info(info).is_some() =>
            {
                let (title, kind) = template::info(info).unwrap_or_default();
                let id = scan.headings.get(heading_ix).map_or("", |h| h.id.as_str());
                // The template's entry and the one resuming the heading it sits under.
                heading_ix += 2;
                let mut text = String::new();
                while let Some(Event::Text(t)) = events.get(i + 1) {
                    text.push_str(t);
                    i += 1;
                }
                if matches!(events.get(i + 1), Some(Event::End(TagEnd::CodeBlock))) {
                    i += 1;
                }
                out_events.push(Event::Html(
                    template_card(id, title, kind, text.trim_end_matches('\n'), labels).into(),
                ));
            }
            Event::Html(h) | Event::InlineHtml(h) if escape_raw => {
                out_events.push(Event::Text(h.clone()));
            }
            // The wiki link's target text, already replaced by the page title.
            Event::Text(_) if skip_text => {}
            Event::Text(t) => {
                // A trailing `{#id}` on a task item is markup, not text.
                let next_closes_item = matches!(
                    events.get(i + 1),
                    Some(Event::End(TagEnd::Item | TagEnd::Paragraph))
                        | Some(Event::Start(Tag::List(_)))
                );
                // Cheap tests first: this runs for every text event of every page.
                let stripped = (next_closes_item && lists.last() == Some(&true))
                    .then(|| strip_task_id(t))
                    .filter(|(_, id)| id.is_some());
                match stripped {
                    Some((text, _)) => out_events.push(Event::Text(CowStr::from(text.to_string()))),
                    None => out_events.push(take(&mut events, i)),
                }
            }
            Event::Start(Tag::Link {
                link_type, title, ..
            }) => {
                let res = resolved.get(link_ix).unwrap_or(&Resolved::Drop);
                link_ix += 1;
                let wiki_plain = matches!(link_type, LinkType::WikiLink { has_pothole: false });
                // Built by hand rather than with `format!`: one or two of these per link.
                let open_link = |class: &str, url: &str| {
                    let mut a = String::with_capacity(url.len() + title.len() + 40);
                    a.push_str("<a ");
                    a.push_str(class);
                    a.push_str("href=\"");
                    push_escaped(&mut a, url);
                    a.push('"');
                    if !title.is_empty() {
                        a.push_str(" title=\"");
                        push_escaped(&mut a, title);
                        a.push('"');
                    }
                    a.push('>');
                    Event::Html(a.into())
                };
                match res {
                    Resolved::Internal { url, title } => {
                        out_events.push(open_link("class=\"internal\" ", url));
                        if wiki_plain {
                            out_events.push(Event::Text(CowStr::from(wiki_text(title, url))));
                            skip_text = true;
                        }
                        link_open = true;
                    }
                    Resolved::Url(url) => {
                        out_events.push(open_link("", url));
                        link_open = true;
                    }
                    Resolved::Drop => link_open = false,
                    Resolved::Broken => {
                        out_events.push(Event::Html("<span class=\"broken-link\">".into()));
                        link_open = false;
                        broken_open = true;
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                skip_text = false;
                if link_open {
                    out_events.push(Event::Html("</a>".into()));
                }
                if broken_open {
                    out_events.push(Event::Html("</span>".into()));
                }
                link_open = false;
                broken_open = false;
            }
            Event::Start(Tag::Image {
                link_type,
                title,
                id,
                ..
            }) => {
                let res = resolved.get(link_ix).cloned().unwrap_or(Resolved::Drop);
                link_ix += 1;
                let url = match res {
                    Resolved::Internal { url, .. } | Resolved::Url(url) => url,
                    Resolved::Drop | Resolved::Broken => String::new(),
                };
                out_events.push(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: url.into(),
                    title: title.clone(),
                    id: id.clone(),
                }));
            }
            _ => out_events.push(take(&mut events, i)),
        }
        i += 1;
    }
    autolink::apply(&mut out_events);
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out_events.into_iter());
    if scan.has_raw_html && raw_html == RawHtml::Safe && !escape_raw {
        html = sanitize(&html);
        if !embeds.is_empty() {
            html = restore_embeds(&html, &embeds);
        }
    }
    html
}

/// Event `i`, moved out rather than cloned: the loop over a body's events only ever looks
/// ahead of the event it is at, never back.
fn take<'a>(events: &mut [Event<'a>], i: usize) -> Event<'a> {
    std::mem::replace(&mut events[i], Event::SoftBreak)
}

/// Joins the lines of each HTML block into one event, so a tag written over several lines
/// (an `<iframe` with one attribute a line) is read whole.
fn join_html(events: &mut Vec<Event<'_>>) {
    if !events
        .windows(2)
        .any(|w| matches!(w, [Event::Html(_), Event::Html(_)]))
    {
        return;
    }
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    for ev in events.drain(..) {
        match (out.last_mut(), ev) {
            (Some(Event::Html(prev)), Event::Html(next)) => {
                let mut joined = prev.to_string();
                joined.push_str(&next);
                *prev = joined.into();
            }
            (_, ev) => out.push(ev),
        }
    }
    *events = out;
}

/// The element that stands for allowed embed `n` while the sanitizer runs. A writer who types
/// it only repeats an embed already allowed, or gets nothing.
const EMBED_MARK: &str = "<span data-qunce-embed=\"";

/// Replaces the start tags of allowed iframes in `html` with numbered marks, keeping their
/// markup in `embeds`; other iframes are left for the sanitizer to remove.
fn keep_embeds(html: &str, hosts: &[String], embeds: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for frame in embed::iframes(html) {
        if !embed::allowed(&frame.src, hosts) {
            continue;
        }
        out.push_str(&html[from..frame.at]);
        out.push_str(EMBED_MARK);
        out.push_str(&embeds.len().to_string());
        out.push_str("\"></span>");
        embeds.push(embed::markup(&frame));
        from = frame.at + frame.len;
    }
    out.push_str(&html[from..]);
    out
}

/// Puts the embeds kept by [`keep_embeds`] back where their marks survived the sanitizer.
fn restore_embeds(html: &str, embeds: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + embeds.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(p) = rest.find(EMBED_MARK) {
        out.push_str(&rest[..p]);
        let after = &rest[p + EMBED_MARK.len()..];
        let close = "\"></span>";
        match after.split_once(close) {
            Some((n, tail)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                if let Some(e) = n.parse::<usize>().ok().and_then(|n| embeds.get(n)) {
                    out.push_str(e);
                }
                rest = tail;
            }
            _ => {
                out.push_str(EMBED_MARK);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A template block as a card: a `<figure>` that carries everything it shows, so it reads
/// and prints the same wherever it is put (a page, the print-all page). Placeholders become
/// `<span class="ph" data-ph="NAME">{NAME}</span>` for the theme to fill in; the theme's
/// script adds the copy button.
fn template_card(
    id: &str,
    title: &str,
    kind: Option<&str>,
    text: &str,
    labels: Labels<'_>,
) -> String {
    let mut h = String::with_capacity(text.len() * 2 + 200);
    h.push_str("<figure class=\"template\" id=\"");
    push_escaped(&mut h, id);
    h.push('"');
    if let Some(k) = kind {
        h.push_str(" data-kind=\"");
        push_escaped(&mut h, k);
        h.push('"');
    }
    h.push_str(">\n<figcaption><span class=\"template-title\">");
    push_escaped(&mut h, title);
    h.push_str("</span>");
    if let Some(k) = kind {
        let label = labels
            .ui
            .and_then(|ui| ui.get(&format!("template_kind_{k}")))
            .map_or(k, String::as_str);
        h.push_str(" <span class=\"template-kind\">");
        push_escaped(&mut h, label);
        h.push_str("</span>");
    }
    h.push_str("</figcaption>\n<div class=\"template-text\">");
    let mut from = 0;
    for (name, at) in template::placeholders(text) {
        push_escaped(&mut h, &text[from..at]);
        h.push_str("<span class=\"ph\" data-ph=\"");
        push_escaped(&mut h, name);
        h.push_str("\">{");
        push_escaped(&mut h, name);
        h.push_str("}</span>");
        from = at + name.len() + 2;
    }
    push_escaped(&mut h, &text[from..]);
    h.push_str("</div>\n</figure>\n");
    h
}

/// The shown text of `[[target]]` / `[[target#heading]]`: the page's title, plus the heading.
fn wiki_text(title: &str, url: &str) -> String {
    match url.split_once('#') {
        Some((_, anchor)) if !anchor.is_empty() => format!("{title} › {}", percent_decode(anchor)),
        _ => title.to_string(),
    }
}

fn tag_of(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// For every event index that starts a list, whether that list's own items have task markers.
/// One pass with a stack of open lists, so deeply nested lists stay linear.
fn lists_with_tasks(events: &[Event<'_>]) -> std::collections::HashSet<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut with_tasks = std::collections::HashSet::new();
    for (i, ev) in events.iter().enumerate() {
        match ev {
            Event::Start(Tag::List(_)) => open.push(i),
            Event::End(TagEnd::List(_)) => {
                open.pop();
            }
            Event::TaskListMarker(_) => {
                if let Some(&l) = open.last() {
                    with_tasks.insert(l);
                }
            }
            _ => {}
        }
    }
    with_tasks
}

/// The text of the task item starting at `start` (up to a nested list), or None if the item
/// has no task marker.
fn task_item_text(events: &[Event<'_>], start: usize) -> Option<String> {
    let mut text = String::new();
    let mut is_task = false;
    for ev in &events[start + 1..] {
        match ev {
            Event::TaskListMarker(_) => is_task = true,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Item) | Event::Start(Tag::List(_)) | Event::Start(Tag::Item) => {
                break;
            }
            _ => {}
        }
    }
    is_task.then_some(text)
}
