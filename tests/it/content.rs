//! Pages and advisories: publish windows in the department's calendar, the home-page slot,
//! the Atom feed, staff editing with clear errors, and Markdown sanitization against a
//! corpus of script-injection payloads.

use crate::actors::{COORDINATOR, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

fn today() -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    jiff::Timestamp::now().to_zoned(tz).date()
}

async fn save(app: &TestApp, cookie: &str, form: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(format!("{}/staff/content/new", app.address))
        .header(reqwest::header::COOKIE, cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn advisory<'a>(slug: &'a str, title: &'a str, window: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("kind", "advisory"),
        ("slug", slug),
        ("title", title),
        ("summary", "A short summary."),
        ("body", "## Stay safe\n\nSome advice."),
        ("published", "yes"),
        ("on_home", "yes"),
    ];
    form.extend_from_slice(window);
    form
}

async fn advisories_show_only_inside_their_window(backend: Backend) {
    let app = spawn(backend).await;
    // The demo's winter advisory runs from November 1 to March 31 every year.
    let winter = {
        let d = today();
        d.month() >= 11 || d.month() <= 3
    };
    let status = app.get("/advisories/winter-driving").await.status().as_u16();
    assert_eq!(status, if winter { 200 } else { 404 });
    assert_eq!(app.get("/pages/community-policing").await.status().as_u16(), 200);

    let coordinator = session(&app, COORDINATOR).await;
    let (yesterday, tomorrow) = (
        today().yesterday().unwrap().to_string(),
        today().tomorrow().unwrap().to_string(),
    );
    let long_ago = (today() - jiff::Span::new().days(30)).to_string();
    let last_week = (today() - jiff::Span::new().days(7)).to_string();
    let cases = [
        (
            "storm-now",
            "Storm this week",
            vec![
                ("window", "dates"),
                ("from_date", yesterday.as_str()),
                ("until_date", tomorrow.as_str()),
            ],
            true,
        ),
        (
            "storm-past",
            "Storm last month",
            vec![
                ("window", "dates"),
                ("from_date", long_ago.as_str()),
                ("until_date", last_week.as_str()),
            ],
            false,
        ),
        (
            "from-tomorrow",
            "Starts tomorrow",
            vec![("window", "dates"), ("from_date", tomorrow.as_str())],
            false,
        ),
        ("always-on", "Always on", vec![("window", "always")], true),
    ];
    for (slug, title, window, _) in &cases {
        let (status, body) = save(&app, &coordinator, &advisory(slug, title, window)).await;
        assert_eq!(status, 303, "{slug}: {body}");
    }
    // A season that holds today, and one that holds every day but today.
    let md = |d: jiff::civil::Date| format!("{:02}-{:02}", d.month(), d.day());
    let (t, tm, ys) = (
        md(today()),
        md(today().tomorrow().unwrap()),
        md(today().yesterday().unwrap()),
    );
    let (status, _) = save(
        &app,
        &coordinator,
        &advisory(
            "season-in",
            "Season in",
            &[("window", "season"), ("season_from", &t), ("season_until", &t)],
        ),
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = save(
        &app,
        &coordinator,
        &advisory(
            "season-out",
            "Season out",
            &[("window", "season"), ("season_from", &tm), ("season_until", &ys)],
        ),
    )
    .await;
    assert_eq!(status, 303);

    let (_, list) = app.get_text("/advisories").await;
    let (_, home) = app.get_text("/").await;
    let feed = app.get("/feeds/news.atom").await.text().await.unwrap();
    for (slug, showing) in [
        ("storm-now", true),
        ("storm-past", false),
        ("from-tomorrow", false),
        ("always-on", true),
        ("season-in", true),
        ("season-out", false),
    ] {
        let path = format!("/advisories/{slug}");
        assert_eq!(
            app.get(&path).await.status().as_u16(),
            if showing { 200 } else { 404 },
            "{slug}"
        );
        assert_eq!(list.contains(&path), showing, "{slug} on the list");
        assert_eq!(home.contains(&path), showing, "{slug} on the home page");
        assert_eq!(feed.contains(&path), showing, "{slug} in the feed");
    }
    // Unpublished drafts stay hidden; pages never go on the home page.
    let mut draft = advisory("draft-one", "Draft", &[("window", "always")]);
    draft.retain(|(k, _)| *k != "published");
    assert_eq!(save(&app, &coordinator, &draft).await.0, 303);
    assert_eq!(app.get("/advisories/draft-one").await.status().as_u16(), 404);
    let page = vec![
        ("kind", "page"),
        ("slug", "our-units"),
        ("title", "Our units"),
        ("body", "Motors, K-9 and more."),
        ("published", "yes"),
        ("on_home", "yes"),
    ];
    assert_eq!(save(&app, &coordinator, &page).await.0, 303);
    assert_eq!(app.get("/pages/our-units").await.status().as_u16(), 200);
    assert!(!app.get_text("/").await.1.contains("our-units"));
    assert_eq!(
        app.get("/advisories/our-units").await.status().as_u16(),
        404,
        "a page is not an advisory"
    );
    let staff_list = app.page_as(&coordinator, "/staff/content").await;
    assert!(staff_list.contains("Published, outside its window") && staff_list.contains("Draft"));
}

async fn staff_get_clear_errors_and_edits_keep_their_address(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let (status, page) = save(
        &app,
        &coordinator,
        &[
            ("kind", "advisory"),
            ("slug", "Bad Slug"),
            ("title", ""),
            ("body", ""),
            ("window", "season"),
            ("season_from", "13-01"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    for message in ["web address name", "Give a title", "Write the text", "MM-DD"] {
        assert!(page.contains(message), "{message}");
    }
    let (status, page) = save(
        &app,
        &coordinator,
        &advisory("winter-driving", "Copy", &[("window", "always")]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Another page already uses this web address name."));
    // Editing the demo page: new text, same address; the audit log records it.
    let item = app.store.content_by_slug("community-policing").await.unwrap().unwrap();
    let res = app
        .client
        .post(format!("{}/staff/content/{}", app.address, item.id))
        .header(reqwest::header::COOKIE, &coordinator)
        .form(&[
            ("kind", "page"),
            ("slug", "community-policing"),
            ("title", "Community policing in Harbor Point"),
            ("body", "Working together."),
            ("published", "yes"),
            ("window", "always"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, page) = app.get_text("/pages/community-policing").await;
    assert!(page.contains("Community policing in Harbor Point") && page.contains("Working together."));
    assert_eq!(
        app.store
            .audit_for("content", &item.id.to_string())
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Payloads from common XSS cheat sheets, in Markdown and raw HTML.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>*{display:none}</style>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\"><script>alert(1)</script>",
    "<IMG SRC=\"jav&#x09;ascript:alert(1);\">",
];

async fn markdown_never_carries_scripts(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    for (i, payload) in XSS.iter().enumerate() {
        let slug = format!("xss-{i}");
        let body = format!("Safe words before.\n\n{payload}\n\nSafe words after.");
        let form = [
            ("kind", "page"),
            ("slug", slug.as_str()),
            ("title", "Test"),
            ("body", body.as_str()),
            ("published", "yes"),
            ("window", "always"),
        ];
        let (status, _) = save(&app, &coordinator, &form).await;
        assert_eq!(status, 303, "{payload}");
        let (_, page) = app.get_text(&format!("/pages/{slug}")).await;
        let start = page.find("<div class=\"usa-prose\">").unwrap();
        // Up to the page's own footer line (a payload may swallow the text after it).
        let end = start + page[start..].find("Last updated").unwrap();
        let rendered = page[start..end].to_lowercase();
        for bad in [
            "<script",
            "javascript:",
            "vbscript:",
            "data:text",
            "onerror",
            "onload",
            "onfocus",
            "ontoggle",
            "<iframe",
            "<object",
            "<embed",
            "<style",
            "<meta",
            "<base",
            "<form",
            "<input",
            "style=",
        ] {
            assert!(
                !rendered.contains(bad),
                "payload {payload:?} left {bad:?} in {rendered}"
            );
        }
        assert!(page.contains("Safe words before."), "the rest of the text stays");
    }
}

on_both_backends!(
    advisories_show_only_inside_their_window,
    staff_get_clear_errors_and_edits_keep_their_address,
    markdown_never_carries_scripts,
);
