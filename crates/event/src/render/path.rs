//! The resolved (absolute) form of relative paths: `sinsp_utils::concatenate_paths`
//! and `copy_and_sanitize_path` of libsinsp, on Unix paths.

use super::buffer::is_print;

/// The resolved form of `path` (the bytes before its NUL) relative to `base` (the
/// working directory, or a directory fd's path followed by `/`), appended to `out`.
/// Returns `false`, appending nothing, when `path` is absolute: sysdig then prints no
/// resolved form. (An empty `path` is relative: it resolves to `base`.)
///
/// `base` is copied as it is; `path` is appended with invalid bytes as `.`, `./`
/// dropped, `../` and a final `..` removing the last component written so far (which
/// may be part of `base`), repeated `/` squeezed and a final `/` dropped.
pub(crate) fn concatenate(base: &[u8], path: &[u8], out: &mut Vec<u8>) -> bool {
    if path.first() == Some(&b'/') {
        return false;
    }
    let mut target = Vec::with_capacity(base.len() + path.len());
    target.extend_from_slice(base);
    copy_and_sanitize(&mut target, path);
    out.extend_from_slice(&target);
    true
}

/// `copy_and_sanitize_path` with the target base at the start of `target` and the
/// write position at its end. `path` ends at its end (a virtual NUL).
fn copy_and_sanitize(target: &mut Vec<u8>, path: &[u8]) {
    const SEP: u8 = b'/';
    let at = |i: usize| path.get(i).copied().unwrap_or(0);
    let mut pc = 0usize;
    loop {
        let c = at(pc);
        if c == 0 {
            // A trailing separator is removed, as the OS does.
            let tc = target.len();
            if tc > 1 && target[tc - 1] == SEP {
                target.truncate(tc - 1);
            }
            return;
        }
        if !is_print(c) {
            target.push(b'.');
            pc += 1;
        } else if c == b'.' && at(pc + 1) == b'.' && at(pc + 2) == SEP {
            rewind_to_parent(target);
            pc += 3;
        } else if c == b'.' && at(pc + 1) == b'.' {
            if at(pc + 2) == 0 {
                rewind_to_parent(target);
                pc += 2;
            } else {
                target.extend_from_slice(b"..");
                pc += 2;
            }
        } else if c == b'.' && at(pc + 1) == SEP {
            pc += 2;
        } else if c == b'.' {
            if at(pc + 1) != 0 {
                target.push(b'.');
            }
            pc += 1;
        } else if c == SEP {
            if target.last() != Some(&SEP) {
                target.push(SEP);
            }
            pc += 1;
        } else {
            target.push(c);
            pc += 1;
        }
    }
}

/// `rewind_to_parent_path`: back to just after the previous `/` before the last
/// character written, never before the second character.
fn rewind_to_parent(target: &mut Vec<u8>) {
    let mut tc = target.len();
    if tc <= 1 {
        return;
    }
    tc -= 1;
    while tc >= 1 && target[tc - 1] != b'/' {
        tc -= 1;
    }
    target.truncate(tc);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(base: &str, path: &str) -> Option<String> {
        let mut out = Vec::new();
        concatenate(base.as_bytes(), path.as_bytes(), &mut out)
            .then(|| String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn like_sysdig() {
        // Each case is a crafted `mkdirat` / `chmod` rendered by sysdig 0.29.3 with
        // the thread's cwd `/` (or a dirfd of `/sys/fs/cgroup/systemd`).
        assert_eq!(cat("/", "foo").as_deref(), Some("/foo"));
        assert_eq!(cat("/", "./a/../b/").as_deref(), Some("/b"));
        assert_eq!(cat("/", "../../..").as_deref(), Some("/"));
        assert_eq!(cat("/", "a\x01b").as_deref(), Some("/a.b"));
        assert_eq!(cat("/", "...").as_deref(), Some("/.."));
        assert_eq!(cat("/", "a//b//").as_deref(), Some("/a/b"));
        assert_eq!(cat("/", ".").as_deref(), Some("/"));
        assert_eq!(cat("/", "..").as_deref(), Some("/"));
        assert_eq!(cat("/", "/abs"), None);
        assert_eq!(
            cat("/sys/fs/cgroup/systemd/", "x/y").as_deref(),
            Some("/sys/fs/cgroup/systemd/x/y")
        );
        assert_eq!(
            cat("/sys/fs/cgroup/systemd/", "..").as_deref(),
            Some("/sys/fs/cgroup")
        );
        assert_eq!(
            cat("/sys/fs/cgroup/systemd/", "../..").as_deref(),
            Some("/sys/fs")
        );
        assert_eq!(
            cat("/sys/fs/cgroup/systemd/", "../../../../..").as_deref(),
            Some("/")
        );
        assert_eq!(cat("/", "").as_deref(), Some("/"));
        assert_eq!(cat("", "rel").as_deref(), Some("rel"));
        assert_eq!(cat("/dev/null/", "rel").as_deref(), Some("/dev/null/rel"));
    }
}
