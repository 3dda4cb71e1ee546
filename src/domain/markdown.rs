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
}
