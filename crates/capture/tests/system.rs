//! The header's machine facts: interfaces from getifaddrs, users and groups
//! from the password and group files.

use sonde_capture::system::{interfaces, users};
use sonde_scap::InterfaceRecord;

#[test]
fn loopback_is_among_the_interfaces() {
    let ifs = interfaces();
    assert!(
        ifs.iter().any(|i| matches!(
            i,
            InterfaceRecord::V4 { name, addr, netmask, .. }
                if name == b"lo"
                    && *addr == u32::from_le_bytes([127, 0, 0, 1])
                    && *netmask == u32::from_le_bytes([255, 0, 0, 0])
        )),
        "{ifs:?}"
    );
}

#[test]
fn users_and_groups_come_from_the_files_and_bad_lines_are_skipped() {
    let dir = std::env::temp_dir().join(format!("sonde-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("passwd"),
        "root:x:0:0:root:/root:/bin/bash\nbroken line\nweb:x:33:34:www:/var/www:/usr/sbin/nologin\nbad:x:notanumber:1::/:/bin/sh\n",
    )
    .expect("passwd");
    std::fs::write(dir.join("group"), "root:x:0:\nwww-data:x:34:web\nnope\n").expect("group");
    let ul = users(&dir);
    /// name, uid, gid, home, shell
    type User<'a> = (&'a [u8], u32, u32, &'a [u8], &'a [u8]);
    let names: Vec<User<'_>> = ul
        .users
        .iter()
        .map(|u| {
            (
                u.name.as_slice(),
                u.uid,
                u.gid,
                u.homedir.as_slice(),
                u.shell.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            (&b"root"[..], 0, 0, &b"/root"[..], &b"/bin/bash"[..]),
            (
                &b"web"[..],
                33,
                34,
                &b"/var/www"[..],
                &b"/usr/sbin/nologin"[..]
            ),
        ]
    );
    let groups: Vec<(&[u8], u32)> = ul
        .groups
        .iter()
        .map(|g| (g.name.as_slice(), g.gid))
        .collect();
    assert_eq!(groups, [(&b"root"[..], 0), (&b"www-data"[..], 34)]);
    let _ = std::fs::remove_dir_all(&dir);
}
