//! Community requests: the services residents may ask for (in the shape of Open311
//! GeoReport v2 service definitions), checking a request's answers against its service,
//! the life of a request, and which officers' duties fit it.

use std::collections::BTreeMap;

use super::program::coded_enum;
use super::{Duty, RuleFailure};

coded_enum! {
    /// Where a request stands. Open311 reports `open` for all but `closed`.
    RequestStatus {
        New = "new" / "New",
        Acknowledged = "acknowledged" / "Acknowledged",
        Assigned = "assigned" / "Assigned",
        InProgress = "in_progress" / "In progress",
        Closed = "closed" / "Closed",
    }
}

impl RequestStatus {
    /// Open311's two-valued status.
    pub fn open311(self) -> &'static str {
        if self == RequestStatus::Closed {
            "closed"
        } else {
            "open"
        }
    }

    /// Whether staff may move a request from `self` to `next`. Any open request may be
    /// closed; a closed one may be reopened (back to acknowledged) when closed by mistake.
    pub fn can_become(self, next: RequestStatus) -> bool {
        use RequestStatus::*;
        match (self, next) {
            (a, b) if a == b => false,
            (Closed, Acknowledged) => true,
            (Closed, _) => false,
            (_, Closed) => true,
            (New, Acknowledged | Assigned | InProgress) => true,
            (Acknowledged, Assigned | InProgress) => true,
            (Assigned, InProgress | Acknowledged) => true,
            (InProgress, Assigned) => true,
            _ => false,
        }
    }
}

/// The kind of answer an attribute takes (Open311 `datatype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datatype {
    String,
    Number,
    Text,
    SingleValueList,
    MultiValueList,
}

impl Datatype {
    pub fn code(self) -> &'static str {
        match self {
            Datatype::String => "string",
            Datatype::Number => "number",
            Datatype::Text => "text",
            Datatype::SingleValueList => "singlevaluelist",
            Datatype::MultiValueList => "multivaluelist",
        }
    }
}

/// A question a service asks (Open311 attribute).
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub code: &'static str,
    pub datatype: Datatype,
    pub required: bool,
    /// The question as residents read it.
    pub description: &'static str,
    /// `(key, name)` choices of list attributes.
    pub values: &'static [(&'static str, &'static str)],
}

/// A service residents may request.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub group: &'static str,
    pub keywords: &'static str,
    /// Whether the request is about a place (an address is then required).
    pub needs_location: bool,
    pub attributes: &'static [Attribute],
    /// Duties whose holders are suggested first for assignment.
    pub fitting_duties: &'static [Duty],
}

const AUDIENCES: &[(&str, &str)] = &[
    ("elementary", "Elementary school class"),
    ("middle", "Middle school class"),
    ("high", "High school class"),
    ("college", "College group"),
    ("community", "Community group or club"),
    ("business", "Business or workplace"),
];

const TOPICS: &[(&str, &str)] = &[
    ("dare", "DARE: decisions and drug resistance"),
    ("online_safety", "Staying safe online"),
    ("personal_safety", "Personal safety"),
    ("fraud", "Scams and fraud against seniors"),
    ("careers", "Careers in policing"),
    ("other", "Something else (describe it)"),
];

const TIMES: &[(&str, &str)] = &[
    ("morning", "Morning commute"),
    ("school", "School arrival or dismissal"),
    ("midday", "Midday"),
    ("evening", "Evening commute"),
    ("night", "Night"),
    ("weekend", "Weekends"),
];

const PROBLEMS: &[(&str, &str)] = &[
    ("speeding", "Speeding"),
    ("signals", "Running red lights or stop signs"),
    ("school_zone", "Speeding in a school zone"),
    ("racing", "Street racing or loud exhausts"),
    ("pedestrians", "Drivers not yielding to pedestrians"),
    ("other", "Something else (describe it)"),
];

const SHIFTS: &[(&str, &str)] = &[
    ("day", "Day shift"),
    ("evening", "Evening shift"),
    ("night", "Night shift"),
];

