/**
 * The @actions/core functions the action uses, each one line over the library's own modules: the
 * workflow commands (`::error file=…::`, `::add-mask::`, with its escaping), the file commands
 * (GITHUB_OUTPUT, with its delimiters) and the job summary. The package's index would do the same
 * with them, but it also loads its OIDC client, and with it @actions/http-client and undici: a
 * sixth of the start-up of a run that makes no RunCloud call, for a feature the action never uses.
 * The package exports only its index, hence the paths into it. README, "Performance".
 */
import type { AnnotationProperties } from '@actions/core'
import { EOL } from 'node:os'
import { issue, issueCommand } from '../node_modules/@actions/core/lib/command.js'
import { issueFileCommand, prepareKeyValueMessage } from '../node_modules/@actions/core/lib/file-command.js'
import { toCommandProperties, toCommandValue } from '../node_modules/@actions/core/lib/utils.js'

export { summary } from '../node_modules/@actions/core/lib/summary.js'

/** An input as the runner passes it (`INPUT_<NAME>`), trimmed; '' when unset. */
export const getInput = (name: string): string =>
  (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim()

export const setSecret = (secret: string): void => issueCommand('add-mask', {}, secret)

export const info = (message: string): void => void process.stdout.write(message + EOL)
export const debug = (message: string): void => issueCommand('debug', {}, message)
export const notice = (message: string, properties: AnnotationProperties = {}): void =>
  issueCommand('notice', toCommandProperties(properties), message)
export const warning = (message: string, properties: AnnotationProperties = {}): void =>
  issueCommand('warning', toCommandProperties(properties), message)
export const error = (message: string, properties: AnnotationProperties = {}): void =>
  issueCommand('error', toCommandProperties(properties), message)

/** Fails the step: exit code 1 and an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1
  error(message)
}

/** Output lines between `::group::` and `::endgroup::`, folded in the log. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue('group', name)
  try {
    return await fn()
  } finally {
    issue('endgroup')
  }
}

/** A step output: into GITHUB_OUTPUT, or the `set-output` command where the runner gives no file. */
export function setOutput(name: string, value: unknown): void {
  if (process.env.GITHUB_OUTPUT) return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value))
  process.stdout.write(EOL)
  issueCommand('set-output', { name }, toCommandValue(value))
}
