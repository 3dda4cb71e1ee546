//! The site's pages and advisories.

use crate::domain::markdown;
use crate::store::{StoreError, Tx};
use jiff::Timestamp;

/// A seasonal advisory and an explanatory page.
pub(super) async fn seed(tx: &mut Tx, now: Timestamp) -> Result<(), StoreError> {
    use crate::domain::content::{ContentKind, Window};
    use crate::store::content::NewContent;
    tx.insert_content(
        &NewContent {
            kind: ContentKind::Advisory,
            slug: "winter-driving",
            title: "Driving in winter weather",
            category: "Road safety",
            summary: "Icy passes and slick first-rain roads: how to prepare, drive and what to do if you are stuck.",
            body_markdown: WINTER_DRIVING,
            body_html: markdown::to_safe_html(WINTER_DRIVING),
            window: Window::Season {
                from: (11, 1),
                until: (3, 31),
            },
            published: true,
            on_home: true,
        },
        now,
    )
    .await?;
    tx.insert_content(
        &NewContent {
            kind: ContentKind::Page,
            slug: "community-policing",
            title: "What is community policing?",
            category: "About us",
            summary: "Residents and officers solving problems together, street by street.",
            body_markdown: COMMUNITY_POLICING,
            body_html: markdown::to_safe_html(COMMUNITY_POLICING),
            window: Window::Always,
            published: true,
            on_home: false,
        },
        now,
    )
    .await?;
    Ok(())
}

const WINTER_DRIVING: &str = "\
Harbor Point rarely sees snow, but the passes east of town ice over on clear winter nights, and \
the first rain after a dry spell leaves the coast road as slick as ice.

## Before you go

- Check the road report for the passes; chains may be required even when town is dry.
- Top up washer fluid and look at your tires: worn treads lose grip first.
- Keep a blanket, water, a phone charger and a flashlight in the car.

## On the road

- Slow down before curves and bridges; bridges freeze before the road does.
- Leave three times the usual gap to the car ahead.
- If you skid, look and steer where you want to go, and ease off the pedals.
- Turn on headlights in rain or fog so others see you.

## If you are stuck or in a crash

Move to safety if you can, turn on hazard lights and call 911 if anyone is hurt or the road is \
blocked. For a minor crash with no injuries, exchange details and file a report online or at the \
front desk.
";

const COMMUNITY_POLICING: &str = "\
Community policing is a way of working, not a single program. Officers are assigned to the same \
neighborhoods for years, residents tell us which problems matter most on their street, and both \
sides share the work of solving them.

## What it looks like in Harbor Point

- **Beat officers you know by name**, who come to neighborhood meetings and answer email.
- **Programs that open the station**: the Citizen Police Academy, the Teen Academy and ride-alongs.
- **Officers in schools**: DARE lessons in fifth grade and resource officers at the high school \
  and the college.
- **Problem solving with data and with neighbors**: a traffic complaint becomes a focused \
  enforcement operation, and the requester hears what it found.

## How you can take part

Join a neighborhood watch, apply to the academy, ask for an officer to speak to your club, or \
simply [tell us what worries you](/requests/new).
";
