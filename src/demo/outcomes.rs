//! The graduated class's survey answers and alumni.

use crate::domain::ClassId;
use crate::store::{StoreError, Tx};
use jiff::Timestamp;

/// The academies' standard survey, and the graduated class's answers: most answered
/// before the class, fewer after, with the shift a good class produces.
pub(super) async fn seed(
    tx: &mut Tx,
    programs: &[crate::domain::ProgramId],
    class: ClassId,
    graduates: &[crate::domain::ApplicationId],
    today: jiff::civil::Date,
    now: Timestamp,
) -> Result<(), StoreError> {
    use crate::domain::survey::{Answer, Phase, default_academy_instrument};
    let instrument = default_academy_instrument();
    let mut citizen_version = None;
    for program in programs {
        let v = tx.insert_survey(*program, &instrument, now).await?;
        citizen_version.get_or_insert(v);
    }
    let Some(version) = citizen_version else { return Ok(()) };
    const WORDS: &[&str] = &[
        "The night on patrol changed how I see a traffic stop.",
        "I did not know how much training dispatchers get.",
        "More classes on weekends, please.",
        "I will tell my neighbors to apply.",
        "The use-of-force session was hard and worth it.",
        "Thank you to every officer who gave up an evening.",
    ];
    let answered_in = today.checked_sub(jiff::ToSpan::weeks(17)).unwrap_or(today);
    for (i, id) in graduates.iter().enumerate() {
        if i % 3 == 0 {
            tx.insert_alumnus(*id, &crate::auth::tokens::generate(), now).await?;
        }
        let pair = crate::auth::tokens::generate();
        // Links answered months ago; only their hashes would be kept, so none works.
        for phase in Phase::ALL {
            let token_hash = crate::auth::tokens::hash(&crate::auth::tokens::generate());
            tx.create_survey_invitation(*id, phase, &token_hash, now).await?;
            let answers_post = i % 4 != 3;
            if phase == Phase::Post && !answers_post {
                continue;
            }
            tx.use_survey_invitation(&token_hash).await?;
            let lift = u8::from(phase == Phase::Post) * (1 + u8::from(i % 2 == 0));
            // Each statement starts from its own spread of views.
            let scale = |question: usize| Answer::Scale((((i + question * 2) % 4) as u8 + 1 + lift).clamp(1, 5));
            let mut answers = vec![
                ("trust".to_string(), scale(0)),
                ("safety".to_string(), scale(1)),
                ("understanding".to_string(), scale(3)),
            ];
            // Some skip a question, as people do.
            if i % 5 != 0 {
                answers.push(("contact".to_string(), scale(2)));
            }
            if phase == Phase::Post && i < WORDS.len() {
                answers.push(("comments".to_string(), Answer::Text(WORDS[i].to_string())));
            }
            tx.insert_survey_response(
                &crate::auth::tokens::generate(),
                (version, class),
                phase,
                answered_in,
                &pair,
                &answers,
            )
            .await?;
        }
    }
    Ok(())
}
