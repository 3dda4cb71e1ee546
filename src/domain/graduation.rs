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
}

impl Default for GraduationRule {
    fn default() -> Self {
        GraduationRule {
            max_absences: 2,
            excused_counts: false,
            late_counts: false,
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
}

impl GraduationRule {
    /// Applies the rule to the marks of every session held (`None`: not marked).
    pub fn evaluate(&self, marks: &[Option<Mark>]) -> Verdict {
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
        Verdict {
            graduates: absences <= self.max_absences,
            absences,
            unmarked,
            attended,
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
        assert!(rule.evaluate(&marks(&[Present, Absent, Absent, Present])).graduates);
        assert!(!rule.evaluate(&marks(&[Absent, Absent, Absent, Present])).graduates);
    }

    #[test]
    fn excused_absences_count_only_when_the_program_says() {
        let m = marks(&[Excused, Excused, Excused, Present]);
        assert!(GraduationRule::default().evaluate(&m).graduates);
        let strict = GraduationRule {
            excused_counts: true,
            ..Default::default()
        };
        assert!(!strict.evaluate(&m).graduates);
    }

    #[test]
    fn lateness_counts_only_when_the_program_says() {
        let m = marks(&[Late, Late, Late, Present]);
        let v = GraduationRule::default().evaluate(&m);
        assert!(v.graduates);
        assert_eq!(v.attended, 4);
        let strict = GraduationRule {
            late_counts: true,
            ..Default::default()
        };
        assert_eq!(strict.evaluate(&m).absences, 3);
        assert!(!strict.evaluate(&m).graduates);
    }

    #[test]
    fn unmarked_sessions_count_until_marked() {
        let v = GraduationRule::default().evaluate(&[None, None, None, Some(Present)]);
        assert_eq!((v.unmarked, v.absences, v.graduates), (3, 3, false));
    }

    #[test]
    fn the_rule_reads_as_a_sentence() {
        assert_eq!(
            GraduationRule::default().describe(),
            "Graduates miss at most 2 sessions; excused absences do not count."
        );
    }
}
