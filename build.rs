//! Embeds `assets/` into the binary so the service runs from one file.
fn main() {
    memory_serve::load_directory("assets");
}
