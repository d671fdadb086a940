//! Odd and oversized input: each is a clear error or is handled, and nothing panics.
//! Also: builds killed at random moments never leave a half-written or mixed output.

mod common;

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::process::Stdio;
use std::time::Duration;

use common::*;

/// No run may end in a panic.
#[track_caller]
fn no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{run}");
    assert!(!run.stderr.contains("RUST_BACKTRACE"), "{run}");
}

#[test]
fn provider_file_over_one_mib_is_refused() {
    let site = Site::unbuilt();
    let big = format!("{ADA_TOML}\n# {}\n", "x".repeat(1024 * 1024));
    site.write(ADA, &big);
    let run = site.check();
    run.expect_code(1)
        .expect_stderr(&format!(
            "is {} bytes; files over 1 MiB are refused",
            big.len()
        ))
        .expect_stderr(ADA)
        .expect_help();
    no_panic(&run);
}

#[test]
fn string_of_100000_characters_is_handled() {
    let site = Site::unbuilt();
    let long = "Très long. ".repeat(10_000);
    site.replace(
        ADA,
        "role = \"Counsellor\"",
        &format!("role = \"Counsellor\"\nabout = \"{long}\""),
    );
    let run = site.build();
    run.expect_success();
    no_panic(&run);
    assert!(
        site.read("public/providers/ada-byron/index.html")
            .contains("Très long.")
    );
}

#[test]
fn lists_and_tables_nested_100000_deep_are_an_error() {
    for (key, opening) in [("languages", "["), ("about", "{a=")] {
        let site = Site::unbuilt();
        site.replace(
            ADA,
            "role = \"Counsellor\"",
            &format!("role = \"Counsellor\"\n{key} = {}", opening.repeat(100_000)),
        );
        let run = site.check();
        run.expect_code(1)
            .expect_stderr("cannot recurse further")
            .expect_stderr(ADA)
            .expect_help();
        no_panic(&run);
    }
}

#[test]
fn deep_folders_are_walked() {
    let site = Site::unbuilt();
    let deep = format!("data/providers/{}ada-byron.toml", "level/".repeat(40));
    site.write(&deep, ADA_TOML);
    site.remove(ADA);
    let run = site.build();
    run.expect_success();
    assert!(site.exists("public/providers/ada-byron/index.html"));
}

#[test]
fn non_utf8_file_name_is_an_error() {
    let site = Site::unbuilt();
    let name = std::ffi::OsStr::from_bytes(b"data/providers/caf\xe9.toml");
    let _ = fs::write(site.root().join(name), ADA_TOML);
    let run = site.check();
    run.expect_code(1)
        .expect_stderr("is not valid UTF-8")
        .expect_help();
    no_panic(&run);
}

#[test]
fn non_utf8_contents_are_an_error() {
    let site = Site::unbuilt();
    let mut bytes = ADA_TOML.as_bytes().to_vec();
    bytes.extend_from_slice(b"\nnote = \"caf\xe9\"\n");
    let _ = fs::write(site.path(ADA), bytes);
    let run = site.check();
    run.expect_code(1)
        .expect_stderr("is not UTF-8 text")
        .expect_stderr(ADA)
        .expect_help();
    no_panic(&run);
}

#[test]
fn byte_order_mark_and_crlf_line_endings_are_accepted() {
    let site = Site::unbuilt();
    let crlf = format!("\u{feff}{}", ADA_TOML.replace('\n', "\r\n"));
    site.write(ADA, &crlf);
    let run = site.build();
    run.expect_success();
    assert!(
        site.read("public/providers/ada-byron/index.html")
            .contains("Ada Byron")
    );
}

#[test]
fn error_positions_count_lines_in_crlf_files() {
    let site = Site::unbuilt();
    let crlf = ADA_TOML
        .replace("(204) 555-0160", "(204) 555")
        .replace('\n', "\r\n");
    site.write(ADA, &crlf);
    let line = crlf
        .split("\r\n")
        .position(|l| l.contains("(204) 555\""))
        .map_or(0, |i| i + 1);
    let run = site.check();
    run.expect_code(1).expect_stderr(&format!("{ADA}:{line}:9"));
}

#[test]
fn empty_file_is_a_missing_key_error() {
    let site = Site::unbuilt();
    site.write(ADA, "");
    let run = site.check();
    run.expect_code(1)
        .expect_stderr("missing required key")
        .expect_stderr(ADA);
    no_panic(&run);
}

#[test]
fn folder_named_like_a_provider_file_is_an_error() {
    let site = Site::unbuilt();
    site.mkdir("data/providers/oops.toml");
    let run = site.check();
    run.expect_code(1)
        .expect_stderr("data/providers/oops.toml is a folder, not a provider file")
        .expect_help();
}

#[test]
fn binary_garbage_is_a_clear_error() {
    let site = Site::unbuilt();
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) % 251) as u8)
        .collect();
    let _ = fs::write(site.path(ADA), garbage);
    let run = site.check();
    run.expect_code(1).expect_stderr(ADA);
    no_panic(&run);
}

/// A site of `n` providers whose pages all change with `variant`.
fn many_providers(site: &Site, n: usize, variant: &str) {
    for i in 0..n {
        site.write(
            &format!("data/providers/bulk/p-{i}.toml"),
            &format!(
                "name = \"Person {i}\"\nrole = \"Nurse {variant}\"\nreviewed = 2026-11-01\n[[channels]]\nkind = \"phone\"\nvalue = \"+1 204 555 01{:02}\"\n",
                i % 100
            ),
        );
    }
}

