//! Reads that stay cheap as data grows. The API's roster reads a class a page at a time:
//! keyset cursors in queue order, every row exactly once, a row that arrives between pages
//! still read, and a page size or cursor it cannot read refused with problem JSON. Pages
//! and JSON answers revalidate with `ETag` / `If-None-Match`.

use serde_json::Value;

use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// One page: status, body and the `Link` header.
async fn page(app: &TestApp, token: &str, class: i64, query: &str) -> (u16, Value, Option<String>) {
    let res = app
        .client
        .get(format!("{}/api/v1/classes/{class}/registrations{query}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let link = res.headers().get("link").map(|v| v.to_str().unwrap().to_string());
    (status, res.json().await.unwrap(), link)
}

fn ids(page: &Value) -> Vec<i64> {
    page["registrations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn rosters_page_in_queue_order_with_cursors(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    for n in 1..=7 {
        let (status, body) = apply(&app, class, &applicant(n), None).await;
        assert_eq!(status, 201, "{body}");
    }
    let token = crate::manage::token(&app, "coordinator");
    let class = class.get();

    // Without a limit: one page, and no next.
    let (status, whole, link) = page(&app, &token, class, "").await;
    assert_eq!(status, 200);
    let all = ids(&whole);
    assert_eq!(all.len(), 7);
    assert!(whole.get("next").is_none() && link.is_none());

    // Pages of three, each after the last: every row once, in the same order.
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_string();
    let mut pages = 0;
    loop {
        let (status, body, link) = page(&app, &token, class, &query).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        seen.extend(ids(&body));
        let Some(next) = body["next"].as_str() else {
            assert!(link.is_none());
            break;
        };
        let link = link.expect("a Link header while there is more");
        assert!(
            link.contains(&format!("after={next}")) && link.ends_with("rel=\"next\""),
            "{link}"
        );
        if pages == 1 {
            // Someone applies while the client reads: the new row comes on a later page.
            let (status, _) = apply(&app, precinct::domain::ClassId::new(class), &applicant(8), None).await;
            assert_eq!(status, 201);
        }
        query = format!("?limit=3&after={next}");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 8, "every row once: {seen:?}");
    assert_eq!(&seen[..7], &all[..], "queue order kept across pages");

    // What cannot be read is refused, naming the parameter.
    for bad in ["?limit=0", "?limit=501", "?limit=many", "?after=somewhere", "?after=3"] {
        let (status, problem, _) = page(&app, &token, class, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(problem["type"], "/problems/bad-request", "{bad}");
    }
}

/// One GET with an optional `If-None-Match`: status, `ETag` and body.
async fn revalidate(app: &TestApp, path: &str, tag: Option<&str>) -> (u16, Option<String>, String) {
    let mut req = app.client.get(format!("{}{path}", app.address));
    if let Some(tag) = tag {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let tag = res.headers().get("etag").map(|v| v.to_str().unwrap().to_string());
    (status, tag, res.text().await.unwrap())
}

/// Pages answer a revalidation with 304 while nothing on them changed, and with the new page
/// the moment something did: a seat taken changes the program page's tag (its class table
/// shows the seats left).
async fn pages_revalidate_and_a_seat_taken_changes_the_tag(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let (_, class_page) = app.get_text(&format!("/classes/{class}")).await;
    let program = class_page
        .split("href=\"/programs/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the class page links its program");
    let path = format!("/programs/{program}");
    let (status, tag, page) = revalidate(&app, &path, None).await;
    assert_eq!(status, 200);
    let tag = tag.expect("pages carry an ETag");
    assert!(tag.starts_with("W/\""), "{tag}");
    let (status, again, body) = revalidate(&app, &path, Some(&tag)).await;
    assert_eq!((status, again.as_deref(), body.as_str()), (304, Some(tag.as_str()), ""));
    let (status, _, _) = revalidate(&app, &path, Some("W/\"something-else\"")).await;
    assert_eq!(status, 200);

    let (status, body) = apply(&app, class, &applicant(1), None).await;
    assert_eq!(status, 201, "{body}");
    let (status, changed, fresh) = revalidate(&app, &path, Some(&tag)).await;
    assert_eq!(status, 200, "a seat taken is a new page");
    assert_ne!(changed.as_deref(), Some(tag.as_str()));
    assert_ne!(fresh, page);

    // JSON reads too; answers that are not a success carry no tag.
    let (status, tag, _) = revalidate(&app, "/api/v1/programs", None).await;
    assert_eq!(status, 200);
    assert!(tag.is_some());
    let (status, tag, _) = revalidate(&app, "/classes/987654", None).await;
    assert_eq!((status, tag), (404, None));
}

on_both_backends!(
    rosters_page_in_queue_order_with_cursors,
    pages_revalidate_and_a_seat_taken_changes_the_tag,
    the_roster_csv_streams_past_a_page,
    staff_lists_read_a_screen_at_a_time,
    the_attendance_csv_streams_a_slice_of_people_at_a_time,
    a_rare_search_in_a_large_roster_keeps_searching,
    class_lists_page_and_a_program_shows_only_its_recent_history
);

/// A program's history grows every year; its page and JSON show what lies ahead and the
/// twelve latest past classes, and the class list pages through the rest by keyset.
async fn class_lists_page_and_a_program_shows_only_its_recent_history(backend: Backend) {
    let app = crate::helpers::spawn_demo(backend).await;
    let program = app
        .store
        .published_program("citizen-academy")
        .await
        .unwrap()
        .expect("the demo program");
    let now = jiff::Timestamp::now();
    let mut tx = app.store.begin().await.unwrap();
    for n in 1..=15 {
        tx.insert_class(
            &precinct::store::seed::NewClass {
                program_id: program.id,
                name: &format!("Archive class {n:02}"),
                capacity: 30,
                status: precinct::domain::ClassStatus::Completed,
                registration_opens_at: None,
                registration_closes_at: None,
                location_name: "Community Room",
                location_address: "",
                graduates: Some(25),
            },
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let (status, page) = app.get_text("/programs/citizen-academy").await;
    assert_eq!(status, 200);
    assert_eq!(
        page.matches("Archive class ").count(),
        12,
        "the twelve latest past classes"
    );
    assert!(page.contains("Archive class 15") && !page.contains("Archive class 03"));
    let json = app.get_json("/api/v1/programs/citizen-academy").await;
    let archived = json["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"].as_str().unwrap().starts_with("Archive"))
        .count();
    assert_eq!(archived, 12);

    // Pages of four, each after the last: every public class once, in id order.
    let whole = app.get_json("/api/v1/classes?limit=500").await;
    let all: Vec<i64> = whole["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(all.len() >= 20 && whole.get("next").is_none());
    let mut seen = Vec::new();
    let mut query = "?limit=4".to_string();
    loop {
        let page = app.get_json(&format!("/api/v1/classes{query}")).await;
        seen.extend(
            page["classes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next"].as_str() {
            Some(next) => query = format!("?limit=4&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
    let count = |v: &Value| v["classes"].as_array().unwrap().len();
    let current = app.get_json("/api/v1/classes?period=current&limit=500").await;
    let past = app.get_json("/api/v1/classes?period=past&limit=500").await;
    assert_eq!(count(&current) + count(&past), all.len());
    assert!(count(&past) >= 15);
    assert!(
        current["classes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["name"].as_str().unwrap().starts_with("Archive"))
    );

    for bad in [
        "?limit=0",
        "?limit=501",
        "?limit=many",
        "?period=soon",
        "?after=somewhere",
    ] {
        let res = app.get(&format!("/api/v1/classes{bad}")).await;
        assert_eq!(res.status().as_u16(), 400, "{bad}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["type"], "/problems/bad-request", "{bad}");
    }
}

/// The roster CSV streams a page at a time: a class larger than a page comes out whole,
/// once per application, in queue order.
async fn the_roster_csv_streams_past_a_page(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let total = 520;
    file_many(&app, class, total).await;
    let coordinator = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let csv = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/roster.csv"))
        .await;
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), total, "every application once");
    let ranks: Vec<i64> = rows
        .iter()
        .map(|r| r.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "queue order across pages");
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| r.split(',').next().unwrap().parse().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), total);

    // The staff class page shows the roster a screen at a time and links to the next.
    let screens = roster_screens(&app, &coordinator, class.get(), "").await;
    assert_eq!(screens.len(), 6, "five full screens of 100 and one of 20");
    let shown: Vec<i64> = screens.concat();
    assert_eq!(shown, ids, "every application once, in queue order");
    // A filter runs across screens too: the waitlist starts after the class's seats.
    let waiting: Vec<i64> = roster_screens(&app, &coordinator, class.get(), "?status=waitlisted&q=")
        .await
        .concat();
    assert_eq!(waiting.len(), total - 30);
    assert_eq!(waiting[..], ids[30..]);
    let found = roster_screens(&app, &coordinator, class.get(), "?status=&q=person51").await;
    assert_eq!(found.concat().len(), 1 + 10, "person51 and person510..519");
    let bad = format!("/staff/classes/{class}?after=nowhere");
    assert_eq!(crate::actors::get_as(&app, Some(&coordinator), &bad).await, 400);
}

/// Files applicants 1 to `total` in `class`, 40 at a time; each must be accepted. Their
/// answers, in order.
async fn file_many(app: &TestApp, class: precinct::domain::ClassId, total: usize) -> Vec<Value> {
    let mut answers = Vec::with_capacity(total);
    for batch in (1..=total).collect::<Vec<_>>().chunks(40) {
        let bodies: Vec<_> = batch.iter().map(|n| applicant(*n)).collect();
        for (status, body) in futures_util::future::join_all(bodies.iter().map(|b| apply(app, class, b, None))).await {
            assert_eq!(status, 201, "{body}");
            answers.push(body);
        }
    }
    answers
}

/// The pages a list's `label` links lead through, from `path`: each screen's HTML.
async fn screens(app: &TestApp, cookie: &str, path: &str, label: &str) -> Vec<String> {
    let mut screens = Vec::new();
    let mut path = path.to_string();
    loop {
        let html = app.page_as(cookie, &path).await;
        let next = html.find(&format!("\">{label}</a>")).map(|at| {
            let start = html[..at].rfind("href=\"").unwrap() + "href=\"".len();
            html[start..at].replace("&#38;", "&").replace("&amp;", "&")
        });
        screens.push(html);
        let Some(next) = next else { return screens };
        path = next;
        assert!(screens.len() < 50, "the links end: {path}");
    }
}

/// The ids after each `item` mark (an entry's link) on each screen `label` links lead
/// through from `path`.
async fn walk(app: &TestApp, cookie: &str, path: &str, item: &str, label: &str) -> Vec<Vec<i64>> {
    screens(app, cookie, path, label)
        .await
        .iter()
        .map(|html| {
            html.split(item)
                .skip(1)
                .map(|rest| rest.split(['"', '/']).next().unwrap().parse().unwrap())
                .collect()
        })
        .collect()
}

/// Follows a staff roster's "Next page" links from `query`: the application ids of each
/// screen.
async fn roster_screens(app: &TestApp, cookie: &str, class: i64, query: &str) -> Vec<Vec<i64>> {
    let path = format!("/staff/classes/{class}{query}");
    walk(app, cookie, &path, "href=\"/staff/applications/", "Next page").await
}

/// The review queue, the outbox and the audit log show a screen at a time and link to the
/// next; following the links reads every entry once, in order.
async fn staff_lists_read_a_screen_at_a_time(backend: Backend) {
    let app = spawn(backend).await;
    let spec = ClassSpec {
        capacity: 300,
        review: true,
        ..Default::default()
    };
    let class = open_class(&app, spec).await;
    let total = 230;
    for body in file_many(&app, class, total).await {
        assert_eq!(body["status"], "pending_review");
    }
    let admin = crate::actors::session(&app, crate::actors::ADMIN).await;

    // Review queue: oldest first, 100 a screen.
    let queue = walk(
        &app,
        &admin,
        "/staff/review",
        "<a href=\"/staff/applications/",
        "Next page",
    )
    .await;
    assert_eq!(queue.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 30]);
    let queued: Vec<i64> = queue.concat();
    assert!(queued.windows(2).all(|w| w[0] < w[1]), "oldest first, each once");

    // Outbox: newest first, 200 a screen, every message once.
    let stored: Vec<i64> = app
        .store
        .outbox_entries(None, "", true, 100_000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id.get())
        .collect();
    assert!(stored.len() > 230);
    let outbox = walk(&app, &admin, "/staff/outbox", "<a href=\"/staff/outbox/", "Older").await;
    assert!(outbox.len() >= 2 && outbox[0].len() == 200);
    assert_eq!(outbox.concat(), stored, "newest first, every message once");
    let found = walk(
        &app,
        &admin,
        "/staff/outbox?status=&q=person12%40",
        "<a href=\"/staff/outbox/",
        "Older",
    )
    .await;
    assert_eq!(found.concat().len(), 1, "one message to person12@");

    // Audit log: 450 more entries, 200 a screen, newest first; by type too.
    let mut tx = app.store.begin().await.unwrap();
    for n in 0..450 {
        let record = precinct::store::staff::AuditRecord {
            actor: "staff:1",
            action: precinct::domain::audit::AuditAction::ClassUpdate,
            object_type: if n % 3 == 0 { "paging-a" } else { "paging-b" },
            object_id: n.to_string(),
            before: None,
            after: None,
        };
        tx.audit(&record, jiff::Timestamp::now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    let audit_ids = |html: &str| -> Vec<i64> {
        html.split("<td data-label=\"Object\">paging-a ")
            .skip(1)
            .map(|rest| rest.split('<').next().unwrap().trim().parse().unwrap())
            .collect()
    };
    let by_type = screens(&app, &admin, "/staff/audit?object=paging-a", "Older").await;
    let seen: Vec<i64> = by_type.iter().flat_map(|html| audit_ids(html)).collect();
    assert_eq!(by_type.len(), 1, "150 entries of one type fit one screen");
    let expected: Vec<i64> = (0..450).rev().filter(|n| n % 3 == 0).collect();
    assert_eq!(seen, expected, "one type's entries, newest first");
    let all = screens(&app, &admin, "/staff/audit", "Older").await;
    assert!(all.len() >= 3, "450 entries need three screens of 200");

    for bad in [
        "/staff/audit?before=x",
        "/staff/outbox?before=-1",
        "/staff/review?after=soon",
        "/staff/requests?before=0",
    ] {
        assert_eq!(crate::actors::get_as(&app, Some(&admin), bad).await, 400, "{bad}");
    }
}

/// The attendance CSV reads marks a slice of people at a time: with more participants than
/// one slice holds, every participant's marks land on their own row.
async fn the_attendance_csv_streams_a_slice_of_people_at_a_time(backend: Backend) {
    use precinct::domain::graduation::{Mark, Record};
    let app = spawn(backend).await;
    let spec = ClassSpec {
        capacity: 300,
        ..Default::default()
    };
    let class = open_class(&app, spec).await;
    let total = 230;
    for body in file_many(&app, class, total).await {
        assert_eq!(body["status"], "confirmed", "{body}");
    }
    let sessions = app.store.sessions(class).await.unwrap();
    let people = app.store.participants(class).await.unwrap();
    assert_eq!(people.len(), total);
    // Each person's mark in the first two sessions follows from their number, so any row
    // given someone else's marks shows.
    let expected = |first_name: &str, session: usize| -> &'static str {
        let n: usize = first_name.trim_start_matches("Person").parse().unwrap();
        match (n + session) % 3 {
            0 => "present",
            1 => "absent",
            _ => "",
        }
    };
    let mut tx = app.store.begin().await.unwrap();
    for p in &people {
        for (i, s) in sessions.iter().take(2).enumerate() {
            let mark = match expected(&p.first_name, i) {
                "present" => Mark::Present,
                "absent" => Mark::Absent,
                _ => continue,
            };
            let record = Record {
                mark,
                minutes_late: None,
                made_up: false,
            };
            tx.mark_attendance(s.id, p.id, record, "test", jiff::Timestamp::now())
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
    let coordinator = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let csv = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/attendance.csv"))
        .await;
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), total, "one row per participant");
    for row in rows {
        assert_eq!(row.len(), 2 + sessions.len());
        assert_eq!((row[2], row[3]), (expected(row[0], 0), expected(row[0], 1)), "{row:?}");
    }
}

/// A text search reads a bounded number of rows per screen: a match beyond that budget is
/// reached through "Keep searching", not by one read of the whole class.
async fn a_rare_search_in_a_large_roster_keeps_searching(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(&app, ClassSpec::default()).await;
    let total = precinct::domain::roster::SEARCH_BUDGET + 50;
    file_many(&app, class, total).await;
    let coordinator = crate::actors::session(&app, crate::actors::COORDINATOR).await;
    let last = format!("person{total}@");
    let first = app
        .page_as(&coordinator, &format!("/staff/classes/{class}?status=&q={last}"))
        .await;
    assert!(first.contains("No match among the rows searched so far.") && first.contains(">Keep searching</a>"));
    let screens = walk(
        &app,
        &coordinator,
        &format!("/staff/classes/{class}?status=&q={last}"),
        "<a href=\"/staff/applications/",
        "Keep searching",
    )
    .await;
    assert_eq!(
        screens.len(),
        2,
        "the second screen reads on from where the first stopped"
    );
    assert_eq!(screens[1].len(), 1, "and finds the one match");
}
