//! The layout's rule, checked on the source: imports run downhill through the
//! layers of the pipeline, and no modules import each other in a circle.
//!
//! Layers, lowest first (a module may import its own layer and the ones
//! before it): `error` -> `network` -> `input` -> `solution` -> `solver` ->
//! `sourcing` -> `promise` -> `ledger` -> `reroute` -> `returns` -> `explain` -> `research` -> the crate root (its API and prelude). Test
//! modules (from the first `#[cfg(test)]` of a file on) may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: &[&str] = &[
    "error", "network", "input", "solution", "solver", "sourcing", "promise", "ledger", "reroute",
    "returns", "explain", "research", "serve",
];

/// The layer of a module path's first segment; the crate root is above all.
fn layer(first_segment: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| *l == first_segment)
        .unwrap_or(LAYERS.len())
}

/// `src/sourcing/decompose/mod.rs` -> `["sourcing", "decompose"]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn library_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "cli") {
                library_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "main.rs")
        {
            out.push(path);
        }
    }
}

/// The code of a file without its test module and without comments.
fn code_without_tests(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::a::b` and `super::a` path in the code, as absolute module
/// paths (identifiers only; the caller cuts them to known modules).
fn referenced_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (start, prefix) in [("crate::", true), ("super::", false)] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i + start.len()..];
            rest = tail;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path = leading_path(tail);
            let mut absolute = if prefix {
                Vec::new()
            } else {
                // `super` is the parent module, whether `here` is a file or a folder.
                here[..here.len().saturating_sub(1)].to_vec()
            };
            absolute.extend(path);
            found.push(absolute);
        }
    }
    found
}

/// The `a::b::c` at the start of `text`, stopping at the first character
/// that is neither part of an identifier nor a `::` followed by one.
fn leading_path(text: &str) -> Vec<String> {
    let mut path = Vec::new();
    let mut rest = text;
    loop {
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            return path;
        }
        rest = &rest[ident.len()..];
        path.push(ident);
        match rest.strip_prefix("::") {
            Some(next) => rest = next,
            None => return path,
        }
    }
}

struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
    climbs: Vec<String>,
}

fn import_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    library_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
    let mut graph = Graph {
        edges: BTreeMap::new(),
        climbs: Vec::new(),
    };
    for file in &files {
        let here = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("readable source");
        for path in referenced_paths(&code_without_tests(&text), &here) {
            // The longest known module the path starts with.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p))
                .unwrap_or_default();
            let (from, to) = (here.join("::"), target.join("::"));
            let from_layer = here.first().map_or(LAYERS.len(), |s| layer(s));
            let to_layer = target.first().map_or(LAYERS.len(), |s| layer(s));
            if to_layer > from_layer {
                graph.climbs.push(format!(
                    "{} imports crate::{}",
                    file.display(),
                    path.join("::")
                ));
            }
            // A module reaching into its own children is how Rust folders work.
            if from != to && !target.starts_with(&here) {
                graph.edges.entry(from).or_default().insert(to);
            }
        }
    }
    graph
}

/// The modules on some circle of imports (Tarjan's strongly connected
/// components of more than one module).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w.as_str()) {
                    self.visit(w);
                    let lw = self.low[w.as_str()];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w.as_str()) {
                    let iw = self.index[w.as_str()];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.found
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let graph = import_graph();
    assert!(
        graph.climbs.is_empty(),
        "imports that climb:\n{}",
        graph.climbs.join("\n")
    );
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let graph = import_graph();
    let found = circles(&graph.edges);
    assert!(found.is_empty(), "import circles: {found:?}");
}

#[test]
fn the_checker_finds_a_circle_and_a_climb_when_there_is_one() {
    let edges: BTreeMap<String, BTreeSet<String>> = [
        ("a".to_string(), BTreeSet::from(["b".to_string()])),
        ("b".to_string(), BTreeSet::from(["a".to_string()])),
    ]
    .into();
    assert_eq!(circles(&edges).len(), 1);
    let here = vec!["network".to_string(), "lanes".to_string()];
    let paths = referenced_paths("use crate::sourcing::Strategy;", &here);
    assert_eq!(layer(&paths[0][0]), 5);
    assert!(layer(&paths[0][0]) > layer(&here[0]));
}
