//! Prometheus text import (`POST /api/v1/import/prometheus`), the format
//! VictoriaMetrics and Prometheus's exposition share, with timestamps:
//!
//! ```text
//! # comments and blank lines are skipped
//! metric_name{label="value",other="a \"quoted\" \\ value"} 12.5 1795340447000
//! metric_without_labels 3
//! ```
//!
//! A sample without a timestamp gets the time of the request. Every line is
//! parsed before any is stored; a bad line refuses the body, naming it.

/// One parsed sample: name, labels, value, timestamp in ms (none: now).
pub type Line = (String, Vec<(String, String)>, f64, Option<i64>);

fn name_char(c: u8, first: bool) -> bool {
    c == b'_'
        || c == b':'
        || c.is_ascii_alphabetic()
        || (!first && (c.is_ascii_digit() || c == b'.'))
}

/// Parses one non-comment line.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() && name_char(b[i], i == 0) {
        i += 1;
    }
    if i == 0 {
        return Err("no metric name".into());
    }
    let name = line[..i].to_string();
    let mut labels = Vec::new();
    if b.get(i) == Some(&b'{') {
        i += 1;
        loop {
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            if b.get(i) == Some(&b'}') {
                i += 1;
                break;
            }
            let start = i;
            while i < b.len() && name_char(b[i], i == start) && b[i] != b'.' && b[i] != b':' {
                i += 1;
            }
            if i == start {
                return Err(format!("a label name expected at column {}", i + 1));
            }
            let label = line[start..i].to_string();
            if b.get(i) != Some(&b'=') || b.get(i + 1) != Some(&b'"') {
                return Err(format!("`=\"` expected after {label} at column {}", i + 1));
            }
            i += 2;
            let mut value = Vec::new();
            loop {
                match b.get(i) {
                    None => return Err(format!("the value of {label} is not closed")),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') => {
                        match b.get(i + 1) {
                            Some(b'n') => value.push(b'\n'),
                            Some(&c @ (b'\\' | b'"')) => value.push(c),
                            _ => return Err(format!("a bad escape in the value of {label}")),
                        }
                        i += 2;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            let value = String::from_utf8(value)
                .map_err(|_| format!("the value of {label} is not UTF-8"))?;
            labels.push((label, value));
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'}') => {}
                _ => return Err(format!("`,` or `}}` expected at column {}", i + 1)),
            }
        }
    }
    let mut rest = line[i..].split_ascii_whitespace();
    let value = rest.next().ok_or("no value")?;
    let value = match value {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v
            .parse::<f64>()
            .map_err(|_| format!("value {v:?} is not a number"))?,
    };
    let ts = match rest.next() {
        Some(t) => Some(
            t.parse::<i64>()
                .map_err(|_| format!("timestamp {t:?} is not an integer"))?,
        ),
        None => None,
    };
    if rest.next().is_some() {
        return Err("more than a value and a timestamp after the name".into());
    }
    Ok((name, labels, value, ts))
}

/// A line split cheaply into its series part (name and labels, as written)
/// and the value and timestamp after it, for callers that keep a cache of
/// series already seen; the series part is parsed only on a miss.
pub fn split_line(line: &str) -> Result<(&str, f64, Option<i64>), String> {
    let end = match line.rfind('}') {
        Some(i) => i + 1,
        None => line.find(' ').ok_or("no value")?,
    };
    let (series, rest) = line.split_at(end);
    let mut rest = rest.split_ascii_whitespace();
    let value = match rest.next().ok_or("no value")? {
        "NaN" => f64::NAN,
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v
            .parse::<f64>()
            .map_err(|_| format!("value {v:?} is not a number"))?,
    };
    let ts = match rest.next() {
        Some(t) => Some(
            t.parse::<i64>()
                .map_err(|_| format!("timestamp {t:?} is not an integer"))?,
        ),
        None => None,
    };
    if rest.next().is_some() {
        return Err("more than a value and a timestamp after the name".into());
    }
    Ok((series, value, ts))
}

/// Parses a whole body; errors name the line.
pub fn parse(text: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        out.push(parse_line(l).map_err(|e| format!("line {}: {e}", n + 1))?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let (n, l, v, t) = parse_line(
            r#"http_requests_total{method="post",path="/a \"b\" \\c"} 1027 1395066363000"#,
        )
        .expect("ok");
        assert_eq!(n, "http_requests_total");
        assert_eq!(
            l,
            vec![
                ("method".to_string(), "post".to_string()),
                ("path".to_string(), "/a \"b\" \\c".to_string())
            ]
        );
        assert_eq!((v, t), (1027.0, Some(1395066363000)));
        let (n, l, v, t) = parse_line("up 1").expect("ok");
        assert_eq!((n.as_str(), l.len(), v, t), ("up", 0, 1.0, None));
        assert!(parse_line("x{a=\"1\",} NaN").is_ok_and(|l| l.2.is_nan()));
    }

    #[test]
    fn bad_lines_name_themselves() {
        assert_eq!(
            parse("ok 1\n{a=\"b\"} 1\n").expect_err("no name"),
            "line 2: no metric name"
        );
        assert!(parse("x{a=\"b} 1").is_err());
        assert!(parse("x{a=b} 1").is_err());
        assert!(parse("x 1 2 3").is_err());
        assert!(parse("x one").is_err());
        assert!(parse("x{a=\"\\q\"} 1").is_err());
        for cut in 0..40 {
            let s = "metric{label=\"value\",b=\"c\"} 1.5 1000";
            let _ = parse(&s[..cut.min(s.len())]);
        }
    }
}
