//! Attendance on the phone page and graduation by the program's rule, over real HTTP.

use crate::actors::{COORDINATOR, OTHER_OFFICER, PRESENTING_OFFICER, get_as, post_as, post_page, session};
use crate::applications::{ClassSpec, HELD, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

async fn session_ids(app: &TestApp, class: i64) -> Vec<i64> {
    let c = app.get_json(&format!("/api/v1/classes/{class}")).await;
    c["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

/// Moves every session of `class` into the past weeks through the session edit page (as
/// a coordinator would record a semester that ran), keeping each one's weekday and times,
/// so attendance can be taken and the class graduated.
pub async fn hold_in_the_past(app: &TestApp, coordinator: &str, class: i64) {
    let sessions = app.store.sessions(precinct::domain::ClassId::new(class)).await.unwrap();
    let today = jiff::Zoned::now().date();
    let weeks = sessions.len() as i64 + 1;
    for (i, s) in sessions.iter().enumerate() {
        let back = jiff::Span::new().weeks(weeks - i as i64);
        let mut date = today.checked_sub(back).unwrap();
        while date.weekday() != s.local_date.weekday() {
            date = date.tomorrow().unwrap();
        }
        let date = date.to_string();
        let start = s.local_start.strftime("%H:%M").to_string();
        let end = s.local_end.strftime("%H:%M").to_string();
        let form = [
            ("topic", s.topic.as_str()),
            ("date", &date),
            ("start", &start),
            ("end", &end),
            ("place", &s.place),
        ];
        let path = format!("/staff/classes/{class}/sessions/{}/edit", s.id);
        assert_eq!(post_as(app, Some(coordinator), &path, &form).await, 303, "{path}");
    }
}

async fn mark(app: &TestApp, cookie: &str, class: i64, session: i64, who: i64, mark: &str) -> u16 {
    post_as(
        app,
        Some(cookie),
        &format!("/staff/classes/{class}/sessions/{session}/attendance"),
        &[("application", &who.to_string()), ("mark", mark)],
    )
    .await
}

async fn the_sheet_saves_in_one_go_and_marks_lock_after_graduation(backend: Backend) {
    let app = spawn(backend).await;
    // The weekend class met on the last eight Saturdays; its attendance is being taken.
    let class = app.class_id("Weekend Class 4").await;
    let class_id = precinct::domain::ClassId::new(class);
    let last = *session_ids(&app, class).await.last().unwrap();
    let session_id = precinct::domain::SessionId::new(last);
    let people = app.store.participants(class_id).await.unwrap();
    let before = app.store.class_attendance(class_id).await.unwrap();
    let coordinator = session(&app, COORDINATOR).await;
    let path = format!("/staff/classes/{class}/sessions/{last}/attendance");
    // One save: the first person absent, everyone not yet marked present.
    let first = people[0].id;
    let field = format!("mark-{first}");
    let form = [(field.as_str(), "absent"), ("all", "present")];
    let unmarked_others = people[1..]
        .iter()
        .filter(|p| !before.contains_key(&(session_id, p.id)))
        .count();
    let first_changes = before
        .get(&(session_id, first))
        .is_none_or(|r| r.mark != precinct::domain::graduation::Mark::Absent);
    let expected = unmarked_others + usize::from(first_changes);
    assert!(expected > 0, "the demo leaves the last session to mark");
    let (status, location, _) = post_page(&app, &coordinator, &path, &form).await;
    assert_eq!(status, 303);
    assert_eq!(
        location,
        Some(format!("/staff/classes/{class}/sessions/{last}?saved={expected}"))
    );
    let after = app.store.class_attendance(class_id).await.unwrap();
    for p in &people {
        let mark = after[&(session_id, p.id)].mark;
        match before.get(&(session_id, p.id)) {
            _ if p.id == first => assert_eq!(mark, precinct::domain::graduation::Mark::Absent),
            Some(was) => assert_eq!(mark, was.mark, "a saved mark stays"),
            None => assert_eq!(mark, precinct::domain::graduation::Mark::Present),
        }
    }
    // Saving the same sheet again changes and audits nothing.
    let audited = app.store.audit_entries(Some("attendance"), 500).await.unwrap().len();
    let (_, location, _) = post_page(&app, &coordinator, &path, &form).await;
    assert_eq!(
        location,
        Some(format!("/staff/classes/{class}/sessions/{last}?saved=0"))
    );
    assert_eq!(
        app.store.audit_entries(Some("attendance"), 500).await.unwrap().len(),
        audited
    );
    let page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/sessions/{last}?saved=0"))
        .await;
    assert!(page.contains("Saved: nothing had changed."));
    assert!(page.contains("Save attendance"));

    // Graduated, the marks are locked: no form, and writes are refused.
    let graduation = format!("/staff/classes/{class}/graduation");
    assert_eq!(post_as(&app, Some(&coordinator), &graduation, &[]).await, 303);
    assert_eq!(mark(&app, &coordinator, class, last, first.get(), "present").await, 409);
    let (status, _, _) = post_page(&app, &coordinator, &path, &[(field.as_str(), "present")]).await;
    assert_eq!(status, 409);
    let make_up = format!("/staff/classes/{class}/sessions/{last}/make-up");
    let who = first.to_string();
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &make_up,
            &[("application", &who), ("made_up", "true")]
        )
        .await,
        409
    );
    let page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/sessions/{last}"))
        .await;
    assert!(
        page.contains("Attendance is locked: this class has graduated"),
        "{page}"
    );
    assert!(!page.contains("Save attendance"));
    assert_eq!(app.store.class_attendance(class_id).await.unwrap(), after);
}

async fn officers_take_attendance_only_in_their_own_classes(backend: Backend) {
    let app = spawn(backend).await;
    // The weekend class met on the last eight Saturdays; its attendance is being taken.
    let class = app.class_id("Weekend Class 4").await;
    let sessions = session_ids(&app, class).await;
    let participant = app
        .store
        .participants(precinct::domain::ClassId::new(class))
        .await
        .unwrap()[0]
        .id
        .get();
    let officer = session(&app, PRESENTING_OFFICER).await;
    let other = session(&app, OTHER_OFFICER).await;
    let sheet = format!("/staff/classes/{class}/sessions/{}", sessions[0]);
    assert_eq!(get_as(&app, Some(&officer), &sheet).await, 200);
    assert_eq!(get_as(&app, Some(&other), &sheet).await, 403);
    assert_eq!(
        mark(&app, &officer, class, sessions[0], participant, "present").await,
        303
    );
    assert_eq!(mark(&app, &other, class, sessions[0], participant, "absent").await, 403);
    // Correcting a mark replaces it and both changes are audited.
    assert_eq!(mark(&app, &officer, class, sessions[0], participant, "late").await, 303);
    let marks = app
        .store
        .class_attendance(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    let key = (
        precinct::domain::SessionId::new(sessions[0]),
        precinct::domain::ApplicationId::new(participant),
    );
    assert_eq!(marks[&key].mark, precinct::domain::graduation::Mark::Late);
    let audit = app.store.audit_entries(Some("attendance"), 10).await.unwrap();
    let object = format!("{}/{participant}", sessions[0]);
    let ours: Vec<_> = audit.iter().filter(|e| e.object_id == object).collect();
    assert_eq!(ours.len(), 2);
    assert_eq!(
        ours[0].before_json.as_deref(),
        Some(r#"{"made_up":false,"mark":"present","minutes_late":null}"#)
    );
    assert_eq!(
        ours[0].after_json.as_deref(),
        Some(r#"{"made_up":false,"mark":"late","minutes_late":null}"#)
    );
    // Someone who is not in this class, a session of another class, a bad mark.
    let teen = app.get_json("/api/v1/classes?program=teen-academy").await["classes"][0]["id"]
        .as_i64()
        .unwrap();
    let teen_person = app
        .store
        .participants(precinct::domain::ClassId::new(teen))
        .await
        .unwrap()[0]
        .id
        .get();
    assert_eq!(
        mark(&app, &officer, class, sessions[0], teen_person, "present").await,
        404
    );
    let teen_session = session_ids(&app, teen).await[0];
    assert_eq!(
        mark(&app, &officer, class, teen_session, participant, "present").await,
        404
    );
    assert_eq!(
        mark(&app, &officer, class, sessions[0], participant, "asleep").await,
        400
    );
    let page = app.page_as(&officer, &sheet).await;
    assert!(page.contains("Saved: <strong>Late</strong>"), "{page}");
    assert!(
        page.contains(&format!(r#"name="mark-{participant}" value="late" checked"#)),
        "the saved mark is the chosen one"
    );
}

async fn a_class_graduates_by_its_programs_rule(backend: Backend) {
    let app = spawn(backend).await;
    let class = open_class(
        &app,
        ClassSpec {
            capacity: 3,
            starts_in_weeks: HELD,
            ..Default::default()
        },
    )
    .await
    .get();
    for n in 1..=3 {
        apply(&app, precinct::domain::ClassId::new(class), &applicant(n), None).await;
    }
    let coordinator = session(&app, COORDINATOR).await;
    let status = format!("/staff/classes/{class}/status");
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/graduation"),
            &[]
        )
        .await,
        409
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &status, &[("status", "closed")]).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &status, &[("status", "in_progress")]).await,
        303
    );
    let sessions = session_ids(&app, class).await;
    let people = app
        .store
        .participants(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    let id_of = |n: usize| {
        people
            .iter()
            .find(|p| p.first_name == format!("Person{n}"))
            .unwrap()
            .id
            .get()
    };
    for (i, s) in sessions.iter().enumerate() {
        // Person1 always present; Person2 misses three; Person3 has two excused absences.
        let m2 = if i < 3 { "absent" } else { "present" };
        let m3 = if i < 2 { "excused" } else { "present" };
        assert_eq!(mark(&app, &coordinator, class, *s, id_of(1), "present").await, 303);
        assert_eq!(mark(&app, &coordinator, class, *s, id_of(2), m2).await, 303);
        assert_eq!(mark(&app, &coordinator, class, *s, id_of(3), m3).await, 303);
    }
    let page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/graduation"))
        .await;
    assert!(page.contains("Graduates miss at most 2 sessions"));
    assert_eq!(page.matches(">Graduates<").count(), 2);
    assert_eq!(page.matches(">Does not graduate<").count(), 1);
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/graduation"),
            &[]
        )
        .await,
        303
    );
    let counts = app
        .store
        .status_counts(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![("completed".to_string(), 2), ("not_completed".to_string(), 1)]
    );
    let c = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(c["status"], "completed");
    let audit = app.store.audit_entries(Some("class"), 10).await.unwrap();
    assert_eq!(audit[0].action, "class.graduate");
    // Each graduate has a numbered certificate: staff download it, it names the graduate,
    // and anyone can verify the number.
    let certificates = app
        .store
        .class_certificates(precinct::domain::ClassId::new(class))
        .await
        .unwrap();
    assert_eq!(certificates.len(), 2);
    let number = certificates[&precinct::domain::ApplicationId::new(id_of(1))].clone();
    for n in certificates.values() {
        assert_hard_to_guess(n);
    }
    let pdf = app
        .client
        .get(format!("{}/staff/certificates/{number}", app.address))
        .header(reqwest::header::COOKIE, &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    let text = pdf_text(&bytes);
    assert!(text.contains("Person1 Tester"), "{text}");
    assert!(text.contains(&number));
    assert!(text.contains("Certificate of Completion"));
    let (status, page) = app.get_text(&format!("/certificates/{number}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Person1 Tester"));
    assert_eq!(app.get("/certificates/2027-99999-ZZZZ").await.status().as_u16(), 404);
    // The graduate is congratulated by email, with where to get and check the certificate.
    let told = app.mailbox("person1@example.org").await;
    let congrats = told.iter().find(|m| m.kind == "graduated").expect("a graduation email");
    assert!(
        congrats.body_text.contains(&format!("/certificates/{number}")),
        "{}",
        congrats.body_text
    );
    assert!(congrats.body_text.contains("/my\n"));
    // The graduate downloads their own certificate; nobody else's.
    let graduate =
        crate::actors::applicant_session(&app, &crate::actors::link_token(&app, "person1@example.org").await).await;
    let mine = app
        .client
        .get(format!("{}/my/certificates/{number}", app.address))
        .header(reqwest::header::COOKIE, &graduate);
    assert_eq!(mine.send().await.unwrap().status().as_u16(), 200);
    let other =
        crate::actors::applicant_session(&app, &crate::actors::link_token(&app, "person3@example.org").await).await;
    let theirs = app
        .client
        .get(format!("{}/my/certificates/{number}", app.address))
        .header(reqwest::header::COOKIE, &other);
    assert_eq!(theirs.send().await.unwrap().status().as_u16(), 404);
    // Graduating twice is refused.
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/graduation"),
            &[]
        )
        .await,
        409
    );
}

