import type { SettingName, Words } from '../words.js'

/** Settings the command line takes from the environment rather than a flag. */
const ENVIRONMENT: Partial<Record<SettingName, string>> = {
  'api-token': 'RUNCLOUD_API_TOKEN',
  'api-key': 'RUNCLOUD_API_KEY',
  'api-secret': 'RUNCLOUD_API_SECRET'
}

/** Flags whose name differs from the action input they set. */
const FLAG: Partial<Record<SettingName, string>> = {
  'base-ref': '--base',
  'fail-on-drift': '--no-fail-on-drift'
}

const name = (s: SettingName): string => ENVIRONMENT[s] ?? FLAG[s] ?? `--${s}`

/** The command line's words: flags and environment variables, for a terminal. */
export const CLI_WORDS: Words = {
  door: 'cli',
  name,
  subject: s => (ENVIRONMENT[s] ? name(s) : `Option '${name(s)}'`),
  both: (a, b) => `${name(a)} and ${name(b)}`,
  turnOn: s => name(s),
  provideToken: 'set it as RUNCLOUD_API_TOKEN in the environment',
  seeSummary: '',
  seeAnnotations: ''
}
