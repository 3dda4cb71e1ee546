//! Staff-written Markdown to safe HTML.
//!
//! Rendered once when content is saved and stored beside the source, so pages do no
//! parsing per request. Sanitized even though only staff write it: a stolen staff
//! session must not become stored cross-site scripting against residents.

use pulldown_cmark::{Options, Parser, html};

/// Renders CommonMark (with tables and strikethrough) and keeps only safe HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        let html = to_safe_html("## What you learn\n\n- patrol\n- *forensics*");
        assert!(html.contains("<h2>What you learn</h2>"));
        assert!(html.contains("<li><em>forensics</em></li>"));
    }

    #[test]
    fn strips_scripts_handlers_and_javascript_links() {
        let html =
            to_safe_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))");
        assert!(!html.contains("<script"));
        assert!(!html.contains("onerror"));
        assert!(!html.contains("javascript:"));
    }

    #[test]
    fn links_do_not_leak_the_opener() {
        let html = to_safe_html("[city](https://example.org)");
        assert!(html.contains("rel=\"noopener noreferrer\""));
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Hostile input built from the pieces attacks are made of never yields a script,
        /// an event handler or a script URL.
        #[test]
        fn no_input_yields_script(parts in proptest::collection::vec(proptest::sample::select(vec![
            "<script>", "</script>", "<img src=x ", "onerror=", "alert(1)", "javascript:", "JaVaScRiPt:",
            "[x](", ")", "<a href=\"", "\">", "<svg ", "onload=", "<style>", "&#106;", "&#x6A;", "\n\n",
            "`", "<!--", "-->", "<iframe ", "data:text/html,", "<", ">", "\"", "'", " ", "text",
        ]), 0..40)) {
            let html = to_safe_html(&parts.concat()).to_lowercase();
            // Text is escaped, so every literal `<` opens a real tag: look inside those.
            for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
                let name = tag.trim_start_matches('/').split_whitespace().next().unwrap_or("");
                proptest::prop_assert!(
                    !["script", "iframe", "style", "svg", "object", "embed"].contains(&name),
                    "element <{}> from {:?}", tag, parts
                );
                // Attribute values are quoted by the serializer: split on quotes to see
                // each attribute name apart from its value.
                for (i, piece) in tag.split('"').enumerate() {
                    if i % 2 == 0 {
                        for attr in piece.split_whitespace().skip(usize::from(i == 0)) {
                            proptest::prop_assert!(!attr.starts_with("on"), "handler in <{}> from {:?}", tag, parts);
                        }
                    } else {
                        let value = piece.trim();
                        proptest::prop_assert!(
                            !value.starts_with("javascript:") && !value.starts_with("data:"),
                            "script URL in <{}> from {:?}", tag, parts
                        );
                    }
                }
            }
        }

        /// Arbitrary text never panics the renderer.
        #[test]
        fn any_text_renders(text in "\\PC{0,300}") {
            let _ = to_safe_html(&text);
        }
    }
}
