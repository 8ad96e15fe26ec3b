import { cliMain } from './main.js'

const code = await cliMain(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  tty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
})
process.exitCode = code