/// Every service, in the order the request form lists them.
pub const SERVICES: &[Service] = &[
    Service {
        code: "presentation",
        name: "Officer presentation",
        description: "An officer visits your school, club or workplace to talk about safety, DARE or careers.",
        group: "Education",
        keywords: "dare, school, talk, safety, presentation",
        needs_location: true,
        attributes: &[
            Attribute {
                code: "organization",
                datatype: Datatype::String,
                required: true,
                description: "School, club or organization",
                values: &[],
            },
            Attribute {
                code: "audience",
                datatype: Datatype::SingleValueList,
                required: true,
                description: "Who will be listening",
                values: AUDIENCES,
            },
            Attribute {
                code: "topic",
                datatype: Datatype::SingleValueList,
                required: true,
                description: "Topic",
                values: TOPICS,
            },
            Attribute {
                code: "attendance",
                datatype: Datatype::Number,
                required: false,
                description: "About how many people",
                values: &[],
            },
            Attribute {
                code: "dates",
                datatype: Datatype::Text,
                required: false,
                description: "Dates and times that suit you",
                values: &[],
            },
        ],
        fitting_duties: &[
            Duty::DareInstructor,
            Duty::SchoolResourceOfficer,
            Duty::CollegeResourceOfficer,
        ],
    },
    Service {
        code: "traffic_enforcement",
        name: "Traffic enforcement at a location",
        description: "Tell us where drivers speed or run signals; traffic officers focus patrols there and tell you what they found.",
        group: "Traffic",
        keywords: "speeding, traffic, red light, stop sign, school zone",
        needs_location: true,
        attributes: &[
            Attribute {
                code: "street",
                datatype: Datatype::String,
                required: true,
                description: "Street",
                values: &[],
            },
            Attribute {
                code: "cross_street",
                datatype: Datatype::String,
                required: false,
                description: "Nearest cross street",
                values: &[],
            },
            Attribute {
                code: "times",
                datatype: Datatype::MultiValueList,
                required: true,
                description: "When it happens",
                values: TIMES,
            },
            Attribute {
                code: "problem",
                datatype: Datatype::SingleValueList,
                required: true,
                description: "What you see",
                values: PROBLEMS,
            },
        ],
        fitting_duties: &[Duty::Traffic],
    },
    Service {
        code: "neighborhood_watch",
        name: "Start a neighborhood watch",
        description: "An officer helps you and your neighbors start a watch group: a first meeting, contacts and training.",
        group: "Neighborhoods",
        keywords: "neighborhood watch, block, neighbors, meeting",
        needs_location: true,
        attributes: &[
            Attribute {
                code: "neighborhood",
                datatype: Datatype::String,
                required: true,
                description: "Neighborhood or blocks",
                values: &[],
            },
            Attribute {
                code: "households",
                datatype: Datatype::Number,
                required: false,
                description: "About how many households are interested",
                values: &[],
            },
        ],
        fitting_duties: &[],
    },
    Service {
        code: "ride_along",
        name: "Ride along with an officer",
        description: "Ride with a patrol officer for part of a shift. You must be 18 or older; a short background check comes first.",
        group: "Programs",
        keywords: "ride along, ride-along, patrol",
        needs_location: false,
        attributes: &[
            Attribute {
                code: "shift",
                datatype: Datatype::SingleValueList,
                required: true,
                description: "Preferred shift",
                values: SHIFTS,
            },
            Attribute {
                code: "adult",
                datatype: Datatype::SingleValueList,
                required: true,
                description: "Are you 18 or older?",
                values: &[("yes", "Yes")],
            },
        ],
        fitting_duties: &[Duty::FieldTrainingOfficer],
    },
    Service {
        code: "question",
        name: "General question",
        description: "Ask the community programs team anything that is not an emergency.",
        group: "General",
        keywords: "question, information, help",
        needs_location: false,
        attributes: &[],
        fitting_duties: &[],
    },
];

/// The service with this code.
pub fn service(code: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.code == code)
}

/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 4_000;
/// Longest answer to a single-line question.
const MAX_STRING: usize = 200;

/// What a requester submitted, before checking.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    /// Answers by attribute code; a multi-value list may hold several keys.
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// A problem with one field, named as Open311 and the form name it.
fn problem(field: &str, message: impl Into<String>) -> RuleFailure {
    RuleFailure::new("request", field.to_string(), message)
}

