//! The department's programs, their rules and page text.

use crate::domain::{Affiliation, Eligibility, ProgramKind, markdown};
use crate::store::seed::NewProgram;
use crate::store::{StoreError, Tx};
use jiff::Timestamp;

/// The programs the classes belong to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Programs {
    pub citizen: crate::domain::ProgramId,
    pub teen: crate::domain::ProgramId,
}

/// Writes every program with its graduation rule and screening.
pub(super) async fn seed(tx: &mut Tx, now: Timestamp) -> Result<Programs, StoreError> {
    let citizen = tx
        .insert_program(
            &NewProgram {
                what_to_bring: "A photo ID, a notebook, and comfortable closed-toe shoes (the defensive-tactics night is on mats).",
                ..program(
                "citizen-academy",
                ProgramKind::CitizenAcademy,
                "Citizen Police Academy",
                "Twelve evenings inside the department: meet the units, try the training, and see how a call becomes a case.",
                CITIZEN_BODY,
                &Eligibility {
                    min_age: Some(18),
                    affiliations: Affiliation::ALL.to_vec(),
                    background_check: true,
                    waiver: true,
                    ..Default::default()
                },
                1,
                (31, 742),
            )
            },
            now,
        )
        .await?;
    // Graduates of the citizen academy have also done a ride-along with patrol.
    let rule = crate::domain::graduation::GraduationRule {
        late_limit_minutes: Some(15),
        max_makeups: 1,
        ride_along_required: true,
        ..Default::default()
    };
    tx.set_graduation_rule(citizen, &rule).await?;
    tx.set_screening(citizen, &citizen_screening()).await?;
    let teen = tx
        .insert_program(
            &NewProgram {
                what_to_bring: "Your school ID and the signed permission form; wear sneakers.",
                ..program(
                    "teen-academy",
                    ProgramKind::TeenAcademy,
                    "Teen Police Academy",
                    "A semester program for high-school juniors and seniors, one evening a week, for school credit.",
                    TEEN_BODY,
                    &Eligibility {
                        min_age: Some(15),
                        max_age: Some(19),
                        grades: vec![11, 12],
                        counselor_nomination: true,
                        guardian_consent_for_minors: true,
                        ..Default::default()
                    },
                    2,
                    (14, 301),
                )
            },
            now,
        )
        .await?;
    let e = Eligibility::default();
    tx.insert_program(
        &program(
            "dare",
            ProgramKind::Dare,
            "DARE in Harbor Point Schools",
            "Officers teach decision-making and drug-resistance lessons in fifth-grade classrooms.",
            DARE_BODY,
            &e,
            3,
            (0, 0),
        ),
        now,
    )
    .await?;
    tx.insert_program(&program("resource-officers", ProgramKind::ResourceOfficer, "School and College Resource Officers", "An officer assigned to each high school and to Bayside Community College, as mentor, teacher and first contact.", SRO_BODY, &e, 4, (0, 0)), now).await?;
    tx.insert_program(
        &program(
            "neighborhood-watch",
            ProgramKind::NeighborhoodWatch,
            "Neighborhood Watch",
            "Get to know your neighbors, learn what to report, and start a watch group on your block.",
            WATCH_BODY,
            &e,
            5,
            (0, 0),
        ),
        now,
    )
    .await?;
    tx.insert_program(&program("traffic-safety", ProgramKind::TrafficEnforcement, "Selective Traffic Enforcement", "Tell us where speeding or red-light running worries you; Motors officers focus patrols there and report back.", TRAFFIC_BODY, &e, 6, (0, 0)), now).await?;
    Ok(Programs { citizen, teen })
}

