//! Ride-along shifts over real HTTP: coordinators offer them, participants book and cancel
//! through their own link, never more riders than seats, and a done ride-along counts
//! toward graduation.

use jiff::{Timestamp, ToSpan};
use reqwest::header::COOKIE;

use crate::actors::{COORDINATOR, OTHER_OFFICER, post_as, post_form, session};
use crate::actors::{applicant_session, link_token};
use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// A date `days` ahead in the demo department's zone, as the form wants it.
fn days_ahead(days: i64) -> String {
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    Timestamp::now()
        .to_zoned(tz)
        .date()
        .checked_add(days.days())
        .unwrap()
        .to_string()
}

async fn offer_shift(app: &TestApp, cookie: &str, class: i64, date: &str, seats: &str) -> u16 {
    let form = [
        ("date", date),
        ("start", "22:00"),
        ("end", "06:00"),
        ("shift", "Night patrol, Harbor district"),
        ("seats", seats),
        ("officer", ""),
    ];
    post_as(app, Some(cookie), &format!("/staff/classes/{class}/ride-alongs"), &form).await
}

async fn my_page(app: &TestApp, cookie: &str) -> String {
    app.client
        .get(format!("{}/my/applications", app.address))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Applies `n` people to a new open class and signs each in; returns (class, [(app id, cookie)]).
async fn participants(app: &TestApp, n: usize) -> (i64, Vec<(i64, String)>) {
    let class = open_class(app, ClassSpec::default()).await;
    let mut people = Vec::new();
    for i in 1..=n {
        let (status, body) = apply(app, class, &applicant(i), None).await;
        assert_eq!((status, body["status"].as_str()), (201, Some("confirmed")));
        let token = link_token(app, &format!("person{i}@example.org")).await;
        people.push((body["id"].as_i64().unwrap(), applicant_session(app, &token).await));
    }
    (class.get(), people)
}

async fn participants_book_and_cancel_ride_along_shifts(backend: Backend) {
    let app = spawn(backend).await;
    let (class, people) = participants(&app, 2).await;
    let coordinator = session(&app, COORDINATOR).await;
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(offer_shift(&app, &other, class, &days_ahead(10), "1").await, 403);
    // Bad input comes back with every problem listed, not a 500.
    let res = post_form(
        &app,
        Some(&coordinator),
        &format!("/staff/classes/{class}/ride-alongs"),
        &[
            ("date", "soon"),
            ("start", "25:99"),
            ("end", ""),
            ("shift", ""),
            ("seats", "0"),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 422);
    let text = res.text().await.unwrap();
    assert!(text.contains("YYYY-MM-DD") && text.contains("HH:MM") && text.contains("Describe the shift"));
    assert_eq!(offer_shift(&app, &coordinator, class, &days_ahead(10), "1").await, 303);
    // A shift starting within a day is offered but no longer bookable: the next 22:00
    // (today's, or tomorrow's when the test runs late in the evening).
    let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
    let soon = if Timestamp::now().to_zoned(tz).hour() < 22 {
        0
    } else {
        1
    };
    assert_eq!(
        offer_shift(&app, &coordinator, class, &days_ahead(soon), "1").await,
        303
    );
    let slots = app
        .store
        .ride_along_slots(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    assert_eq!(slots.len(), 2);
    let (later, soon) = (slots[1].id.to_string(), slots[0].id.to_string());

    let (first, first_cookie) = &people[0];
    let (second, second_cookie) = &people[1];
    let page = my_page(&app, first_cookie).await;
    assert!(page.contains("Night patrol, Harbor district") && page.contains("1 seat left"));
    assert!(
        !page.contains(&format!("value=\"{soon}\"")),
        "the shift within 24 hours is not offered"
    );
    let book = |id: i64| format!("/my/applications/{id}/ride-along");
    let res = post_form(&app, Some(first_cookie), &book(*first), &[("slot", soon.as_str())]).await;
    assert_eq!(res.status().as_u16(), 409, "too late to book");
    let res = post_form(&app, Some(first_cookie), &book(*first), &[("slot", later.as_str())]).await;
    assert_eq!(res.status().as_u16(), 303);
    let kinds: Vec<String> = app
        .mailbox("person1@example.org")
        .await
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert_eq!(kinds.last().map(String::as_str), Some("ride_along_booked"));
    assert!(
        my_page(&app, first_cookie)
            .await
            .contains("You are booked to ride with")
    );
    // The seat is taken; someone else's application id is not yours to book with.
    let res = post_form(&app, Some(second_cookie), &book(*second), &[("slot", later.as_str())]).await;
    assert_eq!(res.status().as_u16(), 409);
    assert!(res.text().await.unwrap().contains("That shift is full"));
    let res = post_form(&app, Some(second_cookie), &book(*first), &[("slot", later.as_str())]).await;
    assert_eq!(res.status().as_u16(), 404);
    // Cancelling frees the seat for the next person.
    let res = post_form(&app, Some(first_cookie), &format!("{}/cancel", book(*first)), &[]).await;
    assert_eq!(res.status().as_u16(), 303);
    let res = post_form(&app, Some(second_cookie), &book(*second), &[("slot", later.as_str())]).await;
    assert_eq!(res.status().as_u16(), 303);
    // A booked shift cannot be removed; the staff page lists the rider.
    let delete = format!("/staff/classes/{class}/ride-alongs/{later}/delete");
    assert_eq!(post_as(&app, Some(&coordinator), &delete, &[]).await, 409);
    let delete_soon = format!("/staff/classes/{class}/ride-alongs/{soon}/delete");
    assert_eq!(post_as(&app, Some(&coordinator), &delete_soon, &[]).await, 303);
    let staff_page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/ride-alongs"))
        .await;
    assert!(staff_page.contains("Person2 Tester: booked") && staff_page.contains("Booked 1 of 1"));
    // Staff record it done; the participant sees it, and withdrawing would have freed the seat.
    let done = [
        ("application", second.to_string()),
        ("done", "yes".into()),
        ("back", "ride-alongs".into()),
    ];
    let done: Vec<(&str, &str)> = done.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/ride-along"),
            &done
        )
        .await,
        303
    );
    assert!(my_page(&app, second_cookie).await.contains("Your ride-along is done"));
    crate::actors::withdraw(&app, first_cookie, first).await;
}

async fn the_last_ride_along_seat_goes_to_exactly_one_person(backend: Backend) {
    let app = spawn(backend).await;
    let (class, people) = participants(&app, 8).await;
    let coordinator = session(&app, COORDINATOR).await;
    assert_eq!(offer_shift(&app, &coordinator, class, &days_ahead(12), "2").await, 303);
    let slot = app
        .store
        .ride_along_slots(precinct::domain::ClassId::new(class))
        .await
        .unwrap()[0]
        .id
        .to_string();
    // Every participant asks at once, each on their own task.
    let handles: Vec<_> = people
        .iter()
        .map(|(id, cookie)| {
            let request = app
                .client
                .post(format!("{}/my/applications/{id}/ride-along", app.address))
                .header(COOKIE, cookie.as_str())
                .form(&[("slot", slot.as_str())]);
            tokio::spawn(async move { request.send().await.expect("request").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 2, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 6, "{statuses:?}");
    let slots = app
        .store
        .ride_along_slots(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    assert_eq!((slots[0].booked, slots[0].seats), (2, 2));
}

on_both_backends!(
    participants_book_and_cancel_ride_along_shifts,
    the_last_ride_along_seat_goes_to_exactly_one_person,
);
