//! The plan folder that `solve --out DIR` writes: all of it or nothing.
//!
//! The plan is written into a fresh folder beside DIR, named
//! `.NAME.domopt-XXXXXX` (unpredictable, created exclusively with mode 0700,
//! each file created exclusively so no symbolic link is ever followed), every
//! file and the folder are fsynced, and the folder is then put in place in
//! one step: `rename` with `RENAME_NOREPLACE` when DIR does not exist,
//! `RENAME_EXCHANGE` when it does (Linux), after which the old plan, now under
//! the temporary name, is removed. At every instant DIR therefore holds either
//! the complete old plan or the complete new one.
//!
//! `plan.json` lists the CSV tables written beside it with their size and
//! SHA-256 ([`FileEntry`]); [`verify_files`] checks them, so a folder mixing
//! files of two plans is detected.
//!
//! DIR is only replaced when it is a folder holding nothing but plan files
//! (or is empty); a symbolic link, a regular file or a folder with other files
//! is refused before solving ([`check_out_dir`]). A process killed outright
//! (SIGKILL, power loss) may leave a `.NAME.domopt-XXXXXX` folder beside DIR:
//! each writer holds a lock on its folder, and the next write to DIR removes
//! the ones whose lock is free.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::DomoptError;
use crate::input::format::TableFormat;
use crate::solution::plan::{FileEntry, Plan};

/// The plan file itself.
pub const PLAN_JSON: &str = "plan.json";
/// The tables written beside `plan.json`, in writing order.
pub const TABLES: [&str; 3] = ["shipments.csv", "backorders.csv", "orders.csv"];
/// The same tables as Parquet files (`solve --out DIR --tables parquet`).
pub const PARQUET_TABLES: [&str; 3] = ["shipments.parquet", "backorders.parquet", "orders.parquet"];
/// Temporary files an older domopt left in DIR after a failed write; they
/// may be replaced with the rest of the plan.
const OLD_LEFTOVERS: [&str; 4] = [
    ".plan.json.tmp",
    ".shipments.csv.tmp",
    ".backorders.csv.tmp",
    ".orders.csv.tmp",
];

/// Test hook: milliseconds to sleep before each step of a plan write
/// (announced on stderr as `domopt-test-write-step: ...`), so that a test can
/// kill the process at every point of it. Unset in normal use.
pub const TEST_DELAY_ENV: &str = "DOMOPT_TEST_WRITE_DELAY_MS";

impl Plan {
    /// Writes `shipments.csv`, `backorders.csv`, `orders.csv` and last
    /// `plan.json` (listing the tables with their size and SHA-256) as the
    /// folder `dir`, all at once: `dir` holds the old plan or the new one at
    /// every instant (see this module). `dir` must not exist, or be a
    /// folder holding nothing but plan files.
    pub fn write_dir(&self, dir: &Path) -> Result<(), DomoptError> {
        write_plan(self, dir, TableFormat::Csv)
    }

    /// [`Plan::write_dir`] with the tables in `format`.
    pub fn write_dir_as(&self, dir: &Path, format: TableFormat) -> Result<(), DomoptError> {
        write_plan(self, dir, format)
    }
}

impl FileEntry {
    fn of(name: &str, content: &[u8]) -> FileEntry {
        FileEntry {
            name: name.to_string(),
            bytes: content.len() as u64,
            sha256: sha256_hex(content),
        }
    }
}

fn sha256_hex(content: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(content);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn out_err(path: &Path, detail: impl std::fmt::Display) -> DomoptError {
    DomoptError::OutDir {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    }
}

fn io_err(path: &Path, e: impl Into<std::io::Error>) -> DomoptError {
    DomoptError::io(path, e)
}

/// DIR split into its parent folder and its name.
struct Target {
    parent: PathBuf,
    name: String,
}

impl Target {
    fn of(dir: &Path) -> Result<Target, DomoptError> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| out_err(dir, "give the plan folder a name (not `.`, `..` or `/`)"))?;
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Target {
            parent,
            name: name.to_string(),
        })
    }

    fn temp_prefix(&self) -> String {
        format!(".{}.domopt-", self.name)
    }

    fn path(&self) -> PathBuf {
        self.parent.join(&self.name)
    }
}

