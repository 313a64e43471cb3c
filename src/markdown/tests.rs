use super::*;
use crate::config::Config;

fn html(md: &str, resolved: &[Resolved]) -> String {
    let s = scan(md, 0);
    let config = Config::defaults(std::path::Path::new("."));
    let mut opts = RenderOptions::new(&config);
    opts.anchor_label = "link";
    render(md, &s, resolved, &opts)
}

#[test]
fn heading_ids_keep_chinese_are_unique_and_overridable() {
    let s = scan("## 流程\n\n## 流程\n\n## 准备 {#prep}\n", 0);
    let ids: Vec<_> = s.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["流程", "流程-1", "prep"]);
    let out = html("## 流程\n", &[]);
    assert!(
        out.contains("<h2 id=\"流程\">流程<a class=\"anchor\" href=\"#流程\""),
        "{out}"
    );
}

#[test]
fn links_in_code_are_not_links() {
    let s = scan("`[[班长]]`\n\n```\n[[群主]]\n```\n\n[[组长]]\n", 0);
    assert_eq!(s.links.len(), 1);
    assert_eq!(s.links[0].target, "组长");
    assert!(s.links[0].wiki);
}

#[test]
fn wiki_links_render_with_title_or_given_text() {
    let r = Resolved::Internal {
        url: "/roles/ban-zhang/#职责".into(),
        title: "班长".into(),
    };
    let out = html("见 [[班长#职责]]。", std::slice::from_ref(&r));
    assert!(
        out.contains("<a class=\"internal\" href=\"/roles/ban-zhang/#职责\">班长 › 职责</a>"),
        "{out}"
    );
    let out = html("见 [[班长|我们的班长]]。", &[r]);
    assert!(out.contains(">我们的班长</a>"), "{out}");
}

#[test]
fn task_items_get_stable_ids() {
    let md = "- [ ] 发欢迎词 {#welcome}\n- [x] 发红包\n";
    let out = html(md, &[]);
    assert!(out.contains("<ul class=\"checklist\">"), "{out}");
    assert!(out.contains("<li class=\"task\" data-task-id=\"welcome\"><input type=\"checkbox\" disabled> 发欢迎词</li>"), "{out}");
    let id = task_id("发红包");
    assert!(
        out.contains(&format!(
            "data-task-id=\"{id}\"><input type=\"checkbox\" disabled checked> 发红包"
        )),
        "{out}"
    );
    // Moving an item does not change its id.
    let moved = html("- [x] 发红包\n- [ ] 发欢迎词 {#welcome}\n", &[]);
    assert!(moved.contains(&format!("data-task-id=\"{id}\"")));
    let s = scan(md, 0);
    assert_eq!((s.tasks, s.tasks_done), (2, 1));
}

#[test]
fn raw_html_is_sanitized() {
    let out = html(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> <a href=\"javascript:alert(1)\">x</a>\n\n## 标题\n",
        &[],
    );
    assert!(!out.contains("<script"), "{out}");
    assert!(!out.contains("onerror"), "{out}");
    assert!(!out.contains("javascript:"), "{out}");
    assert!(out.contains("<h2 id=\"标题\">"), "{out}");
}

#[test]
fn toc_nests() {
    let s = scan("## a\n### b\n## c\n", 0);
    let t = toc(&s.headings);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].children[0].title, "b");
}

#[test]
fn summary() {
    let s = scan("# 标题\n\n第一段 text here。\n\n第二段\n", 0);
    assert_eq!(s.summary, "第一段 text here。");
}

/// The render pass replays the scan's recorded events: they must be the parser's, event for
/// event, whatever the body holds (rewritten text, rare tags, tables, links of every kind).
#[test]
fn the_tape_replays_the_parse() {
    let bodies = [
        "# 标题 {#top .wide data-x=1}\n\n## 二级 {#two}\n\n正文&amp;实体\\*转义\\* **粗** *斜* ~~删~~ `码`\n",
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n- [ ] 任务 {#t1}\n- [x] 完成\n\n1. 一\n2. 二\n\n7. 七\n",
        "[行内](https://example.org \"题\") [引用][r] [[维基]] [[页|显示]] <https://a.b/> <x@y.z>\n\n[r]: /ref \"t\"\n\n![图](a.png)\n",
        "> [!NOTE]\n> 提示\n\n> 引用\n\n```yaml\na: 1\n```\n\n    缩进码\n\n```template 欢迎词\n你好{名}\n```\n",
        "脚注[^1]\n\n[^1]: 出处\n\n---\n\n<div>\n<b>原始</b>\n</div>\n\n行内<span>HTML</span>，硬换行  \n下一行\\\n再一行\n\n\0空字符&#x4e2d;&copy;\n",
        "",
        "x",
    ];
    for body in bodies {
        let s = scan(body, 0);
        let tape = s.tape.as_ref().expect("a short body is recorded");
        let parsed: Vec<_> = pulldown_cmark::Parser::new_ext(body, options()).collect();
        assert_eq!(tape.replay(body), Some(parsed), "{body:?}");
        // Onto another body it declines.
        let other = format!("{body} ");
        assert_eq!(tape.replay(&other), None, "{body:?}");
        // Nor onto a body of the same length (one ASCII character changed).
        if let Some(at) = body.bytes().position(|b| b.is_ascii_alphanumeric()) {
            let mut same_length = body.as_bytes().to_vec();
            same_length[at] = if same_length[at] == b'z' { b'y' } else { b'z' };
            let same_length = String::from_utf8(same_length).expect("ASCII for ASCII");
            assert_eq!(tape.replay(&same_length), None, "{body:?}");
        }
    }
}
