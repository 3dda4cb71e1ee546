//! Property test of the waitlist over the real service and database: random interleavings
//! of applying, withdrawing, accepting and declining offers, and time passing (offers
//! expiring) never oversell a class, never leave a seat free while someone waits, and
//! give seats in order of arrival.

use jiff::{SignedDuration, Timestamp};
use precinct::domain::ApplicationId;
use precinct::service::applicants::Action;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::applications::{ClassSpec, applicant, apply, open_class, spawn};
use crate::helpers::{Backend, TestApp};

#[derive(Debug, Clone)]
enum Op {
    Apply,
    /// The nth application so far (modulo how many there are).
    Withdraw(usize),
    Accept(usize),
    Decline(usize),
    /// Hours pass; offers may run out.
    Wait(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Apply),
        2 => any::<usize>().prop_map(Op::Withdraw),
        2 => any::<usize>().prop_map(Op::Accept),
        1 => any::<usize>().prop_map(Op::Decline),
        1 => (1u8..60).prop_map(Op::Wait),
    ]
}

const CAPACITY: i64 = 3;

async fn run(app: &TestApp, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let class = open_class(
        app,
        ClassSpec {
            capacity: CAPACITY,
            ..Default::default()
        },
    )
    .await;
    let mut clock = Timestamp::now();
    let mut people: Vec<(ApplicationId, String)> = Vec::new();
    for op in ops {
        match op {
            Op::Apply => {
                let n = 1_000 + people.len();
                let body = applicant(n);
                let (status, res) = apply(app, class, &body, None).await;
                prop_assert_eq!(status, 201);
                let id = ApplicationId::new(res["id"].as_i64().unwrap());
                people.push((
                    id,
                    precinct::domain::application::email_key(body["email"].as_str().unwrap()),
                ));
            }
            Op::Withdraw(k) | Op::Accept(k) | Op::Decline(k) if !people.is_empty() => {
                let (id, key) = &people[k % people.len()];
                let action = match op {
                    Op::Withdraw(_) => Action::Withdraw,
                    Op::Accept(_) => Action::AcceptOffer,
                    _ => Action::DeclineOffer,
                };
                // Refusals (accepting what was never offered, withdrawing twice) are fine.
                let _ = precinct::service::applicants::act(&app.store, &app.state.links, key, *id, action, clock).await;
                if action == Action::Withdraw {
                    // Nobody takes it back: it takes effect when the grace period ends.
                    let effective = precinct::domain::application::withdrawal_takes_effect(clock);
                    precinct::service::applicants::finish_withdrawals(&app.store, &app.state.links, effective)
                        .await
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
            Op::Wait(hours) => {
                clock += SignedDuration::from_hours(i64::from(hours));
                precinct::service::waitlist::expire_offers(&app.store, &app.state.links, clock)
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            _ => {}
        }
        // The invariants hold after every step.
        let rows = app.store.applications_in_class(class).await.unwrap();
        let ids = app.store.application_ids_in_class(class).await.unwrap();
        let holding: Vec<i64> = ids
            .iter()
            .zip(&rows)
            .filter(|(_, (_, s))| s == "confirmed" || s == "offered")
            .map(|(id, _)| *id)
            .collect();
        let waiting: Vec<i64> = ids
            .iter()
            .zip(&rows)
            .filter(|(_, (_, s))| s == "waitlisted")
            .map(|(id, _)| *id)
            .collect();
        prop_assert!(holding.len() as i64 <= CAPACITY, "oversold: {:?}", rows);
        prop_assert!(
            waiting.is_empty() || holding.len() as i64 == CAPACITY,
            "a seat is free while people wait: {:?}",
            rows
        );
        if let (Some(last_seat), Some(first_waiting)) = (holding.iter().max(), waiting.iter().min()) {
            prop_assert!(last_seat < first_waiting, "seats out of arrival order: {:?}", rows);
        }
        // The counts the triggers keep (what the registrar reads) match a recount.
        let mut tx = app.store.begin().await.unwrap();
        let (held, waitlisted, last_rank) = tx.allocation_counts(class).await.unwrap();
        let (held_now, waitlisted_now, max_rank) = tx.recount(class).await.unwrap();
        drop(tx);
        prop_assert_eq!(
            (held, waitlisted),
            (held_now, waitlisted_now),
            "kept counts drifted: {:?}",
            rows
        );
        prop_assert!(
            last_rank >= max_rank,
            "a new application would reuse queue place {}",
            last_rank
        );
    }
    Ok(())
}

#[test]
fn random_interleavings_never_oversell_and_keep_arrival_order() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = rt.block_on(spawn(Backend::Sqlite));
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        rt.block_on(run(&app, ops))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    drop(app);
}
