//! Who someone is: password hashing, random tokens for links, two-step sign-in codes and the
//! request budgets that slow down guessing. Sessions and the role table sit in `web` and
//! `domain::access`; this module holds the mechanisms they use.

pub mod limits;
pub mod password;
pub mod tokens;
pub mod two_factor;
