import { constants, type Stats } from 'node:fs'
import { lstat, open, realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
import { MAX_MANIFEST_BYTES } from './parse.js'
import { ManifestError } from './types.js'

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory'
  if (s.isFIFO()) return 'a FIFO (named pipe)'
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device'
  if (s.isSocket()) return 'a socket'
  return 'not a regular file'
}

/**
 * The manifest in the workspace, read as a regular file and nothing else: symbolic links are
 * resolved, and a target outside the workspace or inside `.git/` is refused (a committed
 * `domains.yml -> .git/config` would otherwise put the checkout's credentials into error
 * messages); FIFOs, devices, sockets and directories are refused without being read (opened
 * non-blocking, checked on the open handle); at most 1 MiB + 1 byte is read. Undefined when
 * there is no file at the path. Every refusal is a ManifestError on the file, so it is annotated.
 */
export async function readHeadManifest(workspace: string, manifest: string): Promise<string | undefined> {
  const refuse = (message: string): never => {
    throw new ManifestError([{ file: manifest, line: 1, col: 1, message }])
  }
  const path = join(workspace, manifest)
  try {
    await lstat(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw e
  }
  let real: string
  try {
    real = await realpath(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return refuse(
        `${manifest} is a symbolic link to nothing; point it at the manifest, or replace it with the file`
      )
    if (code === 'ELOOP') return refuse(`${manifest} is a loop of symbolic links; replace it with the file`)
    throw e
  }
  const root = await realpath(workspace)
  const rel = relative(root, real)
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    return refuse(
      `${manifest} leads outside the workspace (to ${real}); the manifest must be a file in the repository's working tree`
    )
  if (rel.split(sep).some(part => part.toLowerCase() === '.git'))
    return refuse(
      `${manifest} leads into .git/ (to ${rel.split(sep).join('/')}); the manifest must be a file of the repository, not of git's own data`
    )
  let handle
  try {
    // Non-blocking, so opening a FIFO returns at once; not following a link swapped in since.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENXIO') return refuse(`${manifest} is a socket; the manifest must be a regular file`)
    if (code === 'ELOOP') return refuse(`${manifest} changed while it was read; run again`)
    throw e
  }
  try {
    const s = await handle.stat()
    if (!s.isFile()) return refuse(`${manifest} is ${kindOf(s)}; the manifest must be a regular file`)
    const buffer = Buffer.alloc(MAX_MANIFEST_BYTES + 1)
    let size = 0
    while (size < buffer.length) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, size)
      if (bytesRead === 0) break
      size += bytesRead
    }
    if (size > MAX_MANIFEST_BYTES)
      return refuse(
        `${manifest} is larger than the limit: the limit is 1 MiB (1,048,576 bytes); keep only the manifest in it`
      )
    return buffer.subarray(0, size).toString('utf8')
  } finally {
    await handle.close()
  }
}