/// What is at DIR now.
#[derive(Debug, PartialEq)]
enum Existing {
    Nothing,
    PlanFolder,
}

/// The files `domopt returns --out` writes, with this same writer: a folder
/// of them may be replaced too.
pub const RETURNS_FILES: [&str; 2] = ["returns.json", "dispositions.csv"];

/// The files of a tune's folder (`domopt tune --out`).
pub const TUNE_FILES: [&str; 6] = [
    "tune.json",
    "points.csv",
    "frontier-split.png",
    "frontier-split.svg",
    "frontier-on-time.png",
    "frontier-on-time.svg",
];

/// The files of a simulation's folder (`domopt simulate --out`).
pub const SIMULATE_FILES: [&str; 12] = [
    "simulation.json",
    "report.md",
    "waves.csv",
    "horizon.csv",
    "cost-per-order.png",
    "cost-per-order.svg",
    "split-rate.png",
    "split-rate.svg",
    "on-time.png",
    "on-time.svg",
    "stock-outs.png",
    "stock-outs.svg",
];

fn is_plan_file(name: &str) -> bool {
    name == PLAN_JSON
        || TABLES.contains(&name)
        || PARQUET_TABLES.contains(&name)
        || OLD_LEFTOVERS.contains(&name)
        || RETURNS_FILES.contains(&name)
        || TUNE_FILES.contains(&name)
        || SIMULATE_FILES.contains(&name)
}

/// Entries of a folder that are not plan files.
fn foreign_entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut foreign = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !(is_plan_file(&name) && e.file_type()?.is_file()) {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// Looks at DIR without following a link: nothing, or a folder of plan files.
fn inspect(dir: &Path) -> Result<Existing, DomoptError> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(out_err(dir, e)),
    };
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(out_err(
            dir,
            "is a symbolic link; domopt does not write through links: give the real folder",
        ));
    }
    if !ft.is_dir() {
        return Err(out_err(dir, "exists and is not a folder"));
    }
    let foreign = foreign_entries(dir).map_err(|e| out_err(dir, e))?;
    if !foreign.is_empty() {
        let mut list: Vec<_> = foreign.iter().take(5).map(String::as_str).collect();
        if foreign.len() > 5 {
            list.push("...");
        }
        return Err(out_err(
            dir,
            format!(
                "holds files that are not part of a plan ({}); the whole folder is replaced \
                 on writing, so give a new or empty folder, or one written by `solve --out`",
                list.join(", ")
            ),
        ));
    }
    Ok(Existing::PlanFolder)
}

/// Makes the temporary folder beside DIR (exclusive, unpredictable, 0700).
fn make_temp(t: &Target) -> Result<tempfile::TempDir, DomoptError> {
    let meta = std::fs::metadata(&t.parent)
        .map_err(|e| out_err(&t.parent, format!("the folder to hold the plan: {e}")))?;
    if !meta.is_dir() {
        return Err(out_err(&t.parent, "is not a folder"));
    }
    tempfile::Builder::new()
        .prefix(&t.temp_prefix())
        .rand_bytes(12)
        .tempdir_in(&t.parent)
        .map_err(|e| out_err(&t.parent, format!("cannot create a folder here: {e}")))
}

/// Checks, before solving, that a plan can be written to `dir`: its parent is
/// a folder we can create folders in, and `dir` does not exist or is a
/// folder holding nothing but plan files (not a symbolic link, not a file).
/// Leaves nothing behind.
///
/// A parent that does not exist yet is created on writing, after the solve;
/// here its nearest existing ancestor must be a folder we can create folders in.
pub fn check_out_dir(dir: &Path) -> Result<(), DomoptError> {
    let t = Target::of(dir)?;
    inspect(dir)?;
    let probe = make_temp(&Target {
        parent: nearest_existing(&t.parent),
        name: t.name.clone(),
    })?;
    probe
        .close()
        .map_err(|e| out_err(&t.parent, format!("cannot remove a folder here: {e}")))
}

