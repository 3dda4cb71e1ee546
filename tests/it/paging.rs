//! The API's roster reads a class a page at a time: keyset cursors in queue order, every
//! row exactly once, a row that arrives between pages still read, and a page size or
//! cursor it cannot read refused with problem JSON.

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

on_both_backends!(rosters_page_in_queue_order_with_cursors);
