//! The architecture, checked on the source: which top-level module may use which (the rule
//! docs/ARCHITECTURE.md states), no import cycles between them, and no long file without a
//! stated reason. Reads `src/` as text; no app needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module and the modules it may use. Lower layers never name higher ones:
/// `domain` decides, `store` reads and writes, `service` runs multi-step actions over both,
/// `web` parses and renders, `app` wires everything together.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("config", &[]),
    ("format", &[]),
    ("telemetry", &["config"]),
    ("store", &["domain"]),
    ("auth", &["domain", "store", "config"]),
    ("documents", &["domain", "store", "format", "config"]),
    ("notify", &["domain", "store", "format", "config", "auth", "documents"]),
    (
        "service",
        &["domain", "store", "format", "config", "auth", "documents", "notify"],
    ),
    (
        "jobs",
        &["domain", "store", "config", "auth", "notify", "service", "telemetry"],
    ),
    (
        "demo",
        &[
            "domain",
            "store",
            "format",
            "config",
            "auth",
            "documents",
            "notify",
            "service",
        ],
    ),
    (
        "web",
        &[
            "domain",
            "store",
            "format",
            "config",
            "auth",
            "documents",
            "notify",
            "service",
            "telemetry",
        ],
    ),
    (
        "app",
        &[
            "domain",
            "store",
            "config",
            "auth",
            "notify",
            "service",
            "jobs",
            "demo",
            "web",
            "telemetry",
        ],
    ),
];

/// Files may grow past this only with a "Kept whole:" reason in their module doc.
const LONG_FILE: usize = 700;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its unit-test module (tests may reach
/// anywhere).
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            // `//` inside a string (URLs) is rare in paths; cutting there only loses text.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules a piece of code names through `crate::`.
fn uses(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::b, c, d::{e, f}}`: the first segment of each top-level item.
            let mut depth = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            found.insert(first_segment(&item));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.remove("");
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a path").as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

fn sources() -> (PathBuf, Vec<PathBuf>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    (src, files)
}

/// Module → modules it uses, with one file that shows each use.
fn graph() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let (src, files) = sources();
    let mut graph: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let edges = graph.entry(module.clone()).or_default();
        for used in uses(&code_of(&text)) {
            if used != module {
                edges.entry(used).or_insert_with(|| file.clone());
            }
        }
    }
    graph
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, edges) in graph() {
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!("`{module}` is not in the layer table (tests/it/layers.rs)"));
            continue;
        };
        for (used, file) in edges {
            if !may.contains(&used.as_str()) {
                wrong.push(format!("{} uses `{used}`, which `{module}` may not", file.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "layer rule broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_layer_table_and_the_imports_have_no_cycle() {
    // The table itself is ordered: each module may use only modules listed before it.
    for (i, (module, may)) in ALLOWED.iter().enumerate() {
        for used in *may {
            let at = ALLOWED.iter().position(|(m, _)| m == used);
            assert!(
                at.is_some_and(|at| at < i),
                "`{module}` may use `{used}`, which is not listed before it"
            );
        }
    }
    // And so are the real imports (checked again here so a table edit cannot hide a cycle).
    let graph = graph();
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeMap<String, PathBuf>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if let Some(at) = path.iter().position(|p| p == m) {
            panic!("import cycle: {} -> {m}", path[at..].join(" -> "));
        }
        if done.contains(m) {
            return;
        }
        path.push(m.to_string());
        for next in graph.get(m).into_iter().flat_map(|e| e.keys()) {
            visit(next, graph, path, done);
        }
        path.pop();
        done.insert(m.to_string());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn long_files_say_why_they_are_kept_whole() {
    let (src, files) = sources();
    let mut long = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a readable source file");
        let lines = text.lines().count();
        let doc: String = text.lines().take_while(|l| l.starts_with("//!")).collect();
        if lines > LONG_FILE && !doc.contains("Kept whole:") {
            long.push(format!(
                "{} ({lines} lines)",
                file.strip_prefix(&src).unwrap_or(&file).display()
            ));
        }
    }
    assert!(
        long.is_empty(),
        "split these files, or say in their module doc (\"Kept whole: ...\") why not:\n{}",
        long.join("\n")
    );
}

/// Multi-step actions open their transactions in `service/`; no handler in `web/` does.
#[test]
fn transactions_open_in_services_not_handlers() {
    let (src, files) = sources();
    let opening: Vec<String> = files
        .iter()
        .map(|file| {
            file.strip_prefix(&src)
                .unwrap_or(file)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .zip(&files)
        .filter(|(rel, file)| {
            rel.starts_with("web/") && code_of(&std::fs::read_to_string(file).expect("readable")).contains(".begin()")
        })
        .map(|(rel, _)| rel)
        .collect();
    assert!(opening.is_empty(), "move these transactions into service/: {opening:?}");
}

#[test]
fn the_checker_sees_grouped_and_nested_imports() {
    let code = code_of(
        "use crate::{a::b, c, d::{e, f}};\n// use crate::commented;\nfn x() { crate::g::h(); }\n#[cfg(test)]\nuse crate::z;",
    );
    let found: Vec<_> = uses(&code).into_iter().collect();
    assert_eq!(found, ["a", "c", "d", "g"]);
}
