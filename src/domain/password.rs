//! Which staff passwords are accepted (ASVS V2.1): at least 12 characters, at most 128,
//! and not guessable. "Guessable" is zxcvbn's estimate, whose dictionaries hold the
//! passwords most often seen in breaches plus common words, names and keyboard walks;
//! the person's own email, name and the department's name count as known words.
//! Checked offline: the service never sends a password anywhere.

/// Shortest password accepted.
pub const MIN_CHARS: usize = 12;
/// Longest password accepted (long enough for any passphrase or manager).
pub const MAX_CHARS: usize = 128;

/// Why a password was refused, in words for the person choosing it.
pub fn problem(password: &str, known_words: &[&str]) -> Option<String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Some(format!("Choose a password of at least {MIN_CHARS} characters."));
    }
    if chars > MAX_CHARS {
        return Some(format!("Choose a password of at most {MAX_CHARS} characters."));
    }
    // The person's own words add no strength: judge what is left without them. The
    // email's parts count too ("jane.doe@harborpoint-pd.example" gives jane, doe, ...).
    let mut words: Vec<String> = Vec::new();
    for w in known_words {
        let w = w.to_lowercase();
        words.extend(w.split(|c: char| !c.is_alphanumeric()).map(str::to_string));
        words.push(w.chars().filter(|c| c.is_alphanumeric()).collect());
    }
    words.retain(|w| w.chars().count() >= 3);
    // Longest first, so "harborpoint" goes before "harbor" does.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let mut rest = password.to_lowercase();
    for word in &words {
        rest = rest.replace(word.as_str(), "");
    }
    let estimate = zxcvbn::zxcvbn(&rest, &[]);
    if rest.trim().is_empty() || (estimate.score() as u8) < 3 {
        return Some(
            "That password is too easy to guess: it is common, appears in breached-password lists, \
             or is built from your name or the department's. Try a few unrelated words together."
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_overlong_passwords_are_refused() {
        assert!(problem("short", &[]).unwrap().contains("at least 12"));
        assert!(problem(&"x".repeat(129), &[]).unwrap().contains("at most 128"));
    }

    #[test]
    fn breached_and_patterned_passwords_are_refused() {
        for weak in [
            "password1234",
            "123456789012",
            "qwertyuiop12",
            "iloveyou1234",
            "aaaaaaaaaaaa",
        ] {
            assert!(problem(weak, &[]).is_some(), "{weak}");
        }
    }

    #[test]
    fn passwords_built_from_the_persons_own_words_are_refused() {
        let known = [
            "jane.marlowe@harborpoint-pd.example",
            "Jane Marlowe",
            "Harbor Point Police Department",
        ];
        assert!(problem("JaneMarlowe2026", &known).is_some());
        assert!(problem("harborpoint2026!", &known).is_some());
    }

    #[test]
    fn long_unrelated_passphrases_pass() {
        assert_eq!(problem("copper lantern orbit meadow", &[]), None);
        assert_eq!(problem("T7#qv9!Lm2@xR4", &[]), None);
    }
}
