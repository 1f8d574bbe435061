//! Every example of `domopt --help`, of each `domopt <command> --help` and
//! every `domopt ...` line of the README's code blocks runs as written, in
//! order, in one temporary working folder, and exits 0.
//!
//! The folder is set up so that the placeholders of the examples exist
//! (`PLACEHOLDERS` below); the only rewriting of a command line is that the
//! peak presets of `generate` make a tiny wave (`--preset peak-*` ->
//! `--preset tiny`), so that the whole test takes about a minute instead of
//! hours. Lines of the README outside code blocks (inline commands such as
//! the peak-xl runs) are not run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_domopt");
/// A README benchmark on a tiny wave takes a few seconds; anything this long hangs.
const WALL_LIMIT: Duration = Duration::from_secs(120);

/// What each placeholder path of the examples is in the working folder.
const PLACEHOLDERS: [(&str, &str); 7] = [
    ("datasets/", "a link to the repository's datasets/"),
    (
        "docs/",
        "an empty folder (`domopt schema > docs/scenario.schema.json`)",
    ),
    ("my-wave/", "`domopt generate --preset tiny --seed 1`"),
    (
        "target/gen/peak-s",
        "`domopt generate --preset tiny --seed 1`",
    ),
    (
        "target/gen/peak-m",
        "`domopt generate --preset tiny --seed 1`",
    ),
    (
        "target/gen/peak-l",
        "`domopt generate --preset tiny --seed 1`",
    ),
    (
        "target/gen/peak-xl",
        "`domopt generate --preset tiny --seed 1`",
    ),
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One example: where it comes from and its command line (after `domopt`).
struct Example {
    source: String,
    line: String,
}

/// The `domopt ...` lines of the "Examples" block of a help text.
fn help_examples(help: &str, source: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut inside = false;
    let mut pending = String::new();
    for l in help.lines() {
        if l.trim_start().starts_with("Examples") {
            inside = true;
            continue;
        }
        if inside && l.trim().is_empty() {
            inside = false;
        }
        if !inside {
            continue;
        }
        let l = l.trim();
        pending.push_str(l.trim_end_matches('\\').trim_end());
        if l.ends_with('\\') {
            pending.push(' ');
            continue;
        }
        if pending.starts_with("domopt ") {
            out.push(Example {
                source: source.into(),
                line: std::mem::take(&mut pending),
            });
        }
        pending.clear();
    }
    out
}

/// The `domopt ...` lines of the README's code blocks (indented four spaces).
fn readme_examples(readme: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for (i, l) in readme.lines().enumerate() {
        let Some(code) = l.strip_prefix("    ") else {
            pending.clear();
            continue;
        };
        let code = code.trim();
        let code = code.strip_prefix("$ ").unwrap_or(code);
        if pending.is_empty() && !code.starts_with("domopt ") {
            continue;
        }
        pending.push_str(code.trim_end_matches('\\').trim_end());
        if code.ends_with('\\') {
            pending.push(' ');
            continue;
        }
        out.push(Example {
            source: format!("README.md:{}", i + 1),
            line: std::mem::take(&mut pending),
        });
    }
    out
}

fn help(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("domopt runs");
    assert!(out.status.success(), "domopt {args:?} failed");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// Runs one example line in `cwd`: `# comment` dropped, `> file` honoured,
/// double quotes around a word removed.
fn run(line: &str, cwd: &Path) -> Result<f64, String> {
    let line = line.split(" #").next().unwrap().trim();
    let (cmd, redirect) = match line.split_once(" > ") {
        Some((c, file)) => (c.trim(), Some(file.trim())),
        None => (line, None),
    };
    let mut words = cmd.split_whitespace();
    assert_eq!(words.next(), Some("domopt"), "{line}");
    // A word in double quotes (a target such as "on_time>=0.95", quoted
    // for the shell) is the word without them.
    let mut args: Vec<String> = words
        .map(|w| {
            w.strip_prefix('"')
                .and_then(|w| w.strip_suffix('"'))
                .unwrap_or(w)
                .to_string()
        })
        .collect();
    // The peak presets take minutes to write and hours to bench: a tiny wave instead.
    for i in 1..args.len() {
        if args[i - 1] == "--preset" && args[i].starts_with("peak-") {
            args[i] = "tiny".into();
        }
    }
    if args.first().map(String::as_str) == Some("serve") {
        return run_server(&mut args, cwd);
    }
    let stdout = match redirect {
        Some(file) => {
            Stdio::from(std::fs::File::create(cwd.join(file)).map_err(|e| e.to_string())?)
        }
        None => Stdio::null(),
    };
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(&args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::BufReader::new(stderr), &mut s).ok();
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > WALL_LIMIT {
            let _ = child.kill();
            child.wait().ok();
            return Err(format!("killed after {} s", WALL_LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = err.join().unwrap();
    if status.success() {
        Ok(start.elapsed().as_secs_f64())
    } else {
        let tail: Vec<&str> = err.lines().rev().take(4).collect();
        Err(format!(
            "{status}: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ))
    }
}

/// A `domopt serve` example: started on a free port (its `--listen` address
/// becomes `127.0.0.1:0`), it must report that it listens, then stop on
/// SIGTERM with exit 0.
fn run_server(args: &mut [String], cwd: &Path) -> Result<f64, String> {
    for i in 1..args.len() {
        if args[i - 1] == "--listen" {
            args[i] = "127.0.0.1:0".into();
        }
    }
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(&*args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening") {
        line.clear();
        let read =
            std::io::BufRead::read_line(&mut stderr, &mut line).map_err(|e| e.to_string())?;
        if read == 0 || start.elapsed() > WALL_LIMIT {
            let _ = child.kill();
            return Err(format!("the server did not listen: {line}"));
        }
    }
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .map_err(|e| e.to_string())?;
    if !sent.success() {
        return Err("SIGTERM could not be sent".into());
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(start.elapsed().as_secs_f64())
    } else {
        Err(format!("{status} after SIGTERM"))
    }
}

/// The working folder with every placeholder of `PLACEHOLDERS` in place.
fn working_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(manifest().join("datasets"), dir.path().join("datasets")).unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    for (path, _) in &PLACEHOLDERS[2..] {
        let out = Command::new(BIN)
            .args(["generate", "--preset", "tiny", "--seed", "1", "--out", path])
            .current_dir(dir.path())
            .output()
            .expect("domopt runs");
        assert!(out.status.success(), "generate {path}");
    }
    dir
}

#[test]
fn every_example_of_the_help_and_the_readme_runs_as_written_and_exits_0() {
    let mut examples = help_examples(&help(&["--help"]), "domopt --help");
    let commands = [
        "solve", "check", "validate", "schema", "generate", "bound", "bench", "ledger", "hold",
        "reserve", "assign", "commit", "release", "receive", "adjust", "returns", "reroute",
        "explain", "tune", "simulate",
    ];
    for c in commands {
        let found = help_examples(&help(&[c, "--help"]), &format!("domopt {c} --help"));
        assert!(!found.is_empty(), "`domopt {c} --help` shows no example");
        examples.extend(found);
    }
    let readme = std::fs::read_to_string(manifest().join("README.md")).unwrap();
    let from_readme = readme_examples(&readme);
    assert!(
        from_readme.len() >= 15,
        "only {} README examples found",
        from_readme.len()
    );
    examples.extend(from_readme);

    let dir = working_folder();
    let mut failed = Vec::new();
    for e in &examples {
        match run(&e.line, dir.path()) {
            Ok(t) => eprintln!("ok {t:>5.1} s  {}: {}", e.source, e.line),
            Err(why) => {
                eprintln!("FAILED     {}: {}\n           {why}", e.source, e.line);
                failed.push(format!("{}: {}\n    {why}", e.source, e.line));
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} examples failed:\n{}",
        failed.len(),
        examples.len(),
        failed.join("\n")
    );
}

#[test]
fn the_example_extraction_finds_continued_and_redirected_lines() {
    let help = "About.\n\nExamples:\n  domopt a x \\\n      y\n  domopt b > f.json\n\nMore text.\n  domopt c\n";
    let found: Vec<String> = help_examples(help, "h")
        .into_iter()
        .map(|e| e.line)
        .collect();
    assert_eq!(found, ["domopt a x y", "domopt b > f.json"]);
    let readme = "Text `domopt inline`.\n\n    $ domopt one\n    output\n    domopt two \\\n        --flag\n\n    domopt three   # comment\n";
    let found: Vec<String> = readme_examples(readme)
        .into_iter()
        .map(|e| e.line)
        .collect();
    assert_eq!(
        found,
        [
            "domopt one",
            "domopt two --flag",
            "domopt three   # comment"
        ]
    );
}
