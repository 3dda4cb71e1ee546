//! Who graduates: a program's attendance rule applied to one participant's marks.

use serde::{Deserialize, Serialize};

use super::program::coded_enum;

coded_enum! {
    /// How a participant was marked for one session.
    Mark {
        Present = "present" / "Present",
        Late = "late" / "Late",
        Excused = "excused" / "Excused",
        Absent = "absent" / "Absent",
    }
}

/// A program's graduation rule, stored with the program as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraduationRule {
    /// Most absences allowed.
    pub max_absences: u32,
    /// Whether an excused absence counts against `max_absences`.
    pub excused_counts: bool,
    /// Whether arriving late counts as an absence.
    pub late_counts: bool,
    /// Whether a completed ride-along is required.
    pub ride_along_required: bool,
}

impl Default for GraduationRule {
    fn default() -> Self {
        GraduationRule {
            max_absences: 2,
            excused_counts: false,
            late_counts: false,
            ride_along_required: false,
        }
    }
}

/// The rule's verdict for one participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub graduates: bool,
    /// Absences as the rule counts them.
    pub absences: u32,
    /// Sessions held but not marked (counted as absences until someone marks them).
    pub unmarked: u32,
    pub attended: u32,
    /// The rule requires a ride-along that is not done yet.
    pub missing_ride_along: bool,
}

impl GraduationRule {
    /// Applies the rule to the marks of every session held (`None`: not marked) and the
    /// participant's ride-along.
    pub fn evaluate(&self, marks: &[Option<Mark>], ride_along_done: bool) -> Verdict {
        let mut absences = 0;
        let mut unmarked = 0;
        let mut attended = 0;
        for mark in marks {
            match mark {
                None => {
                    unmarked += 1;
                    absences += 1;
                }
                Some(Mark::Present) => attended += 1,
                Some(Mark::Late) => {
                    attended += 1;
                    if self.late_counts {
                        absences += 1;
                    }
                }
                Some(Mark::Excused) if self.excused_counts => absences += 1,
                Some(Mark::Excused) => {}
                Some(Mark::Absent) => absences += 1,
            }
        }
        let missing_ride_along = self.ride_along_required && !ride_along_done;
        Verdict {
            graduates: absences <= self.max_absences && !missing_ride_along,
            absences,
            unmarked,
            attended,
            missing_ride_along,
        }
    }

    /// The rule in plain words.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "Graduates miss at most {} session{}",
            self.max_absences,
            if self.max_absences == 1 { "" } else { "s" }
        );
        s.push_str(if self.excused_counts {
            "; excused absences count"
        } else {
            "; excused absences do not count"
        });
        if self.late_counts {
            s.push_str("; arriving late counts as an absence");
        }
        if self.ride_along_required {
            s.push_str("; a completed ride-along is required");
        }
        s.push('.');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Mark::*;

    fn marks(v: &[Mark]) -> Vec<Option<Mark>> {
        v.iter().copied().map(Some).collect()
    }

    #[test]
    fn at_most_two_absences_by_default() {
        let rule = GraduationRule::default();
        assert!(
            rule.evaluate(&marks(&[Present, Absent, Absent, Present]), false)
                .graduates
        );
        assert!(
            !rule
                .evaluate(&marks(&[Absent, Absent, Absent, Present]), false)
                .graduates
        );
    }

    #[test]
    fn excused_absences_count_only_when_the_program_says() {
        let m = marks(&[Excused, Excused, Excused, Present]);
        assert!(GraduationRule::default().evaluate(&m, false).graduates);
        let strict = GraduationRule {
            excused_counts: true,
            ..Default::default()
        };
        assert!(!strict.evaluate(&m, false).graduates);
    }

    #[test]
    fn lateness_counts_only_when_the_program_says() {
        let m = marks(&[Late, Late, Late, Present]);
        let v = GraduationRule::default().evaluate(&m, false);
        assert!(v.graduates);
        assert_eq!(v.attended, 4);
        let strict = GraduationRule {
            late_counts: true,
            ..Default::default()
        };
        assert_eq!(strict.evaluate(&m, false).absences, 3);
        assert!(!strict.evaluate(&m, false).graduates);
    }

    #[test]
    fn unmarked_sessions_count_until_marked() {
        let v = GraduationRule::default().evaluate(&[None, None, None, Some(Present)], false);
        assert_eq!((v.unmarked, v.absences, v.graduates), (3, 3, false));
    }

    #[test]
    fn a_required_ride_along_must_be_done() {
        let rule = GraduationRule {
            ride_along_required: true,
            ..Default::default()
        };
        let m = marks(&[Present, Present]);
        let v = rule.evaluate(&m, false);
        assert!(!v.graduates && v.missing_ride_along);
        assert!(rule.evaluate(&m, true).graduates);
        assert!(
            GraduationRule::default().evaluate(&m, false).graduates,
            "not required by default"
        );
    }

    #[test]
    fn the_rule_reads_as_a_sentence() {
        assert_eq!(
            GraduationRule::default().describe(),
            "Graduates miss at most 2 sessions; excused absences do not count."
        );
    }
}
