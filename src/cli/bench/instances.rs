//! The instances of a bench: scenario files and folders, and folders of them.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};

/// The name of an instance: a file's stem or a folder's name.
pub fn instance_name(path: &Path) -> String {
    let p = if path.is_file() {
        path.file_stem()
    } else {
        path.file_name()
    };
    p.map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Instances from the command line: a JSON file or a folder with
/// `scenario.json` is one instance; any other folder stands for the scenario
/// folders and the scenario JSON files directly in it (files that do not read
/// as a scenario, such as `expected.json`, are skipped and returned second).
pub fn expand_instances(paths: &[PathBuf]) -> anyhow::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut found = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if p.is_file() || p.join("scenario.json").is_file() {
            found.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(anyhow!("{}: no such scenario file or folder", p.display()));
        }
        let mut children: Vec<PathBuf> = std::fs::read_dir(p)
            .with_context(|| p.display().to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        for c in children {
            if c.join("scenario.json").is_file() {
                found.push(c);
            } else if c.extension().is_some_and(|e| e == "json") {
                if domopt::format::read_scenario(&c).is_ok() {
                    found.push(c);
                } else {
                    skipped.push(c);
                }
            }
        }
    }
    if found.is_empty() {
        return Err(anyhow!("no scenario among the instances given"));
    }
    Ok((found, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_of_scenarios_expands_to_its_scenarios_and_skips_other_json() {
        let seed = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/seed-example/two-shipments.json"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(seed, dir.path().join("a.json")).unwrap();
        std::fs::write(dir.path().join("expected.json"), "{\"a.json\": {}}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
        let folder = dir.path().join("wave");
        std::fs::create_dir(&folder).unwrap();
        std::fs::copy(seed, folder.join("scenario.json")).unwrap();
        let (found, skipped) = expand_instances(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(found, [dir.path().join("a.json"), folder.clone()]);
        assert_eq!(skipped, [dir.path().join("expected.json")]);
        assert_eq!(instance_name(&found[0]), "a");
        assert_eq!(instance_name(&found[1]), "wave");
        // A scenario folder given directly is one instance.
        assert_eq!(
            expand_instances(std::slice::from_ref(&folder)).unwrap().0,
            [folder]
        );
        assert!(expand_instances(&[dir.path().join("missing")]).is_err());
    }
}
