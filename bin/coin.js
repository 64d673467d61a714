#!/usr/bin/env node
// Entry point: register tsx so coin's TypeScript sources (and users' Coinfile.ts) load directly.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
