//! The back office under `/staff`. Every handler takes a [`StaffPage`] (or, for a bare
//! action, a [`StaffUser`]) extractor, so a page cannot be reached without a signed-in
//! account, and checks the permission table in `domain::access` for the object it touches.

use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;

use crate::auth::tokens;
use crate::store::catalog::Department;
use crate::store::staff::StaffUser;
use crate::web::AppState;
use crate::web::error::AppError;

mod activity;
pub(crate) mod attendance;
mod auth;
mod calendar;
mod cancel;
pub use auth::hash_password;
mod classes;
mod content;
mod copy;
pub(crate) mod dare;
mod duties;
pub(crate) mod engagement;
mod entry;
mod export;
mod holidays;
mod import;
mod nominations;
mod outbox;
mod outcomes;
mod password;
mod people;
mod planning;
mod profile;
mod program_questions;
mod program_rules;
mod programs;
mod requests;
mod retention;
mod review;
mod ride_alongs;
mod rules;
mod schools;
mod settings;
mod statistics;
pub(crate) mod traffic;
mod training;
mod two_factor;
mod units;

/// The staff session cookie. Scoped to `/staff` and `SameSite=Strict`.
pub const COOKIE_NAME: &str = "precinct_staff";

/// Routes of the back office.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(classes::dashboard))
        .route("/staff/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/staff/sign-out", post(auth::sign_out))
        .route("/staff/two-factor", get(two_factor::show).post(two_factor::enable))
        .route("/staff/two-factor/disable", post(two_factor::disable))
        .route("/staff/password", get(password::change_form).post(password::change))
        .route(
            "/staff/password-reset/{token}",
            get(password::choose_page).post(password::choose),
        )
        .route(
            "/staff/classes/new",
            get(planning::new_class).post(planning::create_class),
        )
        .route("/staff/holidays", get(holidays::show).post(holidays::add))
        .route("/staff/holidays/remove", post(holidays::remove))
        .route("/staff/holidays/federal", post(holidays::federal))
        .route("/staff/classes/{id}", get(classes::show))
        .route("/staff/classes/{id}/status", post(classes::set_status))
        .route("/staff/classes/{id}/copy", get(copy::form).post(copy::submit))
        .route("/staff/classes/{id}/rules", get(rules::show).post(rules::save))
        .route(
            "/staff/classes/{id}/edit",
            get(planning::edit_class).post(planning::save_class),
        )
        .route("/staff/classes/{id}/capacity", post(classes::set_capacity))
        .route("/staff/audit", get(classes::audit))
        .route("/staff/settings", get(settings::show).post(settings::save))
        .route("/staff/settings/department", post(settings::save_profile))
        .route(
            crate::web::LOGO_UPLOAD_PATH,
            post(settings::upload_logo).layer(axum::extract::DefaultBodyLimit::max(crate::web::body_limit(
                crate::web::LOGO_UPLOAD_PATH,
                0,
            ))),
        )
        .route("/staff/settings/logo/remove", post(settings::remove_logo))
        .route("/staff/people", get(people::list).post(people::create))
        .route("/staff/people/{id}", get(people::show).post(people::update))
        .route("/staff/people/{id}/active", post(people::set_active))
        .route("/staff/people/{id}/two-factor-reset", post(people::reset_two_factor))
        .route("/staff/people/{id}/invitation", post(people::resend))
        .route("/staff/units", get(units::list).post(units::create))
        .route("/staff/units/{id}", post(units::update))
        .route("/staff/units/{id}/delete", post(units::delete))
        .route("/staff/tokens", get(units::tokens).post(units::create_token))
        .route("/staff/tokens/{id}/revoke", post(units::revoke_token))
        .route("/staff/classes/{id}/sessions/{sid}", get(attendance::sheet))
        .route(
            "/staff/classes/{id}/sessions/{sid}/edit",
            get(planning::edit_session).post(planning::save_session),
        )
        .route("/staff/classes/{id}/sessions/{sid}/attendance", post(attendance::mark))
        .route(
            "/staff/classes/{id}/sessions/{sid}/cancel",
            get(cancel::confirm_cancel_session).post(cancel::cancel_session),
        )
        .route("/staff/classes/{id}/sessions/{sid}/make-up", post(attendance::make_up))
        .route(
            "/staff/classes/{id}/cancel",
            get(cancel::confirm_cancel_class).post(cancel::cancel_class),
        )
        .route("/staff/classes/{id}/email", post(classes::email))
        .route("/staff/classes/{id}/import", get(import::form).post(import::upload))
        .route("/staff/applications/{id}/move", post(classes::move_on_waitlist))
        .route(
            "/staff/classes/{id}/graduation",
            get(attendance::graduation).post(attendance::confirm_graduation),
        )
        .route("/staff/certificates/{number}", get(attendance::staff_certificate))
        .route("/staff/classes/{id}/ride-along", post(attendance::ride_along))
        .route(
            "/staff/classes/{id}/ride-alongs",
            get(ride_alongs::show).post(ride_alongs::create),
        )
        .route(
            "/staff/classes/{id}/ride-alongs/{slot}/delete",
            post(ride_alongs::delete),
        )
        .route("/staff/classes/{id}/roster.csv", get(export::roster))
        .route("/staff/classes/{id}/applications/new", get(entry::new))
        .route("/staff/classes/{id}/applications", post(entry::create))
        .route("/staff/programs/new", get(programs::new).post(programs::create))
        .route(
            "/staff/programs/{slug}/edit",
            get(programs::edit).post(programs::update),
        )
        .route("/staff/programs/{slug}/statistics", get(statistics::show))
        .route(
            "/staff/programs/{slug}/settings",
            get(program_rules::show).post(program_rules::save),
        )
        .route(
            "/staff/programs/{slug}/questions",
            get(program_questions::list).post(program_questions::create),
        )
        .route(
            "/staff/programs/{slug}/questions/{id}",
            get(program_questions::edit).post(program_questions::update),
        )
        .route(
            "/staff/programs/{slug}/questions/{id}/remove",
            post(program_questions::remove),
        )
        .route(
            "/staff/programs/{slug}/questions/{id}/move",
            post(program_questions::shift),
        )
        .route(
            "/staff/programs/{slug}/survey",
            get(outcomes::edit).post(outcomes::save),
        )
        .route("/staff/programs/{slug}/survey/results", get(outcomes::results))
        .route("/staff/programs/{slug}/survey/results.csv", get(outcomes::results_csv))
        .route("/staff/alumni", get(outcomes::alumni).post(outcomes::message_alumni))
        .route("/staff/reports/annual", get(outcomes::annual))
        .route("/staff/reports/engagement", get(engagement::show))
        .route("/staff/reports/engagement.csv", get(engagement::csv))
        .route("/staff/reports/engagement.pdf", get(engagement::pdf))
        .route("/staff/reports/annual.pdf", get(outcomes::annual_pdf))
        .route("/staff/traffic", get(traffic::list).post(traffic::plan))
        .route("/staff/traffic/{id}", get(traffic::show))
        .route("/staff/traffic/{id}/results", post(traffic::results))
        .route("/staff/dare", get(dare::list).post(dare::plan))
        .route("/staff/dare/{id}", get(dare::show))
        .route("/staff/dare/{id}/lessons/{lesson}", post(dare::lesson))
        .route("/staff/dare/{id}/graduation", post(dare::graduate))
        .route("/staff/dare/{id}/cancel", post(dare::cancel))
        .route("/staff/dare/{id}/certificates", post(dare::certificates))
        .route(crate::web::layout::ACCOUNT, get(profile::account))
        .route("/staff/profile", get(profile::show).post(profile::consent))
        .route(
            crate::web::PHOTO_UPLOAD_PATH,
            post(profile::upload).layer(axum::extract::DefaultBodyLimit::max(crate::web::body_limit(
                crate::web::PHOTO_UPLOAD_PATH,
                0,
            ))),
        )
        .route("/staff/profile/photo.jpg", get(profile::own_photo))
        .route("/staff/profile/photo/remove", post(profile::remove))
        .route("/staff/training", get(training::show).post(training::log))
        .route("/staff/duties", get(duties::show).post(duties::assign))
        .route("/staff/duties/{id}/end", post(duties::end))
        .route("/staff/activity", get(activity::show).post(activity::create))
        .route("/staff/activity/summary.csv", get(activity::summary_csv))
        .route("/staff/activity/{id}", get(activity::edit).post(activity::update))
        .route("/staff/review", get(review::queue))
        .route("/staff/nominations", get(nominations::show).post(nominations::nominate))
        .route("/staff/nominations/quota", post(nominations::quota))
        .route("/staff/nominations/report.csv", get(nominations::credit_report))
        .route("/staff/nominations/report.pdf", get(nominations::credit_report_pdf))
        .route("/staff/schools", get(schools::show).post(schools::add_school))
        .route("/staff/schools/counselors", post(schools::add_counselor))
        .route("/staff/schools/link", post(schools::link))
        .route("/staff/nominations/{id}/{action}", post(nominations::act))
        .route("/staff/nominations/{id}/export", get(retention::export))
        .route(
            "/staff/nominations/{id}/edit",
            get(nominations::edit).post(nominations::update),
        )
        .route("/staff/retention", get(retention::show).post(retention::run))
        .route("/staff/outbox", get(outbox::show))
        .route("/staff/content", get(content::list))
        .route("/staff/requests", get(requests::board))
        .route("/staff/requests/{id}", get(requests::show).post(requests::update))
        .route("/staff/content/new", get(content::new).post(content::create))
        .route("/staff/content/{id}", get(content::edit).post(content::update))
        .route("/staff/calendar", get(calendar::show).post(calendar::create))
        .route("/staff/outbox/{id}", get(outbox::message))
        .route("/staff/outbox/{id}/resend", post(outbox::resend))
        .route("/staff/applications/{id}", get(review::show))
        .route(
            "/staff/applications/{id}/answers/{question}/file",
            get(review::answer_file),
        )
        .route("/staff/applications/{id}/background-check", post(review::set_check))
        .route("/staff/applications/{id}/decision", post(review::decide))
        .route("/staff/applications/{id}/screening", post(review::record))
        .route("/staff/classes/{id}/attendance.csv", get(export::attendance))
}