#[test]
fn builds_killed_at_random_moments_leave_a_whole_output() {
    // Two complete outputs, A and B, built once each.
    let site = Site::unbuilt();
    many_providers(&site, 300, "A");
    site.build().expect_success();
    let tree_a = site.tree("public");
    many_providers(&site, 300, "B");
    site.build().expect_success();
    let tree_b = site.tree("public");
    assert_ne!(tree_a, tree_b);

    // Now kill builds that switch between them at moments spread over a build.
    let mut killed = 0;
    for round in 0..12u64 {
        let variant = if round % 2 == 0 { "A" } else { "B" };
        many_providers(&site, 300, variant);
        let mut child = howtoreach()
            .args(["build", "--site"])
            .arg(site.root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        std::thread::sleep(Duration::from_millis(15 + round * 37 % 400));
        if child.kill().is_ok() {
            killed += 1;
        }
        let _ = child.wait();
        let now = site.tree("public");
        assert!(
            now == tree_a || now == tree_b,
            "round {round}: the output is neither build A nor build B"
        );
    }
    assert!(killed > 0);
    // The next build cleans what killed builds left and succeeds.
    many_providers(&site, 300, "A");
    site.build().expect_success();
    assert_eq!(site.tree("public"), tree_a);
    assert!(!site.exists(".public.howtoreach-staging"));
}

#[test]
fn a_build_never_deletes_a_file_it_did_not_write() {
    let site = Site::unbuilt();
    site.write("notes/keep.txt", "mine");
    site.write("public-old/keep.txt", "mine too");
    site.build().expect_success();
    site.build().expect_success();
    assert_eq!(site.read("notes/keep.txt"), "mine");
    assert_eq!(site.read("public-old/keep.txt"), "mine too");
    // A folder the user made is never replaced, even when empty of our marker.
    let run = site.run("build", &["--output", "notes"]);
    run.expect_code(1);
    assert_eq!(site.read("notes/keep.txt"), "mine");
}

#[test]
fn output_paths_with_dots_and_symlinks_are_resolved_before_the_rules() {
    let site = Site::unbuilt();
    // `public/..` is the site root.
    let run = site.run("build", &["--output", "public/.."]);
    run.expect_code(1).expect_stderr("is the site's own folder");
    // A symbolic link to the site root is the site root.
    let _ = std::os::unix::fs::symlink(site.root(), site.root().join("alias"));
    let run = site.run("build", &["--output", "alias"]);
    run.expect_code(1);
    // An absolute path to the site's data folder.
    let data = site.path("data");
    let run = site.run("build", &["--output", &data.to_string_lossy()]);
    run.expect_code(1)
        .expect_stderr("inside the site's data/ folder");
}

/// Mounts a small tmpfs at `dir`; `None` where mounting is not allowed (not root).
fn small_tmpfs(dir: &std::path::Path, size: &str) -> Option<Unmount> {
    let _ = fs::create_dir_all(dir);
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| Unmount(dir.to_path_buf()))
}

struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_output_location_is_a_clear_error_and_loses_nothing() {
    let site = Site::unbuilt();
    let disk = site.path("small-disk");
    let Some(_mounted) = small_tmpfs(&disk, "600k") else {
        eprintln!("skipped: mounting a tmpfs needs root (CI runs as root)");
        return;
    };
    let out = disk.join("public");
    let out_arg = out.to_string_lossy().to_string();
    site.run("build", &["--output", &out_arg]).expect_success();
    let before = tree_bytes(&out);
    // A static file too big for what is left: the staging tree cannot be written.
    site.write("static/big.bin", &"x".repeat(700 * 1024));
    let run = site.run("build", &["--output", &out_arg]);
    run.expect_code(2)
        .expect_stderr("No space left on device")
        .expect_stderr("the previous output is untouched");
    no_panic(&run);
    assert_eq!(tree_bytes(&out), before, "the previous output changed");
    // Nothing half-written is left beside it.
    assert!(!disk.join(".public.howtoreach-staging").exists());
}

#[test]
fn a_read_only_output_location_is_a_clear_error_and_loses_nothing() {
    let site = Site::unbuilt();
    let disk = site.path("ro-disk");
    let Some(_mounted) = small_tmpfs(&disk, "4m") else {
        eprintln!("skipped: mounting a tmpfs needs root (CI runs as root)");
        return;
    };
    let out = disk.join("public");
    let out_arg = out.to_string_lossy().to_string();
    site.run("build", &["--output", &out_arg]).expect_success();
    let before = tree_bytes(&out);
    let remounted = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk)
        .status()
        .is_ok_and(|s| s.success());
    assert!(remounted);
    site.replace(ADA, "role = \"Counsellor\"", "role = \"Senior counsellor\"");
    let run = site.run("build", &["--output", &out_arg]);
    run.expect_code(2).expect_stderr("Read-only file system");
    no_panic(&run);
    assert_eq!(tree_bytes(&out), before, "the previous output changed");
}

#[test]
fn a_foreign_folder_where_staging_goes_is_not_deleted() {
    let site = Site::unbuilt();
    site.write(".public.howtoreach-staging/mine.txt", "mine");
    let run = site.build();
    run.expect_code(1)
        .expect_stderr("was not made by howtoreach")
        .expect_help();
    assert_eq!(site.read(".public.howtoreach-staging/mine.txt"), "mine");
}