/// The text of a PDF, through poppler's `pdftotext` (installed by scripts/setup.sh).
pub fn pdf_text(pdf: &[u8]) -> String {
    // A name of its own per call: tests on both backends render byte-identical PDFs at the
    // same moment, and a shared name let one remove the file while the other read it.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("precinct-pdf-{}-{n}", std::process::id()));
    std::fs::write(&dir, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&dir)
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils; scripts/setup.sh installs it)");
    let _ = std::fs::remove_file(&dir);
    assert!(out.status.success(), "pdftotext could not parse the certificate");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn a_required_ride_along_counts_toward_graduation(backend: Backend) {
    let app = spawn(backend).await;
    let class_id = open_class(
        &app,
        ClassSpec {
            capacity: 2,
            starts_in_weeks: HELD,
            ..Default::default()
        },
    )
    .await;
    let class = class_id.get();
    let program = app.store.class(class_id).await.unwrap().unwrap().program_id;
    let mut tx = app.store.begin().await.unwrap();
    let rule = precinct::domain::graduation::GraduationRule {
        ride_along_required: true,
        max_absences: 12,
        ..Default::default()
    };
    tx.set_graduation_rule(program, &rule).await.unwrap();
    tx.commit().await.unwrap();
    apply(&app, class_id, &applicant(1), None).await;
    apply(&app, class_id, &applicant(2), None).await;
    let coordinator = session(&app, COORDINATOR).await;
    let people = app.store.participants(class_id).await.unwrap();
    let first = people.iter().find(|p| p.first_name == "Person1").unwrap().id.get();
    let path = format!("/staff/classes/{class}/ride-along");
    let done = [("application", first.to_string()), ("done", "yes".to_string())];
    let done: Vec<(&str, &str)> = done.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(post_as(&app, Some(&coordinator), &path, &done).await, 303);
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(post_as(&app, Some(&other), &path, &done).await, 403);
    let status = format!("/staff/classes/{class}/status");
    post_as(&app, Some(&coordinator), &status, &[("status", "closed")]).await;
    post_as(&app, Some(&coordinator), &status, &[("status", "in_progress")]).await;
    let page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/graduation"))
        .await;
    assert!(page.contains("a completed ride-along is required"));
    assert_eq!(
        post_as(
            &app,
            Some(&coordinator),
            &format!("/staff/classes/{class}/graduation"),
            &[]
        )
        .await,
        303
    );
    let counts = app.store.status_counts(class_id).await.unwrap();
    assert_eq!(
        counts,
        vec![("completed".to_string(), 1), ("not_completed".to_string(), 1)],
        "only the one who rode along graduates"
    );
}

