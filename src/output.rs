//! Output: where the site goes, the safety rules for those folders, and the
//! atomic swap.
//!
//! A build renders into a staging folder beside each output folder
//! (`.public.howtoreach-staging`), then swaps it in with one
//! `renameat2(RENAME_EXCHANGE)`: at every moment the output path holds either
//! the whole previous tree or the whole new one. Each folder howtoreach writes
//! carries a marker file; a build refuses to replace a non-empty folder
//! without it, the site root, or a folder holding `data/`.

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Config;
use crate::render::{Dest, Emit, Parts};

/// The marker file in every folder howtoreach writes.
pub const MARKER: &str = ".howtoreach";
const MARKER_TEXT: &str = "This folder is written by howtoreach: every build replaces it whole. Do not edit files here.\n";

/// The two folders a build writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPaths {
    pub public: PathBuf,
    pub handouts: PathBuf,
}

/// Makes `path` absolute and resolves `.`, `..` and symbolic links in the part that exists.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    // Lexically resolve `..` first, then canonicalize the longest existing prefix.
    let mut lexical = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_os_string()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Works out the output folders (`--output` wins over `output_dir`) and checks
/// every rule of SPEC for them.
pub fn resolve(
    root: &Path,
    config: &Config,
    cli_output: Option<&Path>,
    diags: &mut Diagnostics,
) -> OutputPaths {
    let root = normalize(root);
    let public_written = match cli_output {
        Some(p) => p.to_path_buf(),
        None => root.join(&config.output_dir),
    };
    let handouts_written = root.join(&config.handout_dir);
    let public = normalize(&public_written);
    let handouts = normalize(&handouts_written);
    let at = |d: Diagnostic, span: &Option<std::ops::Range<usize>>, from_cli: bool| match span {
        Some(s) if !from_cli => d.at(&config.file, s.clone()),
        _ => d.in_path("site.toml"),
    };
    let checks = [
        (
            &public,
            &public_written,
            "output",
            &config.output_dir_span,
            cli_output.is_some(),
        ),
        (
            &handouts,
            &handouts_written,
            "handout",
            &config.handout_dir_span,
            false,
        ),
    ];
    let mut unsafe_found = false;
    for (dir, written, what, span, from_cli) in checks {
        if let Some(problem) = unsafe_target(&root, dir, written) {
            unsafe_found = true;
            diags.push(
                at(
                    Diagnostic::error(format!("the {what} folder {} {problem}", dir.display())),
                    span,
                    from_cli,
                )
                .help(format!(
                    "choose a new or empty folder for the {what}, e.g. \"{}\"",
                    if what == "output" {
                        "public"
                    } else {
                        "handouts"
                    }
                )),
            );
        }
    }
    // When a folder is already refused, how the two nest adds nothing.
    if unsafe_found {
    } else if handouts.starts_with(&public) {
        diags.push(at(
            Diagnostic::error(format!(
                "the handout folder {} is inside the output folder {}: handouts would be published",
                handouts.display(),
                public.display()
            )),
            &config.handout_dir_span,
            false,
        )
        .help("put handouts beside the output folder, e.g. handout_dir = \"handouts\""));
    } else if public.starts_with(&handouts) {
        diags.push(
            at(
                Diagnostic::error(format!(
                    "the output folder {} is inside the handout folder {}",
                    public.display(),
                    handouts.display()
                )),
                &config.output_dir_span,
                cli_output.is_some(),
            )
            .help("keep the two folders apart, e.g. \"public\" and \"handouts\""),
        );
    }
    OutputPaths { public, handouts }
}

/// Why `dir` must not be replaced by a build, if it must not.
fn unsafe_target(root: &Path, dir: &Path, as_written: &Path) -> Option<String> {
    if dir == root {
        return Some("is the site's own folder".to_string());
    }
    if root.starts_with(dir) {
        return Some("contains the site (and its data/)".to_string());
    }
    if dir.parent().is_none() {
        return Some("is the file system's root".to_string());
    }
    for input in ["data", "templates", "static"] {
        if dir.starts_with(root.join(input)) {
            return Some(format!("is inside the site's {input}/ folder"));
        }
    }
    // The path as written, before links are resolved: a link is refused, since
    // the swap would replace the link, not the folder it names.
    if fs::symlink_metadata(as_written).is_ok_and(|m| m.file_type().is_symlink()) {
        return Some("is a symbolic link; name the real folder instead".to_string());
    }
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Some("is a file, not a folder".to_string()),
        Ok(_) => {}
        Err(_) => return None,
    }
    // Ours: whatever it holds (a site's static/data/ is copied into it).
    if dir.join(MARKER).is_file() {
        return None;
    }
    if dir.join("data").exists() {
        return Some("contains a data/ folder".to_string());
    }
    match fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                Some("is not empty and was not made by howtoreach".to_string())
            } else {
                None
            }
        }
        Err(e) => Some(format!("cannot be read ({e})")),
    }
}