#[expect(
    clippy::too_many_arguments,
    reason = "a flat literal list reads better than a builder here"
)]
fn program<'a>(
    slug: &'a str,
    kind: ProgramKind,
    name: &'a str,
    summary: &'a str,
    body: &'a str,
    eligibility: &'a Eligibility,
    position: i64,
    (legacy_classes, legacy_graduates): (i64, i64),
) -> NewProgram<'a> {
    NewProgram {
        slug,
        kind,
        name,
        summary,
        what_to_bring: "",
        body_markdown: body,
        body_html: markdown::to_safe_html(body),
        eligibility,
        lottery: false,
        position,
        legacy_classes,
        legacy_graduates,
    }
}

/// How the citizen academy screens applicants: three stages, the background check sensitive.
pub fn citizen_screening() -> crate::domain::screening::Screening {
    use crate::domain::screening::{Reason, Screening, Stage};
    let stage = |code: &str, name: &str, sensitive| Stage {
        code: code.into(),
        name: name.into(),
        sensitive,
    };
    let reason = |code: &str, label: &str| Reason {
        code: code.into(),
        label: label.into(),
    };
    Screening {
        stages: vec![
            stage("application_review", "Application review", false),
            stage("background_check", "Background check", true),
            stage("interview", "Conversation with the coordinator", false),
        ],
        reasons: vec![
            reason("meets_criteria", "Meets the program's criteria"),
            reason("missing_information", "Information missing from the application"),
            reason("not_eligible", "Not eligible (age, residence or connection)"),
            reason("record_found", "Record found in the background check"),
            reason("schedule_conflict", "Cannot attend the class dates"),
            reason("withdrew_interest", "Applicant no longer interested"),
        ],
    }
}

const CITIZEN_BODY: &str = "\
The Citizen Police Academy opens the department to the people it serves. Over twelve evenings you \
meet officers and professional staff from nearly every unit, hear how decisions are made, and try \
some of the training yourself.

## What you will do

- Sit in on a patrol briefing and follow a call from the 911 line to the final report.
- Practice evidence collection with forensic specialists and watch a K-9 team search.
- Work through training scenarios the way recruits do, and talk through the choices afterwards.
- Ask the questions you have always wanted to ask, of the people who do the job.

## Why we run it

A department works best when residents know how it works. Graduates tell their neighbors what \
they saw, many join Neighborhood Watch or volunteer with us, and their questions make us better.

Classes are small and seats go quickly. If no class is open, join the interest list and we will \
tell you as soon as the next one is announced.";

const TEEN_BODY: &str = "\
The Teen Police Academy brings high-school juniors and seniors to the station one evening a week \
for a semester. Officers from patrol, investigations and specialized units teach hands-on \
sessions, and students who complete the program earn elective credit from their school.

## How students join

School counselors at Harbor Point high schools select and nominate students each semester. A \
parent or guardian gives consent before the first session. There is no cost.

## What students take away

A realistic picture of police work, practice in teamwork and judgment, and a direct line to \
officers who can talk about careers in public safety.";

const DARE_BODY: &str = "\
DARE officers teach a ten-lesson course in fifth-grade classrooms across Harbor Point. The lessons \
are about making safe, responsible choices: handling peer pressure, understanding risks, and \
knowing where to turn for help. Each course ends with a graduation that families attend.

Schools that would like DARE in their classrooms can ask through the community request form.";

const SRO_BODY: &str = "\
Each Harbor Point high school has an assigned School Resource Officer, and Bayside Community \
College has a College Resource Officer. They are familiar faces on campus: they teach safety \
lessons, mentor students, help staff plan drills, and follow up when something happens.

Resource officers are part of the school community first. Discipline stays with the school.";

const WATCH_BODY: &str = "\
Neighborhood Watch is neighbors looking out for each other. A Community Relations officer meets \
with your block to explain what to report and how, shares local crime information, and helps you \
choose a block captain.

To start a watch on your street, send us a request and we will set up a first meeting.";

const TRAFFIC_BODY: &str = "\
Speeding on a residential street or cars rolling through a school crosswalk? Tell us where and \
when. The Motors and DUI units plan focused enforcement operations at the places residents name, \
and we report back what we found and did.";
