// Bundled for Node by global-setup.ts (as electron-vite bundles main): the real main-process
// services the harness runs. Bundling lets the test process load them although they import
// JSON profiles, which Node's ESM loader would refuse without import attributes.
export { startTestApp } from '../helpers/app'
export { DEMO_USERS } from '../../src/main/sandbox'
// Keep-ready renewal over the app core, driven by a spec's own clock, timers and resume events.
export { Renewal, renewalCorePort } from '../../src/main/renewal'
// Vault files as earlier TokenDecks wrote them (the format 1 upgrade in the window).
export { asLegacyFormat1, forgeFormat1 } from '../helpers/legacy-vault'
export { vaultKey } from '../helpers/vault'
