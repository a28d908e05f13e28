//! Mackerel-format plugin output, check statuses, and the scheduler's
//! spread.

use std::time::Duration;

use sonde_metrics::plugin::{CheckStatus, MetaError, check_message, parse_meta, parse_metrics};
use sonde_metrics::schedule;

#[test]
fn metric_lines_are_parsed_and_bad_ones_counted() {
    let now = 1_700_000_000;
    let out = format!(
        "mysql.threads.running\t3\t{now}\n\
         mysql.qps  12.5   {now}\n\
         \n\
         only-two\t1\n\
         bad name!\t1\t{now}\n\
         nan.value\tNaN\t{now}\n\
         not.a.number\tabc\t{now}\n\
         late.one\t1\t{}\n\
         near.one\t2\t{}\n",
        now - 3600,
        now - 600
    );
    let p = parse_metrics(&out, now);
    let names: Vec<(&str, f64, i64)> = p
        .metrics
        .iter()
        .map(|m| (m.name.as_str(), m.value, m.time))
        .collect();
    assert_eq!(
        names,
        [
            ("custom.mysql.threads.running", 3.0, now),
            ("custom.mysql.qps", 12.5, now),
            ("custom.late.one", 1.0, now),
            ("custom.near.one", 2.0, now - 600),
        ]
    );
    assert_eq!(p.malformed, 4, "two fields, a bad name, NaN, not a number");
    assert_eq!(
        p.retimed, 1,
        "an hour off is given the agent's time; 10 minutes is kept"
    );
}

#[test]
fn meta_output_is_checked_and_kept() {
    let meta = "# mackerel-agent-plugin version=1\n{\"graphs\":{\"mysql.threads\":{\"label\":\"Threads\",\"unit\":\"integer\",\"metrics\":[{\"name\":\"running\",\"label\":\"Running\",\"stacked\":false},{\"name\":\"*\",\"label\":\"%1\"}]},\"disk.#\":{\"metrics\":[{\"name\":\"used\"}]}}}";
    let json = parse_meta(meta).expect("valid meta");
    assert_eq!(json["graphs"]["mysql.threads"]["unit"], "integer");
    assert_eq!(parse_meta("{\"graphs\":{}}"), Err(MetaError::NoHeader));
    assert_eq!(
        parse_meta("# mackerel-agent-plugin version=2\n{}"),
        Err(MetaError::Version("2".into()))
    );
    assert!(matches!(
        parse_meta("# mackerel-agent-plugin\n{not json"),
        Err(MetaError::Json(_))
    ));
    assert!(matches!(
        parse_meta(
            "#mackerel-agent-plugin\n{\"graphs\":{\"g\":{\"metrics\":[{\"label\":\"x\"}]}}}"
        ),
        Err(MetaError::Graph { .. })
    ));
}

#[test]
fn check_exit_codes_map_as_mackerel_maps_them() {
    let s = |c| CheckStatus::from_exit(c);
    assert_eq!(
        [
            s(Some(0)),
            s(Some(1)),
            s(Some(2)),
            s(Some(3)),
            s(Some(4)),
            s(Some(-1)),
            s(None)
        ],
        [
            CheckStatus::Ok,
            CheckStatus::Warning,
            CheckStatus::Critical,
            CheckStatus::Unknown,
            CheckStatus::Unknown,
            CheckStatus::Unknown,
            CheckStatus::Unknown
        ]
    );
    assert_eq!(CheckStatus::Critical.as_str(), "CRITICAL");
    assert_eq!(check_message(&"x".repeat(2000)).len(), 1024);
}

/// Twenty plugins every minute: their starts spread over the minute, never
/// all at :00, and each run's start wanders a little.
#[test]
fn starts_are_spread_over_the_interval() {
    let minute = Duration::from_secs(60);
    let names: Vec<String> = (0..20).map(|i| format!("plugin-{i}")).collect();
    let mut offsets: Vec<u64> = names
        .iter()
        .map(|n| schedule::offset("web-1", n, minute).as_millis() as u64)
        .collect();
    assert!(offsets.iter().all(|&o| o < 60_000));
    offsets.sort_unstable();
    // No second of the minute holds more than three starts, and the largest
    // gap is under a third of the minute.
    let mut per_second = [0u32; 60];
    for &o in &offsets {
        per_second[(o / 1000) as usize] += 1;
    }
    assert!(per_second.iter().all(|&n| n <= 3), "{offsets:?}");
    assert!(per_second[0] < 20, "not all at :00");
    let gaps = offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    assert!(gaps < 20_000, "largest gap {gaps} ms: {offsets:?}");
    // Stable across restarts, different on another host.
    assert_eq!(
        schedule::offset("web-1", "plugin-3", minute),
        schedule::offset("web-1", "plugin-3", minute)
    );
    assert_ne!(
        schedule::offset("web-1", "plugin-3", minute),
        schedule::offset("web-2", "plugin-3", minute)
    );
    // The jitter moves each run's start by up to a second, not always the same.
    let starts: Vec<Duration> = (0..10)
        .map(|run| schedule::start("web-1", "plugin-3", run, minute) - minute * run as u32)
        .collect();
    let (lo, hi) = (
        starts.iter().min().expect("runs"),
        starts.iter().max().expect("runs"),
    );
    assert!(
        *hi - *lo > Duration::ZERO && *hi - *lo <= Duration::from_secs(1),
        "{starts:?}"
    );
}
