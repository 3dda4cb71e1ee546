//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use super::{attendance, catalog, holidays, manage, questions, registrations, staff};
use crate::web::error::Problem;
use crate::web::health;

/// The API description; every route in `api::router` is listed here, and a test
/// checks that they stay in step.
#[derive(OpenApi)]
#[openapi(
    info(title = "Precinct API", description = "Community programs of a police department."),
    paths(
        catalog::list_programs,
        catalog::get_program,
        catalog::list_classes,
        catalog::get_class,
        catalog::statistics,
        registrations::register,
        staff::roster,
        crate::web::staff::engagement::api,
        manage::create,
        manage::patch,
        manage::add,
        questions::list,
        questions::create,
        questions::update,
        questions::delete,
        manage::copy,
        attendance::sheet,
        attendance::mark,
        attendance::verdicts,
        attendance::confirm,
        holidays::list,
        holidays::add,
        holidays::federal,
        holidays::remove,
        health::healthz,
    ),
    components(schemas(
        crate::domain::engagement::Engagement,
        crate::domain::engagement::Line,
        crate::domain::engagement::DareFigures,
        catalog::ProgramOut,
        catalog::ProgramList,
        catalog::ProgramDetail,
        catalog::ClassOut,
        catalog::ClassList,
        catalog::ClassDetail,
        catalog::SessionOut,
        catalog::PresenterOut,
        catalog::ProgramStatistics,
        crate::domain::stats::YearFigures,
        Problem,
        registrations::RegistrationOut,
        staff::Roster,
        manage::ClassIn,
        manage::ClassPatch,
        manage::PatternIn,
        crate::service::planning::CopyIn,
        manage::PlannedSessionOut,
        manage::CopyPreviewOut,
        manage::CopyOut,
        staff::RosterEntry,
        crate::domain::ApplicationInput,
        crate::domain::RuleFailure,
        crate::domain::questions::AnswerIn,
        crate::domain::questions::QuestionKind,
        questions::QuestionOut,
        questions::QuestionList,
        questions::QuestionIn,
        questions::RemovedOut,
        health::Health,
        attendance::MarkIn,
        attendance::MarksIn,
        attendance::MarkOut,
        attendance::SessionRef,
        attendance::ParticipantAttendance,
        attendance::AttendanceOut,
        attendance::VerdictOut,
        attendance::GraduationOut,
        attendance::IssuedOut,
        attendance::ConfirmedOut,
        crate::domain::graduation::Mark,
        crate::domain::holidays::Holiday,
        holidays::HolidayIn,
        holidays::FederalIn,
        holidays::HolidaysOut,
        holidays::FederalOut,
    )),
    tags((name = "catalog", description = "Programs, classes and sessions"), (name = "registrations", description = "Applying to classes"), (name = "staff", description = "Back-office endpoints; Authorization: Bearer <token>"), (name = "health"))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`.
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
