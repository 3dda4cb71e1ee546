//! Documents the service renders for people and other programs to keep: PDF certificates
//! and reports, iCalendar feeds, Atom feeds and the images it accepts (officer photos, logos).
//! Renderers read plain values and return bytes; none of them writes.

pub mod atom;
pub mod calendar;
pub mod certificate;
pub mod photo;
pub mod report_pdf;
