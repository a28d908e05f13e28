//! The config file: the example under config/ parses and sets up; a config
//! written for mackerel-agent works as it is; mistakes name their line and
//! the closest known key.

use std::path::Path;

use sonde_agent::config::{self, Command, ConfigError};

fn parse(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(text, Path::new("agent.toml"))
}

fn error(text: &str) -> String {
    parse(text).expect_err("an invalid config").to_string()
}

#[test]
fn the_example_config_parses_and_sets_up() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/agent.toml");
    let c = config::load(&path).expect("the example config");
    assert_eq!(c.apibase.as_deref(), Some("http://127.0.0.1:7070"));
    assert_eq!(c.agent.interval_seconds, 60);
    assert_eq!(c.prometheus.listen, "127.0.0.1:9464");
    assert!(c.plugin.metrics.contains_key("uptime"));
    let check = &c.plugin.checks["root_fs"];
    assert_eq!(check.check_interval, Some(5));
    assert!(check.action.as_ref().is_some_and(|a| a.command.is_some()));
    let jobs = sonde_agent::jobs::all(&c).expect("jobs");
    assert!(jobs.iter().any(|j| j.name() == "plugin.metrics.uptime"));
    assert!(jobs.iter().any(|j| j.name() == "root_fs"));
}

/// A mackerel-agent.conf, as its users write them (keys from its sample
/// config and docs), works after renaming.
#[test]
fn a_mackerel_agent_config_works_unchanged() {
    let text = r#"
apikey = "abcdef"
pidfile = "/var/run/mackerel-agent.pid"
root = "/var/lib/mackerel-agent"
verbose = false
display_name = "web01"
roles = [ "My-Service:app", "Another-Service:db" ]
http_proxy = "http://proxy.example:8080"
cloud_platform = "none"

[host_status]
on_start = "working"
on_stop  = "poweroff"

[filesystems]
ignore = "/dev/ram.*"
use_mountpoint = true

[disks]
ignore = "sdb"

[plugin.metrics.vmstat]
command = "ruby /path/to/vmstat-metrics.rb"
timeout_seconds = 45
include_pattern = "^vmstat\\."
exclude_pattern = "swap"
custom_identifier = "db.example"

[plugin.metrics.access_log]
command = ["mackerel-plugin-axslog", "--file", "/var/log/nginx/access.log"]
env = { AXSLOG_KEY = "nginx" }
user = "nobody"

[plugin.checks.ssh]
command = ["check-procs", "--pattern", "sshd"]
check_interval = 5
max_check_attempts = 3
notification_interval = 60
prevent_alert_auto_close = true
memo = "sshd must be running"
action = { command = "bash -c 'echo $MACKEREL_STATUS'", user = "nobody", env = { X = "1" }, timeout_seconds = 30 }

[plugin.metadata.hostinfo]
command = "cat /etc/hostinfo.json"
execution_interval = 60
"#;
    let c = parse(text).expect("a mackerel-agent config");
    assert_eq!(c.apikey.as_deref(), Some("abcdef"));
    assert_eq!(c.roles.len(), 2);
    assert_eq!(
        c.plugin.metrics["access_log"].command,
        Some(Command::Argv(vec![
            "mackerel-plugin-axslog".into(),
            "--file".into(),
            "/var/log/nginx/access.log".into()
        ]))
    );
    assert_eq!(
        c.plugin.metrics["vmstat"].command,
        Some(Command::Shell("ruby /path/to/vmstat-metrics.rb".into()))
    );
    assert_eq!(c.plugin.checks["ssh"].max_check_attempts, Some(3));
    let jobs = sonde_agent::jobs::all(&c).expect("jobs");
    // Seven collectors at least, two metric plugins, a check, a metadata plugin.
    assert!(jobs.len() >= 11, "{}", jobs.len());
}

#[test]
fn an_unknown_key_names_its_line_and_the_closest_key() {
    let e =
        error("apikey = \"k\"\n\n[plugin.checks.web]\ncommand = \"true\"\ntimout_seconds = 3\n");
    assert_eq!(
        e,
        "agent.toml: line 5: unknown key `timout_seconds`; did you mean `timeout_seconds`?"
    );
    let e = error("[plugins.metrics.x]\ncommand = \"true\"\n");
    assert!(
        e.starts_with("agent.toml: line 1: unknown key `plugins`; did you mean `plugin`?"),
        "{e}"
    );
    let e = error("apikey = \"k\"\nintervall = 30\n");
    assert!(
        e.starts_with("agent.toml: line 2: unknown key `intervall`"),
        "{e}"
    );
}

#[test]
fn values_that_cannot_work_are_refused_with_their_line() {
    let e = error("[plugin.metrics.x]\ncommand = \"true\"\ninclude_pattern = \"(\"\n");
    assert!(
        e.starts_with("agent.toml: line 1: include_pattern: not a regular expression"),
        "{e}"
    );
    let e = error("\n[plugin.checks.y]\ntimeout_seconds = 3\n");
    assert_eq!(
        e,
        "agent.toml: line 2: [plugin.checks.y]: no `command` (or `builtin`) to run"
    );
    let e = error("[agent]\ninterval_seconds = \"60\"\n");
    assert!(e.starts_with("agent.toml: line 2: "), "{e}");
    let e = error("apikey = \n");
    assert!(e.starts_with("agent.toml: line 1: "), "{e}");
    // A plugin whose user does not exist is found when jobs are set up.
    let c = parse("[plugin.metrics.x]\ncommand = \"true\"\nuser = \"no-such-user-here\"\n")
        .expect("parses");
    let e = sonde_agent::jobs::all(&c)
        .err()
        .expect("no such user")
        .to_string();
    assert!(
        e.contains("[plugin.metrics.x]") && e.contains("no-such-user-here"),
        "{e}"
    );
}

#[test]
fn a_missing_file_is_named() {
    let e = config::load(Path::new("/nonexistent/agent.toml"))
        .expect_err("missing")
        .to_string();
    assert!(e.starts_with("/nonexistent/agent.toml: "), "{e}");
}
