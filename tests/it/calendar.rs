//! iCalendar feeds, read back with an independent parser (the `ical` crate): stable UIDs,
//! local times with their VTIMEZONE, SEQUENCE growing with changes, cancellations kept as
//! STATUS:CANCELLED; private participant and presenter feeds; the Atom news feed, checked
//! against RFC 4287 with an independent XML parser.

use crate::actors::{COORDINATOR, OTHER_OFFICER, PRESENTING_OFFICER, post_as, session};
use crate::actors::{applicant_session, link_token, post_with};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// Every event of a feed as `name -> value` maps.
async fn events(app: &TestApp, class: i64) -> Vec<std::collections::HashMap<String, String>> {
    feed_events(app, &format!("/calendar/classes/{class}.ics")).await.1
}

pub type Event = std::collections::HashMap<String, String>;

/// The `Cache-Control` header and the events of the feed at `path`.
pub async fn feed_events(app: &TestApp, path: &str) -> (String, Vec<Event>) {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    let cache = res.headers()["cache-control"].to_str().unwrap().to_string();
    let text = res.text().await.unwrap();
    (cache, parse_events(&text))
}

fn parse_events(text: &str) -> Vec<Event> {
    assert!(text.lines().all(|l| l.len() <= 75), "folded at 75 octets");
    assert!(
        !text.contains("BEGIN:VEVENT") || text.contains("BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"),
        "time zone data included with events"
    );
    let mut calendars = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let calendar = calendars.next().expect("one calendar").expect("the feed parses");
    assert!(calendars.next().is_none());
    calendar
        .events
        .into_iter()
        .map(|e| {
            e.properties
                .into_iter()
                .map(|p| {
                    // Keep the TZID with the time, so tests see which zone it is in.
                    let tzid = p
                        .params
                        .unwrap_or_default()
                        .into_iter()
                        .find(|(k, _)| k == "TZID")
                        .map(|(_, v)| v.join(","));
                    let value = p.value.unwrap_or_default();
                    (p.name, tzid.map_or(value.clone(), |z| format!("{z}:{value}")))
                })
                .collect()
        })
        .collect()
}

