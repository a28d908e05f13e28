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

/// [`concatenate`] as libsinsp calls it on an event's parameter: `param` is
/// the parameter's bytes as the event declares them (NUL included), `tail`
/// the event's bytes from that parameter on. The declared length decides:
/// the empty string (its NUL alone) is relative, so the result is `base`;
/// a parameter of length 0 is absolute, and libsinsp reads the bytes that
/// follow it in the event (the next parameter's) as the path.
pub fn concatenate_param(base: &[u8], param: &[u8], tail: &[u8]) -> Vec<u8> {
    if MAX_PATH < base.len() + param.len() + 1 {
        return b"/PATH_TOO_LONG".to_vec();
    }
    let mut out = Vec::with_capacity(base.len() + param.len());
    match param.first() {
        Some(&c) if c != b'/' => {
            out.extend_from_slice(base);
            copy_and_sanitize(&mut out, 0, param);
        }
        Some(_) => copy_and_sanitize(&mut out, 0, param),
        None => copy_and_sanitize(&mut out, 0, tail),
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

    #[test]
    fn parameters_by_their_declared_length() {
        let p = |base: &str, param: &[u8], tail: &[u8]| {
            String::from_utf8(super::concatenate_param(base.as_bytes(), param, tail))
                .unwrap_or_default()
        };
        assert_eq!(p("/home/u/", b"f\0", b""), "/home/u/f");
        assert_eq!(p("/home/u/", b"/etc\0", b""), "/etc");
        // The empty string is relative: the base, its trailing / dropped.
        assert_eq!(p("/home/u/", b"\0", b""), "/home/u");
        // Length 0: the next parameter's bytes (here open's flags,
        // 0x1906) up to a NUL, sanitized.
        assert_eq!(p("/home/u/", b"", &[0x06, 0x19, 0, 0]), "..");
    }
}
