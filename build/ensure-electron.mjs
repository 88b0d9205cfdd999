#!/usr/bin/env node
// Runs before `npm start`, `npm run dev`, `npm run demo` and `npm run test:electron`: installs
// Electron's binary when it is missing, or says in one line why it cannot (build/electron-binary.mjs).
import { ensureElectron } from './electron-binary.mjs'

await ensureElectron()
