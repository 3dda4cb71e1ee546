//! DARE at schools over real HTTP: a school's presentation request becomes a class, the
//! instructor records lessons and graduates it, the requester follows along, certificate
//! names are typeset and not kept, and the lessons count in the engagement report.

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_page, session};
use crate::applications::spawn;
use crate::attendance::pdf_text;
use crate::duties::staff_id;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

const INSTRUCTOR: &str = "l.castellanos@harborpoint-pd.example";

fn day(offset: i64) -> String {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
        .date()
        .checked_add(jiff::ToSpan::days(offset))
        .unwrap()
        .to_string()
}

/// The demo school the tests' requests come from.
async fn seacliff(app: &TestApp) -> precinct::domain::SchoolId {
    app.store
        .schools()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Seacliff Elementary School")
        .unwrap()
        .id
}

/// Files a presentation request as a teacher would; its number and private path.
async fn school_asks_for_dare(app: &TestApp) -> (String, String) {
    let res = app
        .client
        .post(format!("{}/requests/new/presentation", app.address))
        .form(&[
            ("email", "teacher@seacliff.example"),
            ("first_name", "Ana"),
            ("address_string", "41 Gull Lane, Harbor Point"),
            ("attribute[organization]", "seacliff elementary school"),
            ("attribute[audience]", "elementary"),
            ("attribute[topic]", "dare"),
            ("attribute[attendance]", "24"),
            ("description", "Our fifth grade would love DARE this spring."),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let follow = crate::requests::follow_path(app, "teacher@seacliff.example").await;
    (crate::requests::number_on(app, &follow).await, follow)
}

async fn a_schools_request_becomes_a_dare_class_that_graduates(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let luis = session(&app, INSTRUCTOR).await;
    let jenna = session(&app, OTHER_OFFICER).await; // a resource officer, not a DARE instructor
    let (request, follow) = school_asks_for_dare(&app).await;
    let seacliff = seacliff(&app).await;
    // The instructor's home lists the classes they teach and what waits to be recorded.
    let home = app.page_as(&luis, "/staff").await;
    assert!(home.contains("Your DARE classes"), "{home}");
    assert!(home.contains("Marsh Road Elementary School"), "{home}");
    assert!(!app.page_as(&jenna, "/staff").await.contains("Your DARE classes"));

    // The request's page leads to a plan filled from the request.
    let page = app.page_as(&coordinator, &format!("/staff/requests/{request}")).await;
    assert!(page.contains(&format!("/staff/dare?request={request}")));
    let form = app
        .page_as(&coordinator, &format!("/staff/dare?request={request}"))
        .await;
    assert!(
        form.contains(&format!("<option value=\"{seacliff}\" selected>")),
        "school matched"
    );
    assert!(form.contains(
        "id=\"students\" name=\"students\" type=\"number\" inputmode=\"numeric\" min=\"1\" max=\"60\" value=\"24\""
    ));

    // Three weekly lessons: three weeks ago, a week ago and next week (two weeks ago and
    // today are holidays).
    let plan = |instructor: String| {
        vec![
            ("school_id", seacliff.to_string()),
            ("teacher", "Ms. Ana Ibarra".to_string()),
            ("grade", "5".to_string()),
            ("students", "24".to_string()),
            ("instructor_id", instructor),
            ("first_date", day(-21)),
            ("start", "10:00".to_string()),
            ("minutes", "45".to_string()),
            ("lessons", "3".to_string()),
            ("skip", format!("{}, {}", day(-14), day(0))),
            ("request_id", request.clone()),
        ]
    };
    let refs = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let post = |cookie: &str, path: &str, form: Vec<(&'static str, String)>| {
        let (app, cookie, path) = (&app, cookie.to_string(), path.to_string());
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_page(app, &cookie, &path, &pairs).await
        }
    };
    let (status, _, page) = post(
        &coordinator,
        "/staff/dare",
        refs(&plan(staff_id(&app, "Jenna Brandt").await)),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Choose an officer who holds the DARE instructor duty on the lesson days."));
    assert_eq!(
        post(
            &luis,
            "/staff/dare",
            refs(&plan(staff_id(&app, "Luis Castellanos").await))
        )
        .await
        .0,
        403,
        "officers do not plan classes"
    );
    let (status, location, _) = post(
        &coordinator,
        "/staff/dare",
        refs(&plan(staff_id(&app, "Luis Castellanos").await)),
    )
    .await;
    assert_eq!(status, 303);
    let class = location.unwrap();
    let id = class.trim_start_matches("/staff/dare/").to_string();
    let stored = app.store.dare_class(id.parse().unwrap()).await.unwrap().unwrap();
    let days: Vec<String> = stored
        .lessons
        .iter()
        .map(|l| {
            l.starts_at
                .to_zoned(jiff::tz::TimeZone::get("America/Los_Angeles").unwrap())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .collect();
    assert_eq!(
        days,
        [
            format!("{} 10:00", day(-21)),
            format!("{} 10:00", day(-7)),
            format!("{} 10:00", day(7))
        ]
    );

    // The requester hears of it and the instructor is assigned to the request.
    let r = app.store.request(request.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(r.status.code(), "in_progress");
    assert_eq!(r.assignee.as_deref(), Some("Officer Luis Castellanos"));
    assert!(
        r.status_notes.starts_with(
            "DARE is planned at Seacliff Elementary School for a 5th grade class of 24 students: 3 lessons from "
        ) && r.status_notes.ends_with(", taught by Officer Luis Castellanos."),
        "{}",
        r.status_notes
    );
    let mail = app.mailbox("teacher@seacliff.example").await;
    assert!(
        mail.iter()
            .any(|m| m.kind == "request_updated" && m.body_text.contains("3 lessons")),
        "the requester is emailed the plan"
    );
    let (_, page) = app.get_text(&follow).await;
    assert!(page.contains("DARE at Seacliff Elementary School"));
    assert!(page.contains("Ms. Ana Ibarra, 5th grade, 24 students, taught by Officer Luis Castellanos."));
    assert!(page.contains("Facts about tobacco, vaping and your body"));

    // Only coordinators and the class's instructor see it.
    assert_eq!(get_as(&app, Some(&jenna), &class).await, 403);
    assert!(!app.page_as(&jenna, "/staff/dare").await.contains(&class));
    assert!(app.page_as(&luis, "/staff/dare").await.contains(&class));
    let lesson = |n: usize| format!("{class}/lessons/{}", stored.lessons[n].id);
    let taught = |present: &str| vec![("status", "taught".to_string()), ("present", present.to_string())];
    assert_eq!(post(&jenna, &lesson(0), taught("20")).await.0, 403);

    // Lessons: a count above the class refused; taught, cancelled, not yet taught.
    let (status, _, page) = post(&luis, &lesson(0), taught("25")).await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter how many students were there, 0 to 24."));
    assert_eq!(post(&luis, &lesson(0), taught("22")).await.0, 303);
    assert_eq!(
        post(&luis, &lesson(1), vec![("status", "cancelled".to_string())])
            .await
            .0,
        303
    );
    let (status, _, page) = post(&luis, &lesson(2), taught("24")).await;
    assert_eq!(status, 422);
    assert!(page.contains("A lesson is recorded as taught once it has started."));
    let graduation = |n: &str, on: String| vec![("graduates", n.to_string()), ("graduated_on", on)];
    let (status, _, page) = post(&luis, &format!("{class}/graduation"), graduation("23", day(0))).await;
    assert_eq!(status, 422);
    assert!(page.contains("1 lesson is still planned: record each as taught or cancelled first."));

    // The last lesson moved to yesterday, then taught.
    let moved = vec![
        ("status", "planned".to_string()),
        ("date", day(-1)),
        ("start", "13:30".to_string()),
    ];
    assert_eq!(post(&luis, &lesson(2), moved).await.0, 303);
    assert_eq!(post(&luis, &lesson(2), taught("24")).await.0, 303);
    // The school is emailed of the cancelled and the moved lesson (not of counts), and the
    // request's public history does not show them.
    let mail: Vec<String> = app
        .mailbox("teacher@seacliff.example")
        .await
        .into_iter()
        .filter(|m| m.kind == "request_updated")
        .map(|m| m.body_text)
        .collect();
    assert!(
        mail.iter().any(|m| m
            .contains("DARE lesson 2 at Seacliff Elementary School (Facts about tobacco, vaping and your body) on")
            && m.contains("is cancelled.")),
        "{mail:?}"
    );
    assert!(
        mail.iter()
            .any(|m| m.contains("DARE lesson 3 at Seacliff Elementary School") && m.contains("is moved to")),
        "{mail:?}"
    );
    assert_eq!(mail.len(), 3, "planned, cancelled, moved");
    let history = app.store.request_updates(request.parse().unwrap()).await.unwrap();
    assert_eq!(history.len(), 1, "only the plan is in the request's history");

    // Graduation: no more graduates than students, not in the future; once, even when
    // sent twice at the same moment.
    assert_eq!(
        post(&luis, &format!("{class}/graduation"), graduation("25", day(0)))
            .await
            .0,
        422
    );
    assert_eq!(
        post(&luis, &format!("{class}/graduation"), graduation("23", day(1)))
            .await
            .0,
        422
    );
    let path = format!("{class}/graduation");
    let (a, b) = tokio::join!(
        post(&luis, &path, graduation("23", day(0))),
        post(&coordinator, &path, graduation("23", day(0)))
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [303, 422], "one graduation");
    let r = app.store.request(request.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(r.status.code(), "closed");
    assert!(
        r.status_notes
            .starts_with("23 of 24 students in the 5th grade class at Seacliff Elementary School graduated from DARE")
    );
    let (_, page) = app.get_text(&follow).await;
    assert!(page.contains("23 students graduated on"), "{page}");
    // The public page of the request has the department's notes, not the lessons.
    let (_, public) = app.get_text(&format!("/requests/{request}")).await;
    assert!(public.contains("23 of 24 students"));
    assert!(!public.contains("Facts about tobacco"));
    assert!(!public.contains("Ms. Ana Ibarra"));
    // The public DARE page counts classrooms graduated: the demo's one (25) and this one.
    let (_, program) = app.get_text("/programs/dare").await;
    assert!(
        program.contains("<strong>2</strong> classes graduated, <strong>48</strong> graduates so far."),
        "{program}"
    );
    // Lessons no longer change once graduated.
    assert_eq!(post(&luis, &lesson(0), taught("20")).await.0, 422);

    // Certificates: no more names than graduates; typeset, counted, never stored.
    let many = (0..24)
        .map(|n| format!("Student {}", char::from(b'A' + n)))
        .collect::<Vec<_>>()
        .join("\n");
    let (status, _, page) = post(&luis, &format!("{class}/certificates"), vec![("names", many)]).await;
    assert_eq!(status, 422);
    assert!(page.contains("24 names for 23 graduates"));
    let res = app
        .client
        .post(format!("{}{class}/certificates", app.address))
        .header(reqwest::header::COOKIE, &luis)
        .form(&[("names", "Amara Okafor-Lindqvist\nJosé Núñez\n")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let text = pdf_text(&res.bytes().await.unwrap());
    assert!(
        text.contains("Amara Okafor-Lindqvist") && text.contains("José Núñez"),
        "{text}"
    );
    assert!(text.contains("DARE program"));
    assert!(text.contains("Officer Luis Castellanos, DARE instructor"));
    assert!(
        !text.contains("Certificate number"),
        "unnumbered: nothing to verify is kept"
    );
    let page = app.page_as(&luis, &class).await;
    assert!(page.contains("23 (2 certificates printed)"), "{page}");
    let audit = app.store.audit_for("dare_class", &id).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "dare.plan",
            "dare.lesson",
            "dare.lesson",
            "dare.lesson",
            "dare.lesson",
            "dare.graduate",
            "dare.certificates"
        ]
    );
    let everything = format!("{audit:?}");
    assert!(
        !everything.contains("Amara") && !everything.contains("Núñez"),
        "names are not kept"
    );

    // The instructor's calendar has the lessons, as they went: taught, cancelled, moved.
    let res = app
        .client
        .post(format!("{}/staff/calendar", app.address))
        .header(reqwest::header::COOKIE, &luis)
        .send()
        .await
        .unwrap();
    let page = res.text().await.unwrap();
    assert!(
        page.contains("DARE lessons still to teach"),
        "the demo class under way: {page}"
    );
    let url = crate::calendar::shown_address(&page);
    let (_, events) = crate::calendar::feed_events(&app, &crate::calendar::path_of(&url)).await;
    let lesson_event = |n: usize| {
        let uid = format!("dare-lesson-{}@", stored.lessons[n].id);
        events
            .iter()
            .find(|e| e["UID"].starts_with(&uid))
            .unwrap_or_else(|| panic!("lesson {n} is in the feed"))
    };
    let local = |d: String, t: &str| format!("America/Los_Angeles:{}T{t}", d.replace('-', ""));
    let first = lesson_event(0);
    assert_eq!(first["DTSTART"], local(day(-21), "100000"));
    assert_eq!(first["DTEND"], local(day(-21), "104500"));
    assert_eq!(
        (first["STATUS"].as_str(), first["SEQUENCE"].as_str()),
        ("CONFIRMED", "1")
    );
    assert!(first["LOCATION"].contains("41 Gull Lane"), "{first:?}");
    let second = lesson_event(1);
    assert_eq!(
        second["SUMMARY"],
        "DARE at Seacliff Elementary School: Facts about tobacco\\, vaping and your body"
    );
    assert_eq!(second["STATUS"], "CANCELLED");
    let third = lesson_event(2);
    assert_eq!(third["DTSTART"], local(day(-1), "133000"));
    assert_eq!(third["SEQUENCE"], "2", "moved, then taught");

    // The engagement report over the last three weeks: the two lessons taught (45
    // minutes each) at Seacliff, its 24 students counted once; one class graduated.
    let period = format!("from={}&to={}", day(-22), day(0));
    let page = app
        .page_as(&coordinator, &format!("/staff/reports/engagement?{period}"))
        .await;
    assert!(
        page.contains("<th scope=\"row\">Seacliff Elementary School</th><td>2</td><td>1.5</td><td>24</td>"),
        "{page}"
    );
    assert!(page.contains("DARE classes graduated: 1 (23 graduates)."), "{page}");
}

async fn a_class_can_be_cancelled_by_a_coordinator(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let luis = session(&app, INSTRUCTOR).await;
    let classes = app.store.dare_classes(None).await.unwrap();
    let running = classes
        .iter()
        .find(|c| c.status.code() == "scheduled")
        .expect("the demo has a class under way");
    let path = format!("/staff/dare/{}/cancel", running.id);
    let yes = [("confirm", "yes")];
    assert_eq!(post_page(&app, &luis, &path, &yes).await.0, 403);
    // Unconfirmed, nothing happens: back to the class, at the confirming disclosure.
    let (status, location, _) = post_page(&app, &coordinator, &path, &[]).await;
    assert_eq!(
        (status, location),
        (303, Some(format!("/staff/dare/{}#cancel", running.id)))
    );
    assert_eq!(
        app.store.dare_class(running.id).await.unwrap().unwrap().status.code(),
        "scheduled"
    );
    assert_eq!(post_page(&app, &coordinator, &path, &yes).await.0, 303);
    let (status, _, page) = post_page(&app, &coordinator, &path, &yes).await;
    assert_eq!(status, 422);
    assert!(page.contains("This class is cancelled; its lessons can no longer change."));
    let graduated = classes.iter().find(|c| c.status.code() == "graduated").unwrap();
    let (status, _, page) = post_page(
        &app,
        &coordinator,
        &format!("/staff/dare/{}/graduation", graduated.id),
        &[("graduates", "3"), ("graduated_on", "2026-01-01")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("This class is graduated"));

    // A class planned for a request: cancelling it tells the requester, and the request
    // stays open to be planned again.
    let (request, follow) = school_asks_for_dare(&app).await;
    let seacliff = seacliff(&app).await.to_string();
    let instructor = staff_id(&app, "Luis Castellanos").await;
    let next_week = day(7);
    let (status, location, _) = post_page(
        &app,
        &coordinator,
        "/staff/dare",
        &[
            ("school_id", seacliff.as_str()),
            ("teacher", "Mr. Paul Ostrowski"),
            ("grade", "5"),
            ("students", "22"),
            ("instructor_id", instructor.as_str()),
            ("first_date", next_week.as_str()),
            ("start", "09:00"),
            ("minutes", "45"),
            ("lessons", "10"),
            ("request_id", request.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let cancel = format!("{}/cancel", location.unwrap());
    assert_eq!(
        post_page(&app, &coordinator, &cancel, &[("confirm", "yes")]).await.0,
        303
    );
    let r = app.store.request(request.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(r.status.code(), "in_progress");
    assert!(
        r.status_notes
            .starts_with("The DARE lessons planned at Seacliff Elementary School are cancelled.")
    );
    let mail = app.mailbox("teacher@seacliff.example").await;
    assert!(mail.iter().any(|m| m.body_text.contains("are cancelled")));
    let (_, page) = app.get_text(&follow).await;
    assert!(page.contains("Cancelled; 0 of 10 lessons taught."), "{page}");
}

on_both_backends!(
    a_schools_request_becomes_a_dare_class_that_graduates,
    a_class_can_be_cancelled_by_a_coordinator
);
