use jiff::Timestamp;
use precinct::demo::{self, Seeded};
use precinct::store::Store;

use crate::helpers::{Backend, TestDb};
use crate::on_both_backends;

const BASE: &str = "http://127.0.0.1:8080";

async fn store_for(db: &TestDb) -> Store {
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store
}

async fn seeding_twice_changes_nothing_the_second_time(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = store_for(&db).await;
    assert_eq!(
        demo::seed(&store, BASE, Timestamp::now()).await.unwrap(),
        Seeded::Created
    );
    let programs = store.published_programs().await.unwrap().len();
    let classes = store.public_classes(None).await.unwrap().len();
    assert_eq!(
        demo::seed(&store, BASE, Timestamp::now()).await.unwrap(),
        Seeded::AlreadyPresent
    );
    assert_eq!(store.published_programs().await.unwrap().len(), programs);
    assert_eq!(store.public_classes(None).await.unwrap().len(), classes);
    store.close().await;
}

async fn concurrent_seeding_creates_one_department(backend: Backend) {
    let db = TestDb::new(backend).await;
    let a = store_for(&db).await;
    let b = Store::connect(&db.url).await.unwrap();
    let now = Timestamp::now();
    let (ra, rb) = tokio::join!(demo::seed(&a, BASE, now), demo::seed(&b, BASE, now));
    let mut outcomes = [ra.unwrap(), rb.unwrap()];
    outcomes.sort_by_key(|s| *s == Seeded::Created);
    assert_eq!(outcomes, [Seeded::AlreadyPresent, Seeded::Created]);
    assert_eq!(a.published_programs().await.unwrap().len(), 6);
    let all = a
        .public_classes_page(None, precinct::store::catalog::Period::All, None, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    a.close().await;
    b.close().await;
}

async fn the_demo_looks_current_whenever_it_is_seeded(backend: Backend) {
    // Seeded in spring: the teen cohort is the spring semester's.
    let db = TestDb::new(backend).await;
    let store = store_for(&db).await;
    let march: Timestamp = "2027-03-10T20:00:00Z".parse().unwrap();
    demo::seed(&store, BASE, march).await.unwrap();
    let classes = store.public_classes(None).await.unwrap();
    let names: Vec<&str> = classes.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"Spring 2027"), "{names:?}");
    let open = classes.iter().find(|c| c.name == "Class 33").unwrap();
    assert!(
        open.first_session_at.unwrap() > march,
        "the open class starts after seeding"
    );
    assert!(open.registration_opens_at.unwrap() < march);
    store.close().await;
}

on_both_backends!(
    seeding_twice_changes_nothing_the_second_time,
    concurrent_seeding_creates_one_department,
    the_demo_looks_current_whenever_it_is_seeded,
);
