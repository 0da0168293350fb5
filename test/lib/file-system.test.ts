import { describe, expect, it } from "vitest";
import {
  checkDatabaseFileSystem,
  longestPrefixType,
  parseMountinfo,
  parseMountOutput,
} from "@/lib/file-system";

const refused = [
  "nfs",
  "nfs4",
  "cifs",
  "smb",
  "smb2",
  "smb3",
  "smbfs",
  "9p",
  "vboxsf",
  "vmhgfs",
  "fuse.vmhgfs-fuse",
  "virtiofs",
  "fuse.grpcfuse",
  "grpcfuse",
  "osxfs",
  "fakeowner",
  "afpfs",
  "sshfs",
  "fuse.sshfs",
];
const allowed = ["ext4", "xfs", "btrfs", "apfs", "tmpfs", "overlay", "zfs"];

describe("checkDatabaseFileSystem", () => {
  it.each(refused)(
    "refuses %s, naming the folder, the type and the fix",
    (type) => {
      const problem = checkDatabaseFileSystem("/mnt/share/poets", type);

      expect(problem).toContain("/mnt/share/poets");
      expect(problem).toContain(`(file system ${type})`);
      expect(problem).toContain("Put DATABASE_PATH on a local disk");
      expect(problem).toMatch(/corrupt or lock WAL databases/);
    },
  );

  it.each(allowed)("allows %s", (type) => {
    expect(checkDatabaseFileSystem("/var/lib/poets", type)).toBeNull();
  });

  it("reads the type without regard to case or surrounding spaces", () => {
    expect(checkDatabaseFileSystem("/x", " NFS4 ")).not.toBeNull();
  });

  it("says which kind of share it is", () => {
    expect(checkDatabaseFileSystem("/x", "nfs4")).toContain("network share");
    expect(checkDatabaseFileSystem("/mnt/c", "9p")).toContain(
      "virtual machine's shared folder",
    );
    expect(checkDatabaseFileSystem("/x", "fuse.grpcfuse")).toContain(
      "container desktop's shared folder",
    );
  });
});

describe("longestPrefixType", () => {
  const mountinfo = [
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw",
    "40 22 0:50 / /mnt/c rw,noatime - 9p drvfs rw,dirsync",
    "41 22 0:51 / /mnt/cache rw - tmpfs tmpfs rw",
    "42 22 0:52 / /home/me/my\\040share rw - fuse.sshfs me@host: rw",
  ].join("\n");
  const mounts = parseMountinfo(mountinfo);

  it("takes the mount with the longest mount point holding the folder", () => {
    expect(longestPrefixType("/mnt/c/Users/me/poets", mounts)).toBe("9p");
    expect(longestPrefixType("/mnt/cache/poets", mounts)).toBe("tmpfs");
    expect(longestPrefixType("/var/lib/poets", mounts)).toBe("ext4");
  });

  it("does not take a mount point that only shares a prefix of letters", () => {
    expect(longestPrefixType("/mnt/cat", mounts)).toBe("ext4");
  });

  it("decodes spaces in mount points", () => {
    expect(longestPrefixType("/home/me/my share/db", mounts)).toBe(
      "fuse.sshfs",
    );
  });
});

describe("parseMountOutput", () => {
  it("reads macOS mount lines, shares and local disks alike", () => {
    const output = [
      "/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)",
      "/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled)",
      "//me@nas/poets on /Volumes/poets (smbfs, nodev, nosuid, mounted by me)",
      "server:/export on /Volumes/nfs (nfs)",
    ].join("\n");

    const mounts = parseMountOutput(output);

    expect(longestPrefixType("/Volumes/poets/data", mounts)).toBe("smbfs");
    expect(longestPrefixType("/Volumes/nfs", mounts)).toBe("nfs");
    expect(longestPrefixType("/Users/me/poets", mounts)).toBe("apfs");
  });
});
