use super::*;

fn names(m: &FieldMatch) -> (&'static str, &'static str) {
    (m.class.name, m.field.name)
}

fn ok(text: &str) -> FieldMatch {
    match lookup(text) {
        Ok(Some(m)) => m,
        other => panic!("{text}: {other:?}"),
    }
}

fn error(text: &str) -> String {
    match lookup(text) {
        Err(e) => e.message,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn classes_in_registration_order() {
    let got: Vec<_> = CLASSES.iter().map(|c| c.name).collect();
    assert_eq!(
        got,
        [
            "evt",
            "evt",
            "process",
            "user",
            "group",
            "container",
            "fd",
            "syslog",
            "util",
            "fdlist",
            "k8s",
            "mesos",
            "span",
            "evtin"
        ]
    );
    let hidden: Vec<_> = CLASSES
        .iter()
        .filter(|c| c.is_hidden())
        .map(|c| c.name)
        .collect();
    assert_eq!(hidden, ["util"]);
    assert_eq!(visible_classes().count(), 13);
    assert_eq!(CLASSES.iter().map(|c| c.fields.len()).sum::<usize>(), 285);
}

#[test]
fn field_names_are_unique() {
    let mut all: Vec<_> = CLASSES
        .iter()
        .flat_map(|c| c.fields.iter().map(|f| f.name))
        .collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n);
}

#[test]
fn flags_and_types() {
    let (_, f) = find("fd.ip").expect("fd.ip");
    assert_eq!(f.ty, ParamType::Ipaddr);
    assert!(f.has_flag(field_flags::FILTER_ONLY));
    let (_, f) = find("evt.num").expect("evt.num");
    assert_eq!((f.ty, f.fmt), (ParamType::Uint64, PrintFormat::Id));
    let (c, f) = find("evt.around[100]").expect("evt.around");
    assert_eq!(c.shortdesc, "Syscall events only");
    assert!(f.has_flag(field_flags::FILTER_ONLY | field_flags::REQUIRES_ARGUMENT));
    let (_, f) = find("proc.aname").expect("proc.aname");
    assert!(f.has_flag(field_flags::ARG_ALLOWED) && f.takes_argument());
    assert!(!find("proc.name").expect("proc.name").1.takes_argument());
}

#[test]
fn plain_names() {
    assert_eq!(names(&ok("evt.time")), ("evt", "evt.time"));
    assert_eq!(names(&ok("evt.type")), ("evt", "evt.type"));
    assert_eq!(names(&ok("proc.name")), ("process", "proc.name"));
    assert_eq!(names(&ok("thread.cgroups")), ("process", "thread.cgroups"));
    assert_eq!(
        names(&ok("container.mounts")),
        ("container", "container.mounts")
    );
    assert_eq!(names(&ok("k8s.pod.labels")), ("k8s", "k8s.pod.labels"));
    assert_eq!(names(&ok("util.cnt")), ("util", "util.cnt"));
    // Longest prefix wins within a class.
    assert_eq!(ok("evt.time.iso8601").field.name, "evt.time.iso8601");
    assert_eq!(ok("evt.latency.human").field.name, "evt.latency.human");
    // No word boundary: the formatter form consumes the known prefix.
    let m = ok("evt.typex");
    assert_eq!((m.field.name, m.len), ("evt.type", 8));
    assert_eq!(find("evt.typex"), None);
    // The first class that claims wins: `evt.time` belongs to the first evt
    // class, and `evt.timex` is not looked up further.
    assert_eq!(ok("evt.timex").class.shortdesc, "All event types");
    assert_eq!(lookup("nosuch.field"), Ok(None));
    assert_eq!(find("proc"), None);
}

#[test]
fn event_arguments() {
    let m = ok("evt.arg.fd");
    assert_eq!(names(&m), ("evt", "evt.arg"));
    assert_eq!((m.len, m.arg), (10, Some(FieldArg::Name("fd".into()))));
    let m = ok("evt.arg[1]");
    assert_eq!((m.len, m.arg), (10, Some(FieldArg::Index(1))));
    // The longest parameter name that prefixes the rest.
    let m = ok("evt.arg.filename foo");
    assert_eq!(m.arg, Some(FieldArg::Name("filename".into())));
    assert_eq!(m.len, "evt.arg.filename".len());
    assert_eq!(ok("evt.args").field.name, "evt.args");
    assert_eq!(error("evt.arg"), "filter syntax error: evt.arg");
    assert_eq!(error("evt.arg.nosuch"), "unknown event argument nosuch");
    assert_eq!(error("evt.arg[x]"), "x is not a valid number");
    let m = ok("evt.rawarg.res");
    assert_eq!(names(&m), ("evt", "evt.rawarg"));
    assert_eq!(
        error("evt.rawarg[0]"),
        "evt.arg fields must be expressed explicitly"
    );
    assert_eq!(ok("evt.around[1000]").arg, Some(FieldArg::Index(1000)));
    assert_eq!(error("evt.around.x"), "wrong syntax for evt.around");
    assert!(find("evt.arg.fd").is_some());
    assert!(find("evt.arg[0]").is_some());
    assert!(find("evt.arg.fdx").is_none());
}

#[test]
fn event_type_is_and_abspath() {
    let m = ok("evt.type.is.open");
    assert_eq!((m.len, m.arg), (16, Some(FieldArg::Name("open".into()))));
    assert_eq!(ok("evt.type.is.3").arg, Some(FieldArg::Index(3)));
    assert_eq!(ok("evt.type.is.nosuch").len, 0);
    assert!(find("evt.type.is.nosuch").is_none());
    assert_eq!(error("evt.type.is"), "filter syntax error: evt.type.is");
    assert_eq!(ok("evt.abspath").arg, None);
    let m = ok("evt.abspath.dst");
    assert_eq!((m.len, m.arg), (15, Some(FieldArg::Name("dst".into()))));
    assert_eq!(ok("evt.abspath.other").len, 11);
}

#[test]
fn thread_arguments() {
    let m = ok("proc.aname[2]");
    assert_eq!(names(&m), ("process", "proc.aname"));
    assert_eq!((m.len, m.arg), (13, Some(FieldArg::Index(2))));
    assert_eq!(ok("proc.apid").len, 9);
    // The bare form is only recognized when nothing follows.
    assert_eq!(ok("proc.apid ").len, 0);
    assert_eq!(ok("proc.aname[x]").len, 0);
    assert_eq!(ok("proc.aname[ 3]").arg, Some(FieldArg::Index(3)));
    assert_eq!(
        error("args"),
        "filter error: proc.arg filter not implemented yet"
    );
    let m = ok("thread.cgroup.cpu_acct x");
    assert_eq!(
        (m.len, m.arg),
        (22, Some(FieldArg::Name("cpu_acct".into())))
    );
    assert_eq!(error("thread.cgroup"), "filter syntax error: thread.cgroup");
}

#[test]
fn container_k8s_span_evtin() {
    let m = ok("container.mount[/usr/local]");
    assert_eq!(m.arg, Some(FieldArg::Name("/usr/local".into())));
    assert_eq!(m.len, 27);
    let m = ok("container.mount.dest[0]");
    assert_eq!(
        (m.field.name, m.arg),
        ("container.mount.dest", Some(FieldArg::Index(0)))
    );
    assert_eq!(
        error("container.mount.x[0]"),
        "filter syntax error: container.mount.x[0]"
    );
    assert_eq!(
        error("container.mount"),
        "filter syntax error: container.mount"
    );
    let m = ok("k8s.pod.label.app.kubernetes.io/name x");
    assert_eq!(m.arg, Some(FieldArg::Name("app.kubernetes.io/name".into())));
    assert_eq!(m.field.name, "k8s.pod.label");
    assert_eq!(ok("marathon.app.label.x").class.name, "mesos");
    assert_eq!(
        ok("span.arg.foo bar").arg,
        Some(FieldArg::Name("foo bar".into()))
    );
    assert_eq!(error("span.tag.x"), "invalid syntax for span.tag");
    assert_eq!(ok("span.tag[1]").arg, Some(FieldArg::Index(1)));
    assert_eq!(ok("span.tags").field.name, "span.tags");
    let m = ok("evtin.span.p.arg.fd");
    assert_eq!((m.field.name, m.len), ("evtin.span.p.arg", 19));
    assert_eq!(ok("evtin.span.p.args").field.name, "evtin.span.p.args");
}

#[test]
fn scanf_numbers() {
    assert_eq!(scan_i32(" -12"), Some(-12));
    assert_eq!(scan_i32("+7"), Some(7));
    assert_eq!(scan_i32("7 "), None);
    assert_eq!(scan_i32(""), None);
    assert_eq!(scan_i32("-"), None);
    assert_eq!(scan_i32("4294967297"), Some(1));
    assert_eq!(scan_u32("-1"), Some(u32::MAX));
    assert_eq!(scan_u64("18446744073709551616"), Some(u64::MAX));
}