async fn class_feeds_follow_changes_and_cancellations(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let detail = app.get_json(&format!("/api/v1/classes/{class}")).await;
    let ids: Vec<i64> = detail["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let before = events(&app, class).await;
    assert_eq!(before.len(), 12);
    for (e, id) in before.iter().zip(&ids) {
        assert_eq!(e["UID"], format!("session-{id}@127.0.0.1"));
        assert!(
            e["DTSTART"].starts_with("America/Los_Angeles:") && e["DTSTART"].ends_with("T180000"),
            "{e:?}"
        );
        assert!(
            e["DTEND"].ends_with("T210000"),
            "local wall-clock times, same across DST"
        );
        assert_eq!((e["STATUS"].as_str(), e["SEQUENCE"].as_str()), ("CONFIRMED", "0"));
        assert!(e["SUMMARY"].starts_with("Citizen Police Academy: "));
        assert_eq!(e["LOCATION"].matches("Community Room").count(), 1, "no repeated place");
    }
    // Cancel one session, move another: same UIDs, higher SEQUENCE, the cancelled one stays.
    let coordinator = session(&app, COORDINATOR).await;
    let cancel = format!("/staff/classes/{class}/sessions/{}/cancel", ids[0]);
    assert_eq!(
        post_as(&app, Some(&coordinator), &cancel, &[("confirm", "yes")]).await,
        303
    );
    let second = &detail["sessions"][1];
    let date = second["date"].as_str().unwrap();
    let edit = format!("/staff/classes/{class}/sessions/{}/edit", ids[1]);
    let form = [
        ("topic", "Night patrol: what happens after dark"),
        (
            "description",
            "Bring a jacket; we walk outside, rain or shine.\nDoors open at 18:15.",
        ),
        ("date", date),
        ("start", "19:00"),
        ("end", "21:30"),
        ("place", "Room 2, north entrance"),
    ];
    assert_eq!(post_as(&app, Some(&coordinator), &edit, &form).await, 303);
    let after = events(&app, class).await;
    assert_eq!(after.len(), 12, "cancelled sessions stay so calendars can remove them");
    let by_uid = |uid: String| after.iter().find(|e| e["UID"] == uid).unwrap().clone();
    let cancelled = by_uid(format!("session-{}@127.0.0.1", ids[0]));
    assert_eq!(
        (cancelled["STATUS"].as_str(), cancelled["SEQUENCE"].as_str()),
        ("CANCELLED", "1")
    );
    let moved = by_uid(format!("session-{}@127.0.0.1", ids[1]));
    assert_eq!(moved["SEQUENCE"], "1");
    assert_ne!(moved["DTSTART"], before[1]["DTSTART"]);
    assert!(
        moved["DESCRIPTION"].contains("Bring a jacket"),
        "{}",
        moved["DESCRIPTION"]
    );
    assert!(moved["LOCATION"].contains("Room 2"), "{}", moved["LOCATION"]);
    // Unknown, malformed and draft classes have no feed.
    assert_eq!(app.get("/calendar/classes/987654.ics").await.status().as_u16(), 404);
    assert_eq!(app.get("/calendar/classes/abc.ics").await.status().as_u16(), 404);
    assert_eq!(
        app.get(&format!("/calendar/classes/{class}")).await.status().as_u16(),
        404
    );
    let draft = open_class(
        &app,
        ClassSpec {
            status: precinct::domain::ClassStatus::Draft,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        app.get(&format!("/calendar/classes/{draft}.ics"))
            .await
            .status()
            .as_u16(),
        404
    );
    // The class page links the feed.
    let (_, page) = app.get_text(&format!("/classes/{class}")).await;
    assert!(page.contains(&format!("/calendar/classes/{class}.ics")));
}

/// The address shown once on a page (the value of the read-only input).
pub fn shown_address(page: &str) -> String {
    let start = page
        .find("id=\"calendar-url\" type=\"text\" readonly value=\"")
        .expect("the address is shown")
        + "id=\"calendar-url\" type=\"text\" readonly value=\"".len();
    page[start..].split('"').next().unwrap().to_string()
}

pub fn path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").unwrap().1;
    format!("/{}", after_scheme.split_once('/').unwrap().1)
}

async fn participants_subscribe_to_their_own_classes(backend: Backend) {
    let app = spawn(backend).await;
    let class = app.class_id("Class 33").await;
    let (status, _) = apply(&app, precinct::domain::ClassId::new(class), &applicant(7), None).await;
    assert_eq!(status, 201);
    let cookie = applicant_session(&app, &link_token(&app, "person7@example.org").await).await;
    let page = app.page_as(&cookie, "/my/applications").await;
    assert!(page.contains("Get my calendar address"));
    let res = post_with(&app, &cookie, "/my/calendar").await;
    assert_eq!(res.status().as_u16(), 200);
    let page = res.text().await.unwrap();
    let url = shown_address(&page);
    assert!(page.contains(&format!("href=\"webcal://{}", url.split_once("://").unwrap().1)));
    let (cache, mine) = feed_events(&app, &path_of(&url)).await;
    assert_eq!(cache, "private, no-store");
    let public = events(&app, class).await;
    assert_eq!(mine.len(), public.len());
    assert_eq!(
        mine.iter().map(|e| e["UID"].clone()).collect::<Vec<_>>(),
        public.iter().map(|e| e["UID"].clone()).collect::<Vec<_>>(),
        "the same events as the class feed, so clients do not show them twice"
    );
    // The page no longer shows the address; a new one replaces it.
    let page = app.page_as(&cookie, "/my/applications").await;
    assert!(!page.contains(&url));
    assert!(page.contains("Make a new calendar address"));
    let res = post_with(&app, &cookie, "/my/calendar").await;
    let newer = shown_address(&res.text().await.unwrap());
    assert_ne!(newer, url);
    assert_eq!(
        app.get(&path_of(&url)).await.status().as_u16(),
        404,
        "the old address stops working"
    );
    assert_eq!(app.get(&path_of(&newer)).await.status().as_u16(), 200);
    assert_eq!(app.get("/calendar/me/not-a-token.ics").await.status().as_u16(), 404);
    // Someone without a seat gets an empty calendar, not someone else's.
    let (_, body) = apply(&app, precinct::domain::ClassId::new(class), &applicant(8), None).await;
    let other = applicant_session(&app, &link_token(&app, "person8@example.org").await).await;
    crate::actors::withdraw(&app, &other, &body["id"]).await;
    let other_url = shown_address(&post_with(&app, &other, "/my/calendar").await.text().await.unwrap());
    assert!(feed_events(&app, &path_of(&other_url)).await.1.is_empty());
    // A presenter address is not a participant address.
    let swapped = path_of(&newer).replace("/calendar/me/", "/calendar/staff/");
    assert_eq!(app.get(&swapped).await.status().as_u16(), 404);
}

async fn presenters_subscribe_to_the_sessions_they_present(backend: Backend) {
    let app = spawn(backend).await;
    let cookie = session(&app, PRESENTING_OFFICER).await;
    let page = app.page_as(&cookie, "/staff/calendar").await;
    assert!(page.contains("Get my calendar address"), "{page}");
    let res = app
        .client
        .post(format!("{}/staff/calendar", app.address))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let url = shown_address(&res.text().await.unwrap());
    let (cache, presented) = feed_events(&app, &path_of(&url)).await;
    assert_eq!(cache, "private, no-store");
    assert!(!presented.is_empty());
    for e in &presented {
        assert!(
            e["DESCRIPTION"].contains("K-9"),
            "only sessions this officer presents: {e:?}"
        );
    }
    let officer = app.store.staff_credentials(PRESENTING_OFFICER).await.unwrap().unwrap();
    assert_eq!(
        presented.len(),
        app.store.presented_sessions(officer.id).await.unwrap().len()
    );
    // An officer who presents nothing gets an empty, valid calendar.
    let other = session(&app, OTHER_OFFICER).await;
    let res = app
        .client
        .post(format!("{}/staff/calendar", app.address))
        .header(reqwest::header::COOKIE, &other)
        .send()
        .await
        .unwrap();
    let url = shown_address(&res.text().await.unwrap());
    assert!(feed_events(&app, &path_of(&url)).await.1.is_empty());
}

/// RFC 4287 checked element by element with an independent XML parser.
async fn the_atom_feed_lists_announced_and_open_classes(backend: Backend) {
    let app = spawn(backend).await;
    let res = app.get("/feeds/news.atom").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let xml = res.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    const ATOM: &str = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert_eq!(
        (feed.tag_name().namespace(), feed.tag_name().name()),
        (Some(ATOM), "feed")
    );
    let children = |n: roxmltree::Node<'_, '_>, name: &str| -> Vec<String> {
        n.children()
            .filter(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ATOM))
            .map(|c| c.text().unwrap_or("").to_string())
            .collect()
    };
    let one = |n: roxmltree::Node<'_, '_>, name: &str| -> String {
        let v = children(n, name);
        assert_eq!(v.len(), 1, "exactly one atom:{name}");
        v[0].clone()
    };
    let is_date = |s: &str| s.parse::<jiff::Timestamp>().is_ok();
    assert!(one(feed, "id").starts_with("http://127.0.0.1:"));
    assert!(one(feed, "title").contains("Harbor Point Police Department"));
    assert!(is_date(&one(feed, "updated")));
    let author = feed
        .children()
        .find(|c| c.tag_name().name() == "author")
        .expect("a feed author");
    assert_eq!(one(author, "name"), "Harbor Point Police Department");
    let self_link = feed
        .children()
        .filter(|c| c.tag_name().name() == "link")
        .find(|l| l.attribute("rel") == Some("self"))
        .expect("a self link");
    assert!(self_link.attribute("href").unwrap().ends_with("/feeds/news.atom"));

    let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
    let titles: Vec<String> = entries.iter().map(|e| one(*e, "title")).collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Class 33") && t.contains("registration is open")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("new class announced")),
        "the announced teen cohort: {titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.contains("Class 32")),
        "completed classes are not news"
    );
    let mut ids = std::collections::HashSet::new();
    let mut last = None;
    for e in &entries {
        let id = one(*e, "id");
        assert!(
            id.starts_with("http://127.0.0.1:") && ids.insert(id.clone()),
            "unique absolute ids"
        );
        let updated = one(*e, "updated");
        assert!(is_date(&updated));
        let updated: jiff::Timestamp = updated.parse().unwrap();
        assert!(last.is_none_or(|l| updated <= l), "newest first");
        last = Some(updated);
        let alternate = e
            .children()
            .find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("alternate"))
            .expect("each entry links to its page");
        let href = alternate.attribute("href").unwrap();
        let path = format!("/{}", href.split_once("://").unwrap().1.split_once('/').unwrap().1);
        assert_eq!(app.get(&path).await.status().as_u16(), 200, "{href}");
        assert!(!one(*e, "summary").is_empty());
    }
    // Pages point feed readers at it.
    let (_, home) = app.get_text("/").await;
    assert!(home.contains("type=\"application/atom+xml\" href=\"/feeds/news.atom\""));
}

on_both_backends!(
    class_feeds_follow_changes_and_cancellations,
    participants_subscribe_to_their_own_classes,
    presenters_subscribe_to_the_sessions_they_present,
    the_atom_feed_lists_announced_and_open_classes,
);
