//! `loadavg1`, `loadavg5`, `loadavg15` from /proc/loadavg.

use crate::{Metric, ReadError, Roots};

pub fn collect(roots: &Roots) -> Result<Vec<Metric>, ReadError> {
    parse(&roots.read_proc("loadavg")?)
}

pub fn parse(text: &str) -> Result<Vec<Metric>, ReadError> {
    let f: Vec<&str> = text.split_ascii_whitespace().collect();
    let bad = |what: &str| ReadError::Parse {
        path: "loadavg".into(),
        line: 1,
        what: what.into(),
    };
    if f.len() < 3 {
        return Err(bad("fewer than three averages"));
    }
    ["loadavg1", "loadavg5", "loadavg15"]
        .iter()
        .zip(&f)
        .map(|(name, v)| {
            v.parse::<f64>()
                .map(|x| Metric::new(*name, x))
                .map_err(|_| bad("an average is not a number"))
        })
        .collect()
}
