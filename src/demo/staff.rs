//! The department's units, its administrator and its officers, with their duties.

use super::*;
use crate::domain::{Duty, Role, StaffId, UnitId};
use crate::store::seed::NewStaff;
use crate::store::{StoreError, Tx};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

/// (email local part, name, rank, badge, role, units, duty with assignment, public profile)
type RosterEntry<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Role,
    &'a [UnitId],
    Option<(Duty, Option<&'a str>)>,
    bool,
);

pub(super) struct Units {
    pub academy: UnitId,
    pub patrol: UnitId,
    pub detectives: UnitId,
    pub forensics: UnitId,
    pub k9: UnitId,
    pub swat: UnitId,
    pub drones: UnitId,
    pub motors: UnitId,
    pub dui: UnitId,
    pub gangs: UnitId,
    pub community: UnitId,
}

/// Who the rest of the demo refers to.
pub(super) struct People {
    pub units: Units,
    /// The first officer of each unit (presenters of that unit's sessions).
    pub staff_by_unit: std::collections::HashMap<UnitId, StaffId>,
    pub resource_officers: Vec<StaffId>,
    pub dare_instructor: Option<StaffId>,
    /// The demo password's hash, shared by every demo account that signs in.
    pub admin_hash: String,
}

/// Writes the units and staff accounts.
pub(super) async fn seed(tx: &mut Tx, today: Date, now: Timestamp) -> Result<People, StoreError> {
    let units = Units {
        academy: tx
            .insert_unit("academy", "Training Academy", "Recruit and in-service training.")
            .await?,
        patrol: tx
            .insert_unit(
                "patrol",
                "Patrol",
                "Uniformed officers answering calls around the clock.",
            )
            .await?,
        detectives: tx
            .insert_unit(
                "detectives",
                "Detectives",
                "Follow-up investigations from theft to homicide.",
            )
            .await?,
        forensics: tx
            .insert_unit(
                "forensics",
                "Forensic Identification",
                "Evidence, prints and crime scenes.",
            )
            .await?,
        k9: tx.insert_unit("k9", "K-9", "Officers and their patrol dogs.").await?,
        swat: tx
            .insert_unit(
                "swat",
                "SWAT and Crisis Negotiation",
                "High-risk incidents and negotiation.",
            )
            .await?,
        drones: tx
            .insert_unit("drones", "Drone Operations", "Aerial support for searches and scenes.")
            .await?,
        motors: tx
            .insert_unit("motors", "Motors", "Motorcycle traffic enforcement.")
            .await?,
        dui: tx
            .insert_unit("dui", "DUI Enforcement", "Impaired-driving patrols and checkpoints.")
            .await?,
        gangs: tx
            .insert_unit(
                "gangs",
                "Gang Intervention",
                "Prevention, intervention and investigation.",
            )
            .await?,
        community: tx
            .insert_unit("community", "Community Relations", "Programs, outreach and schools.")
            .await?,
    };

    let admin_hash = crate::auth::password::hash(DEMO_ADMIN_PASSWORD)
        .map_err(|e| StoreError::Corrupt(format!("the demo password: {e}")))?;
    tx.insert_staff(
        &NewStaff {
            email: DEMO_ADMIN_EMAIL,
            full_name: "Dana Whitfield",
            rank: None,
            badge_number: None,
            role: Role::Admin,
            password_hash: Some(&admin_hash),
            public_profile: false,
        },
        now,
    )
    .await?;
    #[rustfmt::skip]
    let roster: &[RosterEntry] = &[
        ("m.okafor", "Miriam Okafor", "Sergeant", "1187", Role::Coordinator, &[units.community], None, true),
        ("l.castellanos", "Luis Castellanos", "Officer", "2214", Role::Officer, &[units.community], Some((Duty::DareInstructor, None)), true),
        ("j.brandt", "Jenna Brandt", "Officer", "2301", Role::Officer, &[units.community], Some((Duty::SchoolResourceOfficer, Some("Harbor Point High School"))), true),
        ("r.nakamura", "Ryo Nakamura", "Officer", "2275", Role::Officer, &[units.community], Some((Duty::CollegeResourceOfficer, Some("Bayside Community College"))), true),
        ("t.mensah", "Theo Mensah", "Detective", "1764", Role::Officer, &[units.detectives], None, true),
        ("a.whitcombe", "Ava Whitcombe", "Forensic Specialist", "F-31", Role::Officer, &[units.forensics], None, true),
        ("d.ferreira", "Diego Ferreira", "Officer", "2042", Role::Officer, &[units.k9], None, true),
        ("s.lindqvist", "Sofia Lindqvist", "Sergeant", "1420", Role::Officer, &[units.swat], None, false),
        ("k.adeyemi", "Kwame Adeyemi", "Officer", "2388", Role::Officer, &[units.drones], None, true),
        ("b.harlow", "Beth Harlow", "Officer", "1999", Role::Officer, &[units.motors], Some((Duty::Traffic, None)), true),
        ("p.quinlan", "Patrick Quinlan", "Officer", "2150", Role::Officer, &[units.dui], Some((Duty::Traffic, None)), true),
        ("n.rosales", "Nadia Rosales", "Detective", "1702", Role::Officer, &[units.gangs], None, false),
        ("c.bauer", "Carl Bauer", "Corporal", "1655", Role::Officer, &[units.patrol, units.academy], Some((Duty::FieldTrainingOfficer, None)), true),
        ("e.tran", "Emily Tran", "Lieutenant", "1101", Role::Officer, &[units.academy], None, true),
    ];
    let mut staff_by_unit = std::collections::HashMap::new();
    let mut resource_officers = Vec::new();
    let mut dare_instructor = None;
    for (login, name, rank, badge, role, unit_ids, duty, public) in roster {
        let email = format!("{login}@harborpoint-pd.example");
        let id = tx
            .insert_staff(
                &NewStaff {
                    email: &email,
                    full_name: name,
                    rank: Some(rank),
                    badge_number: Some(badge),
                    role: *role,
                    // The demo password hash is shared: hashing once keeps seeding quick.
                    password_hash: (email == DEMO_OFFICER_EMAIL).then_some(admin_hash.as_str()),
                    public_profile: *public,
                },
                now,
            )
            .await?;
        for unit in *unit_ids {
            tx.add_staff_unit(id, *unit).await?;
            staff_by_unit.entry(*unit).or_insert(id);
        }
        if let Some((duty, assignment)) = duty {
            let since = today.checked_sub(2.years()).unwrap_or(today);
            tx.add_duty(id, *duty, *assignment, since).await?;
            if matches!(duty, Duty::SchoolResourceOfficer | Duty::CollegeResourceOfficer) {
                resource_officers.push(id);
            }
            if *duty == Duty::DareInstructor {
                dare_instructor = Some(id);
            }
        }
    }
    Ok(People {
        units,
        staff_by_unit,
        resource_officers,
        dare_instructor,
        admin_hash,
    })
}
