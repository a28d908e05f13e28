//! Path arithmetic as libsinsp does it (`sinsp_utils::concatenate_paths`):
//! relative paths joined to a base, `.`/`..` and repeated separators folded,
//! unprintable bytes replaced by `.`, a trailing `/` dropped.

/// libsinsp's path buffer size (`SCAP_MAX_PATH_SIZE`).
pub const MAX_PATH: usize = 1024;

/// Joins `path` to `base` (which ends with `/`) unless `path` is absolute.
pub fn concatenate(base: &[u8], path: &[u8]) -> Vec<u8> {
    let path = match path.iter().position(|&c| c == 0) {
        Some(n) => &path[..n],
        None => path,
    };
    // libsinsp compares the declared lengths (the event's, NUL included).
    if MAX_PATH < base.len() + path.len() + 2 {
        return b"/PATH_TOO_LONG".to_vec();
    }
    let mut out = Vec::with_capacity(base.len() + path.len());
    let basepos;
    if !path.is_empty() && path[0] != b'/' {
        out.extend_from_slice(base);
        basepos = 0;
        copy_and_sanitize(&mut out, basepos, path);
    } else {
        copy_and_sanitize(&mut out, 0, path);
    }
    out
}

fn is_invalid(c: u8) -> bool {
    // `g_invalidchar`: a signed char below -1, or not printable.
    let sc = c as i8;
    if sc < -1 {
        return true;
    }
    !(0x20..0x7f).contains(&c)
}

/// `rewind_to_parent_path`: drops the last path element written.
fn rewind(out: &mut Vec<u8>, base: usize) {
    if out.len() <= base + 1 {
        return;
    }
    out.pop();
    while out.len() > base + 1 && out[out.len() - 1] != b'/' {
        out.pop();
    }
}

fn copy_and_sanitize(out: &mut Vec<u8>, base: usize, path: &[u8]) {
    let at = |i: usize| path.get(i).copied().unwrap_or(0);
    let mut i = 0;
    loop {
        let c = at(i);
        if c == 0 {
            if out.len() > base + 1 && out.last() == Some(&b'/') {
                out.pop();
            }
            return;
        }
        if is_invalid(c) {
            out.push(b'.');
            i += 1;
        } else if c == b'.' && at(i + 1) == b'.' && at(i + 2) == b'/' {
            rewind(out, base);
            i += 3;
        } else if c == b'.' && at(i + 1) == b'.' {
            if at(i + 2) == 0 {
                rewind(out, base);
                i += 2;
            } else {
                out.extend_from_slice(b"..");
                i += 2;
            }
        } else if c == b'.' && at(i + 1) == b'/' {
            i += 2;
        } else if c == b'.' {
            if at(i + 1) == 0 {
                i += 1;
            } else {
                out.push(b'.');
                i += 1;
            }
        } else if c == b'/' {
            if out.len() > base && out.last() == Some(&b'/') {
                i += 1;
            } else {
                out.push(b'/');
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::concatenate;

    fn c(a: &str, b: &str) -> String {
        String::from_utf8(concatenate(a.as_bytes(), b.as_bytes())).unwrap_or_default()
    }

    #[test]
    fn joins_and_folds() {
        assert_eq!(c("/home/u/", "file"), "/home/u/file");
        assert_eq!(c("/home/u/", "/etc/passwd"), "/etc/passwd");
        assert_eq!(c("/home/u/", "../x"), "/home/x");
        assert_eq!(c("/home/u/", "./x//y/"), "/home/u/x/y");
        assert_eq!(c("/", ".."), "/");
        assert_eq!(c("/a/b/", "."), "/a/b");
    }
}
