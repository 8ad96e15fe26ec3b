import * as core from '@actions/core'
import { run } from './main.js'

// The last line of defence: whatever escapes run() still fails the step with a message, not a stack.
try {
  await run()
} catch (e) {
  // The frames name the TypeScript sources (index.ts turns source maps on); shown with step debug logging.
  if (e instanceof Error && e.stack) core.debug(e.stack)
  core.setFailed(`Unexpected error: ${e instanceof Error ? e.message : String(e)}`)
}
