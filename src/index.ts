import * as core from './core.js'
import { run } from './main.js'
import { sourceMappedStack } from './stack.js'

// The last line of defence: whatever escapes run() still fails the step with a message, not a stack.
try {
  await run()
} catch (e) {
  // The stack, with the TypeScript sources' positions, for step debug logging.
  if (e instanceof Error && e.stack) core.debug(sourceMappedStack(e.stack))
  core.setFailed(`Unexpected error: ${e instanceof Error ? e.message : String(e)}`)
}