/// The staging folder beside `target`.
fn staging_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    target.with_file_name(format!(".{name}.howtoreach-staging"))
}

/// A build in progress: files are written into staging folders, then swapped in.
pub struct Staging {
    targets: OutputPaths,
    staged: OutputPaths,
    /// Whether each target (public, handouts) held a previous output to reuse
    /// files from: a first build skips the comparison.
    previous: [bool; 2],
    /// The staging folders, held open: files and folders are made relative
    /// to them, so the kernel looks up two or three names per file rather
    /// than every folder of the path from `/`.
    roots: [OwnedFd; 2],
}

/// The place of `dest`'s folder in [`Staging`]'s pairs.
fn tree(dest: Dest) -> usize {
    match dest {
        Dest::Public => 0,
        Dest::Handouts => 1,
    }
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot {what} {}: {e}", path.display()))
        .io()
        .help("check that the folder is writable and the disk has space; the previous output is untouched")
}

/// Makes the empty staging folder `dir` (removing one a killed build left),
/// with its marker, and opens it.
fn prepare(dir: &Path) -> Result<OwnedFd, Diagnostic> {
    use rustix::fs::{Mode, OFlags};
    if dir.exists() {
        // Left by a killed build: ours only if it carries the marker (or
        // is empty: killed before the marker was written).
        let ours =
            dir.join(MARKER).is_file() || fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none());
        if !ours {
            return Err(Diagnostic::error(format!(
                "{} exists and was not made by howtoreach",
                dir.display()
            ))
            .help("howtoreach stages builds in this folder: move or rename it"));
        }
        remove_ours(dir).map_err(|e| io_error("remove the old staging folder", dir, &e))?;
    }
    fs::create_dir_all(dir).map_err(|e| io_error("create", dir, &e))?;
    let marker = dir.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(|e| io_error("write", &marker, &e))?;
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(dir, flags, Mode::empty())
        .map_err(|e| io_error("open", dir, &io::Error::from(e)))
}

/// Whether `path` (of an emitted file or folder) stays inside its tree:
/// relative, without `..`. The renderer makes no other (slugs and `static/`
/// paths are checked before); an output folder handle would not hold another.
fn inside(path: &str) -> bool {
    Path::new(path)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The error for a path [`inside`] refuses.
fn outside(path: &str) -> Diagnostic {
    Diagnostic::error(format!("the output path {path} leaves the output folder"))
        .help("this is a bug in howtoreach: please report it with the site that shows it")
}

impl Staging {
    /// Prepares empty staging folders (removing a staging folder a killed build left).
    pub fn new(targets: &OutputPaths) -> Result<Staging, Diagnostic> {
        let staged = OutputPaths {
            public: staging_path(&targets.public),
            handouts: staging_path(&targets.handouts),
        };
        Ok(Staging {
            roots: [prepare(&staged.public)?, prepare(&staged.handouts)?],
            previous: [targets.public.is_dir(), targets.handouts.is_dir()],
            targets: targets.clone(),
            staged,
        })
    }

    /// Swaps the staged trees in. Each swap is atomic; the previous trees are then deleted.
    pub fn commit(self) -> Result<(), Diagnostic> {
        for (staged, target) in [
            (&self.staged.public, &self.targets.public),
            (&self.staged.handouts, &self.targets.handouts),
        ] {
            swap_in(staged, target)?;
        }
        for old in [&self.staged.public, &self.staged.handouts] {
            // The staging path now holds the previous output; losing it is harmless.
            if old.exists() {
                let _ = remove_ours(old);
            }
        }
        Ok(())
    }

    /// Drops the staged trees after a failed build.
    pub fn abandon(self) {
        for dir in [&self.staged.public, &self.staged.handouts] {
            let _ = remove_ours(dir);
        }
    }
}

/// Deletes a folder of ours with its marker last, so a build killed while
/// deleting leaves a folder that still says it is ours.
fn remove_ours(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == MARKER {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    let marker = dir.join(MARKER);
    if marker.exists() {
        fs::remove_file(marker)?;
    }
    fs::remove_dir(dir)
}

/// Atomically puts `staged` at `target`: an exchange when `target` exists, a rename otherwise.
fn swap_in(staged: &Path, target: &Path) -> Result<(), Diagnostic> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| io_error("create", parent, &e))?;
    }
    if target.exists() {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                // The file system cannot exchange: move the old tree aside, then rename.
                // A kill between the two renames leaves the previous output in `aside`.
                let aside = staged.with_extension("previous");
                let _ = fs::remove_dir_all(&aside);
                fs::rename(target, &aside).map_err(|e| io_error("move aside", target, &e))?;
                fs::rename(staged, target).map_err(|e| io_error("rename into", target, &e))?;
                fs::rename(&aside, staged).map_err(|e| io_error("rename", &aside, &e))
            }
            Err(e) => Err(io_error("swap in", target, &io::Error::from(e))),
        }
    } else {
        fs::rename(staged, target).map_err(|e| io_error("rename into", target, &e))
    }
}