/// `path`, or its nearest ancestor that exists (as anything, so that a file
/// in the way is reported as not a folder).
fn nearest_existing(path: &Path) -> PathBuf {
    path.ancestors()
        .find(|a| !a.as_os_str().is_empty() && std::fs::symlink_metadata(a).is_ok())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Removes the temporary folders of writes to DIR that were killed: those
/// named `.NAME.domopt-*` whose writer's lock is free. Errors are ignored.
fn remove_stale_temps(t: &Target) {
    let prefix = t.temp_prefix();
    let Ok(entries) = std::fs::read_dir(&t.parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if !name.starts_with(&prefix) || !e.file_type().is_ok_and(|f| f.is_dir()) {
            continue;
        }
        let path = e.path();
        let Ok(f) = File::open(&path) else { continue };
        if lock(&f).is_ok() {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Takes the writer's lock on an open folder (released when the process ends).
#[cfg(unix)]
fn lock(f: &File) -> std::io::Result<()> {
    use rustix::fs::{FlockOperation, flock};
    flock(f, FlockOperation::NonBlockingLockExclusive).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn lock(_f: &File) -> std::io::Result<()> {
    Err(std::io::Error::other("no folder locks here"))
}

/// Announces and delays a step of the write when the test hook is set.
struct Steps {
    delay: Option<std::time::Duration>,
}

impl Steps {
    fn from_env() -> Steps {
        let delay = std::env::var(TEST_DELAY_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map(std::time::Duration::from_millis);
        Steps { delay }
    }

    fn step(&self, what: &str) {
        if let Some(d) = self.delay {
            eprintln!("domopt-test-write-step: {what}");
            std::thread::sleep(d);
        }
    }
}

/// Mode for the finished folder: the old DIR's, or what `mkdir` gives under
/// the process umask.
#[cfg(unix)]
fn final_mode(dir: &Path, existing: &Existing) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    if *existing == Existing::PlanFolder
        && let Ok(m) = std::fs::symlink_metadata(dir)
    {
        return m.permissions().mode() & 0o7777;
    }
    let umask = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022);
    0o777 & !umask
}

/// Creates the new file `path` in the open folder that holds it: exclusively,
/// never through a link, and relative to the folder itself, not its path.
#[cfg(unix)]
fn create_in(folder: &File, path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags, openat};
    let name = path.file_name().unwrap_or(path.as_os_str());
    let fd = openat(
        folder,
        name,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o666),
    )?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn create_in(_folder: &File, path: &Path) -> std::io::Result<File> {
    File::create_new(path)
}

/// Writes `files` (name, content; `plan.json` last) as the plan folder `dir`.
pub(crate) fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), DomoptError> {
    let steps = Steps::from_env();
    let t = Target::of(dir)?;
    let target = t.path();
    let existing = inspect(&target)?;
    remove_stale_temps(&t);
    // Missing parents were checked before the solve; they are made now.
    std::fs::create_dir_all(&t.parent)
        .map_err(|e| out_err(&t.parent, format!("cannot create the folder: {e}")))?;
    steps.step("create temporary folder");
    let temp = make_temp(&t)?;
    let temp_path = temp.path().to_path_buf();
    let temp_name = temp_path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("tempfile names are UTF-8")
        .to_string();
    let temp_fd = File::open(&temp_path).map_err(|e| io_err(&temp_path, e))?;
    // Held until this function returns: marks the folder as in use.
    let _ = lock(&temp_fd);
    for (name, content) in files {
        let path = temp_path.join(name);
        steps.step(&format!("write {name}"));
        let mut f = create_in(&temp_fd, &path).map_err(|e| io_err(&path, e))?;
        f.write_all(content).map_err(|e| io_err(&path, e))?;
        steps.step(&format!("fsync {name}"));
        f.sync_all().map_err(|e| io_err(&path, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = final_mode(&target, &existing);
        std::fs::set_permissions(&temp_path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| io_err(&temp_path, e))?;
    }
    steps.step("fsync temporary folder");
    temp_fd.sync_all().map_err(|e| io_err(&temp_path, e))?;
    let parent = File::open(&t.parent).map_err(|e| io_err(&t.parent, e))?;
    steps.step("put the plan in place");
    swap_in(&parent, &t, &temp_name, &target, existing)?;
    steps.step("fsync parent folder");
    parent.sync_all().map_err(|e| io_err(&t.parent, e))?;
    steps.step("remove the old plan");
    // After an exchange the temporary name holds the old plan; after a plain
    // rename it holds nothing.
    let _ = temp.close();
    drop(temp_fd);
    steps.step("done");
    Ok(())
}

/// The file system cannot rename with these flags (some network and older
/// file systems).
#[cfg(target_os = "linux")]
fn unsupported(e: rustix::io::Errno) -> bool {
    use rustix::io::Errno;
    e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP
}

/// Puts the finished temporary folder at DIR in one step (falling back to
/// [`swap_in_aside`] where the file system cannot).
#[cfg(target_os = "linux")]
fn swap_in(
    parent: &File,
    t: &Target,
    temp_name: &str,
    target: &Path,
    existing: Existing,
) -> Result<(), DomoptError> {
    use rustix::fs::{RenameFlags, renameat_with};
    let mut existing = existing;
    for _ in 0..2 {
        match existing {
            Existing::Nothing => {
                match renameat_with(parent, temp_name, parent, &t.name, RenameFlags::NOREPLACE) {
                    Ok(()) => return Ok(()),
                    // Made meanwhile: look again, then exchange.
                    Err(rustix::io::Errno::EXIST) => existing = inspect(target)?,
                    Err(e) if unsupported(e) => {
                        return swap_in_aside(t, temp_name, target, existing);
                    }
                    Err(e) => return Err(io_err(target, e)),
                }
            }
            Existing::PlanFolder => {
                // Looked at just before the exchange, and again after it: if
                // something not ours came in between, swap back and stop.
                inspect(target)?;
                match renameat_with(parent, temp_name, parent, &t.name, RenameFlags::EXCHANGE) {
                    Ok(()) => {}
                    // Removed meanwhile: rename instead.
                    Err(rustix::io::Errno::NOENT) => {
                        existing = Existing::Nothing;
                        continue;
                    }
                    Err(e) if unsupported(e) => {
                        return swap_in_aside(t, temp_name, target, existing);
                    }
                    Err(e) => return Err(io_err(target, e)),
                }
                let old = t.parent.join(temp_name);
                let foreign = foreign_entries(&old).unwrap_or_default();
                if !foreign.is_empty() {
                    renameat_with(parent, temp_name, parent, &t.name, RenameFlags::EXCHANGE)
                        .map_err(|e| io_err(target, e))?;
                    return Err(out_err(
                        target,
                        format!(
                            "files that are not part of a plan appeared during the write ({}); \
                             the folder was left as it was",
                            foreign.join(", ")
                        ),
                    ));
                }
                return Ok(());
            }
        }
    }
    Err(out_err(target, "the folder kept changing during the write"))
}

/// Elsewhere than on Linux: move the old folder aside, then rename.
#[cfg(not(target_os = "linux"))]
fn swap_in(
    _parent: &File,
    t: &Target,
    temp_name: &str,
    target: &Path,
    existing: Existing,
) -> Result<(), DomoptError> {
    swap_in_aside(t, temp_name, target, existing)
}

/// Moves the old folder aside under an unpredictable name, renames the new
/// one into place, and leaves the old one under the temporary name (removed
/// by the caller). Not atomic: DIR is briefly missing, but never mixed.
fn swap_in_aside(
    t: &Target,
    temp_name: &str,
    target: &Path,
    existing: Existing,
) -> Result<(), DomoptError> {
    let temp = t.parent.join(temp_name);
    if existing == Existing::Nothing {
        return std::fs::rename(&temp, target).map_err(|e| io_err(target, e));
    }
    inspect(target)?;
    let aside = tempfile::Builder::new()
        .prefix(&t.temp_prefix())
        .rand_bytes(12)
        .tempdir_in(&t.parent)
        .map_err(|e| io_err(&t.parent, e))?
        .keep();
    std::fs::remove_dir(&aside).map_err(|e| io_err(&aside, e))?;
    std::fs::rename(target, &aside).map_err(|e| io_err(target, e))?;
    if let Err(e) = std::fs::rename(&temp, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(io_err(target, e));
    }
    std::fs::rename(&aside, &temp).map_err(|e| io_err(&temp, e))
}

/// Writes the plan folder: the tables, then `plan.json` with their manifest.
pub(crate) fn write_plan(plan: &Plan, dir: &Path, format: TableFormat) -> Result<(), DomoptError> {
    let tables = table_bytes(plan, format)?;
    let manifest: Vec<FileEntry> = tables.iter().map(|(n, b)| FileEntry::of(n, b)).collect();
    let json = plan.json_bytes_with_files(&manifest)?;
    let mut files: Vec<(&str, &[u8])> = tables.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    files.push((PLAN_JSON, &json));
    write_files(dir, &files)
}

/// The plan's tables as the bytes of their files, in writing order.
fn table_bytes(plan: &Plan, format: TableFormat) -> Result<[(&'static str, Vec<u8>); 3], DomoptError> {
    match format {
        TableFormat::Csv => Ok([
            (TABLES[0], plan.shipments_csv()?),
            (TABLES[1], plan.backorders_csv()?),
            (TABLES[2], plan.orders_csv()?),
        ]),
        #[cfg(feature = "columnar")]
        TableFormat::Parquet => {
            use crate::input::columnar::parquet_bytes;
            let t = crate::solution::plan_columns::plan_tables(plan)?;
            Ok([
                (PARQUET_TABLES[0], parquet_bytes(&t.shipments, PARQUET_TABLES[0])?),
                (PARQUET_TABLES[1], parquet_bytes(&t.backorders, PARQUET_TABLES[1])?),
                (PARQUET_TABLES[2], parquet_bytes(&t.orders, PARQUET_TABLES[2])?),
            ])
        }
    }
}

/// One way the files beside `plan.json` do not match its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum FileProblem {
    /// A listed file is not there.
    Missing {
        /// File name.
        name: String,
    },
    /// A listed file has another size.
    Size {
        /// File name.
        name: String,
        /// Size in the manifest.
        listed: u64,
        /// Size on disk.
        found: u64,
    },
    /// A listed file has the listed size but other content.
    Hash {
        /// File name.
        name: String,
    },
    /// A table of every plan is not in the manifest.
    NotListed {
        /// File name.
        name: String,
    },
    /// A manifest entry that is not a plain file name of a plan table.
    BadName {
        /// The entry.
        name: String,
    },
    /// A listed file could not be read.
    Unreadable {
        /// File name.
        name: String,
        /// Why.
        detail: String,
    },
}

impl FileProblem {
    /// The file concerned.
    pub fn name(&self) -> &str {
        match self {
            FileProblem::Missing { name }
            | FileProblem::Size { name, .. }
            | FileProblem::Hash { name }
            | FileProblem::NotListed { name }
            | FileProblem::BadName { name }
            | FileProblem::Unreadable { name, .. } => name,
        }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileProblem::Missing { name } => {
                write!(f, "{name} is listed in plan.json but missing")
            }
            FileProblem::Size {
                name,
                listed,
                found,
            } => write!(
                f,
                "{name} has {found} bytes, plan.json lists {listed}: it belongs to another plan"
            ),
            FileProblem::Hash { name } => write!(
                f,
                "{name} differs from the SHA-256 plan.json lists: it belongs to another plan"
            ),
            FileProblem::NotListed { name } => {
                write!(f, "{name} is not listed in plan.json's manifest")
            }
            FileProblem::BadName { name } => {
                write!(f, "manifest entry `{name}` is not a plan table")
            }
            FileProblem::Unreadable { name, detail } => write!(f, "{name}: {detail}"),
        }
    }
}

/// What the check of a plan folder's files found (`check_files`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilesReport {
    /// Whether `plan.json` has a manifest (a lone `plan.json` printed by
    /// `solve --json`, or one written by an older domopt, has none: then
    /// nothing beside it is verified).
    pub manifest: bool,
    /// Files the manifest lists.
    pub listed: usize,
    /// Files verified (0 when `plan.json` was given as a file with none of
    /// its tables beside it: a copied `plan.json` is not a folder).
    pub verified: usize,
    /// Every mismatch.
    pub problems: Vec<FileProblem>,
}

impl FilesReport {
    /// No mismatch.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies the tables beside `plan.json` against its manifest. `path` is the
/// plan folder or its `plan.json` (as given to [`Plan::read`]); every table
/// must be listed and match its size and SHA-256. Given a file with none of
/// the listed tables beside it, nothing is verified (`verified` is 0).
pub fn verify_files(path: &Path, plan: &Plan) -> FilesReport {
    let given_dir = path.is_dir();
    let dir = if given_dir {
        path.to_path_buf()
    } else {
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut report = FilesReport {
        manifest: !plan.files.is_empty(),
        listed: plan.files.len(),
        verified: 0,
        problems: Vec::new(),
    };
    if !report.manifest {
        return report;
    }
    // A plan's tables are all CSV or all Parquet, as its manifest lists.
    let tables = if plan.files.iter().any(|e| PARQUET_TABLES.contains(&e.name.as_str())) {
        PARQUET_TABLES
    } else {
        TABLES
    };
    let beside = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok();
    if !given_dir && !tables.iter().any(|n| beside(n)) {
        return report;
    }
    for name in tables {
        if !plan.files.iter().any(|e| e.name == name) {
            report.problems.push(FileProblem::NotListed {
                name: name.to_string(),
            });
        }
    }
    for entry in &plan.files {
        let name = entry.name.clone();
        if !tables.contains(&name.as_str()) {
            report.problems.push(FileProblem::BadName { name });
            continue;
        }
        let file = dir.join(&name);
        let content = match std::fs::read(&file) {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.problems.push(FileProblem::Missing { name });
                continue;
            }
            Err(e) => {
                report.problems.push(FileProblem::Unreadable {
                    name,
                    detail: e.to_string(),
                });
                continue;
            }
        };
        if content.len() as u64 != entry.bytes {
            report.problems.push(FileProblem::Size {
                name,
                listed: entry.bytes,
                found: content.len() as u64,
            });
        } else if sha256_hex(&content) != entry.sha256 {
            report.problems.push(FileProblem::Hash { name });
        } else {
            report.verified += 1;
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_folder_with_other_files_is_refused_and_kept() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let err = write_files(&dir, &[("plan.json", b"{}")]).unwrap_err();
        assert!(err.to_string().contains("notes.txt"), "{err}");
        assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), b"mine");
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn writing_twice_replaces_the_folder_and_leaves_no_temporary_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        write_files(&dir, &[("orders.csv", b"a"), ("plan.json", b"1")]).unwrap();
        write_files(&dir, &[("plan.json", b"2")]).unwrap();
        assert_eq!(std::fs::read(dir.join("plan.json")).unwrap(), b"2");
        assert!(!dir.join("orders.csv").exists());
        let names: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("plan")]);
    }

    #[test]
    fn the_fallback_swap_puts_the_new_folder_in_place_and_the_old_one_aside() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        write_files(&dir, &[("plan.json", b"old")]).unwrap();
        let t = Target::of(&dir).unwrap();
        let temp = make_temp(&t).unwrap();
        std::fs::write(temp.path().join("plan.json"), "new").unwrap();
        let name = temp
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        swap_in_aside(&t, &name, &dir, Existing::PlanFolder).unwrap();
        assert_eq!(std::fs::read(dir.join("plan.json")).unwrap(), b"new");
        assert_eq!(
            std::fs::read(temp.path().join("plan.json")).unwrap(),
            b"old"
        );
        temp.close().unwrap();
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_stale_temporary_folder_is_removed_by_the_next_write() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("plan");
        let stale = root.path().join(".plan.domopt-abcdefabcdef");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("plan.json"), "old").unwrap();
        write_files(&dir, &[("plan.json", b"1")]).unwrap();
        assert!(!stale.exists());
    }
}
