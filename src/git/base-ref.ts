/**
 * Which commit the head manifest is compared with (README, "Behaviour in detail"): `base-ref` when given;
 * on pull requests the PR's base; on push the event's `before` (unless all zeros, a new branch);
 * otherwise the parent of GITHUB_SHA.
 */
export type BaseChoice =
  | { kind: 'commit'; ref: string; why: string }
  | { kind: 'parent'; of: string; why: string }
  | { kind: 'none'; why: string }

export interface EventContext {
  eventName: string
  /** The parsed event payload (GITHUB_EVENT_PATH), or {} when absent. */
  payload: Record<string, unknown>
  /** GITHUB_SHA. */
  sha?: string
  /** GITHUB_REF: the branch or tag the run is for (`refs/heads/main`). */
  ref?: string
}

const ZERO_SHA = /^0+$/
const SHA_OR_REF = /^(?!-)[\w./@^~{}-]+$/

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

function pick(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

export function chooseBase(baseRef: string | undefined, ctx: EventContext): BaseChoice {
  if (baseRef) return { kind: 'commit', ref: baseRef, why: `base-ref ${baseRef}` }
  if (ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target') {
    const sha = str(pick(ctx.payload, 'pull_request', 'base', 'sha'))
    if (sha && SHA_OR_REF.test(sha)) return { kind: 'commit', ref: sha, why: 'the pull request base' }
  }
  if (ctx.eventName === 'push') {
    const before = str(pick(ctx.payload, 'before'))
    if (before && !ZERO_SHA.test(before) && SHA_OR_REF.test(before)) {
      return { kind: 'commit', ref: before, why: 'the commit before the push' }
    }
  }
  if (ctx.sha && SHA_OR_REF.test(ctx.sha)) return { kind: 'parent', of: ctx.sha, why: 'the parent commit' }
  return { kind: 'parent', of: 'HEAD', why: 'the parent commit' }
}