impl Emit for Staging {
    /// Writes a file into the staging tree. A file whose bytes are the same as
    /// in the live output is hard-linked from it instead (as `rsync --link-dest`
    /// does): no new inode, no data written, and the swap stays atomic. The
    /// staging tree starts empty, so a linked file is never written through.
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        use std::io::Write as _;
        let (full, previous) = self.paths(dest, path)?;
        if let Some(previous) = &previous
            && same_bytes(previous, bytes)
            && link(previous, &full)
        {
            return Ok(());
        }
        self.create(dest, path, &full)?
            .write_all(bytes)
            .map_err(|e| io_error("write", &full, &e))
    }

    /// Writes the parts as they come, and still writes only a changed file:
    /// while the parts match the live file, nothing is written; at the first
    /// difference the file is created, the matching start copied from the
    /// live file, and the rest written as it comes. A file whose every byte
    /// matches is hard-linked, as [`Staging::emit`] does.
    fn emit_parts(&self, dest: Dest, path: &str, write: &mut Parts<'_>) -> Result<(), Diagnostic> {
        use std::io::{Read as _, Write as _};
        let (full, previous) = self.paths(dest, path)?;
        // The live file, read alongside, while every part so far matched it.
        let mut same_so_far = previous
            .as_ref()
            .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
            .and_then(|p| fs::File::open(p).ok());
        // (Without a previous output nothing matched, and it is not read.)
        let previous = previous.unwrap_or_default();
        let mut matched: u64 = 0;
        let mut file: Option<fs::File> = None;
        let mut old = Vec::new();
        // The new file, starting with the `matched` bytes both have.
        let start = |matched: u64| -> Result<fs::File, Diagnostic> {
            let mut file = self.create(dest, path, &full)?;
            if matched > 0 {
                let copied = fs::File::open(&previous)
                    .and_then(|f| io::copy(&mut f.take(matched), &mut file));
                match copied {
                    Ok(n) if n == matched => {}
                    Ok(_) => {
                        let e = io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "it changed during the build",
                        );
                        return Err(io_error("copy from", &previous, &e));
                    }
                    Err(e) => return Err(io_error("copy from", &previous, &e)),
                }
            }
            Ok(file)
        };
        write(&mut |part| {
            if file.is_none() {
                if let Some(live) = same_so_far.as_mut() {
                    old.resize(part.len(), 0);
                    let same = live.read_exact(&mut old).is_ok() && old == part;
                    if same {
                        matched += part.len() as u64;
                        return Ok(());
                    }
                }
                same_so_far = None;
                file = Some(start(matched)?);
            }
            match file.as_mut() {
                Some(f) => f.write_all(part).map_err(|e| io_error("write", &full, &e)),
                None => Ok(()),
            }
        })?;
        if file.is_some() {
            return Ok(());
        }
        // Every part matched: the same file if the live one ends here too.
        let ends_here =
            same_so_far.is_some_and(|mut live| matches!(live.read(&mut [0u8; 1]), Ok(0)));
        if ends_here && link(&previous, &full) {
            return Ok(());
        }
        start(matched).map(drop)
    }

    fn folder(&self, dest: Dest, path: &str) -> Result<(), Diagnostic> {
        use rustix::fs::{Mode, mkdirat};
        let (full, _) = self.paths(dest, path)?;
        match mkdirat(
            &self.roots[tree(dest)],
            path,
            Mode::from_bits_truncate(0o777),
        ) {
            Ok(()) => Ok(()),
            Err(e) if e == rustix::io::Errno::EXIST => Ok(()),
            // A missing parent, say: the whole path, as a file would make it.
            Err(_) => fs::create_dir_all(&full).map_err(|e| io_error("create", &full, &e)),
        }
    }
}

