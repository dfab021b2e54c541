/**
 * The data folder is the trader's alone: trade history, logs (with the account's masked id), stored
 * secrets, backups and the simulated broker's books. On POSIX systems the folders Thetadesk keeps are
 * made owner-only (0700) and its files owner read/write (0600), so other local users can read none of
 * it — also in a folder an older version created 0755/0644, which is tightened at the next start.
 * SQLite creates a database's -wal, -shm and -journal files with the database file's own permissions,
 * so a 0600 database keeps them 0600 too.
 *
 * On Windows the per-user profile's ACLs already keep other users out; modes mean nothing there and
 * nothing is changed. Changing a mode is best effort: a file system without modes (a FAT stick, some
 * network shares) or a folder owned by someone else is left as it is, never an error.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const posix = process.platform !== 'win32';

/** Creates `dir` (and missing parents) when needed and makes it owner-only. */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmod(dir, PRIVATE_DIR_MODE);
}

/** Makes each existing file of `files` owner read/write (missing ones are skipped). */
export function makePrivate(...files: string[]): void {
  for (const file of files) chmod(file, PRIVATE_FILE_MODE);
}

/** A SQLite database and the files SQLite keeps beside it. */
export function makeDatabasePrivate(file: string): void {
  makePrivate(file, `${file}-wal`, `${file}-shm`, `${file}-journal`);
}

/** Makes an existing folder and everything in it owner-only (folders 0700, files 0600); a missing one is skipped. */
export function makeTreePrivate(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // missing or not ours: see the top of this file
  }
  chmod(dir, PRIVATE_DIR_MODE);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) makeTreePrivate(p);
    else if (e.isFile()) chmod(p, PRIVATE_FILE_MODE);
  }
}

function chmod(p: string, mode: number): void {
  if (!posix) return;
  try {
    if ((fs.statSync(p).mode & 0o777) !== mode) fs.chmodSync(p, mode);
  } catch {
    // Missing, not ours, or a file system without modes: see the top of this file.
  }
}