async fn lateness_past_the_limit_and_make_ups_follow_the_programs_rule(backend: Backend) {
    let app = spawn(backend).await;
    let class_id = open_class(
        &app,
        ClassSpec {
            starts_in_weeks: HELD,
            ..Default::default()
        },
    )
    .await;
    let class = class_id.get();
    let program = app.store.class(class_id).await.unwrap().unwrap().program_id;
    let mut tx = app.store.begin().await.unwrap();
    let rule = precinct::domain::graduation::GraduationRule {
        max_absences: 11,
        late_limit_minutes: Some(10),
        max_makeups: 1,
        ..Default::default()
    };
    tx.set_graduation_rule(program, &rule).await.unwrap();
    tx.commit().await.unwrap();
    for n in 1..=3 {
        assert_eq!(apply(&app, class_id, &applicant(n), None).await.0, 201);
    }
    let coordinator = session(&app, COORDINATOR).await;
    let people = app.store.participants(class_id).await.unwrap();
    let id = |name: &str| {
        people
            .iter()
            .find(|p| p.first_name == name)
            .unwrap()
            .id
            .get()
            .to_string()
    };
    let (on_time, too_late, made_up) = (id("Person1"), id("Person2"), id("Person3"));
    let sessions = session_ids(&app, class).await;
    let attendance = |s: i64| format!("/staff/classes/{class}/sessions/{s}/attendance");
    let make_up = format!("/staff/classes/{class}/sessions/{}/make-up", sessions[1]);
    // Every session but two is attended by everyone; session 1 tests lateness, session 2 make-ups.
    for s in &sessions[2..] {
        for who in [&on_time, &too_late, &made_up] {
            let form = [("application", who.as_str()), ("mark", "present")];
            assert_eq!(post_as(&app, Some(&coordinator), &attendance(*s), &form).await, 303);
        }
    }
    let late = |who: &str, minutes: &str| {
        [
            ("application", who.to_string()),
            ("mark", "late".to_string()),
            ("minutes_late", minutes.to_string()),
        ]
    };
    for (who, minutes) in [(&on_time, "10"), (&too_late, "11"), (&made_up, "")] {
        let form = late(who, minutes);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            post_as(&app, Some(&coordinator), &attendance(sessions[0]), &form).await,
            303
        );
    }
    let bad = late(&on_time, "ten");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post_as(&app, Some(&coordinator), &attendance(sessions[0]), &bad).await,
        400
    );
    // A make-up needs a recorded absence first.
    let made_up_form = [("application", made_up.as_str()), ("made_up", "true")];
    assert_eq!(post_as(&app, Some(&coordinator), &make_up, &made_up_form).await, 409);
    for who in [&on_time, &too_late, &made_up] {
        let form = [("application", who.as_str()), ("mark", "absent")];
        assert_eq!(
            post_as(&app, Some(&coordinator), &attendance(sessions[1]), &form).await,
            303
        );
    }
    assert_eq!(post_as(&app, Some(&coordinator), &make_up, &made_up_form).await, 303);
    let other = session(&app, OTHER_OFFICER).await;
    assert_eq!(post_as(&app, Some(&other), &make_up, &made_up_form).await, 403);
    let sheet = app
        .page_as(
            &coordinator,
            &format!("/staff/classes/{class}/sessions/{}", sessions[1]),
        )
        .await;
    assert!(sheet.contains("Absent, made up"), "the sheet shows the make-up");
    // max 11 absences out of 12: Person2 has two (late past the limit + absent), the others one
    // absence forgiven or not counted. Tighten the rule to 1 absence to make the difference visible.
    let mut tx = app.store.begin().await.unwrap();
    let strict = precinct::domain::graduation::GraduationRule {
        max_absences: 1,
        ..rule
    };
    tx.set_graduation_rule(program, &strict).await.unwrap();
    tx.commit().await.unwrap();
    let page = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/graduation"))
        .await;
    assert!(page.contains("arriving more than 10 minutes late counts as an absence"));
    assert!(page.contains("up to 1 missed session can be made up"));
    let status = format!("/staff/classes/{class}/status");
    post_as(&app, Some(&coordinator), &status, &[("status", "closed")]).await;
    post_as(&app, Some(&coordinator), &status, &[("status", "in_progress")]).await;
    let confirm = format!("/staff/classes/{class}/graduation");
    assert_eq!(post_as(&app, Some(&coordinator), &confirm, &[]).await, 303);
    let statuses: Vec<(String, String)> = app
        .store
        .participants(class_id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.first_name, p.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("Person1".into(), "completed".into()),
            ("Person2".into(), "not_completed".into()),
            ("Person3".into(), "completed".into()),
        ]
    );
    let csv = app
        .page_as(&coordinator, &format!("/staff/classes/{class}/attendance.csv"))
        .await;
    assert!(
        csv.contains("late (11 min)") && csv.contains("absent (made up)"),
        "{csv}"
    );
}