impl Staging {
    /// A new file at `path` of `dest` (staged at `full`), made relative to
    /// the open staging folder. Anything but the usual case (a missing
    /// folder, a file already there) is left to [`create_new`].
    fn create(&self, dest: Dest, path: &str, full: &Path) -> Result<fs::File, Diagnostic> {
        use rustix::fs::{Mode, OFlags, openat};
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::CLOEXEC;
        // (`path` is relative: [`Staging::paths`] made `full` first.)
        match openat(
            &self.roots[tree(dest)],
            path,
            flags,
            Mode::from_bits_truncate(0o666),
        ) {
            Ok(fd) => Ok(fs::File::from(fd)),
            Err(_) => create_new(full),
        }
    }

    /// Where `path` of `dest` is staged, and where it is live when there is
    /// a previous output to reuse files from. Refuses a path that leaves its
    /// tree ([`inside`]): every file, folder and link is made through here.
    fn paths(&self, dest: Dest, path: &str) -> Result<(PathBuf, Option<PathBuf>), Diagnostic> {
        if !inside(path) {
            return Err(outside(path));
        }
        let (base, live, reuse) = match dest {
            Dest::Public => (&self.staged.public, &self.targets.public, self.previous[0]),
            Dest::Handouts => (
                &self.staged.handouts,
                &self.targets.handouts,
                self.previous[1],
            ),
        };
        Ok((base.join(path), reuse.then(|| live.join(path))))
    }
}

/// Hard-links the live file `previous` as the staged `full` (making its
/// folder if needed); false if that cannot be done.
fn link(previous: &Path, full: &Path) -> bool {
    fs::hard_link(previous, full)
        .or_else(|e| {
            create_parent(full, &e)?;
            fs::hard_link(previous, full)
        })
        .is_ok()
}

/// A new file at `path`. The folder is made when the file finds it missing
/// (not checked before each file). A file already there (the same path
/// emitted twice, as when `static/` replaces a built-in file) is removed
/// first, never written through: it may be a hard link to the live output.
fn create_new(path: &Path) -> Result<fs::File, Diagnostic> {
    let create = || {
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let file = match create() {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io_error("create", parent, &e))?;
            }
            create()
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            fs::remove_file(path).map_err(|e| io_error("replace", path, &e))?;
            create()
        }
        Err(e) => Err(e),
    };
    file.map_err(|e| io_error("write", path, &e))
}

/// After `e` from creating `file`: makes its folder if that was missing, else returns `e`.
fn create_parent(file: &Path, e: &io::Error) -> io::Result<()> {
    match file.parent() {
        Some(parent) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(parent),
        _ => Err(io::Error::new(e.kind(), e.to_string())),
    }
}

/// Whether `path` is a regular file holding exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(path).is_ok_and(|old| old == bytes)
        }
        _ => false,
    }
}

/// Keeps rendered files in memory (tests and fuzzing).
#[derive(Default)]
pub struct MemoryOutput {
    pub files: std::sync::Mutex<std::collections::BTreeMap<(u8, String), Vec<u8>>>,
}

