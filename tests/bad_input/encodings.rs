//! Invalid UTF-8 in content, config and templates; BOMs; CRLF and bare CR; NUL bytes.

use super::*;

#[test]
fn invalid_utf8_in_content() {
    good()
        .bytes(
            BAD,
            b"+++\ntitle = \"\xb0\xe0\xb3\xa4\"\nkind = \"role\"\n+++\n",
        )
        .expect(1, &[e("invalid-utf8", BAD, 2, 10)]);
}

#[test]
fn gbk_encoded_page() {
    // 班长 in GBK.
    good()
        .bytes(BAD, b"\xb0\xe0\xb3\xa4\n")
        .expect(1, &[e("invalid-utf8", BAD, 1, 1)]);
}

#[test]
fn invalid_utf8_in_site_toml() {
    good()
        .bytes("site.toml", b"title = \"\xff\xfe\"\n")
        .expect(2, &[e("invalid-utf8", "site.toml", 1, 10)]);
}

#[test]
fn invalid_utf8_in_a_template() {
    good()
        .bytes("templates/page.html", b"<p>\xff</p>\n")
        .expect(1, &[e("template", "templates/page.html", 0, 0)]);
}

#[test]
fn boms_in_content_and_site_toml() {
    let c = good();
    c.write(
        ROLE,
        "\u{feff}+++\ntitle = \"班长 BOM\"\nkind = \"role\"\n+++\n## 职责\n",
    )
    .write("site.toml", &format!("\u{feff}{}", common::SITE_TOML))
    .expect(0, &[]);
    assert!(c.read("roles/ban-zhang/index.html").contains("班长 BOM"));
}

#[test]
fn crlf_line_endings_keep_line_numbers() {
    let c = good();
    c.write(
        ROLE,
        "+++\r\ntitle = \"班长\"\r\nkind = \"role\"\r\n+++\r\n## 职责\r\n\r\n见 [[开营仪式]]。\r\n\r\n见 [[没有]]。\r\n",
    )
    .expect(1, &[e("broken-link", ROLE, 9, 3)]);
    c.write(
        ROLE,
        "+++\r\ntitle = \"班长\"\r\nkind = \"role\"\r\nweight = \"x\"\r\n+++\r\n",
    )
    .expect(1, &[e("wrong-type", ROLE, 4, 10)]);
    c.write(
        ROLE,
        "+++\r\ntitle = \"班长 CRLF\"\r\nkind = \"role\"\r\n+++\r\n## 职责\r\n",
    )
    .expect(0, &[]);
    let html = c.read("roles/ban-zhang/index.html");
    assert!(html.contains("班长 CRLF") && html.contains("id=\"职责\""));
}

#[test]
fn nul_bytes_in_content() {
    let c = good();
    c.bytes(
        ROLE,
        b"+++\ntitle = \"\\u0000\xe7\x8f\xad\xe9\x95\xbf\"\nkind = \"role\"\n+++\n## \xe8\x81\x8c\xe8\xb4\xa3\n\nNUL\0here [[\0]]\n",
    )
    .expect(1, &[e("broken-link", ROLE, 7, 10)]);
    c.bytes(
        ROLE,
        b"+++\ntitle = \"\\u0000NUL\"\nkind = \"role\"\n+++\nNUL\0here\n",
    )
    .expect(0, &[]);
    let html = c.read("roles/ban-zhang/index.html");
    assert!(html.contains("NUL"));
    assert!(!html.contains('\0'), "NUL written to HTML");
}

#[test]
fn nul_byte_raw_in_front_matter() {
    // Raw NUL is replaced by U+FFFD before parsing (CommonMark's rule), so the TOML is valid.
    let c = good();
    c.bytes(BAD, b"+++\ntitle = \"a\0b\"\n+++\n[[\0]]\n")
        .expect(1, &[e("broken-link", BAD, 4, 1)]);
    c.bytes(BAD, b"+++\ntitle = \"a\0b\"\n+++\n\0\n")
        .expect(0, &[]);
    let html = c.read("guides/huai/index.html");
    assert!(html.contains("<title>a\u{fffd}b") && !html.contains('\0'));
}

#[test]
fn bare_carriage_returns() {
    let c = good();
    // Old Mac line endings: TOML only knows LF and CRLF, so this is not front matter but text.
    // As text, its straight quotes around Chinese are a typography warning too.
    c.write(BAD, "+++\rtitle = \"坏\"\rkind = \"role\"\r+++\r## 职责\r")
        .expect(0, &[w("zh-typography", BAD, 1, 12)]);
    assert!(
        c.read("guides/huai/index.html")
            .contains("title = &quot;坏&quot;")
    );
}
