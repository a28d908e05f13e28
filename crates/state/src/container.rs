//! Containers: ids from cgroups, metadata from container events.

/// What a container event says about a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerInfo {
    pub id: Vec<u8>,
    pub full_id: Vec<u8>,
    /// `sinsp_container_type` (0 docker, 1 lxc, 2 libvirt-lxc, 3 mesos, 4
    /// rkt, 5 custom, 6 cri, 7 containerd, 8 cri-o, 9 bpm, 10 static).
    pub ty: u32,
    pub name: Vec<u8>,
    pub image: Vec<u8>,
    pub imageid: Vec<u8>,
    pub imagerepo: Vec<u8>,
    pub imagetag: Vec<u8>,
    pub imagedigest: Vec<u8>,
    pub privileged: Option<bool>,
    pub ip: Vec<u8>,
    /// Whether the lookup succeeded (events of failed lookups are not shown).
    pub successful: bool,
}

impl ContainerInfo {
    /// The container's IPv4 address as the state keeps addresses (network
    /// order read little-endian); 0 when it has none or it does not parse.
    pub fn ipv4(&self) -> u32 {
        std::str::from_utf8(&self.ip)
            .ok()
            .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
            .map_or(0, |a| u32::from_le_bytes(a.octets()))
    }

    /// The `container.type` string.
    pub fn type_name(&self) -> &'static str {
        match self.ty {
            0 => "docker",
            1 => "lxc",
            2 => "libvirt-lxc",
            3 => "mesos",
            4 => "rkt",
            5 => "custom",
            6 => "cri",
            7 => "containerd",
            8 => "cri-o",
            9 => "bpm",
            10 => "static",
            _ => "",
        }
    }

    /// Parses the JSON of a container event (`parse_container_json_evt`).
    pub fn from_json(json: &[u8]) -> Option<ContainerInfo> {
        let v: serde_json::Value = serde_json::from_slice(json).ok()?;
        let c = v.get("container")?;
        let s = |k: &str| {
            c.get(k)
                .and_then(|x| x.as_str())
                .map(|x| x.as_bytes().to_vec())
                .unwrap_or_default()
        };
        let lookup = c.get("lookup_state").and_then(|x| x.as_u64());
        Some(ContainerInfo {
            id: s("id"),
            full_id: s("full_id"),
            ty: c.get("type").and_then(|x| x.as_u64()).unwrap_or(0) as u32,
            name: s("name"),
            image: s("image"),
            imageid: s("imageid"),
            imagerepo: s("imagerepo"),
            imagetag: s("imagetag"),
            imagedigest: s("imagedigest"),
            privileged: c.get("privileged").and_then(|x| x.as_bool()),
            ip: s("ip"),
            // lookup_state 1 is SUCCESSFUL; an absent state means success.
            successful: lookup.is_none_or(|l| l == 1),
        })
    }
}

fn is_hex_id(s: &[u8], len: usize) -> bool {
    s.len() == len && s.iter().all(|c| c.is_ascii_hexdigit())
}

/// The container id of a thread from its cgroups, as libsinsp's container
/// engines find it without asking a runtime: docker (`/docker/<64 hex>`,
/// `docker-<64 hex>.scope`), CRI-O (`crio-<64 hex>.scope`), containerd
/// (`cri-containerd-<64 hex>.scope`) and podman (`libpod-<64 hex>`), cut to
/// 12 characters. Empty for the host.
pub fn container_id_from_cgroups(raw: &[u8]) -> Vec<u8> {
    for entry in crate::thread::split_nul_iter(raw) {
        let Some(eq) = entry.iter().rposition(|&c| c == b'=') else {
            break;
        };
        let path = &entry[eq + 1..];
        for part in path.split(|&c| c == b'/') {
            let mut p = part;
            if let Some(s) = p.strip_suffix(b".scope") {
                p = s;
            }
            for prefix in [
                &b"docker-"[..],
                b"crio-",
                b"cri-containerd-",
                b"libpod-",
                b"",
            ] {
                if let Some(id) = p.strip_prefix(prefix)
                    && is_hex_id(id, 64)
                {
                    return id[..12].to_vec();
                }
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_ids() {
        let id = "9dbcbd0c435f0123456789abcdef0123456789abcdef0123456789abcdef0123";
        let cg = format!("cpuset=/\0cpu=/docker/{id}\0").into_bytes();
        assert_eq!(container_id_from_cgroups(&cg), b"9dbcbd0c435f");
        let cg = format!("cpu=/system.slice/docker-{id}.scope\0").into_bytes();
        assert_eq!(container_id_from_cgroups(&cg), b"9dbcbd0c435f");
        assert!(container_id_from_cgroups(b"cpu=/user.slice\0").is_empty());
    }
}
