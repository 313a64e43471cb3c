//! (c) of the catalogue's tests: one case of every code, in English and in Chinese.

use super::*;

/// (c): one case of every code, its English text as qunce writes it and its Chinese text.
const CASES: &[(&str, bool, &str, &str)] = &[
    (
        "broken-link",
        false,
        "no page named `班常`",
        "没有名为 `班常` 的页面",
    ),
    (
        "broken-link",
        true,
        "did you mean [[班长]]?",
        "是不是想写 [[班长]]？",
    ),
    (
        "broken-link",
        false,
        "`roles` links to `班常` (no such page)",
        "字段 `roles` 链接到 `班常`（没有这个页面）",
    ),
    (
        "ambiguous-link",
        false,
        "`开营` matches 2 pages",
        "`开营` 对应 2 个页面",
    ),
    (
        "broken-anchor",
        false,
        "`班长` has no heading `#职责`",
        "`班长` 里没有标题 `#职责`",
    ),
    (
        "broken-anchor",
        true,
        "`班长` has no headings",
        "`班长` 里没有任何标题",
    ),
    (
        "wrong-kind",
        false,
        "`roles` must link to 角色, but `开营仪式` is a 仪式",
        "字段 `roles` 只能链接到角色，但 `开营仪式` 是仪式",
    ),
    (
        "duplicate-name",
        false,
        "`班长` names 2 pages: a.md and b.md",
        "`班长` 同时是 2 个页面的名字：a.md and b.md",
    ),
    (
        "orphan-page",
        false,
        "nothing links to `破冰`",
        "没有任何页面链接到 `破冰`",
    ),
    (
        "unused-role",
        false,
        "no ritual lists the role `值月生`",
        "没有哪个仪式列出角色 `值月生`",
    ),
    (
        "unlisted-role",
        false,
        "`组长` is linked here but not listed in `raci`",
        "这里链接了 `组长`，但 `raci` 里没有列出它",
    ),
    (
        "ritual-without-roles",
        true,
        "add `roles = [\"群主\", \"班长\"]` (who runs it) to the front matter",
        "在页面开头的设置（front matter）里加上 `roles = [\"群主\", \"班长\"]`（由谁来主持）",
    ),
    (
        "element-without-rituals",
        false,
        "no ritual belongs to the element `同好`",
        "没有哪个仪式属于要素 `同好`",
    ),
    (
        "unsafe-link",
        false,
        "`javascript:` links are dropped",
        "`javascript:` 链接已被去掉",
    ),
    (
        "scheme-typo",
        false,
        "`https:/x.cn` is missing the `//` after `https:`",
        "`https:/x.cn` 在 `https:` 后面少了 `//`",
    ),
    (
        "dead-output-link",
        false,
        "the link `/x/` leads nowhere in the output: it points outside the site",
        "链接 `/x/` 在生成的网站里无处可去：它指向网站之外",
    ),
    (
        "zh-typography",
        false,
        "Chinese typography: `开营:` reads better as `开营：`",
        "中文排版：`开营:` 改成 `开营：` 更好读",
    ),
    (
        "raw-html-too-deep",
        false,
        "raw HTML nested 300 levels deep is shown as text",
        "原始 HTML 嵌套了 300 层，会按文字显示",
    ),
    (
        "undeclared-placeholder",
        false,
        "the placeholder `{群名}` is not declared",
        "占位符 `{群名}` 没有声明",
    ),
    (
        "removed-html",
        false,
        "raw HTML `<script>` is removed",
        "原始 HTML 标签 `<script>` 已被去掉",
    ),
    (
        "shortcode",
        false,
        "`{{< ref \"a\" >}}` looks like a Hugo shortcode; it is printed as text",
        "`{{< ref \"a\" >}}` 看起来是 Hugo 的短代码（shortcode），会按原样显示为文字",
    ),
    (
        "footnote-without-definition",
        false,
        "the footnote `[^1]` has no definition; it is printed as text",
        "脚注 `[^1]` 没有定义，会按原样显示为文字",
    ),
    (
        "io",
        false,
        "cannot read content/a.md: permission denied",
        "无法读取 content/a.md：permission denied",
    ),
    (
        "invalid-utf8",
        false,
        "the file is not valid UTF-8",
        "文件不是有效的 UTF-8 编码",
    ),
    (
        "invalid-toml",
        false,
        "invalid TOML in front matter: expected `=`",
        "页面开头的设置（front matter）里 TOML 格式有误：expected `=`",
    ),
    (
        "invalid-yaml",
        true,
        "front matter between `---` lines is YAML: `key: value`, lists as `[a, b]` or `- a` lines",
        "`---` 之间的设置用 YAML 格式：`key: value`，列表写成 `[a, b]` 或一行一个 `- a`",
    ),
    (
        "placeholder-base-url",
        false,
        "base_url is still the placeholder `https://example.org`: sitemap.xml, robots.txt and feeds point there",
        "base_url 还是占位地址 `https://example.org`：sitemap.xml、robots.txt 和订阅源都会指向它",
    ),
    (
        "config",
        false,
        "`title` must be a string, found an integer",
        "`title` 应该是文字（字符串），这里是整数",
    ),
    (
        "config",
        false,
        "`output_dir = \"/tmp/x\"` is an absolute path; it must be a folder inside the site",
        "设置 `output_dir = \"/tmp/x\"` 是绝对路径；它必须是网站里面的文件夹",
    ),
    (
        "config",
        false,
        "`output_dir = \"content\"` is the site's content/ folder, which a build would replace",
        "设置 `output_dir = \"content\"` 是网站的 content/ 文件夹，构建时会被替换",
    ),
    (
        "unknown-key",
        false,
        "unknown front-matter key `titel` for kind `ritual`",
        "页面类型（kind）`ritual` 的页面开头设置（front matter）里没有字段 `titel`",
    ),
    (
        "unknown-lint",
        false,
        "unknown lint `orphan`",
        "未知的检查项 `orphan`",
    ),
    (
        "symlink",
        false,
        "symbolic links in content/ are not followed",
        "content/ 里的符号链接不会被跟随",
    ),
    (
        "special-file",
        false,
        "not a regular file; skipped",
        "不是普通文件，已跳过",
    ),
    (
        "url-collision",
        false,
        "`a.md` and `b.md` would both be written to /a/",
        "`a.md` 和 `b.md` 都会写到 /a/",
    ),
    (
        "url-collision",
        true,
        "rename the file, or give the page another `slug = \"...\"` in its front matter",
        "给这个文件改个名字，或者在页面开头的设置（front matter）里另写一个网址片段（slug）：`slug = \"...\"`",
    ),
    (
        "unterminated-front-matter",
        false,
        "front matter opened with `+++` is never closed",
        "以 `+++` 开始的页面开头设置（front matter）没有结束",
    ),
    (
        "unknown-kind",
        false,
        "unknown kind `ritul`",
        "未知的页面类型（kind）`ritul`",
    ),
    (
        "unknown-enum-value",
        true,
        "did you mean `growth`? allowed values: launch, growth",
        "是不是想写 `growth`？可选值：launch, growth",
    ),
    (
        "missing-field",
        false,
        "missing required field `roles` for kind `ritual`",
        "页面类型（kind）`ritual` 缺少必填字段 `roles`",
    ),
    (
        "wrong-type",
        false,
        "`roles` must be a list of strings, found a string",
        "字段 `roles` 应该是文字列表，这里是文字（字符串）",
    ),
    (
        "wrong-type",
        true,
        "write it as a list: `roles = [\"班长\"]`",
        "写成列表：`roles = [\"班长\"]`",
    ),
    (
        "invalid-date",
        true,
        "write `date = 2026-01-05` (year-month-day)",
        "写成 `date = 2026-01-05`（年-月-日）",
    ),
    (
        "invalid-schedule",
        false,
        "`D+x` is not a schedule",
        "`D+x` 不是有效的日程",
    ),
    (
        "unknown-raci-part",
        false,
        "`leed` is not a part of `raci`",
        "`leed` 不是 `raci` 的一部分",
    ),
    (
        "redirect",
        false,
        "redirect target `/x/` is not a page of this site",
        "跳转目标 `/x/` 不是本网站的页面",
    ),
    (
        "redirect-collision",
        false,
        "redirect from `/a/` (an alias of content/b.md) collides with the page content/a.md",
        "从 `/a/`（content/b.md 的别名）的跳转与页面 content/a.md 冲突",
    ),
    (
        "unknown-feed-section",
        false,
        "[feeds] sections names `news`, which is no section",
        "[feeds] 的 sections 里写了 `news`，但没有这个章节",
    ),
    (
        "template",
        false,
        "template syntax error in `page.html`: unexpected `}`",
        "`page.html` 里模板语法错误：unexpected `}`",
    ),
    (
        "template",
        true,
        "while rendering content/a.md; check the theme's templates",
        "渲染 content/a.md 时出错；检查主题的模板",
    ),
    (
        "output-dir",
        false,
        "refusing to write the site into /s/content: it is the site's content/ folder",
        "不会把网站写进 /s/content：它是网站的 content/ 文件夹",
    ),
    (
        "serve",
        false,
        "cannot start the HTTP server: address in use",
        "无法启动 HTTP 服务：address in use",
    ),
    (
        "scheme-typo",
        false,
        "`htps:` looks like a typo of `https:`",
        "`htps:` 看起来是 `https:` 的笔误",
    ),
    (
        "scaffold",
        false,
        "`周会:复盘` cannot be a file name on Windows: `:` is not allowed in a file name",
        "`周会:复盘` 在 Windows 上不能用作文件名：文件名里不能有 `:`",
    ),
];

#[test]
fn every_code_has_a_tested_english_and_chinese_case() {
    for &(code, help, english, chinese) in CASES {
        assert!(
            is_catalogued(code, english, help),
            "{code}: no template for {english}"
        );
        assert_eq!(translate(code, english, help, Lang::En), english);
        assert_eq!(
            translate(code, english, help, Lang::ZhCn),
            chinese,
            "{code}"
        );
    }
    let tested: std::collections::BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    let untested: Vec<&String> = catalogue(Lang::En)
        .codes
        .keys()
        .filter(|c| c.as_str() != COMMON && !tested.contains(c.as_str()))
        .collect();
    assert!(untested.is_empty(), "codes without a case: {untested:?}");
}
