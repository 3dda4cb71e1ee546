//! Pages for residents: no account, server-rendered, usable without JavaScript.

use axum::Router;
use axum::routing::get;

use crate::web::AppState;

mod about;
pub use about::default_text as site_page_default;
mod applicant;
pub(crate) mod apply;
pub(crate) mod calendars;
mod certificates;
mod classes;
mod consent;
mod content;
mod home;
mod interest;
mod news;
mod privacy;
mod programs;
pub(crate) mod requests;
mod surveys;

/// Routes that write, and the certificate check (a lookup someone could try to guess
/// numbers with), grouped so the rate limiter can wrap them.
pub fn limited_router() -> Router<AppState> {
    Router::new()
        .route(
            "/classes/{id}/apply",
            axum::routing::post(apply::submit).layer(axum::extract::DefaultBodyLimit::max(crate::web::body_limit(
                "/classes/0/apply",
                0,
            ))),
        )
        .route("/my/link", axum::routing::post(applicant::send_link))
        .route("/programs/{slug}/interest", axum::routing::post(interest::join))
        .route("/requests/new/{code}", axum::routing::post(requests::submit))
        .route("/certificates/{number}", get(certificates::verify))
        .route(
            "/requests/follow/{token}/comment",
            axum::routing::post(requests::comment),
        )
}

/// Routes of the public site.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show))
        .route("/programs", get(programs::index))
        .route("/programs/{slug}", get(programs::show))
        .route("/officers/{id}/photo.jpg", get(programs::officer_photo))
        .route("/classes/{id}", get(classes::show))
        .route("/about", get(about::show))
        .route("/accessibility", get(about::accessibility))
        .route("/logo.png", get(about::logo))
        .route("/privacy", get(privacy::show))
        .route("/my", get(applicant::find))
        .route(
            "/my/link/{token}",
            get(applicant::confirm_link).post(applicant::use_link),
        )
        .route("/my/applications", get(applicant::list))
        .route("/my/applications/{id}/correct", axum::routing::post(applicant::correct))
        .route(
            "/my/applications/{id}/ride-along",
            axum::routing::post(applicant::book_ride_along),
        )
        .route(
            "/my/applications/{id}/ride-along/cancel",
            axum::routing::post(applicant::cancel_ride_along),
        )
        .route("/my/applications/{id}/alumni", axum::routing::post(applicant::alumni))
        .route(
            "/my/applications/{id}/withdraw",
            get(applicant::confirm_withdraw).post(applicant::withdraw),
        )
        .route("/my/applications/{id}/{action}", axum::routing::post(applicant::act))
        .route("/my/sign-out", axum::routing::post(applicant::sign_out))
        .route("/my/certificates/{number}", get(applicant::certificate))
        .route("/consent/{token}", get(consent::show).post(consent::sign))
        .route("/feeds/news.atom", get(news::feed))
        .route("/requests/new", get(requests::index))
        .route("/requests/new/{code}", get(requests::form))
        .route("/requests/follow/{token}", get(requests::follow))
        .route("/requests/{id}", get(requests::public))
        .route("/pages/{slug}", get(content::page))
        .route("/advisories", get(content::advisories))
        .route("/advisories/{slug}", get(content::advisory))
        .route("/calendar/classes/{file}", get(calendars::class))
        .route("/calendar/me/{file}", get(calendars::participant))
        .route("/calendar/staff/{file}", get(calendars::presenter))
        .route("/my/calendar", axum::routing::post(applicant::calendar_link))
        .route("/surveys/{token}", get(surveys::show).post(surveys::submit))
        .route(
            "/alumni/leave/{token}",
            get(surveys::confirm_leave).post(surveys::leave),
        )
        .route(
            "/interest/unsubscribe/{token}",
            get(interest::confirm_leave).post(interest::leave),
        )
}