/// Back-office routes that send email on request, rate limited with the others.
pub fn limited_router() -> Router<AppState> {
    Router::new().route(
        "/staff/password-reset",
        get(password::request_page).post(password::request),
    )
}

pub use profile::jpeg as photo_response;
pub use review::answer_text;
pub use two_factor::require_for_admins as require_admin_two_factor;

/// The session cookie's value, if any.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    crate::web::cookie_value(headers, COOKIE_NAME)
}

/// The layout of a back-office page for `user` at `current`.
pub fn layout(
    dept: Option<&crate::store::catalog::Department>,
    current: &str,
    user: &StaffUser,
) -> crate::web::layout::Layout {
    use crate::domain::access::{Permission, allows};
    let mut extra = Vec::new();
    if allows(user.role, Permission::FieldWork) {
        extra.push(("/staff/requests", "Requests"));
        extra.push(("/staff/activity", "Activity log"));
        extra.push(("/staff/dare", "DARE"));
        extra.push(("/staff/training", "Training"));
    }
    if allows(user.role, Permission::Nominate) || allows(user.role, Permission::RunClasses) {
        extra.push(("/staff/nominations", "Nominations"));
    }
    if allows(user.role, Permission::RunClasses) {
        extra.push(("/staff/schools", "Schools"));
        extra.push(("/staff/outbox", "Outbox"));
        extra.push(("/staff/content", "Pages"));
        extra.push(("/staff/alumni", "Alumni"));
        extra.push(("/staff/duties", "Duties"));
        extra.push(("/staff/holidays", "Holidays"));
        extra.push(("/staff/traffic", "Traffic"));
    }
    if allows(user.role, Permission::SeeAllClasses) {
        extra.push(("/staff/reports/annual", "Annual report"));
    }
    if allows(user.role, Permission::Review) {
        extra.push(("/staff/review", "Review queue"));
    }
    if allows(user.role, Permission::ReadAudit) {
        extra.push(("/staff/audit", "Audit log"));
    }
    if allows(user.role, Permission::Configure) {
        extra.push(("/staff/people", "Staff"));
        extra.push(("/staff/retention", "Retention"));
        extra.push(("/staff/settings", "Settings"));
    }
    crate::web::layout::Layout::staff(dept, current, &user.full_name, &extra)
}

