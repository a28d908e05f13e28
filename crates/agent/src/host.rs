//! What the agent tells the server about its host when it registers (and
//! every hour after): name, kernel, CPUs, memory, block devices, file
//! systems and interfaces, in the shape mackerel-agent's host specs have
//! (`meta.kernel`, `meta.cpu`, `meta.memory`, `meta.block_device`,
//! `meta.filesystem`, `interfaces`). Read from /proc and /sys (through
//! [`Roots`]) and uname(2); nothing is forked.

use std::path::Path;

use serde_json::{Value, json};
use sonde_metrics::Roots;

/// uname(2): sysname, nodename, release, version, machine.
#[allow(unsafe_code)]
pub fn uname() -> [String; 5] {
    // SAFETY: uname fills the struct it is given; each field is a
    // NUL-terminated array inside it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return Default::default();
    }
    let field = |f: &[libc::c_char]| -> String {
        let bytes: Vec<u8> = f
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    [
        field(&u.sysname),
        field(&u.nodename),
        field(&u.release),
        field(&u.version),
        field(&u.machine),
    ]
}

/// The host's name: the config's, else the kernel's.
pub fn hostname(configured: Option<&str>) -> String {
    configured
        .map(String::from)
        .unwrap_or_else(|| uname()[1].clone())
}

fn cpus(roots: &Roots) -> Value {
    let text = roots.read_proc("cpuinfo").unwrap_or_default();
    let mut out = Vec::new();
    let mut cur = serde_json::Map::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(Value::Object(std::mem::take(&mut cur)));
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let key = match k.trim() {
                "vendor_id" => "vendor_id",
                "cpu family" => "family",
                "model" => "model",
                "model name" => "model_name",
                "stepping" => "stepping",
                "cpu MHz" => "mhz",
                "cache size" => "cache_size",
                "physical id" => "physical_id",
                "core id" => "core_id",
                "cpu cores" => "cores",
                _ => continue,
            };
            cur.insert(key.into(), Value::String(v.trim().into()));
        }
    }
    Value::Array(out)
}

fn memory(roots: &Roots) -> Value {
    let text = roots.read_proc("meminfo").unwrap_or_default();
    let mut out = serde_json::Map::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once(':') {
            let key = match k {
                "MemTotal" => "total",
                "MemFree" => "free",
                "Buffers" => "buffers",
                "Cached" => "cached",
                "SwapTotal" => "swap_total",
                "SwapFree" => "swap_free",
                _ => continue,
            };
            out.insert(key.into(), Value::String(v.trim().replace(' ', "")));
        }
    }
    Value::Object(out)
}

fn read_trim(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn block_devices(roots: &Roots) -> Value {
    let mut out = serde_json::Map::new();
    let dir = roots.sys.join("block");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("loop") && !n.starts_with("ram"))
        .collect();
    names.sort();
    for name in names {
        let d = dir.join(&name);
        let mut dev = serde_json::Map::new();
        for (key, rel) in [
            ("size", "size"),
            ("removable", "removable"),
            ("model", "device/model"),
            ("vendor", "device/vendor"),
            ("rev", "device/rev"),
            ("state", "device/state"),
        ] {
            if let Some(v) = read_trim(&d.join(rel)) {
                dev.insert(key.into(), Value::String(v));
            }
        }
        out.insert(name, Value::Object(dev));
    }
    Value::Object(out)
}

fn filesystems(roots: &Roots, rootfs: &Path) -> Value {
    let mounts = roots.read_proc("mounts").unwrap_or_default();
    let mut out = serde_json::Map::new();
    for (dev, dir) in sonde_metrics::filesystem::dev_mounts(&mounts) {
        let path = rootfs.join(dir.strip_prefix("/").unwrap_or(&dir));
        // Host specs are read once an hour on the delivery thread: a hung
        // mount would stall it, so the same worker-with-timeout applies.
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(sonde_metrics::filesystem::statvfs(&p));
        });
        let Ok(Ok(u)) = rx.recv_timeout(std::time::Duration::from_secs(2)) else {
            continue;
        };
        let kb = |b: u64| b / 1024;
        out.insert(
            dev,
            json!({
                "kb_size": kb(u.size),
                "kb_used": kb(u.used),
                "kb_available": kb(u.size.saturating_sub(u.used)),
                "percent_used": if u.size == 0 { "0%".to_string() } else { format!("{}%", (u.used * 100).div_ceil(u.size)) },
                "mount": dir.to_string_lossy(),
            }),
        );
    }
    Value::Object(out)
}

/// IPv4 addresses per interface, by getifaddrs(3).
#[allow(unsafe_code)]
fn ipv4_addresses() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs allocates a list that freeifaddrs releases below;
    // every pointer read is checked for null, and ifa_addr is read as a
    // sockaddr_in only when its family is AF_INET.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut p = head;
        while !p.is_null() {
            let ifa = &*p;
            if !ifa.ifa_addr.is_null() && i32::from((*ifa.ifa_addr).sa_family) == libc::AF_INET {
                let sin = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                let ip = std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
                let name = std::ffi::CStr::from_ptr(ifa.ifa_name)
                    .to_string_lossy()
                    .into_owned();
                out.push((name, ip.to_string()));
            }
            p = ifa.ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

/// IPv6 addresses per interface from /proc/net/if_inet6.
fn ipv6_addresses(roots: &Roots) -> Vec<(String, String)> {
    let text = roots.read_proc("net/if_inet6").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_ascii_whitespace().collect();
            let (hex, name) = (f.first()?, f.get(5)?);
            let n = u128::from_str_radix(hex, 16).ok()?;
            Some((name.to_string(), std::net::Ipv6Addr::from(n).to_string()))
        })
        .collect()
}

fn interfaces(roots: &Roots) -> Value {
    let v4 = ipv4_addresses();
    let v6 = ipv6_addresses(roots);
    let dir = roots.sys.join("class/net");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "lo" && !n.starts_with("veth"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let pick = |list: &[(String, String)]| -> Vec<String> {
                list.iter()
                    .filter(|(n, _)| *n == name)
                    .map(|(_, a)| a.clone())
                    .collect()
            };
            json!({
                "name": name,
                "macAddress": read_trim(&dir.join(&name).join("address")).unwrap_or_default(),
                "ipv4Addresses": pick(&v4),
                "ipv6Addresses": pick(&v6),
            })
        })
        .collect()
}

/// The host's specs as registered.
pub fn specs(
    roots: &Roots,
    rootfs: &Path,
    name: &str,
    display_name: Option<&str>,
    roles: &[String],
    checks: &[(String, Option<String>)],
) -> Value {
    let [sysname, _, release, version, machine] = uname();
    json!({
        "name": name,
        "displayName": display_name,
        "roleFullnames": roles,
        "meta": {
            "agent-name": "sonde",
            "agent-version": env!("CARGO_PKG_VERSION"),
            "kernel": {
                "name": sysname,
                "release": release,
                "version": version,
                "machine": machine,
                "os": "GNU/Linux",
            },
            "cpu": cpus(roots),
            "memory": memory(roots),
            "block_device": block_devices(roots),
            "filesystem": filesystems(roots, rootfs),
        },
        "interfaces": interfaces(roots),
        "checks": checks.iter().map(|(n, memo)| json!({"name": n, "memo": memo})).collect::<Vec<_>>(),
    })
}