impl Emit for MemoryOutput {
    fn emit(&self, dest: Dest, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let key = (dest as u8, path.to_string());
        if let Ok(mut files) = self.files.lock() {
            files.insert(key, bytes.to_vec());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Emits `parts` as `path` into a build whose live output holds `live`
    /// at that path; returns what the staged file holds and whether it is
    /// the live file itself (hard-linked).
    fn stream_over(live: &str, parts: &[&str]) -> (String, bool) {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("temporary folder");
        let targets = OutputPaths {
            public: dir.path().join("public"),
            handouts: dir.path().join("handouts"),
        };
        fs::create_dir_all(targets.public.join("sub")).expect("folder");
        fs::write(targets.public.join("sub/index.html"), live).expect("write");
        let staging = Staging::new(&targets).expect("staging");
        staging
            .emit_parts(Dest::Public, "sub/index.html", &mut |sink| {
                parts.iter().try_for_each(|p| sink(p.as_bytes()))
            })
            .expect("emitted");
        let staged = staging.staged.public.join("sub/index.html");
        let ino = |p: &Path| fs::metadata(p).map(|m| m.ino()).expect("exists");
        let linked = ino(&staged) == ino(&targets.public.join("sub/index.html"));
        (fs::read_to_string(&staged).expect("read"), linked)
    }

    #[test]
    fn a_file_in_parts_is_written_only_when_it_changed() {
        let live = "abcdef";
        for (parts, linked) in [
            (&["abcdef"][..], true),
            (&["ab", "cd", "ef"][..], true),
            (&["ab", "", "cdef"][..], true),
            (&["abc"][..], false),
            (&["ab", "cd"][..], false),
            (&["abcdef", "gh"][..], false),
            (&["ab", "cd", "eX"][..], false),
            (&["abcdeX"][..], false),
            (&["Xbcdef"][..], false),
            (&["abcd", "efgh"][..], false),
            (&[][..], false),
        ] {
            let (staged, was_linked) = stream_over(live, parts);
            assert_eq!(staged, parts.concat(), "{parts:?}");
            assert_eq!(was_linked, linked, "{parts:?}");
        }
    }

    #[test]
    fn files_are_made_in_announced_folders_and_in_new_ones_alike() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let targets = OutputPaths {
            public: dir.path().join("public"),
            handouts: dir.path().join("handouts"),
        };
        let staging = Staging::new(&targets).expect("staging");
        staging.folder(Dest::Public, "providers/a").expect("folder");
        // Announcing a folder twice, or one whose parent is missing, is fine.
        staging.folder(Dest::Public, "providers/a").expect("again");
        staging.folder(Dest::Public, "x/y/z").expect("nested");
        let files = [
            (Dest::Public, "providers/a/index.html", "page"),
            (Dest::Public, "not/announced/qr.svg", "qr"),
            (Dest::Handouts, "a.html", "handout"),
            // The same path again replaces the file (as `static/` does).
            (Dest::Public, "providers/a/index.html", "page 2"),
        ];
        for (dest, path, text) in files {
            staging.emit(dest, path, text.as_bytes()).expect("emitted");
        }
        staging
            .emit(Dest::Public, "providers/a/index.html/under-a-file", b"x")
            .expect_err("a file cannot be a folder");
        staging.commit().expect("commit");
        let read = |p: PathBuf| fs::read_to_string(p).expect("written");
        assert_eq!(
            read(targets.public.join("providers/a/index.html")),
            "page 2"
        );
        assert_eq!(read(targets.public.join("not/announced/qr.svg")), "qr");
        assert_eq!(read(targets.handouts.join("a.html")), "handout");
        assert!(targets.public.join("x/y/z").is_dir());
        assert!(!dir.path().join("x").exists(), "nothing outside the tree");
        // Nor relative to the working folder (a handle mistaken for it).
        assert!(!Path::new("x/y/z").exists() && !Path::new("not/announced").exists());
        for path in ["/etc/howtoreach-x", "../x", "a/../../x"] {
            let staging = Staging::new(&targets).expect("staging");
            staging.emit(Dest::Public, path, b"x").expect_err(path);
            staging.folder(Dest::Public, path).expect_err(path);
            staging.abandon();
        }
        assert!(!dir.path().join("x").exists() && !Path::new("/etc/howtoreach-x").exists());
    }

    #[test]
    fn normalize_resolves_dots() {
        let p = normalize(Path::new("/tmp/a/../b/./c"));
        assert!(p.ends_with("b/c"), "{}", p.display());
        assert!(!p.to_string_lossy().contains(".."));
    }

    #[test]
    fn refuses_root_and_ancestors() {
        let root = normalize(Path::new("/tmp/site-x"));
        let check = |dir: &Path| unsafe_target(&root, dir, dir);
        assert!(check(&root).is_some());
        assert!(check(Path::new("/tmp")).is_some());
        assert!(check(Path::new("/")).is_some());
        assert!(check(&root.join("data/out")).is_some());
        assert!(check(&root.join("public-new-never-exists")).is_none());
    }
}
