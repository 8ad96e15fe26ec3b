/**
 * Each front door speaks its own words. The core builds its messages with a `Words` it is given, so
 * the action says `api-token` and `force: true` where the command line says `RUNCLOUD_API_TOKEN` and
 * `--force`; neither rewrites the other's text afterwards (docs/architecture.md, "Front doors").
 */

/** A setting both front doors have, named by its action input. */
export type SettingName =
  | 'mode'
  | 'manifest'
  | 'api-token'
  | 'api-key'
  | 'api-secret'
  | 'server-id'
  | 'app-id'
  | 'api-url'
  | 'base-ref'
  | 'github-token'
  | 'comment'
  | 'ssl-redeploy'
  | 'max-removal-percent'
  | 'force'
  | 'reconcile'
  | 'fail-on-drift'
  | 'concurrency'
  | 'environment'
  | 'reviewed-plan'
  | 'dns-check'
  | 'drift-issue'

export interface Words {
  /** Which front door: messages that only make sense in one (a workflow file, a terminal) check it. */
  readonly door: 'action' | 'cli'
  /** The setting as the user writes it: `'concurrency'` (an input) or `--concurrency` / `RUNCLOUD_API_TOKEN`. */
  name(setting: SettingName): string
  /** The setting at the start of a sentence: `Input 'concurrency'` or `Option '--concurrency'`. */
  subject(setting: SettingName): string
  /** Two settings given together: `the inputs 'server-id' and 'app-id'` or `--server-id and --app-id`. */
  both(a: SettingName, b: SettingName): string
  /** What the user writes to turn a switch on: `force: true` or `--force`. */
  turnOn(setting: 'force' | 'reconcile'): string
  /** How an API v3 token reaches this front door, as the end of a sentence. */
  readonly provideToken: string
  /** Pointers to the fuller report, with a leading space, or empty where there is none. */
  readonly seeSummary: string
  readonly seeAnnotations: string
}

/** The action's words: inputs of action.yml, written in a workflow file. */
export const ACTION_WORDS: Words = {
  door: 'action',
  name: s => `'${s}'`,
  subject: s => `Input '${s}'`,
  both: (a, b) => `the inputs '${a}' and '${b}'`,
  turnOn: s => `${s}: true`,
  provideToken:
    'store it as a repository secret and pass it as api-token, e.g. api-token: ${{ secrets.RUNCLOUD_API_TOKEN }}',
  seeSummary: ' (see the summary)',
  seeAnnotations: ' (see the annotations)'
}
