//! iCalendar feeds, read back with an independent parser (the `ical` crate): stable UIDs,
//! local times with their VTIMEZONE, SEQUENCE growing with changes, cancellations kept as
//! STATUS:CANCELLED.

use crate::applications::{ClassSpec, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::staff::{COORDINATOR, post_as, session};

/// Every event of a feed as `name -> value` maps.
async fn events(app: &TestApp, class: i64) -> Vec<std::collections::HashMap<String, String>> {
    let res = app.get(&format!("/calendar/classes/{class}.ics")).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = res.text().await.unwrap();
    assert!(text.lines().all(|l| l.len() <= 75), "folded at 75 octets");
    assert!(
        text.contains("BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"),
        "time zone data included"
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
    assert_eq!(post_as(&app, Some(&coordinator), &cancel, &[]).await, 303);
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

on_both_backends!(class_feeds_follow_changes_and_cancellations);