/// Refuses (403) a staff member whose role lacks `permission`.
pub fn require(user: &StaffUser, permission: crate::domain::access::Permission) -> Result<(), AppError> {
    if crate::domain::access::allows(user.role, permission) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// What every back-office page needs besides its own data, read once per request: who is
/// signed in, the department (none before set-up) and its time zone. Handlers take it in
/// place of [`StaffUser`], so none reads the department itself.
pub struct StaffPage {
    pub user: StaffUser,
    pub department: Option<Department>,
    pub zone: jiff::tz::TimeZone,
}

impl StaffPage {
    /// The layout of this page at `current` (a nav href).
    pub fn layout(&self, current: &str) -> crate::web::layout::Layout {
        layout(self.department.as_ref(), current, &self.user)
    }

    /// Today's date in the department's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        Timestamp::now().to_zoned(self.zone.clone()).date()
    }

    /// The department's name, or a neutral one before set-up.
    pub fn department_name(&self) -> String {
        self.department
            .as_ref()
            .map_or_else(|| "Police Department".to_string(), |d| d.name.clone())
    }
}

impl FromRequestParts<AppState> for StaffPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = <StaffUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        let department = state
            .store
            .department()
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let zone = department.as_ref().map_or(jiff::tz::TimeZone::UTC, Department::tz);
        Ok(StaffPage { user, department, zone })
    }
}

/// Not signed in: send the browser to the sign-in page.
pub struct SignInRequired;

impl IntoResponse for SignInRequired {
    fn into_response(self) -> Response {
        crate::web::see_other("/staff/sign-in")
    }
}

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match <StaffUser as OptionalFromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(SignInRequired.into_response()),
            Err(e) => Err(e),
        }
    }
}

impl OptionalFromRequestParts<AppState> for StaffUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        let Some(id) = session_cookie(&parts.headers) else {
            return Ok(None);
        };
        state
            .store
            .staff_session(&tokens::hash(&id), Timestamp::now())
            .await
            .map_err(|e| AppError::from(e).into_response())
    }
}
