import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * File systems where SQLite's WAL cannot work: WAL needs shared memory and
 * byte-range locks that every process on the machine sees, which network
 * shares and the shared folders of VMs and container desktops do not give.
 * Keys are mount types without a `fuse.` prefix, lower case.
 */
const refusedFileSystems: Record<string, string> = {
  nfs: "a network share",
  nfs4: "a network share",
  cifs: "a network share",
  smb: "a network share",
  smb2: "a network share",
  smb3: "a network share",
  smbfs: "a network share",
  afpfs: "a network share",
  sshfs: "a network share",
  "9p": "a virtual machine's shared folder",
  vboxsf: "a virtual machine's shared folder",
  vmhgfs: "a virtual machine's shared folder",
  "vmhgfs-fuse": "a virtual machine's shared folder",
  virtiofs: "a virtual machine's shared folder",
  grpcfuse: "a container desktop's shared folder",
  osxfs: "a container desktop's shared folder",
  fakeowner: "a container desktop's shared folder",
};

/** Linux statfs magic numbers, for when /proc/self/mountinfo is unreadable. */
const linuxMagicNames: Record<number, string> = {
  0x6969: "nfs",
  0x517b: "smb",
  0xff534d42: "cifs",
  0xfe534d42: "smb2",
  0x01021997: "9p",
  0x786f4256: "vboxsf",
  0xbacbacbc: "vmhgfs",
  0x65735546: "fuse",
  0xef53: "ext4",
  0x58465342: "xfs",
  0x9123683e: "btrfs",
  0x01021994: "tmpfs",
  0x794c7630: "overlay",
  0x2fc12fc1: "zfs",
};

/**
 * Why the database folder cannot hold a WAL database, or null when its file
 * system (as seen, e.g. "ext4", "nfs4", "fuse.sshfs") is fine. Unknown types
 * are allowed: SQLite itself refuses WAL where it can tell.
 */
export function checkDatabaseFileSystem(
  folder: string,
  seenType: string,
): string | null {
  const key = seenType
    .trim()
    .toLowerCase()
    .replace(/^fuse\./, "");
  const kind = refusedFileSystems[key];
  if (!kind) return null;
  return (
    `The database folder ${folder} is on ${kind} (file system ` +
    `${seenType}). Network shares and the shared folders of virtual ` +
    "machines and container desktops corrupt or lock WAL databases. " +
    "Put DATABASE_PATH on a local disk."
  );
}

/**
 * The type of the file system holding a folder, as the OS names it, or null
 * when it cannot tell (then the folder is allowed).
 */
export function detectFileSystemType(folder: string): string | null {
  const real = fs.realpathSync(folder);
  if (process.platform === "linux") {
    return mountTypeFromMountinfo(real) ?? typeFromMagic(real);
  }
  if (process.platform === "darwin") return mountTypeFromMountCommand(real);
  return null;
}

function mountTypeFromMountinfo(folder: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return null; // no /proc: the statfs magic number decides
  }
  return longestPrefixType(folder, parseMountinfo(text));
}

type Mount = { mountPoint: string; type: string };

/** Mount points and types from /proc/self/mountinfo lines. */
export function parseMountinfo(text: string): Mount[] {
  return text
    .split("\n")
    .filter((line) => line.includes(" - "))
    .map((line) => {
      const [before, after] = line.split(" - ");
      const mountPoint = unescapeOctal(before.split(" ")[4] ?? "");
      return { mountPoint, type: after.split(" ")[0] ?? "" };
    });
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** The type of the mount with the longest mount point containing folder. */
export function longestPrefixType(
  folder: string,
  mounts: Mount[],
): string | null {
  let best: Mount | null = null;
  for (const mount of mounts) {
    if (!isInside(folder, mount.mountPoint)) continue;
    if (!best || mount.mountPoint.length >= best.mountPoint.length) {
      best = mount;
    }
  }
  return best?.type ?? null;
}

function isInside(folder: string, mountPoint: string): boolean {
  const relative = path.relative(mountPoint, folder);
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`);
  return !outside && !path.isAbsolute(relative);
}

function typeFromMagic(folder: string): string | null {
  const magic = Number(fs.statfsSync(folder).type) >>> 0;
  return linuxMagicNames[magic] ?? `0x${magic.toString(16)}`;
}

/**
 * macOS's statfs has no type name in Node, so read `mount` (a few ms). If it
 * fails the folder is allowed: SQLite still refuses WAL where it can tell.
 */
function mountTypeFromMountCommand(folder: string): string | null {
  let text: string;
  try {
    text = execFileSync("/sbin/mount", { encoding: "utf8", timeout: 2000 });
  } catch {
    return null;
  }
  return longestPrefixType(folder, parseMountOutput(text));
}

/**
 * Mount points and types from macOS `mount` output lines, such as
 * "//me@server/share on /Volumes/share (smbfs, nodev, mounted by me)".
 */
export function parseMountOutput(text: string): Mount[] {
  return text.split("\n").flatMap((line) => {
    const match = / on (.+) \(([^,)]+)[,)]/.exec(line);
    return match ? [{ mountPoint: match[1], type: match[2] }] : [];
  });
}
