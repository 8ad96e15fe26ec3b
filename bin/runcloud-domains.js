#!/usr/bin/env node
// The command-line front door: the same engine as the action, bundled in dist/cli.
import '../dist/cli/index.js'
