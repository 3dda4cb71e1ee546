//! Community duties over real HTTP: assigning with the checks each duty needs, ending,
//! who held a duty on a given day, and the public pages naming only officers who agreed.

use crate::actors::{COORDINATOR, OTHER_OFFICER, get_as, post_as, post_page, session};
use crate::applications::spawn;
use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

/// The id of the demo's staff member called `name`.
pub async fn staff_id(app: &TestApp, name: &str) -> String {
    app.store
        .duty_candidates()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == name)
        .unwrap_or_else(|| panic!("{name} is in the demo"))
        .0
        .to_string()
}

/// Status and body of a staff form post.
async fn submit(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let (status, _, body) = post_page(app, cookie, path, form).await;
    (status, body)
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn duties_are_held_over_time_and_shown_with_consent(backend: Backend) {
    let app = spawn(backend).await;
    let coordinator = session(&app, COORDINATOR).await;
    let theo = staff_id(&app, "Theo Mensah").await; // a public profile
    let sofia = staff_id(&app, "Sofia Lindqvist").await; // no public profile

    // A DARE instructor needs a certification from before the start.
    let dare = |who: &str, certified: &str| {
        vec![
            ("staff_id", who.to_string()),
            ("duty", "dare_instructor".to_string()),
            ("starts_on", "2026-01-05".to_string()),
            ("certified_on", certified.to_string()),
        ]
    };
    let (status, page) = submit(&app, &coordinator, "/staff/duties", &refs(&dare(&theo, ""))).await;
    assert_eq!(status, 422);
    assert!(page.contains("Enter the date of the DARE instructor certification."));
    assert_eq!(
        submit(&app, &coordinator, "/staff/duties", &refs(&dare(&theo, "2025-11-20")))
            .await
            .0,
        303
    );
    assert_eq!(
        submit(&app, &coordinator, "/staff/duties", &refs(&dare(&sofia, "2025-10-01")))
            .await
            .0,
        303
    );
    // A resource officer names their school.
    let (status, page) = submit(
        &app,
        &coordinator,
        "/staff/duties",
        &[
            ("staff_id", &theo),
            ("duty", "school_resource_officer"),
            ("starts_on", "2026-01-05"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Name the school or college the officer serves."));

    // Theo's DARE duty ends on March 31: held on that day, not on April 1.
    let assignments = app.store.duty_assignments().await.unwrap();
    let theo_dare = assignments
        .iter()
        .find(|a| a.officer == "Theo Mensah" && a.assignment.duty == precinct::domain::program::Duty::DareInstructor)
        .unwrap();
    let end = format!("/staff/duties/{}/end", theo_dare.id);
    assert_eq!(
        post_as(&app, Some(&coordinator), &end, &[("ends_on", "2026-01-01")]).await,
        409,
        "before it began"
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &end, &[("ends_on", "2026-03-31")]).await,
        303
    );
    assert_eq!(
        post_as(&app, Some(&coordinator), &end, &[("ends_on", "2026-04-30")]).await,
        409,
        "already ended"
    );
    let held = |day: &str| {
        let day: jiff::civil::Date = day.parse().unwrap();
        let app = &app;
        async move {
            app.store
                .duty_holders(&[precinct::domain::program::Duty::DareInstructor], day)
                .await
                .unwrap()
                .into_iter()
                .map(|h| h.officer)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        held("2026-01-04").await,
        ["Luis Castellanos"],
        "the day before both started"
    );
    assert_eq!(
        held("2026-03-31").await,
        ["Luis Castellanos", "Sofia Lindqvist", "Theo Mensah"]
    );
    assert_eq!(held("2026-04-01").await, ["Luis Castellanos", "Sofia Lindqvist"]);
    let page = app.page_as(&coordinator, "/staff/duties?on=2026-03-31").await;
    assert!(page.contains("On 2026-03-31") && page.contains("Theo Mensah"));
    assert!(!app.page_as(&coordinator, "/staff/duties?on=2026-04-01").await.contains(
        "<td data-label=\"Officer\">Theo Mensah</td><td data-label=\"Serves\">—</td><td data-label=\"Since\">2026-01-05</td>"
    ));

    // The public DARE page names officers serving today who agreed to it, and only counts
    // the others.
    let (status, page) = app.get_text("/programs/dare").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<strong>Officer Luis Castellanos</strong>: DARE instructor"),
        "{page}"
    );
    assert!(!page.contains("Sofia Lindqvist") && !page.contains("Theo Mensah"));
    assert!(page.contains("and 1 more officer"));
    let (_, page) = app.get_text("/programs/resource-officers").await;
    assert!(page.contains("School resource officer, Harbor Point High School"));

    // Only coordinators and administrators manage duties.
    let officer = session(&app, OTHER_OFFICER).await;
    assert_eq!(get_as(&app, Some(&officer), "/staff/duties").await, 403);
    assert_eq!(
        post_as(&app, Some(&officer), &end, &[("ends_on", "2026-04-30")]).await,
        403
    );
    assert_eq!(get_as(&app, Some(&coordinator), "/staff/duties?on=soon").await, 400);
    let audit = app.store.audit_for("duty", &theo_dare.id.to_string()).await.unwrap();
    assert_eq!(audit.len(), 2, "assigned and ended");
}

on_both_backends!(duties_are_held_over_time_and_shown_with_consent);