/// Crockford's base32 symbols, as certificate numbers use them.
const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new certificate number: year, sequence, then two groups of five Crockford symbols,
/// 5 bits each, so at least 40 random bits.
fn assert_hard_to_guess(number: &str) {
    let parts: Vec<&str> = number.split('-').collect();
    assert_eq!(parts.len(), 4, "{number}");
    assert!(parts[0].len() == 4 && parts[1].len() >= 5, "{number}");
    assert!(
        parts[..2].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())),
        "{number}"
    );
    assert_eq!((parts[2].len(), parts[3].len()), (5, 5), "{number}");
    let random = parts[2..].concat();
    assert!(random.bytes().all(|b| CROCKFORD.contains(&b)), "{number}");
    assert!(random.len() * 5 >= 40, "{number}");
}

async fn certificates_issued_before_still_verify_and_guessing_is_limited(backend: Backend) {
    let app = crate::helpers::spawn_app_with(
        backend,
        crate::helpers::Options {
            demo: true,
            rate_limit: Some(4),
            ..Default::default()
        },
    )
    .await;
    // A certificate numbered the old way (four random symbols), stored as it was issued.
    let class = precinct::domain::ClassId::new(app.class_id("Class 33").await);
    let person = app.store.participants(class).await.unwrap()[0].clone();
    let old = "2025-00007-K7QX";
    let mut tx = app.store.begin().await.unwrap();
    tx.issue_certificate(
        old,
        person.id,
        &format!("{} {}", person.first_name, person.last_name),
        "Citizen Police Academy",
        "Class 31",
        "May 14, 2025",
        jiff::Timestamp::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, page) = app.get_text(&format!("/certificates/{old}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&person.last_name) && page.contains(old));
    let (status, page) = app.get_text("/certificates/2025-00007-k7qx").await;
    assert_eq!(status, 200, "typed in lower case");
    assert!(page.contains(old));
    assert_eq!(app.get("/certificates/2025-00007-K7QY").await.status().as_u16(), 404);
    assert_eq!(
        app.get("/certificates/2025-00007-K7QXA-BCDEF").await.status().as_u16(),
        404
    );

    // The budget of four is spent: guessing further is refused on a page that says so.
    let res = app.get("/certificates/2025-00008-AAAA").await;
    assert_eq!(res.status().as_u16(), 429);
    assert_eq!(res.headers()["retry-after"], "60");
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = res.text().await.unwrap();
    assert!(page.contains("Too many requests from your address. Please wait a minute and try again."));
    assert_eq!(
        app.get(&format!("/certificates/{old}")).await.status().as_u16(),
        429,
        "a real number too, until the budget refills"
    );
    assert_eq!(app.get("/").await.status().as_u16(), 200, "other pages are not limited");
}

async fn attendance_waits_for_the_session_and_graduation_for_the_last_one(backend: Backend) {
    use crate::manage::{send, token};
    use reqwest::Method;
    use serde_json::{Value, json};
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let api = token(&app, "coordinator");
    // Class 33 starts in five weeks: its first session takes no marks yet.
    let open = app.class_id("Class 33").await;
    let first = session_ids(&app, open).await[0];
    let person = app
        .store
        .participants(precinct::domain::ClassId::new(open))
        .await
        .unwrap()[0]
        .id
        .get()
        .to_string();
    let path = format!("/staff/classes/{open}/sessions/{first}/attendance");
    let (status, _, page) = crate::actors::post_page(
        &app,
        &coordinator,
        &path,
        &[("application", &person), ("mark", "present")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        page.contains("This session has not started yet. Attendance can be taken from"),
        "{page}"
    );
    assert!(page.contains("30 minutes before it starts."));
    let sheet = app
        .page_as(&coordinator, &format!("/staff/classes/{open}/sessions/{first}"))
        .await;
    assert!(sheet.contains("This session has not started yet."));
    assert!(
        !sheet.contains("/attendance\""),
        "no marking buttons before the session"
    );
    let put = format!("/api/v1/classes/{open}/sessions/{first}/attendance");
    let marks = json!({"marks": [{"application_id": person.parse::<i64>().unwrap(), "mark": "present"}]});
    let (status, problem) = send(&app, Method::PUT, &put, Some(&api), &marks).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "/problems/session-not-started");
    assert!(
        app.store
            .class_attendance(precinct::domain::ClassId::new(open))
            .await
            .unwrap()
            .is_empty()
    );

    // A class half-way through: held sessions take marks, graduation waits for the last one.
    let class = open_class(
        &app,
        ClassSpec {
            starts_in_weeks: -5,
            ..Default::default()
        },
    )
    .await;
    let (status, body) = apply(&app, class, &applicant(1), None).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let class = class.get();
    for s in ["closed", "in_progress"] {
        let status_path = format!("/staff/classes/{class}/status");
        assert_eq!(
            post_as(&app, Some(&coordinator), &status_path, &[("status", s)]).await,
            303
        );
    }
    let sessions = session_ids(&app, class).await;
    assert_eq!(mark(&app, &coordinator, class, sessions[0], id, "present").await, 303);
    assert_eq!(mark(&app, &coordinator, class, sessions[11], id, "present").await, 409);
    let graduation = format!("/staff/classes/{class}/graduation");
    let page = app.page_as(&coordinator, &graduation).await;
    assert!(
        page.contains("This class cannot graduate before its last session, on"),
        "{page}"
    );
    assert!(!page.contains("Confirm graduation</button>"));
    let (status, _, page) = crate::actors::post_page(&app, &coordinator, &graduation, &[]).await;
    assert_eq!(status, 409);
    assert!(
        page.contains("Confirm graduation once that session has started."),
        "{page}"
    );
    let (status, problem) = send(
        &app,
        Method::POST,
        &format!("/api/v1/classes/{class}/graduation"),
        Some(&api),
        &Value::Null,
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["type"], "/problems/class-not-finished");
    let c = app.get_json(&format!("/api/v1/classes/{class}")).await;
    assert_eq!(c["status"], "in_progress", "nothing graduated");
}

on_both_backends!(
    the_sheet_saves_in_one_go_and_marks_lock_after_graduation,
    attendance_waits_for_the_session_and_graduation_for_the_last_one,
    officers_take_attendance_only_in_their_own_classes,
    a_class_graduates_by_its_programs_rule,
    a_required_ride_along_counts_toward_graduation,
    lateness_past_the_limit_and_make_ups_follow_the_programs_rule,
    certificates_issued_before_still_verify_and_guessing_is_limited,
);