/// Checks a request against its service; returns the answers normalized (trimmed, lists
/// as keys) or every problem found.
pub fn validate(service: &Service, input: &RequestInput) -> Result<BTreeMap<String, Vec<String>>, Vec<RuleFailure>> {
    let mut problems = Vec::new();
    let description = input.description.trim();
    if service.attributes.is_empty() && description.is_empty() {
        problems.push(problem("description", "Write your question."));
    }
    if description.chars().count() > MAX_DESCRIPTION {
        problems.push(problem(
            "description",
            format!("Keep the description under {MAX_DESCRIPTION} characters."),
        ));
    }
    let located = !input.address.trim().is_empty() || (input.lat.is_some() && input.long.is_some());
    if service.needs_location && !located {
        problems.push(problem(
            "address_string",
            "Give an address or place (a map pin also works).",
        ));
    }
    if input.address.chars().count() > MAX_STRING {
        problems.push(problem("address_string", "Keep the address under 200 characters."));
    }
    match (input.lat, input.long) {
        (Some(lat), Some(long)) if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&long) => {
            problems.push(problem("lat", "The map position is not on Earth."));
        }
        (Some(_), None) | (None, Some(_)) => problems.push(problem("long", "Give both latitude and longitude.")),
        _ => {}
    }
    let email = input.email.trim();
    if email.is_empty() {
        problems.push(problem(
            "email",
            "Give an email address so we can tell you what happens.",
        ));
    } else if !super::application::looks_like_email(email) {
        problems.push(problem("email", "Enter an email address like name@example.com."));
    }
    for (field, value, label) in [
        ("first_name", &input.first_name, "first name"),
        ("last_name", &input.last_name, "last name"),
        ("phone", &input.phone, "phone number"),
    ] {
        if value.chars().count() > 100 {
            problems.push(problem(field, format!("Keep the {label} under 100 characters.")));
        }
    }
    let mut answers = BTreeMap::new();
    for key in input.attributes.keys() {
        if !service.attributes.iter().any(|a| a.code == key) {
            problems.push(problem(
                &format!("attribute[{key}]"),
                format!("This service has no question {key:?}."),
            ));
        }
    }
    for a in service.attributes {
        let given: Vec<String> = input
            .attributes
            .get(a.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let field = format!("attribute[{}]", a.code);
        if given.is_empty() {
            if a.required {
                problems.push(problem(&field, format!("Answer: {}.", a.description)));
            }
            continue;
        }
        match a.datatype {
            Datatype::String | Datatype::Text | Datatype::Number if given.len() > 1 => {
                problems.push(problem(&field, format!("{}: give one answer.", a.description)));
            }
            Datatype::String if given[0].chars().count() > MAX_STRING => {
                problems.push(problem(
                    &field,
                    format!("{}: keep it under {MAX_STRING} characters.", a.description),
                ));
            }
            Datatype::Text if given[0].chars().count() > MAX_DESCRIPTION => {
                problems.push(problem(&field, format!("{}: keep it shorter.", a.description)));
            }
            Datatype::Number if given[0].parse::<u32>().is_err() => {
                problems.push(problem(&field, format!("{}: give a whole number.", a.description)));
            }
            Datatype::SingleValueList | Datatype::MultiValueList => {
                if a.datatype == Datatype::SingleValueList && given.len() > 1 {
                    problems.push(problem(&field, format!("{}: choose one.", a.description)));
                }
                for v in &given {
                    if !a.values.iter().any(|(key, _)| key == v) {
                        problems.push(problem(
                            &field,
                            format!("{}: {v:?} is not one of the choices.", a.description),
                        ));
                    }
                }
            }
            _ => {}
        }
        answers.insert(a.code.to_string(), given);
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

/// Answers as people read them: `("When it happens", "Morning commute, Weekends")`.
pub fn describe_answers(service: &Service, answers: &BTreeMap<String, Vec<String>>) -> Vec<(String, String)> {
    service
        .attributes
        .iter()
        .filter_map(|a| {
            let given = answers.get(a.code)?;
            let shown: Vec<String> = given
                .iter()
                .map(|v| {
                    a.values
                        .iter()
                        .find(|(key, _)| key == v)
                        .map_or_else(|| v.clone(), |(_, name)| (*name).to_string())
                })
                .collect();
            Some((a.description.to_string(), shown.join(", ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn input(attrs: &[(&str, &[&str])]) -> RequestInput {
        RequestInput {
            description: "Cars race down Ocean Avenue.".into(),
            address: "Ocean Ave and 5th St".into(),
            email: "ana@example.org".into(),
            attributes: answers(attrs),
            ..Default::default()
        }
    }

    #[test]
    fn every_service_code_is_unique_and_lists_have_choices() {
        let mut codes: Vec<_> = SERVICES.iter().map(|s| s.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), SERVICES.len());
        for s in SERVICES {
            for a in s.attributes {
                let listed = matches!(a.datatype, Datatype::SingleValueList | Datatype::MultiValueList);
                assert_eq!(listed, !a.values.is_empty(), "{}.{}", s.code, a.code);
            }
        }
    }

    #[test]
    fn a_traffic_request_is_checked_against_its_questions() {
        let traffic = service("traffic_enforcement").unwrap();
        let ok = input(&[
            ("street", &["Ocean Avenue"]),
            ("times", &["evening", "weekend"]),
            ("problem", &["racing"]),
        ]);
        let answers = validate(traffic, &ok).unwrap();
        assert_eq!(answers["times"], ["evening", "weekend"]);
        assert_eq!(
            describe_answers(traffic, &answers)[1],
            ("When it happens".to_string(), "Evening commute, Weekends".to_string())
        );

        let bad = input(&[
            ("times", &["dawn"]),
            ("problem", &["racing", "speeding"]),
            ("color", &["red"]),
        ]);
        let problems = validate(traffic, &bad).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_ref()).collect();
        assert!(fields.contains(&"attribute[street]"), "required street: {problems:?}");
        assert!(fields.contains(&"attribute[times]"), "unknown choice");
        assert!(fields.contains(&"attribute[problem]"), "one choice only");
        assert!(fields.contains(&"attribute[color]"), "unknown question");
    }

    #[test]
    fn contact_location_and_numbers_are_checked() {
        let talk = service("presentation").unwrap();
        let mut i = input(&[
            ("organization", &["Lincoln Elementary"]),
            ("audience", &["elementary"]),
            ("topic", &["dare"]),
            ("attendance", &["many"]),
        ]);
        i.email = "not-an-email".into();
        i.address = String::new();
        i.lat = Some(95.0);
        i.long = Some(0.0);
        let problems = validate(talk, &i).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_ref()).collect();
        assert_eq!(fields, ["lat", "email", "attribute[attendance]"], "{problems:?}");
    }

    #[test]
    fn a_question_needs_words_but_no_place() {
        let q = service("question").unwrap();
        let mut i = RequestInput {
            email: "ana@example.org".into(),
            ..Default::default()
        };
        assert_eq!(validate(q, &i).unwrap_err()[0].field, "description");
        i.description = "How do I get a copy of a report?".into();
        assert!(validate(q, &i).is_ok());
    }

    #[test]
    fn requests_move_forward_close_and_reopen() {
        use RequestStatus::*;
        assert!(New.can_become(Acknowledged));
        assert!(New.can_become(Assigned));
        assert!(Assigned.can_become(InProgress));
        assert!(InProgress.can_become(Closed));
        assert!(New.can_become(Closed));
        assert!(Closed.can_become(Acknowledged));
        assert!(!Closed.can_become(InProgress));
        assert!(!InProgress.can_become(New));
        assert!(!Assigned.can_become(Assigned));
        assert_eq!(InProgress.open311(), "open");
        assert_eq!(Closed.open311(), "closed");
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 256, failure_persistence: None, ..Default::default() })]

        /// Any answers to any service are either accepted within the limits or refused with
        /// named problems; nothing panics, and accepted list answers are known choices.
        #[test]
        fn any_request_is_checked_without_panicking(
            service in 0..SERVICES.len(),
            description in "\\PC{0,50}",
            email in "[a-z@.]{0,20}",
            lat in proptest::option::of(-200.0f64..200.0),
            long in proptest::option::of(-200.0f64..200.0),
            answers in proptest::collection::btree_map("[a-z_]{1,12}", proptest::collection::vec("\\PC{0,12}", 0..3), 0..6),
        ) {
            let s = &SERVICES[service];
            let input = RequestInput { description, address: "Main St".into(), lat, long, email, attributes: answers, ..Default::default() };
            match validate(s, &input) {
                Ok(ok) => {
                    for a in s.attributes.iter().filter(|a| !a.values.is_empty()) {
                        for v in ok.get(a.code).into_iter().flatten() {
                            proptest::prop_assert!(a.values.iter().any(|(k, _)| k == v));
                        }
                    }
                }
                Err(problems) => proptest::prop_assert!(!problems.is_empty()),
            }
        }
    }
}
