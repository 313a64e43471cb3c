//! site.toml with unknown keys, wrong types and bad values; broken and recursive templates.

use super::*;

#[test]
fn site_toml_with_unknown_keys() {
    good()
        .write(
            "site.toml",
            &format!(
                "{}titel = \"x\"\n[markdown]\nraw_htm = \"safe\"\n",
                common::SITE_TOML
            ),
        )
        .expect(
            0,
            &[
                w("unknown-key", "site.toml", 4, 1),
                w("unknown-key", "site.toml", 6, 1),
            ],
        );
}

#[test]
fn site_toml_with_wrong_types() {
    good()
        .write(
            "site.toml",
            "title = 1\nbase_url = [\"https://example.org\"]\nlanguage = \"zh-CN\"\n[markdown]\nraw_html = true\n",
        )
        .expect(
            2,
            &[
                e("config", "site.toml", 1, 9),
                e("config", "site.toml", 2, 12),
                e("config", "site.toml", 5, 12),
            ],
        );
}

#[test]
fn site_toml_invalid_toml_and_unknown_language() {
    let c = good();
    c.write("site.toml", "title = \"x\"\n[kinds\n")
        .expect(2, &[e("invalid-toml", "site.toml", 2, 7)]);
    c.write("site.toml", "title = \"x\"\nlanguage = \"klingon\"\n")
        .expect(2, &[e("config", "site.toml", 2, 12)]);
}

#[test]
fn site_toml_output_dir_over_the_sources() {
    good()
        .write(
            "site.toml",
            &format!("{}output_dir = \"content\"\n", common::SITE_TOML),
        )
        .expect(2, &[e("config", "site.toml", 4, 14)]);
}

#[test]
fn missing_theme() {
    good()
        .write(
            "site.toml",
            &format!("{}theme = \"nope\"\n", common::SITE_TOML),
        )
        .expect(1, &[e("config", "site.toml", 0, 0)]);
}

#[test]
fn template_syntax_error() {
    good()
        .write(
            "templates/404.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{{ page.title \n{% endblock main %}\n",
        )
        .expect(1, &[e("template", "templates/404.html", 4, 1)]);
}

#[test]
fn template_runtime_error() {
    let c = good();
    c.write(
        "templates/404.html",
        "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ site.title + 1 }}</p>\n{% endblock main %}\n",
    )
    .expect(1, &[e("template", "templates/404.html", 3, 7)]);
}

#[test]
fn template_that_includes_itself() {
    let c = good();
    c.write("templates/partials/loop.html", "{% include \"partials/loop.html\" %}\n")
        .write(
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{% include \"partials/loop.html\" %}\n{% endblock main %}\n",
        );
    let b = build(&c.site, GUARD);
    assert_eq!(b.code, Some(1), "{}", b.show());
    assert!(b.diags.iter().all(|d| d.1 == "template"), "{}", b.show());
    assert!(snapshot(&c.site.public()) == c.before);
}
