//! One SQL text for SQLite and PostgreSQL: callers write `?` (or SQLite's
//! numbered `?N`) and PostgreSQL gets `$n`. Question marks inside string
//! literals, quoted identifiers and comments are text, not parameters, so
//! the rewrite walks the SQL as a small lexer rather than replacing
//! characters.

/// `sql` with its placeholders as PostgreSQL numbers them. A bare `?` takes
/// the number after the largest used so far (SQLite's rule, so the same
/// text binds the same values on both); `?N` keeps its number.
pub fn to_dollar(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 0u32;
    let mut i = 0;
    // Copies sql[from..to] (always at ASCII boundaries, so valid UTF-8).
    let copy = |out: &mut String, from: usize, to: usize| out.push_str(&sql[from..to]);
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                // A literal or quoted identifier; a doubled quote is one
                // quote inside it. Unterminated: the rest is inside.
                let start = i;
                i += 1;
                while i < b.len() {
                    if b[i] == q {
                        if b.get(i + 1) == Some(&q) {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
                copy(&mut out, start, i);
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                copy(&mut out, start, i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                copy(&mut out, start, i);
            }
            b'?' => {
                i += 1;
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let n = match sql[start..i].parse::<u32>() {
                    Ok(n) => n,
                    Err(_) => next + 1,
                };
                next = next.max(n);
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => {
                let start = i;
                while i < b.len() && !matches!(b[i], b'\'' | b'"' | b'-' | b'/' | b'?') {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                copy(&mut out, start, i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_dollar;

    #[test]
    fn bare_and_numbered_placeholders_are_numbered() {
        assert_eq!(
            to_dollar("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(
            to_dollar("INSERT INTO t VALUES (?1, ?2, ?2, ?1)"),
            "INSERT INTO t VALUES ($1, $2, $2, $1)"
        );
        // SQLite's rule: a bare ? follows the largest number used.
        assert_eq!(to_dollar("?3, ?, ?1, ?"), "$3, $4, $1, $5");
        assert_eq!(to_dollar("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn question_marks_in_text_are_not_parameters() {
        assert_eq!(
            to_dollar("SELECT 'why?', \"odd?col\", ? FROM t -- what?\nWHERE x = ? /* and? */"),
            "SELECT 'why?', \"odd?col\", $1 FROM t -- what?\nWHERE x = $2 /* and? */"
        );
        // A doubled quote stays inside the literal.
        assert_eq!(to_dollar("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
        // Unterminated text: nothing after it is a parameter, and no panic.
        assert_eq!(to_dollar("SELECT 'abc ?"), "SELECT 'abc ?");
        assert_eq!(to_dollar("SELECT /* ?"), "SELECT /* ?");
        // Division and subtraction are not comments.
        assert_eq!(to_dollar("SELECT 4/2-1, ?"), "SELECT 4/2-1, $1");
        // Non-ASCII text passes through whole.
        assert_eq!(to_dollar("SELECT 'été?', ?"), "SELECT 'été?', $1");
    }
}
