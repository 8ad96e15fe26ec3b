import type { Words } from '../words.js'
import { isUnsafe, planHasChanges, type Mode, type Plan } from './model.js'

/** What a run does once its plan is built: a pure function of mode, plan and settings. */
export type Decision =
  /** Nothing to write: the run ends here, successfully. */
  | { kind: 'finish' }
  /** The run ends here and fails, with why (nothing was written). */
  | { kind: 'stop'; error: string }
  /** Write: apply (or reconcile) the plan. */
  | { kind: 'apply' }

export interface DecideSettings {
  mode: Mode
  manifest: string
  reconcile: boolean
  failOnDrift: boolean
  force: boolean
}

/** The step's error when apps could not be read: one app a line when there are several. */
export function readFailure(errors: string[]): string {
  if (errors.length === 1) return `RunCloud could not be read: ${errors[0]}`
  return `RunCloud could not be read for ${errors.length} apps:\n${errors.map(e => `- ${e}`).join('\n')}`
}

/** Whether the run may write to RunCloud: apply, or drift with reconcile. */
export function writes(settings: Pick<DecideSettings, 'mode' | 'reconcile'>): boolean {
  return settings.mode === 'apply' || (settings.mode === 'drift' && settings.reconcile)
}

/**
 * plan: succeeds unless RunCloud could not be read. drift without reconcile: fails on read errors,
 * and on drift when fail-on-drift. apply, and drift with reconcile: the safety check comes before
 * any write (an unsafe plan stops unless forced); then apply when there is something to do (a change,
 * or a wanted SSL redeploy). Read errors of an apply are failed operations, reported after it.
 */
export function decide(plan: Plan, settings: DecideSettings, words: Words): Decision {
  const readErrors = plan.apps.flatMap(a => a.errors)
  if (!writes(settings)) {
    if (readErrors.length) return { kind: 'stop', error: readFailure(readErrors) }
    if (settings.mode === 'drift' && settings.failOnDrift && planHasChanges(plan)) {
      const n = plan.apps.reduce((k, a) => k + a.changes.length, 0)
      return {
        kind: 'stop',
        error: `Drift found: ${n} difference${n === 1 ? '' : 's'} between ${settings.manifest} and RunCloud${words.seeSummary}. Run with ${words.turnOn('reconcile')} to fix it.`
      }
    }
    return { kind: 'finish' }
  }
  if (isUnsafe(plan) && !settings.force) {
    const messages = plan.apps.filter(a => a.safety.unsafe).map(a => a.safety.message)
    return {
      kind: 'stop',
      error: `${messages.join('\n')}\nNothing was written. If this is intended, run again with ${words.turnOn('force')}.`
    }
  }
  if (planHasChanges(plan) || plan.apps.some(a => a.ssl.wanted)) return { kind: 'apply' }
  return { kind: 'finish' }
}
